"""Which sung words can a machine hear? PocketSphinx with a grammar of the song's own words.

The recogniser is CMU PocketSphinx (the ``pocketsphinx`` package from PyPI,
with the en-US acoustic model and dictionary it ships: nothing is downloaded).
It is not given the lyrics' order, only their vocabulary: a JSGF grammar
``<word>*`` over the song's distinct words, so it must hear *which* word is
sung. A word missing from its dictionary gets its first CMU pronunciation
(stress marks dropped); a word with none is left out of the grammar and so is
always missed (counted in :attr:`Heard.unknown`).

The audio is mixed to mono, resampled to 16 kHz and decoded one phrase at a
time: a phrase is a run of notes with no rest longer than :data:`PHRASE_GAP`,
heard from :data:`LEAD_IN` before its first note to :data:`TAIL` after its last.
Where a rest is shorter than the two together, the windows meet inside it
(shared in proportion, :func:`phrases`), so no phrase hears its neighbour's
words, which would count as an insertion in one phrase and a miss in the next.
The search is pruned (:data:`SEARCH`) so that a song decodes in seconds.

**F1, phrase by phrase**: in each phrase the words recognised are matched
against the words sung there as bags (each sung word can be matched once,
order ignored); matches, words recognised and words sung are added up over
the song; precision = matches / recognised, recall = matches / sung,
F1 = 2PR / (P + R). Words compare folded (lower case, letters, digits and
apostrophes only).

>>> f1([["i", "love", "you"]], [["you", "love", "me"]])
0.6666666666666666
>>> f1([["hello"]], [[]])
0.0
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from math import gcd
from typing import Any

import numpy as np

from .sung import SungNote

__all__ = ["PHRASE_GAP", "LEAD_IN", "TAIL", "Heard", "fold", "phrases", "f1", "recognise", "hear_song"]

PHRASE_GAP = 0.3
"""A rest longer than this (seconds) between two notes ends a phrase."""
LEAD_IN = 0.3
"""Seconds heard before a phrase's first note (consonants come before the beat)."""
TAIL = 0.4
"""Seconds heard after a phrase's last note."""
RATE = 16000
SEARCH = {"maxhmmpf": 1500, "maxwpf": 5, "beam": 1e-30, "wbeam": 1e-20, "pbeam": 1e-30}
"""Pruning: without a cap on active HMMs a grammar loop over instrumental sound decodes at ~15x real
time; with these, at ~0.1x, and speech of the words is recognised as with the defaults."""


@dataclass(frozen=True, slots=True)
class Heard:
    """What the recogniser heard in one song.

    Attributes:
        sung: per phrase, the words sung (folded).
        recognised: per phrase, the words recognised.
        unknown: distinct sung words the recogniser has no pronunciation for.
    """

    sung: tuple[tuple[str, ...], ...]
    recognised: tuple[tuple[str, ...], ...]
    unknown: tuple[str, ...]

    @property
    def f1(self) -> float:
        """Phrase-by-phrase bag-of-words F1 (see the module docstring)."""
        return f1(self.sung, self.recognised)


def fold(word: str) -> str:
    """A word as compared: lower case, letters, digits and apostrophes.

    >>> fold("Mom,"), fold("I’m")
    ('mom', "i'm")
    """
    return re.sub(r"[^a-z0-9']", "", word.lower().replace("\u2019", "'")).strip("'")


def f1(sung: list | tuple, recognised: list | tuple) -> float:
    """Bag-of-words F1 pooled over phrases; 0.0 when nothing matches."""
    hits = sum(sum((Counter(a) & Counter(b)).values()) for a, b in zip(sung, recognised))
    n_sung, n_heard = sum(len(a) for a in sung), sum(len(b) for b in recognised)
    if not hits:
        return 0.0
    p, r = hits / n_heard, hits / n_sung
    return 2 * p * r / (p + r)


def phrases(notes: tuple[SungNote, ...], words: tuple[tuple[str, tuple[int, ...]], ...]
            ) -> list[tuple[float, float, tuple[str, ...]]]:
    """(start s, end s, folded words) of each phrase; a word belongs to the phrase of its first note."""
    bounds, first = [], 0
    for i in range(1, len(notes) + 1):
        if i == len(notes) or notes[i].start - notes[i - 1].end > PHRASE_GAP:
            bounds.append((first, i - 1))
            first = i
    owner: dict[int, list[str]] = {}
    for text, idx in words:
        owner.setdefault(idx[0], []).append(fold(text))
    out = []
    for k, (a, b) in enumerate(bounds):
        sung = tuple(w for i in range(a, b + 1) for w in owner.get(i, []) if w)
        start, end = max(0.0, notes[a].start - LEAD_IN), notes[b].end + TAIL
        if k:  # the rest before this phrase is shared with the previous one's tail
            rest = notes[a].start - notes[bounds[k - 1][1]].end
            start = max(start, notes[a].start - rest * LEAD_IN / (LEAD_IN + TAIL))
        if k + 1 < len(bounds):
            rest = notes[bounds[k + 1][0]].start - notes[b].end
            end = min(end, notes[b].end + rest * TAIL / (LEAD_IN + TAIL))
        out.append((start, end, sung))
    return out


def _pcm16k(audio: np.ndarray, rate: int) -> np.ndarray:
    from scipy.signal import resample_poly

    x = np.asarray(audio, dtype=np.float64)
    x = x.mean(axis=1) if x.ndim == 2 else x
    g = gcd(RATE, rate)
    y = x if rate == RATE else resample_poly(x, RATE // g, rate // g)
    peak = float(np.abs(y).max()) if len(y) else 0.0
    y = y / peak * 0.5 if peak > 1e-4 else y   # each phrase at a healthy level; near-silence stays silent
    return (np.clip(y, -1, 1) * 32767).astype("<i2")


def _decoder(vocabulary: list[str]) -> tuple[Any, tuple[str, ...]]:
    """A decoder whose search is the ``<word>*`` grammar over ``vocabulary``; (decoder, unknown words)."""
    try:
        from pocketsphinx import Decoder
    except ImportError as err:
        raise ImportError("the intelligibility measure needs pocketsphinx: pip install -e '.[dev]' "
                          "(make setup installs it)") from err
    from ..analyse import cmu

    decoder = Decoder(samprate=RATE, lm=None, loglevel="FATAL", **SEARCH)
    known, unknown = [], []
    for word in sorted(set(vocabulary)):
        if decoder.lookup_word(word) is None:
            phones = cmu.phones(word)
            if not phones:
                unknown.append(word)
                continue
            decoder.add_word(word, " ".join(re.sub(r"\d", "", p) for p in phones), True)
        known.append(word)
    if not known:
        return None, tuple(unknown)
    grammar = "#JSGF V1.0;\ngrammar song;\npublic <song> = <word>*;\n<word> = " + " | ".join(known) + ";\n"
    decoder.add_jsgf_string("song", grammar)
    decoder.activate_search("song")
    return decoder, tuple(unknown)


def recognise(audio: np.ndarray, rate: int, vocabulary: list[str],
              spans: list[tuple[float, float]] | None = None) -> tuple[list[tuple[str, ...]], tuple[str, ...]]:
    """The words heard in each span of ``audio`` (the whole of it when ``spans`` is None), and the unknown words.

    Raises:
        ImportError: pocketsphinx is not installed.
    """
    spans = spans if spans is not None else [(0.0, len(audio) / rate)]
    decoder, unknown = _decoder([fold(w) for w in vocabulary if fold(w)])
    heard: list[tuple[str, ...]] = []
    for a, b in spans:
        chunk = _pcm16k(audio[int(a * rate):int(b * rate)], rate)
        if decoder is None or len(chunk) < RATE // 10:
            heard.append(())
            continue
        decoder.start_utt()
        decoder.process_raw(chunk.tobytes(), full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        heard.append(tuple(fold(w) for w in (hyp.hypstr.split() if hyp else []) if fold(w)))
    return heard, unknown


def hear_song(notes: tuple[SungNote, ...], words: tuple[tuple[str, tuple[int, ...]], ...], audio: np.ndarray,
              rate: int) -> Heard:
    """Decode the vocal phrase by phrase against a grammar of the song's own words."""
    spans = phrases(notes, words)
    heard, unknown = recognise(audio, rate, [fold(t) for t, _ in words], [(a, b) for a, b, _ in spans])
    return Heard(tuple(s for _, _, s in spans), tuple(heard), unknown)
