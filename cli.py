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
import traceback  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable, Iterator, Sequence  # noqa: E402

import click  # noqa: E402

from composer import SEED_LIMIT, SonggramError, compose, genre_ids, validate, vibe_ids  # noqa: E402
from composer.errors import InputError, RefusedError  # noqa: E402
from composer.audio_formats import AUDIO_FORMATS, audio_format  # noqa: E402
from composer.output import slug  # noqa: E402
from composer.save import save_song  # noqa: E402

if _BEFORE is not None:
    signal.signal(signal.SIGINT, _BEFORE)

EXIT_CODES = """\b
Exit codes:
  0   the song was written
  1   the message or a name was refused: empty, only punctuation, over the
      limits, nothing singable, or refused by the guardrails (slurs, hate)
  2   the command line is wrong: an unknown option, genre or vibe, a bad
      seed, key, tempo or name (usage)
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
        except OSError as err:  # standard output (or error) closed or full: /dev/full, a closed pipe
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


def _stream_failed(err: OSError) -> None:
    """Standard output cannot be written: one line on standard error (if it can be), exit 5."""
    with contextlib.suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)  # so that the interpreter's last flush has nowhere to fail
        os.close(null)
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
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def compose_cmd(message: str, to: str, sender: str, genre: str, vibe: str, seed: int | None, key: str | None,
                tempo: int | None, length: str, out: Path | None, soundfont: str | None, no_audio: bool,
                png: bool, stems: bool, formats: tuple[tuple[str, ...], ...], voice: str | None,
                debug: bool) -> None:
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
                             stems=stems, png=png, soundfont=soundfont, voice=voice or "auto").song
    except Exception as err:  # noqa: BLE001 - the last line of defence: one line and an exit code
        _fail(err, debug)
    except KeyboardInterrupt as err:
        _fail(err, debug)
    if chosen:
        click.echo(f"seed: {seed} (pass --seed {seed} to make this song again)")
    plan = song.plan
    click.echo(f"{song.title}: {plan.genre}, {plan.vibe}, {plan.key_name} {plan.mode}, {plan.tempo} BPM, "
               f"{plan.meter[0]}/{plan.meter[1]}, {song.seconds:.0f} s")
    if song.voice:
        click.echo(f"sung by {dict(song.voice)['reason']}")
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
@click.argument("midi", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="The file to write; its suffix (.wav, .flac, .ogg, .opus, .mp3; none is .wav) sets its format.")
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
    try:
        from composer.errors import OutputError, RenderError
        from composer.output import check_file
        from composer.render import midi_title, render_file, resolve_soundfont
        if not midi.exists():
            raise RenderError(f"no MIDI file at {midi}")
        if out.is_dir():
            raise OutputError(f"--out {out} is a folder; give a file name such as song.wav")
        if not out.parent.is_dir():
            raise OutputError(f"cannot write to {out}: {out.parent} is not a folder")
        for name in chosen:  # each format's file: a regular file, not in a system folder
            check_file(out.with_suffix(_SUFFIX_OF[name]))
        font = resolve_soundfont(soundfont)
        dub = None
        if voice and voice != "none":
            dub = _sung_overdub(midi, voice)
        with _sigterm_interrupts():  # a terminated render removes its .part files too
            report = render_file(midi, out, soundfont=font, formats=chosen, overdub=dub,
                                 title=midi_title(midi) or midi.stem, artist=artist)
    except Exception as err:  # noqa: BLE001 - mapped to one line and an exit code
        _fail(err, debug)
    except KeyboardInterrupt as err:
        _fail(err, debug)
    click.echo(f"wrote {', '.join(map(str, report.paths))} ({report.seconds:.1f} s, {report.lufs:.1f} LUFS, "
               f"true peak {report.true_peak_dbtp:.1f} dBTP, {font.name})")


def _sung_overdub(midi: Path, voice: str) -> Any:
    """The overdub that sings ``midi``'s lyric events with ``voice``, or None when it has none (a note says so)."""
    import mido

    from composer.errors import RenderError
    from composer.render import Effects
    from composer.voice import overdub, prepare_midi
    try:
        parsed = mido.MidiFile(str(midi))
    except (OSError, EOFError, ValueError, KeyError, IndexError) as err:
        raise RenderError(f"not a readable MIDI file ({err}): {midi}") from err
    take = prepare_midi(parsed, voice)
    if take is None:
        click.echo(f"{midi} has no lyric events on a Vocal track: rendered without a voice", err=True)
        return None
    return overdub(take, Effects())


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
    if as_json:
        import json
        click.echo(json.dumps({
            "text": result.text, "theme": result.theme, "relation": result.relation,
            "relation_cue": {"source": result.relation_cue.source, "cue": result.relation_cue.cue},
            "recipient": result.recipient, "themes": [list(t) for t in result.themes],
            "sentiment": {"compound": result.sentiment.compound, "positive": result.sentiment.positive,
                          "negative": result.sentiment.negative, "neutral": result.sentiment.neutral},
            "words": [{"text": w.text, "syllables": list(w.syllables), "stresses": list(w.stresses),
                       "function": w.function, "source": w.source} for w in result.words],
        }, ensure_ascii=False, indent=2))
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
                                audio=not no_audio, soundfont=soundfont, voice=voice)
    except Exception as err:  # noqa: BLE001 - the last line of defence: one line and an exit code
        _fail(err, debug)
    except KeyboardInterrupt as err:
        click.echo("songgram: interrupted; finished songs are recorded, run the same command again to resume",
                   err=True)
        sys.exit(130)
    if as_json:
        import dataclasses
        import json
        click.echo(json.dumps({**dataclasses.asdict(summary), "songs_per_minute": round(summary.songs_per_minute, 2)}))
    else:
        click.echo(summary.line())
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
