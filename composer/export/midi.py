"""song.mid: a type 1 Standard MIDI File that opens in any DAW.

Track 0 is the conductor (title, copyright, tempo, time signature, key
signature, a marker at each section, a new key signature where the last
chorus lifts). Each part follows as a named track with
its General MIDI program, volume, pan and effect sends; drums are on channel
10. The ``Vocal`` track carries one lyric event per syllable at its note-on,
following the MIDI lyric recommended practice (RP-017), so karaoke players
show separate words: a syllable that continues its word ends in "-", the last
syllable of a word ends in a space ("Hap-", "py ", "birth-", "day "). The
syllable itself is never changed otherwise: a reader gets it back by dropping
that one final "-" or space.

:func:`song_to_midi_file` and :func:`text_track` are what other MIDI files
(song.kar) build on.
"""

from __future__ import annotations

import io
import unicodedata

import mido

from ..model import PPQ, Note, Song, Track, VocalNote
from ..theory import mido_key_signature


__all__ = ["song_to_midi", "song_to_midi_file", "text_track", "sung_notes", "latin1", "COPYRIGHT"]

COPYRIGHT = "Made with Songgram. Free to use, share and adapt (CC0)."


def latin1(text: str) -> str:
    """``text`` reduced to characters a MIDI text event can carry (Latin-1).

    Words of other scripts are romanised first (a title "A song for 李华").

    >>> latin1("Zoë Łucja"), latin1("A song for 李华")
    ('Zoë Lucja', 'A song for Li Hua')
    """
    if not all(ord(c) < 256 for c in text):
        from ..analyse.romanise import romanise

        text = romanise(text)
    out = []
    for char in text:
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char)
            base = "".join(c for c in base if not unicodedata.combining(c))
            base = {"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d"}.get(char, base)
            out.append(base if base and all(ord(c) < 256 for c in base) else "?")
    return "".join(out)


_Event = tuple[int, int, "mido.Message | mido.MetaMessage | tuple[str, dict[str, int]]"]
"""(tick, order at that tick, message): a mido message, or a channel message as (type, fields)
whose fields :func:`_check_part` has already checked, built without mido's per-message checks."""


def _events_to_track(events: list[_Event], name: str) -> mido.MidiTrack:
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("track_name", name=latin1(name), time=0))
    now = 0
    for tick, _order, msg in sorted(events, key=lambda e: (e[0], e[1])):
        if isinstance(msg, tuple):
            track.append(mido.Message(msg[0], skip_checks=True, time=tick - now, **msg[1]))
        else:
            track.append(msg.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def _check_part(track: Track) -> None:
    """Raise ValueError unless every number ``track`` puts in a channel message fits MIDI's range."""
    if not 0 <= track.channel <= 15:
        raise ValueError(f"track {track.name!r}: channel must be 0..15, got {track.channel}")
    for field_name in ("program", "volume", "pan", "reverb", "chorus"):
        value = getattr(track, field_name)
        if not (isinstance(value, int) and 0 <= value <= 127):
            raise ValueError(f"track {track.name!r}: {field_name} must be 0..127, got {value!r}")
    for n in track.notes:
        if not (0 <= n.pitch <= 127 and 1 <= n.velocity <= 127 and n.start >= 0 and n.dur > 0):
            raise ValueError(f"track {track.name!r}: a note must have pitch 0..127, velocity 1..127, start >= 0 "
                             f"and a length > 0, got {n}")


def _conductor(song: Song) -> mido.MidiTrack:
    plan = song.plan
    events: list[_Event] = [
        (0, 0, mido.MetaMessage("copyright", text=COPYRIGHT)),
        (0, 1, mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(plan.tempo))),
        (0, 2, mido.MetaMessage("time_signature", numerator=plan.meter[0], denominator=plan.meter[1],
                                clocks_per_click=36 if plan.meter[1] == 8 else 24)),
        (0, 3, mido.MetaMessage("key_signature", key=mido_key_signature(plan.tonic, plan.mode))),
    ]
    shift = 0
    for section in plan.sections:
        events.append((section.start, 4, mido.MetaMessage("marker", text=latin1(section.name))))
        if section.shift != shift:  # a key lift: the new key from here on
            shift = section.shift
            key = mido_key_signature((plan.tonic + shift) % 12, plan.mode)
            events.append((section.start, 5, mido.MetaMessage("key_signature", key=key)))
    return _events_to_track(events, song.title)


def _part(track: Track, lyrics: dict[Note, str] | None) -> mido.MidiTrack:
    _check_part(track)
    ch = track.channel
    events: list[_Event] = [
        (0, 0, ("control_change", {"channel": ch, "control": 0, "value": 0})),
        (0, 1, ("program_change", {"channel": ch, "program": track.program})),
        (0, 2, ("control_change", {"channel": ch, "control": 7, "value": track.volume})),
        (0, 3, ("control_change", {"channel": ch, "control": 10, "value": track.pan})),
        (0, 4, ("control_change", {"channel": ch, "control": 91, "value": track.reverb})),
        (0, 5, ("control_change", {"channel": ch, "control": 93, "value": track.chorus})),
    ]
    for tick, control, value in track.controls:  # automation: expression, filter sweeps
        if not (0 <= control <= 127 and 0 <= value <= 127 and tick >= 0):
            raise ValueError(f"track {track.name!r}: a controller must be 0..127 with a value 0..127 at a tick "
                             f">= 0, got {(tick, control, value)}")
        events.append((tick, 5, ("control_change", {"channel": ch, "control": control, "value": value})))
    # A repeated pitch must not cut itself off: end each note before the next on that pitch starts.
    last_end: dict[int, int] = {}
    notes: list[Note] = sorted(track.notes, key=lambda n: (n.start, n.pitch))
    next_start: dict[int, list[int]] = {}
    for n in notes:
        next_start.setdefault(n.pitch, []).append(n.start)
    seen: dict[int, int] = {}
    for n in notes:
        k = seen.get(n.pitch, 0)
        seen[n.pitch] = k + 1
        starts = next_start[n.pitch]
        end = n.end if k + 1 >= len(starts) else min(n.end, starts[k + 1])
        end = max(end, n.start + 1)
        last_end[n.pitch] = end
        if lyrics is not None:
            if n not in lyrics:
                raise ValueError(f"track {track.name!r}: the note at tick {n.start} sings no syllable")
            events.append((n.start, 7, mido.MetaMessage("lyrics", text=latin1(lyrics[n]))))
        events.append((n.start, 8, ("note_on", {"channel": ch, "note": n.pitch, "velocity": n.velocity})))
        events.append((end, 6, ("note_off", {"channel": ch, "note": n.pitch, "velocity": 0})))
    return _events_to_track(events, track.name)


def sung_notes(song: Song) -> list[tuple[VocalNote, Note]]:
    """Each sung syllable, in order, with the note that sings it (its ``performed`` note).

    Swing may have moved a note from the syllable's written start; the Vocal
    track plays these notes.

    Raises:
        ValueError: a syllable has no performed note (a song made without the arrange stage).
    """
    pairs = []
    for syllable in sorted(song.vocal, key=lambda n: n.start):
        if syllable.performed is None:
            raise ValueError(f"the sung syllable {syllable.onset.syllable!r} at tick {syllable.start} has no "
                             "performed note (the arrange stage sets it)")
        pairs.append((syllable, syllable.performed))
    return pairs


def song_to_midi_file(song: Song, *, lyric_events: bool = True) -> mido.MidiFile:
    """song.mid as a :class:`mido.MidiFile`: the conductor, then each part.

    Args:
        lyric_events: give the Vocal track its lyric events (song.kar leaves
            them out, as it shows the words from a track of its own).
    """
    mid = mido.MidiFile(type=1, ticks_per_beat=PPQ)
    mid.tracks.append(_conductor(song))
    for track in song.tracks:
        lyrics = None
        if track.role == "vocal" and lyric_events:
            lyrics = {played: syllable.lyric for syllable, played in sung_notes(song)}
        mid.tracks.append(_part(track, lyrics))
    return mid


def text_track(name: str, texts: list[tuple[int, str]]) -> mido.MidiTrack:
    """A track named ``name`` of text events, each (tick, text), kept in the order given at equal ticks.

    >>> [(m.type, m.time) for m in text_track("Words", [(0, "@T"), (480, "Hel"), (480, "lo")])][1:]
    [('text', 0), ('text', 480), ('text', 0), ('end_of_track', 0)]
    """
    return _events_to_track([(tick, i, mido.MetaMessage("text", text=latin1(text)))
                             for i, (tick, text) in enumerate(texts)], name)


def song_to_midi(song: Song) -> bytes:
    """The bytes of song.mid (type 1, 480 PPQ)."""
    buffer = io.BytesIO()
    song_to_midi_file(song).save(file=buffer)
    return buffer.getvalue()
