"""The ``songgram`` command: a thin layer over composer's API.

It parses options, calls the API, writes files and prints. Every
:class:`~composer.errors.SonggramError` becomes one line on standard error and
its exit code (see ``songgram --help``); ``--debug`` shows the traceback.
"""

from __future__ import annotations

import os
import signal
import threading


def _interrupted_while_starting(_signum: int, _frame: object) -> None:
    """Ctrl-C while the modules below load: nothing is written yet; one line, exit 130."""
    try:
        os.write(2, b"songgram: interrupted; no file was left half-written\n")
    finally:
        os._exit(130)


# The imports take a few tenths of a second; a Ctrl-C then must not print a traceback.
_BEFORE = (signal.signal(signal.SIGINT, _interrupted_while_starting)
           if threading.current_thread() is threading.main_thread() else None)

import contextlib  # noqa: E402 - the imports come after the Ctrl-C guard above
import secrets  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable, Iterator, Sequence  # noqa: E402

import click  # noqa: E402

from composer import SEED_LIMIT, SonggramError, compose, genre_ids, validate, vibe_ids  # noqa: E402
from composer.errors import InputError, RefusedError  # noqa: E402
from composer.audio_formats import AUDIO_FORMATS, audio_format  # noqa: E402
from composer.output import slug  # noqa: E402
from composer.save import save_song  # noqa: E402
from composer.version import __version__  # noqa: E402

if _BEFORE is not None:
    signal.signal(signal.SIGINT, _BEFORE)

EXIT_CODES = """\b
Exit codes:
  0   the song was written
  1   the message or a name was refused: empty, only punctuation, over the
      limits, nothing singable, or refused by the guardrails (slurs, hate)
  2   the command line is wrong: an unknown option, genre or vibe, a bad
      seed, key, tempo or name, a MIDI file that does not exist (usage)
  3   a grammar or rule file is broken
  4   audio could not be rendered: FluidSynth, a missing or broken SoundFont,
      or a MIDI file that is unreadable, badly timed or too long
  5   the output cannot be written: the folder or file, a full disk, or
      standard output (a full device such as /dev/full)
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


def _listed(ids: Callable[[], Sequence[str]]) -> str:
    """``ids()`` joined for a help text; a broken data file is reported when a command runs, not here."""
    try:
        return ", ".join(ids())
    except SonggramError:
        return "(a data file is broken: run the command to see which)"


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


def _voice(value: str) -> str:
    """--voice: "none", or a voice of rules/voices.toml (case forgiven)."""
    if value.strip().lower() == "none":
        return "none"
    from composer.voice.catalog import voice
    return voice(value).name


def _voice_names() -> Sequence[str]:
    from composer.voice.catalog import voice_names
    return (*voice_names(), "none")


VOICE = Checked("voice", _voice, _voice_names)
VOICE_HELP = ("Who sings the words: a voice from `songgram voices`, or 'none' for an instrumental "
              "[default: the voice whose range fits the tune].")


# What --format takes and the file endings of --out: rules/audio.toml (composer.master writes them).
_SUFFIXES = {audio_format(name).suffix: name for name in AUDIO_FORMATS}
_SUFFIX_OF = {name: suffix for suffix, name in _SUFFIXES.items()}


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


class _Interrupted(Exception):
    """Ctrl-C inside a command, carried past click's own handler (which prints a blank line)."""


class Songgram(click.Group):
    """The command group; every error it sees becomes one line on standard error."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as err:
            raise _Interrupted() from err
        except BrokenPipeError as err:  # before click's own handler, which would exit 1
            _quiet_stdout()
            raise click.exceptions.Exit(0) from err

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            self._standalone(args, prog_name, complete_var, **extra)
        except KeyboardInterrupt:  # a Ctrl-C between the handlers below and the exit
            _fail(KeyboardInterrupt(), debug=False)

    def _standalone(self, args: Sequence[str] | None, prog_name: str | None, complete_var: str | None,
                    **extra: Any) -> None:
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
            if sys.stdout is not None:
                sys.stdout.flush()
        except BrokenPipeError:  # the reader has gone (`songgram genres | head -1`): what it wanted it has
            _quiet_stdout()
            sys.exit(0)
        except OSError as err:  # standard output (or error) full or failing: /dev/full
            _stream_failed(err)
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
        except (click.Abort, KeyboardInterrupt, _Interrupted) as err:
            _fail(err if isinstance(err, KeyboardInterrupt) else KeyboardInterrupt(), debug=False)
        except SonggramError as err:  # a refused name, while the options were parsed
            _fail(err, debug=False)
        sys.exit(code if isinstance(code, int) else 0)


def _quiet_stdout() -> None:
    """Point standard output at /dev/null, so that the interpreter's last flush has nowhere to fail."""
    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)


def _stream_failed(err: OSError) -> None:
    """Standard output cannot be written: one line on standard error (if it can be), exit 5."""
    _quiet_stdout()
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.write(f"songgram: cannot write to standard output: {err.strerror or err}\n")
        sys.stderr.flush()
    sys.exit(5)


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
    try:
        data = sys.stdin.buffer.read(MAX_STDIN_BYTES + 1)
    except (AttributeError, OSError, ValueError) as err:  # closed (None), or unreadable
        raise InputError("standard input is closed or unreadable; give MESSAGE as an argument "
                         "or pipe the message in") from err
    if len(data) > MAX_STDIN_BYTES:
        raise InputError(f"the message must be at most {validate.MAX_MESSAGE_CHARS} characters, "
                         f"got more than {MAX_STDIN_BYTES} bytes on standard input")
    return data.decode("utf-8", errors="replace")


class Talk:
    """What a command says besides its result: -q silences it, -v adds each stage's time.

    Progress (the stage, then a bar while the synths play) is drawn on standard
    error only when it is a terminal, so scripts and pipes see clean output.
    """

    def __init__(self, *, quiet: bool = False, verbose: bool = False) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.live = not quiet and _is_terminal(sys.stderr)
        self._stage = ""
        self._started = 0.0
        self._drawn = False

    def say(self, line: str) -> None:
        """A line of the command's report on standard output (not with -q)."""
        if not self.quiet:
            click.echo(line)

    def note(self, line: str) -> None:
        """A line on standard error for -v only."""
        if self.verbose:
            self._clear()
            click.echo(f"songgram: {line}", err=True)

    def stage(self, name: str) -> None:
        """A long step begins: its name on a terminal; with -v, the previous step's time."""
        self.done()
        self._stage, self._started = name, time.monotonic()
        self._draw(f"songgram: {name}...")

    def bar(self, done: int, total: int) -> None:
        """The current stage is ``done`` of ``total`` parts through (a callback of the render)."""
        if total > 0:
            width = 24
            filled = width * min(done, total) // total
            self._draw(f"songgram: {self._stage} [{'#' * filled}{'-' * (width - filled)}] "
                       f"{100 * min(done, total) // total:3d}%")

    def done(self) -> None:
        """The current stage has ended (with -v, its time on standard error)."""
        self._clear()
        if self._stage:
            self.note(f"{self._stage}: {time.monotonic() - self._started:.2f} s")
        self._stage = ""

    def abort(self) -> None:
        """The current stage failed: clear the line, time nothing (the error follows)."""
        self._clear()
        self._stage = ""

    def _draw(self, text: str) -> None:
        if self.live:
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write(f"\r\x1b[K{text}")
                sys.stderr.flush()
                self._drawn = True

    def _clear(self) -> None:
        if self._drawn:
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write("\r\x1b[K")
                sys.stderr.flush()
            self._drawn = False


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream is not None and stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _talk() -> Talk:
    """The Talk of the running command (set by the group's -q/-v)."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_object(Talk) if ctx is not None else None
    return obj if obj is not None else Talk()


def _emit_json(value: Any) -> None:
    """``value`` as JSON on standard output (also with -q: it was asked for)."""
    import json
    click.echo(json.dumps(value, ensure_ascii=False, indent=2))


@click.group(cls=Songgram, epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-q", "--quiet", is_flag=True,
              help="Print nothing but errors (and what --json asks for); no progress.")
@click.option("-v", "--verbose", is_flag=True, help="Also print each stage's time on standard error.")
@click.version_option(__version__, package_name="songgram")
@click.pass_context
def main(ctx: click.Context, quiet: bool, verbose: bool) -> None:
    """Songgram turns a personal message into a complete song.

    Progress goes to standard error while it is a terminal; results go to
    standard output (as JSON with --json, for scripts).

    \b
    Example:
      songgram compose "Mom, thank you for always cooking for us. I love you." \\
          --to Mom --genre ballad --vibe heartfelt --seed 7 --out songs/mom
    """
    if quiet and verbose:
        raise click.UsageError("-q/--quiet and -v/--verbose cannot be used together")
    from composer.allocator import keep_large_blocks

    keep_large_blocks()  # big arrays reused, not mapped afresh each time: a sung compose 15% faster
    ctx.obj = Talk(quiet=quiet, verbose=verbose)


@main.command(epilog=LIMITS + "\n" + EXIT_CODES)
@click.argument("message")
@click.option("--to", "to", required=True, type=TO,
              help=f"The recipient's name, sung in every chorus (at most {validate.MAX_NAME_CHARS} characters).")
@click.option("--from", "sender", default="", type=SENDER, help="Your name (optional).")
@click.option("--genre", required=True, type=GENRE,
              help=f"The genre: {_listed(genre_ids)} (see `songgram genres`).")
@click.option("--vibe", required=True, type=VIBE,
              help=f"The vibe: {_listed(vibe_ids)} (see `songgram vibes`).")
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
@click.option("--voice", "voice", type=VOICE, default=None, help=VOICE_HELP)
@click.option("--json", "as_json", is_flag=True,
              help="Print what was written as JSON: folder, files, title, key, tempo, seconds... (see README).")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def compose_cmd(message: str, to: str, sender: str, genre: str, vibe: str, seed: int | None, key: str | None,
                tempo: int | None, length: str, out: Path | None, soundfont: str | None, no_audio: bool,
                png: bool, stems: bool, formats: tuple[tuple[str, ...], ...], voice: str | None,
                as_json: bool, debug: bool) -> None:
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
    talk = _talk()
    try:
        with _sigterm_interrupts():
            text = _read_message(message)
            if seed is None:
                seed = secrets.randbelow(1_000_000)
            talk.stage("composing")
            song = compose(text, to=to, sender=sender, genre=genre, vibe=vibe, seed=seed, key=key, tempo=tempo,
                           length=length)  # type: ignore[arg-type]
            folder = out if out is not None else Path("songs") / default_folder(to, genre, seed)
            talk.stage("writing files" if no_audio else "rendering")
            saved = save_song(song, folder, audio=not no_audio, formats=audio_formats if not no_audio else (),
                              stems=stems, png=png, soundfont=soundfont, voice=voice or "auto",
                              progress=talk.bar if talk.live else None)
            talk.done()
            song = saved.song
    except Exception as err:  # noqa: BLE001 - the last line of defence: one line and an exit code
        talk.abort()
        _fail(err, debug)
    except KeyboardInterrupt as err:
        talk.abort()
        _fail(err, debug)
    plan = song.plan
    if as_json:
        _emit_json(compose_report(song, folder, [p.name for p in saved.files], seed_chosen=chosen))
        return
    if chosen:
        talk.say(f"seed: {seed} (pass --seed {seed} to make this song again)")
    talk.say(f"{song.title}: {plan.genre}, {plan.vibe}, {plan.key_name} {plan.mode}, {plan.tempo} BPM, "
             f"{plan.meter[0]}/{plan.meter[1]}, {song.seconds:.0f} s")
    if song.voice:
        talk.say(f"sung by {dict(song.voice)['reason']}")
    talk.say(f"wrote {folder}/ ({', '.join(_listed_files(saved.files, audio_formats))})")


def _listed_files(files: Sequence[Path], audio_formats: Sequence[str]) -> list[str]:
    """The names of the files written as the report line gives them: MIDI, audio in the order asked, the rest."""
    names = [p.name for p in files]
    order = ["song.mid", *(f"song.{name}" for name in audio_formats), "song.json", "lyrics.txt",
             "song.musicxml", "song.chordpro", "song.kar", "song.png"]
    listed = [n for n in order if n in names]
    stems = [n for n in names if n.startswith("stem-")]
    listed += [n for n in names if n not in listed and n not in stems]
    return listed + (["stem-*.wav"] if stems else [])


def default_folder(to: str, genre: str, seed: int) -> str:
    """The folder name compose writes into by default: ``<name>-<genre>-<seed>``.

    A name in another script is romanised first, so it is not lost:

    >>> default_folder("李华", "pop", 5), default_folder("Zoë", "jazz", 1), default_folder("❤", "pop", 2)
    ('li-hua-pop-5', 'zoe-jazz-1', 'song-pop-2')
    """
    from composer.analyse.romanise import romanise
    return f"{slug(romanise(to))}-{genre}-{seed}"


def compose_report(song: Any, folder: Path, files: Sequence[str], *, seed_chosen: bool) -> dict[str, Any]:
    """What ``compose --json`` prints. The shape is documented in the README; keys are only ever added.

    Keys: folder (as given or the default), files (names in it, sorted), title, genre,
    vibe, key ("D", "Bb": the tonic, as in song.json), mode ("major", "dorian"...),
    tempo (BPM), meter ("4/4"), seconds, length, seed, seed_chosen (true when --seed
    was left out), voice (the singer's name or null), soundfont (its name, or null
    without audio), engine (the version).
    """
    plan = song.plan
    voice = dict(song.voice) if song.voice else None
    return {
        "folder": str(folder), "files": sorted(files), "title": song.title, "genre": plan.genre,
        "vibe": plan.vibe, "key": plan.key_name, "mode": plan.mode,
        "tempo": plan.tempo, "meter": f"{plan.meter[0]}/{plan.meter[1]}", "seconds": round(song.seconds, 2),
        "length": song.length, "seed": song.seed, "seed_chosen": seed_chosen,
        "voice": voice.get("name") if voice else None, "soundfont": song.soundfont[0] or None,
        "engine": song.engine,
    }


compose_cmd.name = "compose"


@main.command()
@click.option("--json", "as_json", is_flag=True,
              help='Print a JSON list of {"id": ..., "description": ...}, in the order listed.')
def genres(as_json: bool) -> None:
    """List the genres, with a line about each.

    \b
    Example:
      songgram genres
      songgram genres --json
    """
    from composer.grammar import genre
    listed = [(gid, genre(gid).description) for gid in genre_ids()]
    _list(listed, as_json)


@main.command()
@click.option("--json", "as_json", is_flag=True,
              help='Print a JSON list of {"id": ..., "description": ...}, in the order listed.')
def vibes(as_json: bool) -> None:
    """List the vibes, with a line about each.

    \b
    Example:
      songgram vibes
      songgram vibes --json
    """
    from composer.vibes import vibe
    listed = [(vid, vibe(vid).description) for vid in vibe_ids()]
    _list(listed, as_json)


def _list(listed: Sequence[tuple[str, str]], as_json: bool) -> None:
    """genres' and vibes' listing: an aligned table, or JSON."""
    if as_json:
        _emit_json([{"id": name, "description": description} for name, description in listed])
        return
    for name, description in listed:
        click.echo(f"{name:<12} {description}")


@main.command()
def voices() -> None:
    """List the singing voices: name, range, engine, licence.

    \b
    Example:
      songgram voices
    """
    from composer.theory import spell
    from composer.voice.catalog import voices as all_voices

    def name(note: int) -> str:
        return f"{spell(note % 12, flats=False)}{note // 12 - 1}"

    for v in all_voices():
        low, high = v.range
        click.echo(f"{v.name:<6} {name(low)}-{name(high)} (MIDI {low}-{high})  {v.engine}  "
                   f"{v.description}; licence: {v.licence}")


@main.command(epilog=EXIT_CODES)
@click.argument("midi", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="The file to write; its suffix (.wav, .flac, .ogg, .opus, .mp3; none is .wav) sets its format. "
                   "Its folder is made if missing.")
@click.option("--soundfont", default=None, help="A .sf2/.sf3 path, or a catalog name such as 'small'.")
@click.option("--format", "formats", type=Formats(), multiple=True,
              help=FORMAT_HELP + " Each goes beside --out, with its own suffix.")
@click.option("--artist", default="", help="The artist tag [default: none]. The title tag is the MIDI's "
              "sequence name (its first track's name), else the MIDI file's name.")
@click.option("--voice", "voice", type=VOICE, default=None,
              help="Sing the lyric events of the MIDI's Vocal track with this voice ('auto' is not assumed: "
                   "without --voice the MIDI renders as it is).")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def render(midi: Path, out: Path, soundfont: str | None, formats: tuple[tuple[str, ...], ...], artist: str,
           voice: str | None, debug: bool) -> None:
    """Render any General MIDI file to mastered audio.

    \b
    Example:
      songgram render songs/demo/song.mid --out demo.flac --format mp3
    """
    if out.suffix and out.suffix.lower() not in _SUFFIXES:
        raise click.BadParameter(f"{out} has an unknown audio suffix {out.suffix!r}; use one of "
                                 f"{', '.join(_SUFFIXES)} (or --format)", param_hint="'--out'")
    chosen = _formats(_SUFFIXES.get(out.suffix.lower(), "wav"), formats)
    talk = _talk()
    made: list[Path] = []
    try:
        from composer.errors import OutputError
        from composer.output import check_file
        from composer.render import midi_title, render_file, resolve_soundfont
        if out.is_dir():
            raise OutputError(f"--out {out} is a folder; give a file name such as song.wav")
        for name in chosen:  # each format's file: a regular file, not in a system folder
            check_file(out.with_suffix(_SUFFIX_OF[name]))
        font = resolve_soundfont(soundfont)
        dub = None
        if voice and voice != "none":
            dub = _sung_overdub(midi, voice)
        made = _make_folder(out.parent)
        talk.stage("rendering")
        with _sigterm_interrupts():  # a terminated render removes its .part files too
            report = render_file(midi, out, soundfont=font, formats=chosen, overdub=dub,
                                 title=midi_title(midi) or midi.stem, artist=artist,
                                 progress=talk.bar if talk.live else None)
        talk.done()
    except Exception as err:  # noqa: BLE001 - mapped to one line and an exit code
        talk.abort()
        _unmake(made)
        _fail(err, debug)
    except KeyboardInterrupt as err:
        talk.abort()
        _unmake(made)
        _fail(err, debug)
    talk.say(f"wrote {', '.join(map(str, report.paths))} ({report.seconds:.1f} s, {report.lufs:.1f} LUFS, "
             f"true peak {report.true_peak_dbtp:.1f} dBTP, {font.name})")


def _make_folder(folder: Path) -> list[Path]:
    """Make ``folder`` and its missing parents; returns those made, deepest first (for :func:`_unmake`).

    Raises:
        OutputError: a part of it is a file, or it cannot be made.
    """
    from composer.errors import OutputError
    missing = [p for p in (folder, *folder.parents) if not p.exists() and not p.is_symlink()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as err:
        raise OutputError(f"cannot make the folder {folder}: a part of it is a file") from err
    except OSError as err:
        raise OutputError(f"cannot make the folder {folder}: {err.strerror or err}") from err
    return missing


def _unmake(made: Sequence[Path]) -> None:
    """Remove the folders :func:`_make_folder` made, if still empty: a failed render leaves nothing."""
    for folder in made:
        with contextlib.suppress(OSError):
            folder.rmdir()


def _sung_overdub(midi: Path, voice: str) -> Any:
    """The overdub that sings ``midi``'s lyric events with ``voice``, or None when it has none (a note says so)."""
    from composer.voice import midi_overdub
    dub = midi_overdub(midi, voice)
    if dub is None:
        click.echo(f"{midi} has no lyric events on a Vocal track: rendered without a voice", err=True)
    return dub


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535), help="The port.")
@click.option("--data", "data", default="songs/web", show_default=True, type=click.Path(path_type=Path),
              help="Where songs and their SQLite database are kept.")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Songs composed at once [default: one per core].")
@click.option("--queue", "queue", default=8, show_default=True, type=click.IntRange(0, 1000),
              help="Songs that may wait for a worker; more are turned away with 503 and Retry-After.")
@click.option("--songs-per-minute", default=6, show_default=True, type=click.IntRange(1, 10000),
              help="New songs one client address may ask for a minute; more get 429 and Retry-After.")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def serve(host: str, port: int, data: Path, workers: int | None, queue: int, songs_per_minute: int,
          debug: bool) -> None:
    """Serve the web page where anyone can make, hear and share a song.

    \b
    Example:
      songgram serve --port 8765 --data songs/web
      (then open http://127.0.0.1:8765/)
    """
    try:
        from composer.web import serve as run
        click.echo(f"songgram: serving on http://{host}:{port}/ (songs in {data}/; Ctrl-C stops)", err=True)
        run(host=host, port=port, data=data, workers=workers, queue_limit=queue,
            songs_per_minute=songs_per_minute)
    except Exception as err:  # noqa: BLE001 - mapped to one line and an exit code
        _fail(err, debug)
    except KeyboardInterrupt:
        pass


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
    if as_json:  # the shape is documented in the README; keys are only ever added
        _emit_json({
            "text": result.text, "theme": result.theme, "relation": result.relation,
            "relation_cue": {"source": result.relation_cue.source, "cue": result.relation_cue.cue},
            "recipient": result.recipient, "themes": [list(t) for t in result.themes],
            "sentiment": {"compound": result.sentiment.compound, "positive": result.sentiment.positive,
                          "negative": result.sentiment.negative, "neutral": result.sentiment.neutral},
            "words": [{"text": w.text, "syllables": list(w.syllables), "stresses": list(w.stresses),
                       "function": w.function, "source": w.source} for w in result.words],
        })
        return
    click.echo(f"text:      {result.text}")
    cue = result.relation_cue
    where = {"to": "in --to", "message": "in the message"}.get(cue.source, "")
    click.echo(f"recipient: {result.recipient or '(none)'} ({result.relation}"
               + (f": {cue.cue!r} {where})" if cue.cue else ")"))
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


BATCH_EXIT_CODES = """\b
Exit codes:
  0   every request is done or refused (the manifest says why for each)
  2   the command line is wrong
  5   --out cannot be written, or another batch is running into it
  6   REQUESTS cannot be read (missing, unreadable, not UTF-8)
  7   --engine ray: Ray is not installed, or --address does not answer
  8   the batch ran, and some requests failed (their rows say why; run again to retry)
  70  an unexpected internal error (run with --debug and report it)
  130 interrupted (Ctrl-C or SIGTERM); run the same command again to resume
"""

FAILED_REQUESTS_EXIT = 8
"""batch's exit code when it ran but some requests failed."""


@main.command(epilog=BATCH_EXIT_CODES)
@click.argument("requests", type=click.Path(path_type=Path, dir_okay=True))
@click.option("--out", "out", type=FOLDER, required=True,
              help="The batch folder: one folder per song (its id) and the manifest batch.sqlite.")
@click.option("--workers", type=click.IntRange(1, 4096), default=None,
              help="Worker processes (local) or actors (ray) [default: one per core / cluster CPU].")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: a process pool here; ray: Ray actors (pip install 'songgram[cluster]').")
@click.option("--address", default=None, help="With --engine ray: a Ray head's HOST:PORT (default: start Ray here).")
@click.option("--soundfont", default=None, help="A .sf2/.sf3 path, or a catalog name such as 'small'.")
@click.option("--voice", default=None, help="The singing voice for requests that name none (a 'voice' column wins).")
@click.option("--no-audio", is_flag=True, help="Skip song.wav (MIDI, lead sheet and text only).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def batch(requests: Path, out: Path, workers: int | None, engine: str, address: str | None,
          soundfont: str | None, voice: str | None, no_audio: bool, as_json: bool, debug: bool) -> None:
    """Make a song for every request in REQUESTS (JSON Lines or CSV).

    \b
    A request has the columns of compose: message, to, from, genre, vibe,
    seed, and optionally id (its folder's name), key, tempo, length, language
    and voice. Each song goes to OUT/<id>/ with exactly the files compose
    writes; OUT/batch.sqlite holds one row per request (done, refused or
    failed, and why). Running the same command again skips what is done and
    retries what failed, also after a kill.

    \b
    Example:
      songgram batch docs/requests-example.jsonl --out songs/campaign --workers 2
      songgram stats songs/campaign --html songs/campaign/report.html
    """
    if address and engine != "ray":
        raise click.UsageError("--address is for --engine ray")
    if voice is not None:
        import inspect
        if "voice" not in inspect.signature(save_song).parameters:
            raise click.UsageError("--voice: this engine has no singing voice yet")
    try:
        with _sigterm_interrupts():
            from composer.batch import run_batch
            summary = run_batch(requests, out, workers=workers, engine=engine, address=address,
                                audio=not no_audio, soundfont=soundfont, voice=voice,
                                show_progress=False if _talk().quiet else None)
    except Exception as err:  # noqa: BLE001 - the last line of defence: one line and an exit code
        _fail(err, debug)
    except KeyboardInterrupt:
        click.echo("songgram: interrupted; finished songs are recorded, run the same command again to resume",
                   err=True)
        sys.exit(130)
    if as_json:
        import dataclasses
        import json
        click.echo(json.dumps({**dataclasses.asdict(summary), "songs_per_minute": round(summary.songs_per_minute, 2)}))
    else:
        _talk().say(summary.line())
    if summary.failed_total:
        sys.exit(FAILED_REQUESTS_EXIT)


@main.command(epilog=EXIT_CODES)
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the stats as JSON.")
@click.option("--html", "html_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also write an HTML page with charts (self-contained: no network needed to view it).")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def stats(folder: Path, as_json: bool, html_path: Path | None, debug: bool) -> None:
    """Show what a batch's requests asked for, and how fast it was made.

    \b
    Shares of themes, relations, occasions, languages and genres x vibes
    among the songs made; refusals and failures with their reasons;
    throughput per run. It reads FOLDER/batch.sqlite and works while the
    batch runs.

    \b
    Example:
      songgram stats songs/campaign --html songs/campaign/report.html
    """
    try:
        from composer.batch.stats import batch_stats, stats_table
        result = batch_stats(folder)
        if html_path is not None:
            from composer.batch.report import write_report
            write_report(result, html_path, title=f"Songgram batch: {folder.name or folder}")
    except Exception as err:  # noqa: BLE001 - mapped to one line and an exit code
        _fail(err, debug)
    except KeyboardInterrupt as err:
        _fail(err, debug)
    if as_json:
        import json
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(stats_table(result))
    if html_path is not None and not as_json:
        click.echo(f"\nwrote {html_path}")


if __name__ == "__main__":
    main()
