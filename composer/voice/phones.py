"""Words to Festival phones: the engine's own pronunciations, in Festival's phone set.

The engine's pronunciations (:func:`composer.analyse.pronounce.phonemes`: our
overrides, then the CMU dictionary) are ARPAbet with stress digits; Festival's
US voices use the "radio" phone set, the same symbols in lower case, with
``ax`` for an unstressed AH. A word the tables lack gets no entry: Festival
pronounces it from its own letter-to-sound rules, so it is never dropped.

>>> syllabify(("K", "UH1", "K", "IH0", "NG"))
((('k', 'uh'), 1), (('k', 'ih', 'ng'), 0))
>>> syllabify(("S", "IH1", "S", "T", "ER0")), syllabify(("AE1", "N", "D", "IY0"))[0]
(((('s', 'ih'), 1), (('s', 't', 'er'), 0)), (('ae', 'n'), 1))
>>> token(0), token(27)
('sgwa', 'sgwbb')
"""

from __future__ import annotations

import string

from ..analyse import cmu

__all__ = ["VOWELS", "SONORANTS", "festival_phones", "syllabify", "token", "lexicon_entry", "spelling"]

VOWELS = frozenset("aa ae ah ao aw ax axr ay eh er ey ih iy ow oy uh uw".split())
"""The vowels of Festival's radio phone set."""

SONORANTS = VOWELS | frozenset("m n ng l r w y el em en nx".split())
"""Phones that are always voiced: vowels, nasals, liquids and glides (sung on the tune's pitch)."""

_ONSETS = frozenset({
    ("p", "r"), ("p", "l"), ("b", "r"), ("b", "l"), ("t", "r"), ("d", "r"), ("k", "r"), ("k", "l"),
    ("g", "r"), ("g", "l"), ("f", "r"), ("f", "l"), ("th", "r"), ("s", "t"), ("s", "p"), ("s", "k"),
    ("s", "l"), ("s", "m"), ("s", "n"), ("s", "w"), ("t", "w"), ("k", "w"), ("d", "w"), ("sh", "r"),
    ("p", "y"), ("b", "y"), ("k", "y"), ("f", "y"), ("m", "y"), ("h", "y"), ("v", "y"),
})


def festival_phones(arpabet: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """(radio phone, stress or -1 for a consonant) for each ARPAbet phoneme.

    >>> festival_phones(("AH0", "B", "AH1", "V"))
    (('ax', 0), ('b', -1), ('ah', 1), ('v', -1))
    """
    out = []
    for p in arpabet:
        base = p.rstrip("012").lower()
        if p[-1].isdigit():
            stress = int(p[-1])
            out.append(("ax" if base == "ah" and stress == 0 else base, stress))
        elif base.upper() in cmu.CONSONANTS:
            out.append((base, -1))
    return tuple(out)


def syllabify(arpabet: tuple[str, ...]) -> tuple[tuple[tuple[str, ...], int], ...]:
    """Festival's syllabified form: ((phones, stress), ...), one per vowel.

    Consonants between two vowels go to the next syllable as far as they make
    an English onset; the rest close the syllable before.
    """
    phones = festival_phones(arpabet)
    nuclei = [i for i, (_, s) in enumerate(phones) if s >= 0]
    if not nuclei:
        return ((tuple(p for p, _ in phones), 1),) if phones else ()
    cuts = [0]
    for a, b in zip(nuclei, nuclei[1:]):
        between = [p for p, _ in phones[a + 1:b]]
        take = 0
        if between:
            take = 1
            if len(between) >= 2 and tuple(between[-2:]) in _ONSETS:
                take = 2
        cuts.append(b - take)
    cuts.append(len(phones))
    out = []
    for k, (lo, hi) in enumerate(zip(cuts, cuts[1:])):
        out.append((tuple(p for p, _ in phones[lo:hi]), 1 if phones[nuclei[k]][1] > 0 else 0))
    return tuple(out)


def token(index: int) -> str:
    """A made-up word, letters only, that names the ``index``-th sung word for Festival."""
    letters = string.ascii_lowercase
    out = letters[index % 26]
    index //= 26
    while index:
        out = letters[index % 26] + out
        index //= 26
    return "sgw" + out


def lexicon_entry(name: str, arpabet: tuple[str, ...]) -> str:
    """The Scheme expression that adds ``name`` to Festival's lexicon, pronounced ``arpabet``.

    >>> lexicon_entry("sgwa", ("HH", "AY1"))
    '(lex.add.entry \\'("sgwa" nil (((hh ay) 1))))'
    """
    body = " ".join(f"(({' '.join(ph)}) {stress})" for ph, stress in syllabify(arpabet))
    return f"(lex.add.entry '(\"{name}\" nil ({body})))"


def spelling(word: str) -> str:
    """``word`` as Festival's letter-to-sound rules should read it: ASCII letters, lower case.

    >>> spelling("José's")
    'joses'
    """
    from ..analyse.syllables import fold

    letters = "".join(ch for ch in fold(word).lower() if "a" <= ch <= "z")
    return letters or "ah"
