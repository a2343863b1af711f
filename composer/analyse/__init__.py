"""The analyse stage: understand a message before it is set to music.

normalise (:mod:`.normalise`, :mod:`.numerals`) -> tokens (:mod:`.tokens`)
-> syllables and stress (:mod:`.pronounce`, :mod:`.cmu`, :mod:`.syllables`)
-> sentiment (:mod:`.sentiment`) -> themes and relation
(:mod:`.understand`, :mod:`.phrases`, :mod:`.recipient`) -> Analysis
(:mod:`.stage`). The knowledge lives in rules/: emoji.toml, words.toml,
pronunciation.toml, themes.toml, relations.toml.

>>> a = analyse("Happy 60th, Tita Carmen! Still the life of every party.", recipient="Tita Carmen")
>>> a.theme, a.relation, a.recipient
('birthday', 'other', 'Tita Carmen')
>>> [w.text for w in words_of("Let's go!")], rhyme_key("night") == rhyme_key("light")
(["Let's", 'go'], True)
>>> "missing-you" in THEMES, "pet" in RELATIONS
(True, True)
"""

from __future__ import annotations

from .pronounce import pronounce as pronounce, rhyme_key as rhyme_key
from .stage import analyse as analyse
from .understand import relations as _relations, themes as _themes
from .words import words_of as words_of

__all__ = ["analyse", "words_of", "pronounce", "rhyme_key", "THEMES", "RELATIONS"]

THEMES: tuple[str, ...] = tuple(t.id for t in _themes())
"""The theme ids, in the order of rules/themes.toml."""

RELATIONS: tuple[str, ...] = tuple(r.id for r in _relations())
"""The relation ids, in the order of rules/relations.toml."""
