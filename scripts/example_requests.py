"""Write docs/requests-example.jsonl: a few hundred song requests shaped like a real campaign.

Love in about a third of the messages, then gratitude and encouragement,
then birthdays, missing someone, congratulations, apologies, get-well wishes,
farewells, lullabies; family the most frequent recipients, then friends,
partners, teams and pets. Every sentence is our own. A few requests are
meant to be refused (nothing singable, over the limits) and two lines are
malformed, so a batch of it shows every kind of row.

    .venv/bin/python scripts/example_requests.py [--count 300] [--out docs/requests-example.jsonl]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

# (theme weight, recipients (name, relation words), messages); {n} is the recipient's name.
THEMES: dict[str, tuple[float, list[str], list[str]]] = {
    "love": (0.33, ["Mara", "Jun", "Elena", "Sam", "Priya", "Tomás", "Ana", "Leo", "Mom", "Dad", "Grandma"], [
        "{n}, every morning with you feels like the first warm day of spring. I love you.",
        "I love the way you laugh at your own jokes before you finish them, {n}.",
        "Ten years and I still look for you first in every room. I love you, {n}.",
        "You make the ordinary days shine, {n}. I adore you.",
        "{n}, you are my favourite person to do nothing with. Love you always.",
        "Thank you for choosing me, {n}. I love you more than coffee, and that is a lot.",
        "My heart is home wherever you are, {n}.",
        "{n}, I fell in love with you over burnt pancakes and I would do it again.",
        "I love you, {n}. Thank you for holding my hand through the hard year.",
        "Te quiero mucho, {n}. You are the light of our little house.",
    ]),
    "gratitude": (0.18, ["Mom", "Dad", "Lola", "Coach Rivera", "Ms. Okafor", "Nana", "Uncle Ben", "Jess"], [
        "Thank you for always cooking for us, {n}. Every plate was a hug.",
        "{n}, thank you for the early drives, the late pickups and every word of advice.",
        "Salamat po, {n}, for raising us with patience and so much laughter.",
        "Thank you for believing in me before I believed in myself, {n}.",
        "{n}, your lessons stayed with me long after the bell rang. Thank you.",
        "We are grateful for every Sunday you spent fixing our bikes, {n}.",
        "Thanks for showing up every single time, {n}. It meant the world.",
    ]),
    "encouragement": (0.15, ["Alex", "Kai", "Noor", "the Owls", "Team Falcon", "Rosa", "Ben"], [
        "Keep going, {n}. You are closer than you think.",
        "{n}, the hard part is behind you. Finish strong.",
        "One more mile, {n}. We are cheering from the side of the road.",
        "You have trained for this, {n}. Trust your legs and go.",
        "Go team, {n}! Play together and leave it all on the field.",
        "Exams end, {n}, and you will still be brilliant after them.",
    ]),
    "birthday": (0.10, ["Mia", "Grandpa", "Lucas", "Auntie Rose", "Sofia", "Max"], [
        "Happy birthday, {n}! Make a big wish and eat the biggest slice.",
        "{n}, happy birthday to the loudest laugh in our family.",
        "Another year of you, {n}. Happy birthday, we are lucky.",
    ]),
    "missing-you": (0.06, ["Dad", "Hana", "Ollie", "Mom", "Ravi"], [
        "I miss you, {n}. The kitchen is too quiet without your singing.",
        "{n}, I miss our long walks and your terrible puns.",
    ]),
    "congratulations": (0.05, ["Zoe", "Daniel", "Team Harbor", "Amara"], [
        "Congratulations on your graduation, {n}! We are so proud of you.",
        "{n}, congrats on the new job. They are lucky to have you.",
    ]),
    "apology": (0.03, ["Chris", "Lena", "Marco"], [
        "I am sorry, {n}. I should have listened. Can we start again?",
    ]),
    "get-well": (0.03, ["Grandma", "Pat", "Uncle Joe"], [
        "Get well soon, {n}. The garden is waiting for you.",
    ]),
    "farewell": (0.02, ["Ms. Patel", "Coach Dan", "Yuki"], [
        "We will miss you, {n}. Good luck in the new city.",
    ]),
    "lullaby": (0.02, ["baby Ada", "little Theo", "Luna"], [
        "Sleep now, {n}. The moon is keeping watch tonight.",
    ]),
    "pet": (0.03, ["Biscuit", "Pepper", "Mochi", "Rex"], [
        "{n}, you good dog, thank you for every wagging hello at the door.",
        "To {n}, the cat who owns the sunny window. We love you, fuzzy boss.",
    ]),
}

GENRES = ["pop", "ballad", "rock", "country", "folk", "rnb", "jazz", "reggae", "bossa-nova", "hip-hop", "edm",
          "lullaby"]
GENRE_WEIGHTS = [0.22, 0.18, 0.1, 0.1, 0.08, 0.08, 0.05, 0.05, 0.04, 0.04, 0.03, 0.03]
VIBES = ["heartfelt", "upbeat", "playful", "romantic", "nostalgic", "epic", "chill"]
VIBE_WEIGHTS = [0.3, 0.22, 0.12, 0.14, 0.1, 0.06, 0.06]
SENDERS = ["", "", "", "Ana", "the kids", "your team", "Jo", "Mina", "Dev"]

REFUSED = [
    {"message": "... !!! ???", "to": "Kim", "genre": "pop", "vibe": "upbeat"},
    {"message": "生日快乐", "to": "Wei", "genre": "pop", "vibe": "upbeat", "language": "zh"},
    {"message": "la " * 200, "to": "Bo", "genre": "pop", "vibe": "playful"},
]
MALFORMED = [
    '{"message": "Thank you for the lift, Sal!", "to": "Sal", "genre": "polka", "vibe": "upbeat"}',
    '{"to": "Nobody", "genre": "pop", "vibe": "upbeat"}',
]


def requests(count: int, seed: int) -> list[str]:
    """``count`` request lines (refused and malformed examples included)."""
    rng = np.random.default_rng(seed)
    names = list(THEMES)
    weights = np.array([THEMES[n][0] for n in names])
    lines = []
    for index in range(count - len(REFUSED) - len(MALFORMED)):
        theme = names[rng.choice(len(names), p=weights / weights.sum())]
        _, recipients, messages = THEMES[theme]
        to = recipients[rng.integers(len(recipients))]
        message = messages[rng.integers(len(messages))].format(n=to)
        genre = "lullaby" if theme == "lullaby" else GENRES[rng.choice(len(GENRES), p=GENRE_WEIGHTS)]
        request = {"id": f"r{index + 1:04d}", "message": message, "to": to,
                   "genre": genre, "vibe": VIBES[rng.choice(len(VIBES), p=VIBE_WEIGHTS)],
                   "seed": int(rng.integers(1_000_000))}
        sender = SENDERS[rng.integers(len(SENDERS))]
        if sender:
            request["from"] = sender
        if "quiero" in message:
            request["language"] = "es"
        elif "Salamat" in message:
            request["language"] = "tl"
        lines.append(json.dumps(request, ensure_ascii=False))
    for place, extra in zip((40, 120, 200), REFUSED):
        lines.insert(min(place, len(lines)), json.dumps(extra, ensure_ascii=False))
    for place, bad in zip((77, 250), MALFORMED):
        lines.insert(min(place, len(lines)), bad)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--out", type=Path, default=Path("docs/requests-example.jsonl"))
    args = parser.parse_args()
    args.out.write_text("\n".join(requests(args.count, args.seed)) + "\n", encoding="utf-8")
    print(f"wrote {args.count} requests to {args.out}")


if __name__ == "__main__":
    main()
