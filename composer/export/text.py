"""lyrics.txt and song.chordpro: the words for people, with and without chords."""

from __future__ import annotations


from ..model import PPQ, Song


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


def _sung_line(syllables: list, chords: list) -> str:
    """One sung line with ``chords``, the chords that start from its first onset (or before, for a
    section's first line) until the next line's.

    A chord that starts on or before a syllable's onset is written just before
    it; one that starts later, over a held note or a rest, just after it,
    where it falls; the chords after the last onset end the line.
    """
    text = []
    pending = list(chords)
    for k, note in enumerate(syllables):
        while pending and pending[0].start <= note.start:
            text.append(f"[{pending.pop(0).symbol}]")
        text.append(note.onset.syllable)
        after = syllables[k + 1].start if k + 1 < len(syllables) else None
        while pending and (after is None or pending[0].start < after):
            text.append(f"[{pending.pop(0).symbol}]")
        text.append("" if note.onset.continues else " ")
    return "".join(text).rstrip()


def _directive_value(text: str) -> str:
    """``text`` safe inside a ChordPro directive: braces, backslashes and line breaks become
    ChordPro 6 Unicode escapes (``\\uXXXX``), so a ``}`` in a name cannot end the directive.

    >>> print(_directive_value("Ana {x}"))
    Ana \\u007Bx\\u007D
    """
    return "".join(f"\\u{ord(c):04X}" if c in "{}\\" else " " if c in "\r\n" else c for c in text)


def song_to_chordpro(song: Song) -> str:
    """song.chordpro: ChordPro with title, key, tempo, sections and every chord change.

    Each chord of song.json appears once, where it starts: over its syllable,
    or after the syllable it follows when it starts over a held note or a
    rest; an instrumental section lists its chords in order.
    """
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
    chords = sorted(song.chords, key=lambda c: c.start)
    for index, section in enumerate(plan.sections):
        kind = section.kind
        env = {"verse": "verse", "chorus": "chorus", "bridge": "bridge"}.get(kind)
        name = _directive_value(section.name)
        out.append(f"{{start_of_{env}: {name}}}" if env else f"{{comment: {name}}}")
        section_chords = [c for c in chords if c.section == index]
        sung = sorted((n for n in song.vocal if n.onset.section == index), key=lambda n: n.start)
        lines: dict[int, list] = {}
        for note in sung:
            lines.setdefault(note.onset.line, []).append(note)
        if section.lyric < 0 or not lines:
            out.append(" ".join(f"[{c.symbol}]" for c in section_chords))
        else:
            groups = list(lines.values())
            for k, line in enumerate(groups):
                last = k + 1 == len(groups)
                until = None if last else groups[k + 1][0].start
                mine = [c for c in section_chords if until is None or c.start < until]
                section_chords = section_chords[len(mine):]
                out.append(_sung_line(line, mine))
        out.append(f"{{end_of_{env}}}" if env else "")
        out.append("")
    beats = plan.total_ticks // PPQ
    out.append(f"{{comment: {beats} beats at {plan.tempo} BPM}}")
    return "\n".join(out).rstrip() + "\n"
