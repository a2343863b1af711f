"""Audio files: every format of the one table (``rules/audio.toml``, :mod:`composer.audio_formats`),
written all or none, a chunk at a time, tagged, each lossy one kept under the true-peak ceiling as
a player decodes it. Output files are 44.1 kHz stereo (Opus 48 kHz); WAV is 16-bit PCM.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import secrets
import shutil
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ..audio_formats import AUDIO_FORMATS, audio_format
from ..errors import OutputError, RenderError
from ..output import STAGE_PREFIX, fsync, remove_stale_parts
from .mastering import SAMPLE_RATE, db, limited_copy, stereo, true_peak
from .tape import BLOCK, Tape, TapeView, blocks

__all__ = ["write_audio", "audio_to_wav", "write_error"]


_CHUNK = BLOCK  # frames written at a time
_PEAK_ROUNDS = 4  # encodings of a lossy file, at most, to bring its decoded true peak under the ceiling
_PEAK_STEP_DB = 0.2  # ... each with the margin grown by the excess and this much more
_SERIAL_STEP = 997  # every this-many-th frame goes into an Ogg file's serial (oggserial.serial_for)


def _temp_beside(path: Path) -> Path:
    """A new, empty file beside ``path`` with a hidden, unique name (mode from the umask)."""
    while True:
        temp = path.with_name(f".{path.stem}.{os.getpid()}.{secrets.token_hex(4)}{path.suffix}.part")
        try:
            temp.open("xb").close()
            return temp
        except FileExistsError:
            continue


def _resampled(audio: np.ndarray | TapeView, sample_rate: int, rate: int) -> Iterator[np.ndarray]:
    """``audio`` resampled from ``sample_rate`` to ``rate`` (float32), a chunk at a time.

    Each chunk is ``scipy.signal.resample_poly`` (up/down polyphase, its
    Kaiser window) on a stretch with a margin either side, the stretches
    starting on multiples of ``down`` input frames, so every output sample is
    computed from the same inputs, in the same order, as on the whole song:
    the chunks joined are the same bits as one call.
    """
    from scipy.signal import resample_poly

    common = math.gcd(rate, sample_rate)
    up, down = rate // common, sample_rate // common
    reach = -(-10 * max(up, down) // up) + 2  # resample_poly's filter: 10 x max(up, down) taps either side
    margin = -(-reach // down) * down
    size = max(1, _CHUNK // down) * down
    frames, total = len(audio), -(-len(audio) * up // down)
    for start in range(0, frames, size):
        stop = min(frames, start + size)
        lead = min(margin, start)
        piece = resample_poly(audio[start - lead:min(frames, stop + margin)], up, down, axis=0)
        first = lead * up // down
        count = (total if stop == frames else stop * up // down) - start * up // down
        yield piece[first:first + count].astype(np.float32)


def _write_one(path: Path, audio: np.ndarray | TapeView, sample_rate: int, fmt: str, *, title: str,
               artist: str) -> None:
    row = audio_format(fmt)
    kind, subtype, rate = row.container, row.subtype, row.sample_rate or SAMPLE_RATE
    pieces = (_resampled(audio, sample_rate, rate) if sample_rate != rate
              else (audio[part] for part in blocks(len(audio))))
    import soundfile

    with soundfile.SoundFile(path, "w", rate, 2, format=kind, subtype=subtype) as out:
        if title:
            out.title = title
        if artist:
            out.artist = artist
        pcm = subtype == "PCM_16"
        serial, done = zlib.crc32(title.encode("utf-8")), 0  # oggserial.serial_for, a chunk at a time
        for piece in pieces:  # a chunk at a time, so no copy of the whole song
            serial = zlib.crc32(np.ascontiguousarray(piece[-done % _SERIAL_STEP::_SERIAL_STEP]).tobytes(), serial)
            done += len(piece)
            view = np.empty(piece.shape, np.float32)
            np.multiply(piece, 32767.0 if pcm else 1.0, out=view)
            if pcm:
                np.rint(view, out=view)  # round to 16 bits here rather than in libsndfile
            np.minimum(view, 32767.0 if pcm else 1.0, out=view)
            np.maximum(view, -32767.0 if pcm else -1.0, out=view)
            out.write(view.astype(np.int16) if pcm else view)
    if kind == "OGG":  # libsndfile picks a random stream serial: one from the song instead, for the same bytes
        from ..oggserial import set_serial

        set_serial(path, serial)
    fsync(path)  # on disk before it is renamed into place


def write_error(final: Path, err: BaseException, frames: int) -> Exception:
    """The error for a failed write of ``final``: OutputError (exit 5) when the disk is full or
    the file too large (libsndfile only says "System error."), naming the file where the user
    will find it, never a private staging folder."""
    shown = final.parent.parent / final.name if final.parent.name.startswith(STAGE_PREFIX) else final
    full = isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    with contextlib.suppress(OSError, ValueError, ImportError):
        import resource

        room = shutil.disk_usage(final.parent).free
        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]  # a file size limit reads as a full disk too
        full = full or min(room, limit if limit != resource.RLIM_INFINITY else room) < frames * 4 + (1 << 20)
    if full:
        return OutputError(f"cannot write {shown}: no space left on the device")
    reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
    return RenderError(f"cannot write {shown}: {reason}")


def _decoded_true_peak(path: Path, folder: Path) -> float:
    """The true peak (linear) of the audio file ``path`` as a player decodes it, a chunk at a time."""
    import soundfile

    with soundfile.SoundFile(path) as sound, Tape(sound.frames, channels=sound.channels, folder=folder) as tape:
        at = 0
        for block in sound.blocks(blocksize=_CHUNK, dtype="float32", always_2d=True):
            tape.write(at, block)
            at += len(block)
        return true_peak(tape.view(0, at)) if at else 0.0


def write_audio(path: Path, audio: np.ndarray | TapeView, sample_rate: int, *, formats: tuple[str, ...] = ("wav",),
                title: str = "", artist: str = "Songgram", ceiling_dbtp: float = -1.0) -> tuple[Path, ...]:
    """Write ``audio`` as ``path`` with each format's suffix; all files or none.

    Every file is written under a temporary name in the same folder and
    flushed to disk; only when all are complete are they renamed into place.
    (render_file writes while the final loudness is measured, so the flush
    costs no time there; a staged compose then finds nothing left to flush.)

    A format with a ``true_peak_margin_db`` in ``rules/audio.toml`` (the lossy
    ones: their encoders overshoot the peaks they are given) encodes ``audio``
    limited to ``ceiling_dbtp`` minus that margin; the file is then decoded and
    its true peak measured, and where the encoder still went over
    ``ceiling_dbtp``, the margin grows by the excess and the file is encoded
    again (at most :data:`_PEAK_ROUNDS` times). The lossless formats get
    ``audio`` as it is.
    Title and artist are tagged where not empty.

    Raises:
        RenderError: an unknown format, one this libsndfile cannot write, or
            a write that fails (nothing is left behind).
    """
    import soundfile  # only here, when writing: render_file forks its synths before it is needed

    audio = stereo(audio)
    path = Path(path)
    unknown = [f for f in formats if f not in AUDIO_FORMATS]
    if unknown or not formats:
        raise RenderError(f"unknown audio format {unknown or formats!r}; choose from {', '.join(AUDIO_FORMATS)}")
    for fmt in formats:
        if not soundfile.check_format(audio_format(fmt).container, audio_format(fmt).subtype):
            raise RenderError(f"this libsndfile ({soundfile.__libsndfile_version__}) cannot write {fmt}; "
                              "soundfile >= 0.12 with libsndfile >= 1.1 is needed (run make setup)")
    if not path.parent.is_dir():
        raise RenderError(f"output folder does not exist: {path.parent}")
    remove_stale_parts(path.parent)  # left by a render that was killed
    done: list[tuple[Path, Path]] = []
    sources: dict[float, tuple[Any, Tape | None]] = {0.0: (audio, None)}  # by margin: the audio it encodes
    fmt = formats[0]
    try:
        for fmt in dict.fromkeys(formats):
            final = path.with_suffix(audio_format(fmt).suffix)
            temp = _temp_beside(final)
            done.append((temp, final))
            margin = audio_format(fmt).true_peak_margin_db
            for _ in range(_PEAK_ROUNDS):  # a lossy file is decoded and measured; over the ceiling, again
                if margin not in sources:
                    sources[margin] = limited_copy(audio, ceiling_dbtp - margin, path.parent)
                _write_one(temp, sources[margin][0], sample_rate, fmt, title=title, artist=artist)
                if not margin:
                    break
                over = db(_decoded_true_peak(temp, path.parent)) - ceiling_dbtp
                if over <= 0:
                    break
                margin = round(margin + over + _PEAK_STEP_DB, 2)
    except BaseException as err:
        for temp, _ in done:
            temp.unlink(missing_ok=True)
        if isinstance(err, (OSError, RuntimeError)):  # soundfile.LibsndfileError is a RuntimeError
            raise write_error(path.with_suffix(audio_format(fmt).suffix), err, len(audio)) from err
        raise
    finally:
        for _, tape in sources.values():
            if tape is not None:
                tape.close()
    for temp, final in done:
        os.replace(temp, final)
    return tuple(final for _, final in done)


def audio_to_wav(path: str | Path, audio: np.ndarray, sample_rate: int, *, title: str = "", artist: str = "") -> Path:
    """Write ``audio`` as a 44.1 kHz stereo 16-bit PCM WAV, atomically, with these tags where not empty.

    Audio at another rate is resampled; mono is spread to both channels.
    """
    return write_audio(Path(path).with_suffix(".wav"), audio, sample_rate, formats=("wav",), title=title,
                       artist=artist)[0]
