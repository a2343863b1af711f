""":func:`compose`, the engine's public entry point, and :class:`Song`, the song it returns.

>>> song = compose("Keep going, you are closer than you think.", to="Alex", genre="pop",
...                vibe="upbeat", seed=3, length="short")
>>> song.plan.genre, song.lyrics.title
('pop', 'A song for Alex')
>>> all(n.onset.syllable for n in song.vocal)
True
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Literal

import numpy as np

from . import model, validate
from .analyse import analyse
from .arrange import arrange
from .grammar import genre as load_genre, genre_ids
from .harmonise import harmonise
from .melodise import melodise
from .model import Plan
from .plan import plan as make_plan
from .scan import scan
from .theory import parse_key
from .vibes import vibe as load_vibe, vibe_ids
from .write import write

if TYPE_CHECKING:
    from .save import SavedSong
    from .soundfonts import SoundFont

__all__ = ["Song", "compose", "SEED_LIMIT"]

SEED_LIMIT = validate.SEED_LIMIT
"""Seeds are integers 0..SEED_LIMIT (defined in composer.validate)."""


class Song(model.Song):
    """A composed song: the plain data of :class:`composer.model.Song`, with its files at hand.

    The methods are conveniences over the free functions of :mod:`composer.export` (each
    ``to_*`` goes through its table of the files a song writes) and :func:`composer.save.save_song`;
    the data and its documentation are :class:`composer.model.Song`'s.
    """

    __slots__ = ()

    def to_midi(self) -> bytes:
        """song.mid: a type 1 Standard MIDI File (see composer.export.midi)."""
        return _binary(_make(self, "song.mid"))

    def to_json(self) -> str:
        """song.json, validated by composer/schema/song.schema.json."""
        return _text(_make(self, "song.json"))

    def to_lyrics_text(self) -> str:
        """lyrics.txt, by section."""
        return _text(_make(self, "lyrics.txt"))

    def to_chordpro(self) -> str:
        """song.chordpro: chords over the syllables."""
        return _text(_make(self, "song.chordpro"))

    def to_kar(self) -> bytes:
        """song.kar: a karaoke MIDI file (see composer.export.karaoke)."""
        return _binary(_make(self, "song.kar"))

    def to_musicxml(self) -> str:
        """song.musicxml: a lead sheet (melody, lyrics, chord symbols)."""
        return _text(_make(self, "song.musicxml"))

    def to_png(self, path: str | os.PathLike[str]) -> None:
        """Draw song.png, a piano-roll overview (needs matplotlib; see composer.export.pianoroll)."""
        from .export import song_file

        draw = song_file("song.png").draw
        if draw is None:
            raise ValueError("song.png has no drawing function")
        draw(self, path)

    def save(self, folder: str | os.PathLike[str], *, audio: bool = True, formats: tuple[str, ...] = ("wav",),
             stems: bool = False, png: bool = False, soundfont: SoundFont | str | None = None,
             voice: str | None = "auto") -> SavedSong[Song]:
        """Write the song's files into ``folder``, all or nothing (see :func:`composer.save.save_song`)."""
        from .save import save_song

        return save_song(self, folder, audio=audio, formats=formats, stems=stems, png=png,
                         soundfont=soundfont, voice=voice)


def _make(song: Song, name: str) -> bytes | str:
    # composer.export (and mido with it) loads with the first file made, not with `import composer`:
    # no import circle is avoided here (composer.export never imports this module), only import time.
    from .export import make

    return make(song, name)


def _binary(content: bytes | str) -> bytes:
    if not isinstance(content, bytes):
        raise TypeError(f"expected bytes from the exporter, got {type(content).__name__}")
    return content


def _text(content: bytes | str) -> str:
    if not isinstance(content, str):
        raise TypeError(f"expected text from the exporter, got {type(content).__name__}")
    return content


def compose(
    message: str,
    *,
    to: str,
    sender: str = "",
    genre: str = "pop",
    vibe: str = "heartfelt",
    seed: int = 0,
    key: str | None = None,
    tempo: int | None = None,
    length: Literal["short", "full"] = "full",
) -> Song:
    """Compose a song from a message.

    Args:
        message: the sender's words; every word is sung.
        to: the recipient's name, sung in every chorus.
        sender: the sender's name, if given.
        genre: a genre id (see :func:`composer.grammar.genre_ids`).
        vibe: a vibe id (see :func:`composer.vibes.vibe_ids`).
        seed: 0..SEED_LIMIT; the same inputs and seed give the same song.
        key: overrides the key: "E", "Bb", "F#m", "D dorian".
        tempo: overrides the tempo, in BPM.
        length: "full" (about 2-3 minutes) or "short" (a 30-45 s clip).

    Raises:
        InputError: a bad option, or a message that is empty, over the limits
            of :mod:`composer.validate` or has nothing to sing; the message
            names the field, the range and the bad value.
        RefusedError: the guardrails (rules/guardrails.toml) refuse the
            message or a name (slurs, hate).
    """
    # Validation at the edge (composer/validate.py): every input checked, the
    # texts cleaned, slurs refused and profanity masked before anything is made.
    message = validate.message(message)
    to = validate.name(to, field="to")
    sender = validate.name(sender, field="sender")
    genre = validate.choice("genre", genre, genre_ids())
    vibe = validate.choice("vibe", vibe, vibe_ids())
    seed = validate.seed(seed)
    key = validate.key(key)
    tempo = validate.tempo(tempo)
    length = validate.length(length)
    parsed_key = parse_key(key) if key is not None else None
    g = load_genre(genre)
    v = load_vibe(vibe)
    # One generator per stage, spawned from the seed, so a change in one stage's
    # use of randomness never shifts another's.
    streams = np.random.SeedSequence(seed).spawn(5)
    rng = [np.random.default_rng(s) for s in streams]
    analysis = analyse(message, recipient=to, sender=sender)
    lyrics = write(analysis, length=length, rng=rng[0], scheme=g.rhyme_scheme)
    the_plan: Plan = make_plan(analysis, lyrics, g, v, rng=rng[1], length=length, key=parsed_key, tempo=tempo)
    chords = harmonise(the_plan, g, v, rng=rng[2])
    onsets = scan(lyrics, the_plan, g)
    vocal = melodise(onsets, chords, the_plan, g, v, rng=rng[3])
    vocal, tracks = arrange(vocal, chords, the_plan, g, v, rng=rng[4])
    return Song(analysis=analysis, lyrics=lyrics, plan=the_plan, chords=chords, vocal=vocal,
                tracks=tracks, seed=seed, length=length)
