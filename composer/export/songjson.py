"""song.json: everything needed to understand the song without reading MIDI.

Its schema is composer/schema/song.schema.json; the tests validate real
output against it. Keys are sorted and floats rounded, so the same song gives
the same bytes.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from ..model import PPQ, Song


__all__ = ["song_to_dict", "song_to_json", "schema"]


def _beats(ticks: int) -> float:
    return round(ticks / PPQ, 4)


def schema() -> dict[str, Any]:
    """The JSON Schema of song.json."""
    text = resources.files("composer").joinpath("schema/song.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def song_to_dict(song: Song) -> dict[str, Any]:
    """song.json as a dictionary."""
    a, plan = song.analysis, song.plan
    line_texts = [line.text for s in plan.sections if s.lyric >= 0
                  for line, _bars in zip(song.lyrics.sections[s.lyric].lines, s.line_bars)]
    return {
        "title": song.title,
        "engine": {"name": "songgram", "version": song.engine},
        "seed": song.seed,
        "length": song.length,
        "input": {"message": a.message, "to": a.given_to, "from": a.given_from,
                  "genre": plan.genre, "vibe": plan.vibe},
        "analysis": {
            "text": a.text,
            "words": [
                {"text": w.text, "syllables": list(w.syllables), "stresses": list(w.stresses),
                 "function": w.function, "source": w.source, "pause_after": w.pause_after}
                for w in a.words
            ],
            "sentiment": {"compound": round(a.sentiment.compound, 4), "positive": round(a.sentiment.positive, 4),
                          "negative": round(a.sentiment.negative, 4), "neutral": round(a.sentiment.neutral, 4)},
            "themes": [{"theme": t, "score": round(s, 4)} for t, s in a.themes],
            "theme": a.theme,
            "relation": a.relation,
            "relation_cue": {"source": a.relation_cue.source, "cue": a.relation_cue.cue},
            "recipient": a.recipient,
            "sender": a.sender,
        },
        "key": plan.key_name,
        "tonic": plan.tonic,
        "mode": plan.mode,
        "tempo": plan.tempo,
        "meter": f"{plan.meter[0]}/{plan.meter[1]}",
        "swing": round(plan.swing, 4),
        "seconds": round(song.seconds, 2),
        "reasons": [{"choice": k, "reason": r} for k, r in plan.reasons],
        "sections": [
            {"name": s.name, "kind": s.kind, "start_beat": _beats(s.start), "bars": s.bars,
             "energy": round(s.energy, 4),
             "lyrics": song.lyrics.sections[s.lyric].name if s.lyric >= 0 else None}
            for s in plan.sections
        ],
        "chords": [
            {"start_beat": _beats(c.start), "beats": _beats(c.dur), "symbol": c.symbol, "roman": c.roman,
             "section": c.section}
            for c in song.chords
        ],
        "vocal": [
            {"start_beat": _beats(n.start), "beats": _beats(n.dur), "pitch": n.pitch,
             "syllable": n.onset.syllable, "continues": n.onset.continues, "word": n.onset.word,
             "stress": n.onset.stress, "line": n.onset.line, "lyric_line": line_texts[n.onset.line]}
            for n in song.vocal
        ],
        "lyrics": [
            {"name": s.name, "kind": s.kind,
             "lines": [{"text": line.text, "origin": line.origin} | ({"rhyme": line.rhyme} if line.rhyme else {})
                       for line in s.lines]} | ({"scheme": s.scheme} if s.scheme else {})
            for s in song.lyrics.sections
        ],
        "tracks": [
            {"name": t.name, "role": t.role, "program": t.program, "channel": t.channel + 1,
             "notes": len(t.notes)}
            for t in song.tracks
        ],
        "soundfont": {"name": song.soundfont[0], "license": song.soundfont[1]} if song.soundfont[0] else None,
        "voice": dict(song.voice) if song.voice else None,
    }


def song_to_json(song: Song) -> str:
    """The text of song.json."""
    return json.dumps(song_to_dict(song), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
