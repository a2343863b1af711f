"""song.kar: a karaoke MIDI file in the Soft Karaoke conventions.

A type 1 MIDI file that karaoke players (pykaraoke, Karafun, timidity's
lyric display, vanBasco) show while it plays:

- track 0, the conductor of song.mid (tempo, meter, key, section markers),
  opened by the text events ``@KMIDI KARAOKE FILE``, ``@V0100`` and an
  ``@I`` information line;
- track 1, ``Words``: ``@LENGL`` and ``@T`` lines (title, author, licence),
  then one text event per sung syllable at its note-on. A syllable that starts
  a section begins with ``\\`` (clear the screen), one that starts a lyric
  line with ``/`` (a new line); a word after the first of its line begins
  with a space, so the player joins syllables into words;
- the band, as in song.mid, with the Vocal track's lyric events left out so
  that players don't show the words twice.

Text is Latin-1, as the format expects.

>>> karaoke_syllables([("Ma", True, True, 0, 0), ("ry", False, False, 0, 0), ("had", True, False, 0, 0),
...                    ("lit", True, True, 1, 0), ("tle", False, False, 1, 0), ("lamb", True, False, 2, 1)])
['\\\\Ma', 'ry', ' had', '/lit', 'tle', '\\\\lamb']
"""

from __future__ import annotations

import io

import mido

from ..model import Song
from .midi import COPYRIGHT, latin1, song_to_midi_file, sung_notes, text_track


__all__ = ["song_to_kar", "karaoke_syllables", "LINES_PER_SCREEN"]

LINES_PER_SCREEN = 4
"""Soft Karaoke shows at most four lines per screen; a longer section starts a new one."""


def karaoke_syllables(rows: list[tuple[str, bool, bool, int, int]]) -> list[str]:
    """The text event of each syllable.

    Args:
        rows: per sung syllable, in order: (syllable, first of its word,
            continues its word, lyric line index, section index).
    """
    out = []
    prev_line = prev_section = None
    lines_on_screen = 0
    for syllable, first_in_word, _continues, line, section in rows:
        if section != prev_section or (line != prev_line and lines_on_screen >= LINES_PER_SCREEN):
            prefix = "\\"
            lines_on_screen = 1
        elif line != prev_line:
            prefix = "/"
            lines_on_screen += 1
        else:
            prefix = " " if first_in_word else ""
        out.append(prefix + syllable)
        prev_line, prev_section = line, section
    return out


def _words_track(song: Song) -> mido.MidiTrack:
    pairs = sung_notes(song)  # each syllable with the note that sings it: swing may have moved it
    texts = karaoke_syllables([(n.onset.syllable, n.onset.first_in_word, n.onset.continues, n.onset.line,
                                n.onset.section) for n, _ in pairs])
    header = ["@LENGL", "@T" + song.title, "@TSonggram", "@T" + COPYRIGHT]
    return text_track("Words", [(0, t) for t in header] + [(note.start, t) for (_, note), t in zip(pairs, texts)])


def song_to_kar(song: Song) -> bytes:
    """The bytes of song.kar: type 1, 480 PPQ, Soft Karaoke text events plus the band."""
    plan = song.plan
    mid = song_to_midi_file(song, lyric_events=False)
    info = f"{song.title} ({plan.genre}, {plan.vibe}, {plan.key_name} {plan.mode}, {plan.tempo} BPM)"
    header = [mido.MetaMessage("text", text=latin1(t), time=0)
              for t in ("@KMIDI KARAOKE FILE", "@V0100", "@I" + info)]
    mid.tracks[0][1:1] = header  # after the conductor's track name, before anything else
    mid.tracks.insert(1, _words_track(song))
    buffer = io.BytesIO()
    mid.save(file=buffer)
    return buffer.getvalue()
