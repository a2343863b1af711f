"""The Festival driver: one ``festival`` process speaks every distinct line of a song.

Each sung word is given to Festival as a made-up token whose lexicon entry
is the engine's own pronunciation (:mod:`.phones`); a word the engine's
tables lack is given as its spelling, for Festival's letter-to-sound rules.
Festival speaks each line as one utterance, resamples it to the voice's rate
and writes it as a WAV file; for every phone it prints the word (token) and
syllable it belongs to and its start and end in seconds.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..children import die_with_parent
from ..errors import RenderError
from .catalog import Voice
from .phones import SONORANTS, VOWELS, lexicon_entry, spelling, token

__all__ = ["Phone", "Spoken", "speak"]

_TIMEOUT = 120.0
_HEAP = 1_000_000  # Lisp cells: Festival's default, 10 million, takes 330 MB of memory; this takes 55 MB
_DUMP = """
(define (sg_dump utt line path)
  (utt.wave.resample utt %(rate)d)
  (utt.save.wave utt path 'riff)
  (set! sg_t 0)
  (mapcar (lambda (tok)
    (set! sg_s 0)
    (mapcar (lambda (w)
      (mapcar (lambda (syl)
        (mapcar (lambda (seg)
          (format t "SEG %%d %%d %%d %%s %%s %%s\\n" line sg_t sg_s (item.name seg)
                  (item.feat seg "segment_start") (item.feat seg "end")))
          (item.daughters syl))
        (set! sg_s (+ sg_s 1)))
        (item.daughters (item.relation w 'SylStructure))))
      (item.daughters tok))
    (set! sg_t (+ sg_t 1)))
    (utt.relation.items utt 'Token))
  (format t "DONE %%d\\n" line))
"""


@dataclass(frozen=True, slots=True)
class Phone:
    """One spoken phone: its name, the word (index in the line) and syllable (index in the word) it belongs to,
    and its start and end in seconds."""

    name: str
    word: int
    syllable: int
    start: float
    end: float

    @property
    def vowel(self) -> bool:
        """True for a vowel (the part of a syllable that is sung)."""
        return self.name in VOWELS

    @property
    def sonorant(self) -> bool:
        """True for a phone that is always voiced (a vowel, nasal, liquid or glide)."""
        return self.name in SONORANTS


@dataclass(frozen=True, slots=True)
class Spoken:
    """One line as Festival spoke it: the audio (float64, mono, at the voice's rate) and its phones."""

    audio: np.ndarray
    phones: tuple[Phone, ...]


def _script(voice: Voice, lines: list[list[tuple[str, tuple[str, ...] | None]]], folder: Path) -> str:
    """The Scheme program: the voice, the lexicon entries, one utterance per line."""
    parts = [f"(voice_{voice.festival_voice})", _DUMP % {"rate": voice.rate}]
    count = 0
    for number, words in enumerate(lines):
        names = []
        for text, arpabet in words:
            if arpabet:
                name = token(count)
                count += 1
                parts.append(lexicon_entry(name, arpabet))
            else:
                name = spelling(text)
            names.append(name)
        path = folder / f"line{number}.wav"
        parts.append(f'(sg_dump (utt.synth (Utterance Text "{" ".join(names)}")) {number} "{path}")')
    return "\n".join(parts) + "\n"


def _parse(out: str, count: int) -> list[list[Phone]]:
    phones: list[list[Phone]] = [[] for _ in range(count)]
    done = set()
    for row in out.splitlines():
        fields = row.split()
        if len(fields) == 7 and fields[0] == "SEG":
            line, tok, syl = int(fields[1]), int(fields[2]), int(fields[3])
            phones[line].append(Phone(fields[4], tok, syl, float(fields[5]), float(fields[6])))
        elif len(fields) == 2 and fields[0] == "DONE":
            done.add(int(fields[1]))
    if len(done) != count:
        raise RenderError(f"Festival spoke {len(done)} of {count} sung lines")
    out_lines = []
    for said in phones:  # number the line's words 0, 1, 2... in order
        order = {t: i for i, t in enumerate(dict.fromkeys(p.word for p in said))}
        out_lines.append([Phone(p.name, order[p.word], p.syllable, p.start, p.end) for p in said])
    return out_lines


def speak(voice: Voice, lines: list[list[tuple[str, tuple[str, ...] | None]]]) -> list[Spoken]:
    """Speak ``lines`` with ``voice``: each a list of (word, ARPAbet phonemes or None for letter-to-sound).

    Raises:
        RenderError: Festival is missing, fails or does not speak every line.
    """
    import soundfile

    if not lines:
        return []
    with tempfile.TemporaryDirectory(prefix="songgram-voice-") as tmp:
        folder = Path(tmp)
        try:
            run = subprocess.run(["festival", "--heap", str(_HEAP), "--pipe"], input=_script(voice, lines, folder), text=True,
                                 capture_output=True, timeout=_TIMEOUT, check=False, preexec_fn=die_with_parent)
        except FileNotFoundError:
            raise RenderError("cannot sing: the festival program is missing; install the Debian package "
                              "'festival' (make setup does), or pass --voice none") from None
        except subprocess.TimeoutExpired:
            raise RenderError(f"Festival did not finish speaking the lyrics in {_TIMEOUT:.0f} s") from None
        if run.returncode != 0:
            last = (run.stderr.strip().splitlines() or [f"exit status {run.returncode}"])[-1]
            raise RenderError(f"Festival failed while speaking the lyrics: {last}")
        phones = _parse(run.stdout, len(lines))
        out = []
        for number, line_phones in enumerate(phones):
            audio, rate = soundfile.read(folder / f"line{number}.wav", dtype="float64")
            if rate != voice.rate:
                raise RenderError(f"Festival wrote {rate} Hz audio for voice {voice.name}, not {voice.rate} Hz")
            out.append(Spoken(audio if audio.ndim == 1 else audio.mean(axis=1), tuple(line_phones)))
    return out
