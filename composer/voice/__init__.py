"""The singing voice: the song's words sung on its Vocal line, offline.

Festival speaks each line with the engine's own pronunciations
(:mod:`.phones`, :mod:`.festival`); WORLD moves the speech onto the notes and
gives it the tune's pitch (:mod:`.warp`, :mod:`.synth`); a vocal chain sits
it in the mix (:mod:`.chain`). The voices are data (rules/voices.toml,
:mod:`.catalog`). Nothing here is imported unless audio is rendered with a voice.

>>> from composer import compose
>>> song = compose("Keep going, you are closer than you think.", to="Alex", genre="pop",
...                vibe="upbeat", seed=3, length="short")
>>> take = prepare_song(song)
>>> take.choice.voice.name, len(take.lines) > 2
('slt', True)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import mido
import numpy as np

from ..effects import Effects
from ..errors import RenderError
from .catalog import Choice, Voice, check_installed, choose, voice, voice_names, voices
from ..model import Song
from .score import Line, MidiTempo, lines_from_midi, lines_from_song, pitches

if TYPE_CHECKING:
    from ..render import Overdub

__all__ = ["Take", "Voice", "Choice", "voices", "voice", "voice_names", "prepare_song", "prepare_midi",
           "sing", "overdub", "midi_overdub", "NONE"]

NONE = "none"
"""The ``--voice`` value that sings nothing (today's instrumental)."""


@dataclass(frozen=True, slots=True)
class Take:
    """What is to be sung: the voice, its lines, the seconds where choruses are, and the channel it replaces."""

    choice: Choice
    lines: tuple[Line, ...]
    choruses: tuple[tuple[float, float], ...]
    channel: int | None
    seed: int = 0

    def record(self) -> dict[str, str]:
        """What song.json says of the voice."""
        v = self.choice.voice
        return {"name": v.name, "engine": v.engine, "license": v.licence, "origin": v.origin,
                "reason": self.choice.reason}


def prepare_song(song: Song, name: str | None = None) -> Take:
    """The take for ``song``: the voice ``name`` (None picks one from the tune's range) and its lines.

    Raises:
        InputError: an unknown voice name.
        RenderError: Festival or the voice's package is not installed.
    """
    written = lines_from_song(song)
    choice = choose(pitches(written), name=name)
    check_installed(choice.voice)
    lines = lines_from_song(song, shift=choice.shift) if choice.shift else written
    seconds = 60.0 / (song.plan.tempo * 480)
    choruses = tuple((s.start * seconds, (s.start + s.bars * song.plan.bar_ticks) * seconds)
                     for s in song.plan.sections if s.kind == "chorus")
    vocal = next((t.channel for t in song.tracks if t.role == "vocal"), None)
    return Take(choice, tuple(lines), choruses, vocal, song.seed)


def prepare_midi(midi: Any, name: str | None = None) -> Take | None:
    """The take for a mido MidiFile's Vocal track and lyric events; None when it has no lyrics to sing."""
    written, channel = lines_from_midi(midi)
    if not written:
        return None
    choice = choose(pitches(written), name=name)
    check_installed(choice.voice)
    lines = lines_from_midi(midi, shift=choice.shift)[0] if choice.shift else written
    choruses = []
    tick, marks = 0, []
    for msg in midi.tracks[0]:
        tick += msg.time
        if msg.type == "marker":
            marks.append((tick, msg.text.lower().startswith("chorus")))
    tempo = MidiTempo(midi)
    for (at, chorus), (nxt, _) in zip(marks, marks[1:] + [(None, False)]):
        if chorus:
            end = tempo.seconds(nxt) if nxt is not None else max(n.end for line in lines for n in line.notes)
            choruses.append((tempo.seconds(at), end))
    return Take(choice, tuple(lines), tuple(choruses), channel)


def sing(take: Take, *, room: float, reverb: float, sample_rate: int = 44100) -> np.ndarray:
    """The processed vocal of ``take``: stereo float32 at ``sample_rate``, from the top of the song.

    Its length runs to the end of the last line's reverb tail; its level is
    the chain's, to be set against the band by the caller.
    """
    from .chain import process
    from .synth import sing_lines

    pieces = sing_lines(list(take.lines), take.choice.voice, seed=take.seed)
    rate = take.choice.voice.rate
    if not pieces:
        return np.zeros((0, 2), dtype=np.float32)
    end = max(start + len(audio) / rate for start, _, audio in pieces)
    frames = int(np.ceil((end + 4.5) * sample_rate))
    return process(pieces, rate, frames, room=room, reverb=reverb, out_rate=sample_rate)


def overdub(take: Take, effects: Effects) -> Overdub:
    """``take`` as an overdub for :func:`composer.render.render_file`: sung while the synths play, in the
    genre's room, at the chain's level against the band in the choruses, the Vocal instrument left out."""
    from ..render import Overdub
    from .chain import chain

    return Overdub(make=lambda: sing(take, room=effects.reverb_room, reverb=effects.reverb_level),
                   spans=take.choruses, level_lu=chain().level_lu,
                   mute=frozenset({take.channel}) if take.channel is not None else frozenset())


def midi_overdub(midi_path: str | os.PathLike[str], name: str | None = None, *,
                 effects: Effects = Effects()) -> Overdub | None:
    """The overdub that sings the lyric events of a MIDI file's Vocal track, or None when it has none.

    This is what ``songgram render MIDI --voice NAME`` mixes over the band; pass it to
    :func:`composer.render.render_file` with the same ``effects`` to get the same audio.

    Args:
        midi_path: a MIDI file whose track named ``Vocal`` carries lyric events (a song.mid does).
        name: the voice (rules/voices.toml); None picks the one whose range fits the tune.
        effects: the render's effects: the voice is sung in their room.

    Raises:
        RenderError: the file is not a readable MIDI file; Festival or the voice's package is missing.
        InputError: an unknown voice name.
    """
    try:
        parsed = mido.MidiFile(str(midi_path))
    except (OSError, EOFError, ValueError, KeyError, IndexError) as err:
        raise RenderError(f"not a readable MIDI file ({err}): {midi_path}") from err
    take = prepare_midi(parsed, name)
    return None if take is None else overdub(take, effects)
