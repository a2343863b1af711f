"""MIDI to audio through libfluidsynth (pyfluidsynth), in parallel, then mastered.

The jobs: :mod:`.timeline` reads the MIDI, :mod:`.parallel` cuts it into segments and plays
them at once, each with a :mod:`.synth`, onto a :mod:`.tape`; :mod:`.overdub` mixes the sung part in,
:mod:`.mastering` masters and :mod:`.files` writes every format. ``fluidsynth`` is imported only
when rendering, so composing MIDI stays light.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..effects import Effects
from ..errors import RenderError
from ..soundfonts import SoundFont, resolve_soundfont
from .overdub import Overdub, mix_overdub
from .parallel import make_apart, render_to_tape
from .tape import TapeView, peak

__all__ = ["Effects", "Overdub", "RenderReport", "midi_to_audio", "render_file", "resolve_soundfont"]


def midi_to_audio(midi: bytes | str | Path, *, soundfont: SoundFont | None = None,
                  effects: Effects = Effects(), sample_rate: int = 44100,
                  workers: int | None = None, channels: set[int] | None = None,
                  eq: np.ndarray | None = None) -> np.ndarray:
    """Render a General MIDI file to stereo audio (not mastered).

    Args:
        midi: the MIDI file's bytes, or its path.
        soundfont: the font (default: the catalog's default font).
        effects: reverb, chorus and gain.
        sample_rate: frames per second.
        workers: synth processes playing at once; None uses every core, 1
            plays here, one segment after another. The segments themselves
            (one per 20 s of music, at most 4) depend only on the song, so the
            audio is the same bytes whatever ``workers`` and the core count.
        channels: play only these channels (0-based, 9 is the drums), as for stems.
        eq: second-order sections each synth filters its segment with, as
            :func:`render_file` does with the bus EQ (:func:`~.mastering.bus_eq`).

    Returns:
        float32 array of shape (frames, 2): the MIDI's length plus a tail of
        at most :data:`TAIL_SECONDS`, ending in a short fade.

    Raises:
        RenderError: unreadable MIDI, no notes, libfluidsynth missing, or a
            font it cannot load.
    """
    audio = render_to_tape(midi, soundfont=soundfont, effects=effects, sample_rate=sample_rate,
                    workers=workers, channels=channels, eq=eq)
    try:
        return audio[:]
    finally:
        audio.tape.close()


@dataclass(frozen=True, slots=True)
class RenderReport:
    """What :func:`render_file` wrote.

    Attributes:
        paths: the files written, one per format, in the order asked.
        seconds: the audio's duration.
        lufs: integrated loudness of the master (ITU-R BS.1770, measured by libebur128).
        true_peak_dbtp: its true peak (4x oversampled), dBTP.
        soundfont: the font's name.
        license: the font's licence.
        overdub_gain: the gain the overdub was mixed in with (1.0 without one).
        overdub: the overdub as mixed (before the master), or None.
    """

    paths: tuple[Path, ...]
    seconds: float
    lufs: float
    true_peak_dbtp: float
    soundfont: str
    license: str
    overdub_gain: float = 1.0
    overdub: np.ndarray | None = None

    @property
    def path(self) -> Path:
        """The first file written."""
        return self.paths[0]


def render_file(midi_path: str | Path, out_path: str | Path, *, soundfont: SoundFont | str | None = None,
                effects: Effects = Effects(), formats: tuple[str, ...] = ("wav",), title: str = "",
                artist: str = "Songgram", workers: int | None = None, overdub: Overdub | None = None,
                progress: Callable[[int, int], None] | None = None) -> RenderReport:
    """Render, master and write ``midi_path`` to ``out_path``, once per format.

    Each format's file is ``out_path`` with that format's suffix. Files are
    written under temporary names in the same folder and renamed into place
    only when all are complete: a failure leaves nothing half written.

    Args:
        midi_path: the General MIDI file.
        out_path: where to write (``song.wav``; ``song.flac`` for "flac"...).
        soundfont: a :class:`SoundFont`, or a spec for :func:`resolve_soundfont`.
        effects: reverb, chorus and gain.
        formats: any of "wav" (44.1 kHz 16-bit PCM), "flac", "ogg" (Vorbis),
            "opus" (Ogg Opus at 48 kHz) and "mp3".
        title: the title tag, in formats that have tags.
        artist: the artist tag.
        workers: as for :func:`midi_to_audio`; 1 also makes the overdub here, in a
            thread, rather than in a forked process: no process is forked (for a
            caller that already runs a render per core, a batch worker).
        overdub: a part (the sung voice) made while the synths play and mixed
            over the band before mastering; the channels it mutes are not played.
        progress: called in this thread with (parts done, parts in all): once
            before the synths start, once as each segment is played, and once
            when the audio is mastered and written (for a progress bar).

    Raises:
        RenderError: the MIDI, the font or libfluidsynth cannot be used, the
            audio is silent, or a format cannot be written.
    """
    font = soundfont if isinstance(soundfont, SoundFont) else resolve_soundfont(soundfont)
    from .files import write_error

    folder = Path(out_path).parent
    try:  # the song is on a tape in the song's own folder: it fills the disk the song would
        return _render_file(midi_path, Path(out_path), font=font, effects=effects, formats=formats, title=title,
                            artist=artist, workers=workers, overdub=overdub,
                            folder=folder if folder.is_dir() else None, progress=progress)
    except OSError as err:  # the tape's disk is full (write_audio turns its own errors into ours)
        from ..audio_formats import AUDIO_FORMATS, audio_format

        first = formats[0] if formats and formats[0] in AUDIO_FORMATS else "wav"
        raise write_error(Path(out_path).with_suffix(audio_format(first).suffix), err, 0) from err


def _render_file(midi_path: str | Path, out_path: Path, *, font: SoundFont, effects: Effects,
                 formats: tuple[str, ...], title: str, artist: str, workers: int | None,
                 overdub: Overdub | None, folder: Path | None,
                 progress: Callable[[int, int], None] | None = None) -> RenderReport:
    """:func:`render_file`, its tape in ``folder``."""
    from .mastering import SAMPLE_RATE, bus_eq, prepare

    # the synths apply the bus EQ to their own segments; the other filters are built while they play
    made: list[np.ndarray] = []
    failed: list[BaseException] = []
    meanwhile: Callable[[], Any] = prepare
    if overdub is not None:
        def meanwhile() -> None:
            prepare()
            try:
                made.append(_make_here(overdub.make) if workers == 1 else make_apart(overdub.make))
            except BaseException as err:  # noqa: BLE001 - raised again in this thread, below
                failed.append(err)
    channels = None if overdub is None or not overdub.mute else set(range(16)) - set(overdub.mute)
    audio = render_to_tape(midi_path, soundfont=font, effects=effects, sample_rate=SAMPLE_RATE, workers=workers,
                    meanwhile=meanwhile, eq=bus_eq(SAMPLE_RATE, effects.presence_db), channels=channels,
                    folder=folder, progress=progress)
    with audio.tape:
        report = _master_file(audio, midi_path, out_path, font=font, formats=formats, title=title, artist=artist,
                            overdub=overdub, made=made, failed=failed)
    if progress is not None:
        progress(1, 1)
    return report


def _make_here(make: Callable[[], np.ndarray]) -> np.ndarray:
    """``make()`` in this process, as :func:`~.parallel.make_apart` returns it: C-ordered float32."""
    return np.ascontiguousarray(make(), dtype=np.float32)


def _master_file(audio: TapeView, midi_path: str | Path, out_path: Path, *, font: SoundFont,
                 formats: tuple[str, ...], title: str, artist: str, overdub: Overdub | None,
                 made: list[np.ndarray], failed: list[BaseException]) -> RenderReport:
    """The rest of :func:`render_file`, once the band is on its tape: the overdub, the master, the files."""
    from .files import write_audio
    from .mastering import SAMPLE_RATE, master_in_place

    gain, part = 1.0, None
    if overdub is not None:
        if failed:
            raise failed[0]
        if not made:
            raise RenderError("the sung part was not made")
        part = made[0]
        gain = mix_overdub(audio, part, overdub, SAMPLE_RATE)

    if not peak(audio) > 0:
        raise RenderError(f"the render of {midi_path} with {font.name} is silent; "
                          "the font may lack the instruments the song uses")
    written: list[tuple[Path, ...]] = []  # the files are written while the final loudness is measured
    figures = master_in_place(audio, SAMPLE_RATE, equalised=True,  # in place: ``audio`` is ours
                      meanwhile=lambda: written.append(write_audio(out_path, audio, SAMPLE_RATE,
                                                                   formats=formats, title=title, artist=artist)))
    paths = written[0]
    return RenderReport(paths=paths, seconds=len(audio) / SAMPLE_RATE, lufs=figures.lufs,
                        true_peak_dbtp=figures.true_peak_dbtp, soundfont=font.name, license=font.license,
                        overdub_gain=gain, overdub=part)
