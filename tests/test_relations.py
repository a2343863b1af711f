"""Who a song is for (issue 12, item 1): relation cues, the cue that decided, accuracy."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from composer.analyse import analyse
from composer.analyse.understand import check_relations
from composer.errors import GrammarError
from composer.export.songjson import schema, song_to_dict
from conftest import composed

DATA = Path(__file__).parent / "data"

# (id, message, --to, relation, cue source, cue)
CUES = [
    # Filipino and English kinship, named with --to or in the message
    ("Nanay", "Salamat for everything.", "Nanay", "parent", "to", "Nanay"),
    ("Tatay", "Salamat for everything.", "Tatay Ben", "parent", "to", "Tatay"),
    ("Inay", "Inay, thank you for the rice.", "", "parent", "message", "Inay"),
    ("Itay", "Itay, thank you for the long drives.", "", "parent", "message", "Itay"),
    ("Mama", "I love you so much.", "Mama", "parent", "to", "Mama"),
    ("Papa", "Thank you for the bike.", "Papa", "parent", "to", "Papa"),
    ("Mom", "Mom, I love you so much. You are my hero.", "Mom", "parent", "to", "Mom"),
    ("Lola Nena", "Your laugh fills the house.", "Lola Nena", "grandparent", "to", "Lola"),
    ("Lolo", "Lolo, thank you for the stories.", "", "grandparent", "message", "Lolo"),
    ("Ate", "Thanks for the advice.", "Ate Joy", "sibling", "to", "Ate"),
    ("Kuya", "Kuya, thanks for covering for me.", "", "sibling", "message", "Kuya"),
    ("Tita", "Thank you for the summer.", "Tita Carmen", "other", "to", "Tita"),
    ("Tito", "Thank you for the fishing trips.", "Tito Rey", "other", "to", "Tito"),
    ("Ninang", "Salamat for the gifts, Ninang!", "", "other", "message", "Ninang"),
    ("Ninong", "Thank you for always being there.", "Ninong Jess", "other", "to", "Ninong"),
    ("anak", "Anak, we are so proud of you.", "", "child", "message", "Anak"),
    ("my son", "Good luck to my son on his first day.", "Leo", "child", "message", "my son"),
    # partners: only real partner cues
    ("husband", "Happy anniversary to my husband.", "Ramon", "partner", "message", "my husband"),
    ("wife", "To my wife, the love of my life.", "Ana", "partner", "message", "wife"),  # a vocative: "To my wife, ..."
    ("hubby", "Hubby, thank you for the coffee.", "", "partner", "message", "Hubby"),
    ("babe", "Babe, I would choose you again.", "", "partner", "message", "Babe"),
    ("bae", "Three years today, bae.", "Jay", "partner", "message", "bae"),
    ("married", "Ten years married and still laughing.", "Rosa", "partner", "message", "years married"),
    # friends
    ("bestie", "Happy birthday bestie!", "Kat", "friend", "message", "bestie"),
    ("bff", "Thanks for everything, BFF.", "", "friend", "message", "Best friend"),  # bff respelled
    ("best friend", "To my best friend since forever.", "Ollie", "friend", "message", "best friend"),
    # teachers and coaches
    ("Coach Rivera", "Thank you for believing in us.", "Coach Rivera", "teacher", "to", "Coach"),
    ("coach", "Coach, you pushed us every day.", "", "teacher", "message", "Coach"),
    ("teacher", "You are the best teacher ever.", "Ms. Cruz", "teacher", "message", "best teacher"),
    ("ma'am", "Thank you ma'am for your patience.", "", "teacher", "message", "Thank you ma'am"),
    ("sir", "Thank you sir for the extra lessons.", "", "teacher", "message", "Thank you sir"),
    # teams
    ("Team Falcons", "One more game, let's win it.", "Team Falcons", "team", "to", "Team"),
    ("teammates", "To all my teammates, we did it!", "", "team", "message", "teammates"),
    # pets
    ("Biscuit", "Who's a good boy? You are!", "Biscuit", "pet", "message", "Who's a good"),
    ("paws", "I love your little paws.", "Mochi", "pet", "message", "little paws"),
    ("fetch", "Let's play fetch all day.", "Max", "pet", "message", "play fetch"),
    ("kitty", "Kitty, stop knocking the cups over.", "", "pet", "message", "Kitty"),
    ("woof", "Woof! Happy birthday!", "Rex", "pet", "message", "Woof"),
    # businesses
    ("customers", "Thank you to our customers for ten great years.", "Lito's", "business", "message", "our customers"),
    ("bakery", "Fresh bread every morning at our bakery!", "Rosa", "business", "message", "our bakery"),
    ("shop", "Best coffee in town.", "Joe's Coffee Shop", "business", "to", "Shop"),
    ("clients", "Our clients love the new look.", "Glow", "business", "message", "Our clients"),
    # other scripts: the romanised kinship word counts
    ("Мама", "I love you.", "Мама", "parent", "to", "Mama"),
    # nothing points anywhere: anyone
    ("default", "You light up every room.", "Sam", "other", "default", ""),
    ("Dr. Lee", "Thank you for everything.", "Dr. Lee", "other", "to", "Doctor"),
]


@pytest.mark.parametrize(
    "message, to, relation, source, cue", [c[1:] for c in CUES], ids=[c[0] for c in CUES]
)
def test_relation_and_the_cue_that_decided(message: str, to: str, relation: str, source: str, cue: str) -> None:
    a = analyse(message, recipient=to)
    assert (a.relation, a.relation_cue.source, a.relation_cue.cue) == (relation, source, cue)


NOT_PARTNER = [
    ("mother", "Mom, I love you so much. You are my hero.", "Mom"),
    ("grandfather", "I love you so much, Lolo. You are my whole heart.", ""),
    ("friend of twenty years", "Twenty years and I still love you like a sister from another mister.", "Dee"),
    ("unknown", "I adore you. You light up my world.", "Sam"),
    ("no name", "I love you so much and I miss you every day.", ""),
    ("aunt", "I love you forever and always.", "Tita Baby"),
]


@pytest.mark.parametrize("message, to", [(m, t) for _, m, t in NOT_PARTNER], ids=[i for i, _, _ in NOT_PARTNER])
def test_love_without_a_partner_cue_is_not_a_partner(message: str, to: str) -> None:
    assert analyse(message, recipient=to).relation != "partner"


def _accuracy(name: str) -> float:
    rows = [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    right = sum(analyse(r["message"], recipient=r["to"]).relation == r["relation"] for r in rows)
    print(f"\n{name}: relation right {right}/{len(rows)} = {right / len(rows):.1%}")
    return right / len(rows)


def test_relation_accuracy_on_the_labelled_set() -> None:
    assert _accuracy("labelled_messages.jsonl") >= 0.93  # 95.4% when written


def test_relation_accuracy_on_the_held_out_set() -> None:
    """Never tuned on (tests/data/README.md): 87.1% before issue 12's cue work, 88.6% after."""
    assert _accuracy("heldout_relations.jsonl") >= 0.85


def test_relation_accuracy_on_the_second_held_out_set() -> None:
    """Written after the cue work and measured once: 92.9%."""
    assert _accuracy("heldout_relations_2.jsonl") >= 0.88


def test_the_held_out_set_covers_every_kind_of_recipient() -> None:
    rows = [json.loads(line) for line in (DATA / "heldout_relations.jsonl").read_text(encoding="utf-8").splitlines()]
    relations = {r["relation"] for r in rows}
    assert len(rows) >= 60
    assert relations == {"parent", "grandparent", "sibling", "child", "partner", "friend", "teacher", "team",
                         "pet", "business", "other"}


def test_song_json_records_the_deciding_cue() -> None:
    song = composed("Thank you for the stories.", "Lola Nena", "folk", "nostalgic", 3, "short")
    data = song_to_dict(song)
    jsonschema.validate(data, schema())
    assert data["analysis"]["relation"] == "grandparent"
    assert data["analysis"]["relation_cue"] == {"source": "to", "cue": "Lola"}
    broken = json.loads(json.dumps(data))
    broken["analysis"]["relation_cue"]["source"] = "guess"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema())


def test_from_themes_must_be_a_boolean(tmp_path: Path) -> None:
    text = '[relations.other]\ndescription = "x"\nfrom_themes = "no"\n[relations.other.names]\n[relations.other.cues]\n'
    path = tmp_path / "relations.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GrammarError, match=r"relations\.toml: key 'relations\.other\.from_themes' must be bool"):
        check_relations(tomllib.loads(text), where=str(path))
