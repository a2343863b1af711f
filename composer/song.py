"""The Song value and :func:`compose`, the engine's public entry point.

>>> song = compose("Keep going, you are closer than you think.", to="Alex", genre="pop",
...                vibe="upbeat", seed=3, length="short")
>>> song.plan.genre, song.lyrics.title
('pop', 'A song for Alex')
>>> all(n.onset.syllable for n in song.vocal)
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from .analyse import analyse
from .arrange import arrange
from . import validate
from .grammar import genre as load_genre, genre_ids
from .harmonise import harmonise
from .melodise import melodise
from .model import Analysis, Chord, Lyrics, Plan, Track, VocalNote
from .plan import plan as make_plan
from .scan import scan
from .theory import parse_key
from .version import __version__
from .vibes import vibe as load_vibe, vibe_ids
from .write import write

if TYPE_CHECKING:
    from .save import SavedSong
    from .soundfonts import SoundFont

__all__ = ["Song", "compose", "SEED_LIMIT"]

SEED_LIMIT = validate.SEED_LIMIT
"""Seeds are integers 0..SEED_LIMIT (defined in composer.validate)."""


@dataclass(frozen=True, slots=True)
class Song:
    """Everything the engine made for one message; exporters live on it.

    Attributes:
        analysis: what the engine understood of the message.
        lyrics: the words, by section.
        plan: key, mode, tempo, meter and form, with reasons.
        chords: the chord progression.
        vocal: the sung line, one note per syllable.
        tracks: the band parts, the Vocal track first.
        seed: the seed that makes this song again.
        length: "full" or "short".
        engine: the engine version that made it.
        soundfont: (name, licence) of the font the audio is rendered with,
            filled in when audio is rendered.
        voice: what song.json says of the singing voice (name, engine,
            license, origin, reason), filled in when the song is sung.
    """

    analysis: Analysis
    lyrics: Lyrics
    plan: Plan
    chords: tuple[Chord, ...]
    vocal: tuple[VocalNote, ...]
    tracks: tuple[Track, ...]
    seed: int
    length: str = "full"
    engine: str = __version__
    soundfont: tuple[str, str] = ("", "")
    voice: tuple[tuple[str, str], ...] = ()

    @property
    def title(self) -> str:
        """The song's title: "A song for NAME"."""
        return self.lyrics.title

    @property
    def seconds(self) -> float:
        """The length of the form in seconds."""
        return self.plan.total_ticks / 480 * 60.0 / self.plan.tempo

    def to_midi(self) -> bytes:
        """song.mid: a type 1 Standard MIDI File (see composer.export.midi)."""
        from .export.midi import song_to_midi
        return song_to_midi(self)

    def to_json(self) -> str:
        """song.json, validated by composer/schema/song.schema.json."""
        from .export.songjson import song_to_json
        return song_to_json(self)

    def to_lyrics_text(self) -> str:
        """lyrics.txt, by section."""
        from .export.text import song_to_lyrics
        return song_to_lyrics(self)

    def to_chordpro(self) -> str:
        """song.chordpro: chords over the syllables."""
        from .export.text import song_to_chordpro
        return song_to_chordpro(self)

    def to_kar(self) -> bytes:
        """song.kar: a karaoke MIDI file (see composer.export.karaoke)."""
        from .export.karaoke import song_to_kar
        return song_to_kar(self)

    def to_png(self, path: str | os.PathLike[str]) -> None:
        """Draw song.png, a piano-roll overview (needs matplotlib; see composer.export.pianoroll)."""
        from .export.pianoroll import song_to_png
        song_to_png(self, path)

    def to_musicxml(self) -> str:
        """song.musicxml: a lead sheet (melody, lyrics, chord symbols)."""
        from .export.musicxml import song_to_musicxml
        return song_to_musicxml(self)

    def save(self, folder: str | os.PathLike[str], *, audio: bool = True, formats: tuple[str, ...] = ("wav",),
             stems: bool = False, png: bool = False, soundfont: SoundFont | str | None = None,
             voice: str | None = "auto") -> SavedSong:
        """Write the song's files into ``folder``, all or nothing (see :func:`composer.save.save_song`)."""
        from .save import save_song
        return save_song(self, folder, audio=audio, formats=formats, stems=stems, png=png,
                         soundfont=soundfont, voice=voice)


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
    tracks = arrange(vocal, chords, the_plan, g, v, rng=rng[4])
    return Song(analysis=analysis, lyrics=lyrics, plan=the_plan, chords=chords, vocal=vocal,
                tracks=tracks, seed=seed, length=length)
