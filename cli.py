"""The ``songgram`` command: a thin layer over composer's API.

It parses options, calls the API, writes files and prints. Every
:class:`~composer.errors.SonggramError` becomes one line on standard error and
its exit code (see ``songgram --help``); ``--debug`` shows the traceback.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import sys
import traceback
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import click

from composer import SEED_LIMIT, SonggramError, compose, genre_ids, validate, vibe_ids
from composer.errors import InputError, RefusedError
from composer.audio_formats import AUDIO_FORMATS, audio_format
from composer.output import slug
from composer.save import save_song

EXIT_CODES = """\b
Exit codes:
  0   the song was written
  1   the message or a name was refused: empty, only punctuation, over the
      limits, nothing singable, or refused by the guardrails (slurs, hate)
  2   the command line is wrong: an unknown option, genre or vibe, a bad
      seed, key, tempo or name (usage)
  3   a grammar or rule file is broken
  4   audio could not be rendered (FluidSynth, or a missing or broken SoundFont)
  5   the output folder cannot be written
  70  an unexpected internal error (run with --debug and report it)
  130 interrupted (Ctrl-C or SIGTERM); no file is left half-written
"""

LIMITS = f"""\b
Limits:
  MESSAGE      at most {validate.MAX_MESSAGE_CHARS} characters and {validate.MAX_MESSAGE_WORDS} words
  --to/--from  at most {validate.MAX_NAME_CHARS} characters
  --seed       0..{SEED_LIMIT}
  --tempo      {validate.TEMPO_LIMITS[0]}..{validate.TEMPO_LIMITS[1]} BPM
  Profanity is masked before it is sung (damn -> darn); slurs and hate are
  refused (rules/guardrails.toml).
"""

MAX_STDIN_BYTES = 64 * 1024
"""The most bytes read from standard input for MESSAGE '-'."""


class Checked(click.ParamType):
    """A click type that checks its value with a :mod:`composer.validate` checker.

    An :class:`~composer.errors.InputError` becomes a usage error (exit 2);
    a :class:`~composer.errors.RefusedError` is passed on (exit 1).
    """

    def __init__(self, name: str, check: Callable[[str], Any],
                 choices: Callable[[], Sequence[str]] | None = None) -> None:
        self.name = name
        self.check = check
        self.choices = choices

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return self.check(value)
        except RefusedError:
            raise
        except InputError as err:
            self.fail(str(err), param, ctx)

    def shell_complete(self, ctx: click.Context, param: click.Parameter,
                       incomplete: str) -> list[click.shell_completion.CompletionItem]:
        options = self.choices() if self.choices else ()
        return [click.shell_completion.CompletionItem(c) for c in options if c.startswith(incomplete)]


def _out_folder(value: str | Path) -> Path:
    text = str(value)
    if not text.strip() or "\0" in text:
        raise InputError(f"--out must name a folder, got {text!r}")
    return Path(text)


GENRE = Checked("genre", lambda v: validate.choice("genre", v, genre_ids()), genre_ids)
VIBE = Checked("vibe", lambda v: validate.choice("vibe", v, vibe_ids()), vibe_ids)
LENGTH = Checked("length", validate.length, lambda: validate.LENGTHS)
SEED = Checked("seed", validate.seed)
TEMPO = Checked("tempo", validate.tempo)
KEY = Checked("key", validate.key)
TO = Checked("name", lambda v: validate.name(v, field="to", required=True))
SENDER = Checked("name", lambda v: validate.name(v, field="sender"))
FOLDER = Checked("folder", _out_folder)


# What --format takes and the file endings of --out: rules/audio.toml (composer.master writes them).
_SUFFIXES = {audio_format(name).suffix: name for name in AUDIO_FORMATS}


class Formats(click.ParamType):
    """--format: one audio format, or several as a comma list ("flac,mp3"); gives a tuple."""

    name = "format"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, tuple):
            return value
        names = tuple(part.strip().lower() for part in str(value).split(","))
        for name in names:
            if name not in AUDIO_FORMATS:
                self.fail(f"unknown audio format {name!r}; choose from {', '.join(AUDIO_FORMATS)}", param, ctx)
        return names

    def shell_complete(self, ctx: click.Context, param: click.Parameter,
                       incomplete: str) -> list[click.shell_completion.CompletionItem]:
        return [click.shell_completion.CompletionItem(f) for f in AUDIO_FORMATS if f.startswith(incomplete)]


def _formats(first: str, given: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    """``first``, then each format given with --format once, in the order given."""
    return tuple(dict.fromkeys([first, *(name for names in given for name in names)]))


FORMAT_HELP = ("Also write the audio as FORMAT: " + ", ".join(AUDIO_FORMATS) + " (title and artist tags). "
               "Repeat it or give a comma list: --format flac,mp3.")


class Songgram(click.Group):
    """The command group; every error it sees becomes one line on standard error."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as err:
            err.show()
            sys.exit(err.exit_code)
        except click.UsageError as err:
            where = err.ctx.command_path if err.ctx else "songgram"
            listed = isinstance(err, click.BadParameter) and not isinstance(err, click.MissingParameter)
            hint = "" if listed else f" (see '{where} --help')"
            click.echo(f"{where}: {err.format_message()}{hint}", err=True)
            sys.exit(err.exit_code)
        except click.ClickException as err:
            err.show()
            sys.exit(err.exit_code)
        except (click.Abort, KeyboardInterrupt) as err:
            _fail(KeyboardInterrupt() if isinstance(err, click.Abort) else err, debug=False)
        except SonggramError as err:  # a refused name, while the options were parsed
            _fail(err, debug=False)
        sys.exit(code if isinstance(code, int) else 0)


def _fail(err: BaseException, debug: bool) -> None:
    """Print ``err`` as one line (a traceback too with --debug) and exit with its code."""
    if debug:
        traceback.print_exception(err)
    if isinstance(err, SonggramError):
        click.echo(f"songgram: {err}", err=True)
        sys.exit(err.exit_code)
    if isinstance(err, KeyboardInterrupt):
        click.echo("songgram: interrupted; no file was left half-written", err=True)
        sys.exit(130)
    click.echo(f"songgram: internal error: {type(err).__name__}: {err} (run with --debug for details)", err=True)
    sys.exit(70)


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Make SIGTERM act as Ctrl-C in this process, so a killed compose cleans up."""
    me = os.getpid()

    def interrupt(signum: int, _frame: Any) -> None:
        if os.getpid() != me:  # a forked render worker: die as usual
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _read_message(message: str) -> str:
    """MESSAGE, or standard input for '-' (at most MAX_STDIN_BYTES, UTF-8)."""
    if message != "-":
        return message
    data = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
    if len(data) > MAX_STDIN_BYTES:
        raise InputError(f"the message must be at most {validate.MAX_MESSAGE_CHARS} characters, "
                         f"got more than {MAX_STDIN_BYTES} bytes on standard input")
    return data.decode("utf-8", errors="replace")


@click.group(cls=Songgram, epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="songgram")
def main() -> None:
    """Songgram turns a personal message into a complete song.

    \b
    Example:
      songgram compose "Mom, thank you for always cooking for us. I love you." \\
          --to Mom --genre ballad --vibe heartfelt --seed 7 --out songs/mom
    """


@main.command(epilog=LIMITS + "\n" + EXIT_CODES)
@click.argument("message")
@click.option("--to", "to", required=True, type=TO,
              help=f"The recipient's name, sung in every chorus (at most {validate.MAX_NAME_CHARS} characters).")
@click.option("--from", "sender", default="", type=SENDER, help="Your name (optional).")
@click.option("--genre", required=True, type=GENRE,
              help=f"The genre: {', '.join(genre_ids())} (see `songgram genres`).")
@click.option("--vibe", required=True, type=VIBE,
              help=f"The vibe: {', '.join(vibe_ids())} (see `songgram vibes`).")
@click.option("--seed", type=SEED, default=None,
              help=f"0..{SEED_LIMIT}: makes the same song again; chosen and printed when left out.")
@click.option("--key", type=KEY, default=None, help="Override the key: E, Bb, F#m, 'D dorian'.")
@click.option("--tempo", type=TEMPO, default=None,
              help=f"Override the tempo in BPM ({validate.TEMPO_LIMITS[0]}..{validate.TEMPO_LIMITS[1]}).")
@click.option("--length", type=LENGTH, default="full", show_default=True,
              help="full: a 2-3 minute song; short: a 30-45 s clip.")
@click.option("--out", "out", type=FOLDER, default=None,
              help="Output folder [default: songs/<name>-<genre>-<seed>/].")
@click.option("--soundfont", default=None, help="A .sf2/.sf3 path, or a catalog name such as 'small'.")
@click.option("--no-audio", is_flag=True, help="Skip song.wav (MIDI, lead sheet and text only).")
@click.option("--png", is_flag=True, help="Also draw song.png, a piano-roll overview (about a second more).")
@click.option("--stems", is_flag=True, help="Also write stem-<part>.wav, one WAV per part, at its level in the mix.")
@click.option("--format", "formats", type=Formats(), multiple=True, help=FORMAT_HELP + " song.wav is always written.")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def compose_cmd(message: str, to: str, sender: str, genre: str, vibe: str, seed: int | None, key: str | None,
                tempo: int | None, length: str, out: Path | None, soundfont: str | None, no_audio: bool,
                png: bool, stems: bool, formats: tuple[tuple[str, ...], ...], debug: bool) -> None:
    """Compose a song from MESSAGE ('-' reads standard input).

    \b
    Writes song.mid, song.wav, song.json, lyrics.txt, song.musicxml,
    song.chordpro and song.kar (and song.png with --png, song.flac... with
    --format) into the output folder, all or nothing: a failed or
    interrupted compose leaves the folder as it was.

    \b
    Example:
      songgram compose "Keep going, you are closer than you think." \\
          --to Alex --genre pop --vibe upbeat --seed 42
    """
    chosen = seed is None
    if stems and no_audio:
        raise click.UsageError("--stems renders audio; it cannot be used with --no-audio")
    if formats and no_audio:
        raise click.UsageError("--format writes audio; it cannot be used with --no-audio")
    audio_formats = _formats("wav", formats)
    try:
        with _sigterm_interrupts():
            text = _read_message(message)
            if seed is None:
                seed = secrets.randbelow(1_000_000)
            song = compose(text, to=to, sender=sender, genre=genre, vibe=vibe, seed=seed, key=key, tempo=tempo,
                           length=length)  # type: ignore[arg-type]
            folder = out if out is not None else Path("songs") / f"{slug(to)}-{genre}-{seed}"
            song = save_song(song, folder, audio=not no_audio, formats=audio_formats if not no_audio else (),
                             stems=stems, png=png, soundfont=soundfont).song
    except Exception as err:  # noqa: BLE001 - the last line of defence: one line and an exit code
        _fail(err, debug)
    except KeyboardInterrupt as err:
        _fail(err, debug)
    if chosen:
        click.echo(f"seed: {seed} (pass --seed {seed} to make this song again)")
    plan = song.plan
    click.echo(f"{song.title}: {plan.genre}, {plan.vibe}, {plan.key_name} {plan.mode}, {plan.tempo} BPM, "
               f"{plan.meter[0]}/{plan.meter[1]}, {song.seconds:.0f} s")
    audio = "" if no_audio else "".join(f", song.{name}" for name in audio_formats)
    click.echo(f"wrote {folder}/ (song.mid{audio}, song.json, lyrics.txt, "
               f"song.musicxml, song.chordpro, song.kar{', song.png' if png else ''}"
               f"{', stem-*.wav' if stems else ''})")


compose_cmd.name = "compose"


@main.command()
def genres() -> None:
    """List the genres, with a line about each.

    \b
    Example:
      songgram genres
    """
    from composer.grammar import genre
    for gid in genre_ids():
        click.echo(f"{gid:<12} {genre(gid).description}")


@main.command()
def vibes() -> None:
    """List the vibes, with a line about each.

    \b
    Example:
      songgram vibes
    """
    from composer.vibes import vibe
    for vid in vibe_ids():
        click.echo(f"{vid:<12} {vibe(vid).description}")


@main.command(epilog=EXIT_CODES)
@click.argument("midi", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="The file to write; its suffix (.wav, .flac, .ogg, .opus, .mp3; none is .wav) sets its format.")
@click.option("--soundfont", default=None, help="A .sf2/.sf3 path, or a catalog name such as 'small'.")
@click.option("--format", "formats", type=Formats(), multiple=True,
              help=FORMAT_HELP + " Each goes beside --out, with its own suffix.")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def render(midi: Path, out: Path, soundfont: str | None, formats: tuple[tuple[str, ...], ...], debug: bool) -> None:
    """Render any General MIDI file to mastered audio.

    \b
    Example:
      songgram render songs/demo/song.mid --out demo.flac --format mp3
    """
    if out.suffix and out.suffix.lower() not in _SUFFIXES:
        raise click.BadParameter(f"{out} has an unknown audio suffix {out.suffix!r}; use one of "
                                 f"{', '.join(_SUFFIXES)} (or --format)", param_hint="'--out'")
    chosen = _formats(_SUFFIXES.get(out.suffix.lower(), "wav"), formats)
    try:
        from composer.errors import OutputError
        from composer.render import render_file, resolve_soundfont
        if not midi.is_file():
            raise InputError(f"no MIDI file at {midi}")
        if out.is_dir():
            raise OutputError(f"--out {out} is a folder; give a file name such as song.wav")
        if not out.parent.is_dir():
            raise OutputError(f"cannot write to {out}: {out.parent} is not a folder")
        font = resolve_soundfont(soundfont)
        report = render_file(midi, out, soundfont=font, formats=chosen)
    except Exception as err:  # noqa: BLE001 - mapped to one line and an exit code
        _fail(err, debug)
    except KeyboardInterrupt as err:
        _fail(err, debug)
    click.echo(f"wrote {', '.join(map(str, report.paths))} ({report.seconds:.1f} s, {report.lufs:.1f} LUFS, "
               f"true peak {report.true_peak_dbtp:.1f} dBTP, {font.name})")


@main.command()
@click.argument("message")
@click.option("--to", "to", default="", help="The recipient's name (helps find the relation).")
@click.option("--json", "as_json", is_flag=True, help="Print the analysis as JSON.")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def analyze(message: str, to: str, as_json: bool, debug: bool) -> None:
    """Show what the engine understood of MESSAGE ('-' reads standard input).

    \b
    Example:
      songgram analyze "Nanay, your hands built this home. Salamat po." --to Nanay
    """
    try:
        from composer.analyse import analyse
        result = analyse(validate.message(_read_message(message)), recipient=validate.name(to))
    except Exception as err:  # noqa: BLE001 - mapped to one line and an exit code
        _fail(err, debug)
    except KeyboardInterrupt as err:
        _fail(err, debug)
    if as_json:
        import json
        click.echo(json.dumps({
            "text": result.text, "theme": result.theme, "relation": result.relation,
            "recipient": result.recipient, "themes": [list(t) for t in result.themes],
            "sentiment": {"compound": result.sentiment.compound, "positive": result.sentiment.positive,
                          "negative": result.sentiment.negative, "neutral": result.sentiment.neutral},
            "words": [{"text": w.text, "syllables": list(w.syllables), "stresses": list(w.stresses),
                       "function": w.function, "source": w.source} for w in result.words],
        }, ensure_ascii=False, indent=2))
        return
    click.echo(f"text:      {result.text}")
    click.echo(f"recipient: {result.recipient or '(none)'} ({result.relation})")
    click.echo(f"theme:     {result.theme}" + (
        f"  (also: {', '.join(t for t, _ in result.themes[1:4])})" if len(result.themes) > 1 else ""))
    s = result.sentiment
    click.echo(f"sentiment: {s.compound:+.2f} (positive {s.positive:.2f}, negative {s.negative:.2f})")
    click.echo("words:")
    for w in result.words:
        marks = "-".join(syl.upper() if st == 1 else syl for syl, st in zip(w.syllables, w.stresses))
        flags = " function" if w.function else ""
        flags += " (rules)" if w.source == "rules" else ""
        click.echo(f"  {w.text:<16} {marks:<20} {''.join(map(str, w.stresses))}{flags}")


if __name__ == "__main__":
    main()
