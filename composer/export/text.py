"""lyrics.txt and song.chordpro: the words for people, with and without chords."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import PPQ

if TYPE_CHECKING:
    from ..song import Song

__all__ = ["song_to_lyrics", "song_to_chordpro"]


def song_to_lyrics(song: Song) -> str:
    """lyrics.txt: the title, then each section as it is sung, in order."""
    out = [song.title, ""]
    for section in song.plan.sections:
        if section.lyric < 0:
            continue
        out.append(f"[{section.name}]")
        lines = song.lyrics.sections[section.lyric].lines
        out.extend(line.text for line, _bars in zip(lines, section.line_bars))
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _chord_at(song: Song, tick: int) -> str:
    symbol = ""
    for chord in song.chords:
        if chord.start > tick:
            break
        symbol = chord.symbol
    return symbol


def _directive_value(text: str) -> str:
    """``text`` safe inside a ChordPro directive: braces, backslashes and line breaks become
    ChordPro 6 Unicode escapes (``\\uXXXX``), so a ``}`` in a name cannot end the directive.

    >>> print(_directive_value("Ana {x}"))
    Ana \\u007Bx\\u007D
    """
    return "".join(f"\\u{ord(c):04X}" if c in "{}\\" else " " if c in "\r\n" else c for c in text)


def song_to_chordpro(song: Song) -> str:
    """song.chordpro: ChordPro with title, key, tempo, sections and chords over syllables."""
    plan = song.plan
    mode = "m" if plan.mode == "minor" else "" if plan.mode == "major" else f" {plan.mode}"
    out = [
        f"{{title: {_directive_value(song.title)}}}",
        "{artist: Songgram}",
        f"{{key: {plan.key_name}{mode}}}",
        f"{{tempo: {plan.tempo}}}",
        f"{{time: {plan.meter[0]}/{plan.meter[1]}}}",
        "",
    ]
    notes_by_line: dict[int, list] = {}
    for note in song.vocal:
        notes_by_line.setdefault(note.onset.line, []).append(note)
    chords = list(song.chords)
    for index, section in enumerate(plan.sections):
        kind = section.kind
        env = {"verse": "verse", "chorus": "chorus", "bridge": "bridge"}.get(kind)
        name = _directive_value(section.name)
        out.append(f"{{start_of_{env}: {name}}}" if env else f"{{comment: {name}}}")
        section_chords = [c for c in chords if c.section == index]
        if section.lyric < 0:
            out.append(" ".join(f"[{c.symbol}]" for c in section_chords))
        else:
            shown = ""
            for line_no in sorted({n.onset.line for n in song.vocal if n.onset.section == index}):
                text = []
                line_notes = notes_by_line[line_no]
                line_start = line_notes[0].start
                line_end = line_notes[-1].start + line_notes[-1].dur
                pending = [c for c in section_chords if line_start <= c.start < line_end]
                for note in line_notes:
                    symbol = _chord_at(song, note.start)
                    while pending and pending[0].start <= note.start:
                        pending.pop(0)
                    if symbol != shown:
                        text.append(f"[{symbol}]")
                        shown = symbol
                    text.append(note.onset.syllable + ("" if note.onset.continues else " "))
                out.append("".join(text).rstrip())
        out.append(f"{{end_of_{env}}}" if env else "")
        out.append("")
    beats = plan.total_ticks // PPQ
    out.append(f"{{comment: {beats} beats at {plan.tempo} BPM}}")
    return "\n".join(out).rstrip() + "\n"
