"""The shared data model: one frozen value per pipeline stage.

Every stage is a pure function from these values to new values; nothing here
is ever mutated (``dataclasses.replace`` makes changed copies).

Time is counted in MIDI ticks at :data:`PPQ` ticks per quarter note, so that
every position is an exact integer and the same seed gives the same bytes.

>>> Note(start=0, dur=PPQ, pitch=60, velocity=90).end
480
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .version import __version__

__all__ = [
    "PPQ",
    "SectionKind",
    "Mode",
    "Length",
    "Word",
    "Sentiment",
    "RelationCue",
    "Analysis",
    "LyricLine",
    "LyricSection",
    "Lyrics",
    "SectionPlan",
    "Plan",
    "Chord",
    "Onset",
    "VocalNote",
    "Note",
    "Track",
    "Song",
]

PPQ = 480
"""Ticks per quarter note, everywhere in the engine and in song.mid."""

SectionKind = Literal["intro", "verse", "prechorus", "chorus", "bridge", "outro", "build", "drop", "solo"]
Mode = Literal["major", "minor", "dorian", "mixolydian"]
Length = Literal["short", "full"]


@dataclass(frozen=True, slots=True)
class Word:
    """One sung word.

    Attributes:
        text: the word as sung, normalised and spelled out ("fortieth"), with
            its original capitalisation and apostrophes.
        syllables: display syllables; ``"".join(syllables) == text``.
        stresses: lexical stress per syllable, CMU style: 1 primary,
            2 secondary, 0 unstressed. Same length as ``syllables``.
        function: True for function words (a, the, to, of, and...), which are
            sung weak whatever their dictionary stress.
        source: where the syllables and stress came from: ``"cmu"`` (the CMU
            dictionary) or ``"rules"`` (orthographic rules, for names and
            words the dictionary lacks).
        pause_after: the phrase boundary after this word: 0 none, 1 a comma or
            dash, 2 the end of a sentence.
    """

    text: str
    syllables: tuple[str, ...]
    stresses: tuple[int, ...]
    function: bool = False
    source: Literal["cmu", "rules"] = "cmu"
    pause_after: int = 0


@dataclass(frozen=True, slots=True)
class Sentiment:
    """VADER scores of the message: ``compound`` in -1..1, the others 0..1."""

    compound: float = 0.0
    positive: float = 0.0
    negative: float = 0.0
    neutral: float = 1.0


@dataclass(frozen=True, slots=True)
class RelationCue:
    """What decided the recipient's relation.

    Attributes:
        source: ``"to"`` for the recipient's name as given, ``"message"`` for
            the message's words (a vocative, "my wife", a cue such as "your
            paws", a theme's keyword), ``"default"`` when nothing pointed
            anywhere (the relation is then "other": anyone).
        cue: the deciding words as written ("Lola", "good boy"), "" for the default.
    """

    source: Literal["to", "message", "default"] = "default"
    cue: str = ""


@dataclass(frozen=True, slots=True)
class Analysis:
    """What the engine understood of a message (the analyse stage).

    Attributes:
        message: the message exactly as given.
        text: the normalised text that is sung (emoji mapped, numbers spelled out).
        words: the sung words in order.
        sentiment: VADER scores.
        themes: every theme that scored, best first, as (theme id, score).
        theme: the main theme id ("love", "gratitude"...).
        relation: the recipient's relation ("parent", "partner", "friend"...).
        relation_cue: what decided ``relation``.
        recipient: the recipient's name as it will be sung.
        sender: the sender's name as it will be sung, or "" when not given.
        given_to: the recipient's name as given (``--to``), or "" when the
            message names them.
        given_from: the sender's name as given (``--from``), or "".
    """

    message: str
    text: str
    words: tuple[Word, ...]
    sentiment: Sentiment = Sentiment()
    themes: tuple[tuple[str, float], ...] = ()
    theme: str = "love"
    relation: str = "other"
    recipient: str = ""
    sender: str = ""
    given_to: str = ""
    given_from: str = ""
    relation_cue: RelationCue = RelationCue()


@dataclass(frozen=True, slots=True)
class LyricLine:
    """One sung line.

    Attributes:
        words: the words of the line.
        origin: ``"message"`` for the sender's own words, ``"hook"`` for the
            chorus hook, ``"template"`` for lines from our template bank.
        rhyme: how this line rhymes with the earlier line of its section it
            answers, by CMU pronunciation: ``"perfect"``, ``"slant"`` or ``""``.
    """

    words: tuple[Word, ...]
    origin: Literal["message", "hook", "template"] = "message"
    rhyme: Literal["perfect", "slant", ""] = ""

    @property
    def text(self) -> str:
        """The line as plain text."""
        return " ".join(w.text for w in self.words)

    @property
    def syllable_count(self) -> int:
        """How many syllables (and so sung notes) the line has."""
        return sum(len(w.syllables) for w in self.words)


@dataclass(frozen=True, slots=True)
class LyricSection:
    """A section of lyrics: ``name`` like "Verse 2", ``kind`` like "verse".

    ``scheme`` is the rhyme scheme its lines follow ("ABAB", "AABB", "XAXA",
    "AA" for a bridge couplet), or "" when none was asked for.
    """

    name: str
    kind: SectionKind
    lines: tuple[LyricLine, ...] = ()
    scheme: str = ""


@dataclass(frozen=True, slots=True)
class Lyrics:
    """The song's words: a title and the sections in the order they are sung."""

    title: str
    sections: tuple[LyricSection, ...]


@dataclass(frozen=True, slots=True)
class SectionPlan:
    """One section of the form.

    Attributes:
        name: display name ("Chorus 2").
        kind: the section kind.
        start: the first tick of the section.
        bars: length in bars.
        lyric: index into ``Lyrics.sections``, or -1 for an instrumental section.
        energy: 0..1, how full and loud the band plays here.
        line_bars: bars given to each lyric line, in order (empty when instrumental).
        shift: semitones the section sounds above the song's key (a key lift
            into the last chorus: every chord and sung note is moved up).
    """

    name: str
    kind: SectionKind
    start: int
    bars: int
    lyric: int = -1
    energy: float = 0.5
    line_bars: tuple[int, ...] = ()
    shift: int = 0


@dataclass(frozen=True, slots=True)
class Plan:
    """Key, tempo, meter and form (the plan stage).

    Attributes:
        genre: genre id.
        vibe: vibe id.
        tonic: pitch class of the key's tonic, 0 = C.
        key_name: the tonic spelled for people ("Eb", "F#").
        mode: the mode.
        tempo: beats per minute, counted in quarter notes.
        meter: (numerator, denominator), e.g. (4, 4), (3, 4), (6, 8).
        swing: 0 for straight eighths; 1/3 delays each off-beat eighth to
            the triplet (a 2:1 shuffle).
        sections: the form, in order.
        reasons: each choice and why it was made, as (field, reason) pairs.
    """

    genre: str
    vibe: str
    tonic: int
    key_name: str
    mode: Mode
    tempo: int
    meter: tuple[int, int]
    swing: float = 0.0
    sections: tuple[SectionPlan, ...] = ()
    reasons: tuple[tuple[str, str], ...] = ()

    @property
    def bar_ticks(self) -> int:
        """Length of one bar in ticks."""
        num, den = self.meter
        return num * PPQ * 4 // den

    @property
    def total_ticks(self) -> int:
        """Length of the whole form in ticks."""
        return sum(s.bars for s in self.sections) * self.bar_ticks


@dataclass(frozen=True, slots=True)
class Chord:
    """One chord of the progression (the harmonise stage).

    The chord keeps what its numeral was parsed into, so no reader parses
    its symbol back.

    Attributes:
        start: first tick.
        dur: length in ticks.
        roman: Roman numeral relative to the tonic ("IV", "bVII", "V7").
        root_name: the root, spelled by letter in the key ("F", "Bb", "E").
        quality: the symbol's tail after the root, as rules/theory.toml
            [tails] lists it ("" a major triad, "m7", "maj7", "5"...).
        root: pitch class of the root.
        pitches: pitch classes of the chord, root first.
        section: index into ``Plan.sections``.
    """

    start: int
    dur: int
    roman: str
    root_name: str
    quality: str
    root: int
    pitches: tuple[int, ...]
    section: int = 0

    @property
    def symbol(self) -> str:
        """The chord symbol for people: the root's name, then the quality ("F", "Bbmaj7", "E5")."""
        return self.root_name + self.quality


@dataclass(frozen=True, slots=True)
class Onset:
    """One syllable placed in time (the scan stage).

    Attributes:
        start: first tick.
        dur: length in ticks.
        syllable: the display syllable.
        word: the whole word it belongs to.
        continues: True when the word goes on after this syllable (its
            lyric event ends in "-"; a word's last syllable ends in a space).
        stress: 1 primary, 2 secondary, 0 unstressed; function words are 0.
        line: index of the lyric line across the whole song.
        section: index into ``Plan.sections``.
        first_in_word: True for the word's first syllable.
    """

    start: int
    dur: int
    syllable: str
    word: str
    continues: bool
    stress: int
    line: int
    section: int
    first_in_word: bool = True


@dataclass(frozen=True, slots=True)
class VocalNote:
    """A sung note: an :class:`Onset` with its pitch (the melodise stage), and how it is performed.

    Attributes:
        onset: the syllable in time, as written (straight: song.json and the lead sheet).
        pitch: the MIDI note.
        performed: the note as the Vocal track plays it (swung with the band, its own
            length and velocity), set by the arrange stage; None before it. So each syllable
            carries its written and performed timing, and no reader pairs lists by order.
    """

    onset: Onset
    pitch: int
    performed: Note | None = None

    @property
    def start(self) -> int:
        """First tick."""
        return self.onset.start

    @property
    def dur(self) -> int:
        """Length in ticks."""
        return self.onset.dur

    @property
    def lyric(self) -> str:
        """The lyric event text (MIDI RP-017): the syllable, then "-" when the word goes on, else a space."""
        return self.onset.syllable + ("-" if self.onset.continues else " ")


@dataclass(frozen=True, slots=True)
class Note:
    """One MIDI note of a band part."""

    start: int
    dur: int
    pitch: int
    velocity: int

    @property
    def end(self) -> int:
        """The tick where the note stops."""
        return self.start + self.dur


@dataclass(frozen=True, slots=True)
class Track:
    """One part of the arrangement, written as one named MIDI track.

    Attributes:
        name: the track name ("Vocal", "Drums", "Bass"...).
        role: what the part does: "vocal", "drums", "bass", "chords", "pad",
            "lead".
        program: General MIDI program, 0-based (0 = Acoustic Grand Piano).
        channel: MIDI channel, 0-based; 9 is the drum channel.
        notes: the notes, sorted by start.
        volume: controller 7, 0..127.
        pan: controller 10, 0..127 (64 centre).
        reverb: controller 91 send, 0..127.
        chorus: controller 93 send, 0..127.
        controls: controller automation as (tick, controller, value) rows:
            11 (expression) shapes the level section by section, 74
            (brightness) is a filter sweep.
    """

    name: str
    role: str
    program: int
    channel: int
    notes: tuple[Note, ...] = field(default=())
    volume: int = 100
    pan: int = 64
    reverb: int = 40
    chorus: int = 0
    controls: tuple[tuple[int, int, int], ...] = ()

    @property
    def is_drums(self) -> bool:
        """True for the part on the General MIDI drum channel (10, 0-based 9)."""
        return self.channel == 9


@dataclass(frozen=True, slots=True)
class Song:
    """Everything the engine made for one message, as plain data.

    A song does not know its writers: each file format is a free function of
    a song in :mod:`composer.export`, listed in its one table of the files a
    song writes. (:class:`composer.Song`, what :func:`composer.compose`
    returns, is this value with those files at hand as methods.)

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
            filled in when audio is rendered; ("", "") before.
        voice: what song.json says of the singing voice (name, engine,
            license, origin, reason), filled in when the song is sung; () before.
    """

    analysis: Analysis
    lyrics: Lyrics
    plan: Plan
    chords: tuple[Chord, ...]
    vocal: tuple[VocalNote, ...]
    tracks: tuple[Track, ...]
    seed: int
    length: Length = "full"
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
        return self.plan.total_ticks / PPQ * 60.0 / self.plan.tempo
