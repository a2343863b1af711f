"""How the text cases of issue 12 (item 5) are sung: numbers, emoji, names, titles.

For each case a short song is composed (``composer.compose``, length short)
and its song.mid read back with mido: the Vocal track's lyric events are
joined into words (a syllable ending in "-" continues its word), and the
first sung line that holds the case's words is printed with the title
(song.mid's track name and song.json's title).

    python scripts/sung_text.py [--markdown]

Run it on an older checkout (``PYTHONPATH=OLD_TREE python
scripts/sung_text.py``) to compare before and after.
"""

from __future__ import annotations

import argparse
import io
import json
import sys

import mido

CASES = [  # (case, message, to)
    ("1.5M", "You make 1.5M people smile.", "Maya"),
    ("1/2", "You are my better 1/2.", "Maya"),
    ("3/4", "We ate 3/4 of the cake.", "Maya"),
    ("24/7", "I am here for you 24/7.", "Maya"),
    ("2am", "Thanks for the call at 2am.", "Maya"),
    ("$20", "I still owe you $20.", "Maya"),
    ("50%", "You are 50% of my heart.", "Maya"),
    ("21st", "Happy 21st birthday!", "Maya"),
    ("emoji at line end", "Happy birthday 🎉", "Maya"),
    ("emoji before a sentence", "Happy birthday 🎉 You make us smile", "Maya"),
    ("emoji inside", "I ❤️ you", "Maya"),
    ("emoji standalone", "Good luck tomorrow 🤞", "Maya"),
    ("emoji by library", "I want a 🦄 for my birthday", "Maya"),
    ("李华", "Happy birthday, my friend!", "李华"),
    ("Дмитрий", "Happy birthday, my friend!", "Дмитрий"),
    ("محمد", "Happy birthday, my friend!", "محمد"),
    ("Dr. Lee", "Thank you for everything.", "Dr. Lee"),
]


def midi_words(data: bytes) -> tuple[str, list[str]]:
    """(track name of the conductor, the sung words of the Vocal track)."""
    mid = mido.MidiFile(file=io.BytesIO(data))
    title = next((m.name for m in mid.tracks[0] if m.type == "track_name"), "")
    vocal = next(t for t in mid.tracks if any(m.type == "track_name" and m.name == "Vocal" for m in t))
    words: list[str] = []
    joining = False
    for msg in vocal:
        if msg.type != "lyrics":
            continue
        text = msg.text
        if joining:
            words[-1] += text.rstrip("-")
        else:
            words.append(text.rstrip("-"))
        joining = text.endswith("-")
    return title, words


def sung(message: str, to: str) -> dict[str, str]:
    """The title as written and in song.mid, the sung recipient and the first line of the message."""
    from composer import compose
    from composer.export.songjson import song_to_dict

    song = compose(message, to=to, genre="pop", vibe="upbeat", seed=1, length="short")
    data = song_to_dict(song)
    midi_title, words = midi_words(song.to_midi())
    first = song.lyrics.sections[0].lines
    n = sum(len(line.words) for line in first[:1])
    name = data["analysis"]["recipient"].split()
    sung_name = any(words[i : i + len(name)] == name for i in range(len(words))) if name else False
    return {
        "title": data["title"],
        "midi title": midi_title,
        "recipient": data["analysis"]["recipient"] + (" (in song.mid)" if sung_name else ""),
        "first line (song.mid)": " ".join(words[:n]),
    }


def main(argv: list[str] | None = None) -> int:
    """Print each case as a row (markdown with --markdown)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = []
    for case, message, to in CASES:
        try:
            row = {"case": case, "message": message, "to": to, **sung(message, to)}
        except Exception as err:  # an older engine may refuse a case: show it as a row
            row = {"case": case, "message": message, "to": to, "error": f"{type(err).__name__}: {err}"}
        rows.append(row)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    elif args.markdown:
        print("| case | to | sung first line (song.mid) | sung name | title (song.json / song.mid) |")
        print("| --- | --- | --- | --- | --- |")
        for r in rows:
            print(f"| {r['case']} | {r['to']} | {r.get('first line (song.mid)', r.get('error'))} "
                  f"| {r.get('recipient', '')} | {r.get('title', '')} / {r.get('midi title', '')} |")
    else:
        for r in rows:
            print(r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
