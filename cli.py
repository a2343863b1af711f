"""The ``songgram`` command: a thin layer over composer's API.

It parses options, calls the API, writes files and prints. Every
:class:`~composer.errors.SonggramError` becomes one line on standard error and
its exit code (see ``songgram --help``); ``--debug`` shows the traceback.
"""

from __future__ import annotations

import secrets
import sys
import traceback
from dataclasses import replace
from pathlib import Path

import click

from composer import SEED_LIMIT, SonggramError, compose, genre_ids, vibe_ids
from composer.output import slug, staged_output, write_files

EXIT_CODES = """\b
Exit codes:
  0  the song was written
  1  the message or an option was refused (empty, too long, unknown...)
  2  the command line itself is wrong (usage)
  3  a grammar or rule file is broken
  4  audio could not be rendered (library or SoundFont)
  5  the output folder cannot be written
  70 an unexpected internal error (run with --debug and report it)
  130 interrupted
"""


def _fail(err: BaseException, debug: bool) -> None:
    if debug:
        traceback.print_exception(err)
    if isinstance(err, SonggramError):
        click.echo(f"songgram: {err}", err=True)
        sys.exit(err.exit_code)
    if isinstance(err, KeyboardInterrupt):
        click.echo("songgram: interrupted; nothing was written", err=True)
        sys.exit(130)
    click.echo(f"songgram: internal error: {type(err).__name__}: {err} (run with --debug for details)", err=True)
    sys.exit(70)


def _read_message(message: str) -> str:
    if message == "-":
        data = sys.stdin.buffer.read()
        return data.decode("utf-8", errors="replace")
    return message


@click.group(epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="songgram")
def main() -> None:
    """Songgram turns a personal message into a complete song.

    \b
    Example:
      songgram compose "Mom, thank you for always cooking for us. I love you." \\
          --to Mom --genre ballad --vibe heartfelt --seed 7 --out songs/mom
    """


@main.command(epilog=EXIT_CODES)
@click.argument("message")
@click.option("--to", "to", required=True, help="The recipient's name, sung in every chorus.")
@click.option("--from", "sender", default="", help="Your name (optional).")
@click.option("--genre", required=True, type=click.Choice(genre_ids()), help="The genre (see `songgram genres`).")
@click.option("--vibe", required=True, type=click.Choice(vibe_ids()), help="The vibe (see `songgram vibes`).")
@click.option("--seed", type=click.IntRange(0, SEED_LIMIT), default=None,
              help="Makes the same song again; chosen and printed when left out.")
@click.option("--key", default=None, help="Override the key: E, Bb, F#m, 'D dorian'.")
@click.option("--tempo", type=int, default=None, help="Override the tempo in BPM (40..220).")
@click.option("--length", type=click.Choice(["short", "full"]), default="full", show_default=True,
              help="full: a 2-3 minute song; short: a 30-45 s clip.")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help="Output folder [default: songs/<name>-<genre>-<seed>/].")
@click.option("--soundfont", default=None, help="A .sf2/.sf3 path, or a catalog name such as 'small'.")
@click.option("--no-audio", is_flag=True, help="Skip song.wav (MIDI, lead sheet and text only).")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def compose_cmd(message: str, to: str, sender: str, genre: str, vibe: str, seed: int | None, key: str | None,
                tempo: int | None, length: str, out: Path | None, soundfont: str | None, no_audio: bool,
                debug: bool) -> None:
    """Compose a song from MESSAGE ('-' reads standard input).

    \b
    Writes song.mid, song.wav, song.json, lyrics.txt, song.musicxml and
    song.chordpro into the output folder.

    \b
    Example:
      songgram compose "Keep going, you are closer than you think." \\
          --to Alex --genre pop --vibe upbeat --seed 42
    """
    try:
        text = _read_message(message)
        if seed is None:
            seed = secrets.randbelow(1_000_000)
            click.echo(f"seed: {seed} (pass --seed {seed} to make this song again)")
        song = compose(text, to=to, sender=sender, genre=genre, vibe=vibe, seed=seed, key=key, tempo=tempo,
                       length=length)  # type: ignore[arg-type]
        folder = out if out is not None else Path("songs") / f"{slug(to)}-{genre}-{seed}"
        font = None
        if not no_audio:
            from composer.render import resolve_soundfont
            font = resolve_soundfont(soundfont)
            song = replace(song, soundfont=(font.name, font.license))
        with staged_output(folder) as stage:
            write_files(stage, {
                "song.mid": song.to_midi(),
                "song.json": song.to_json(),
                "lyrics.txt": song.to_lyrics_text(),
                "song.chordpro": song.to_chordpro(),
                "song.musicxml": song.to_musicxml(),
            })
            if font is not None:
                from composer.render import Effects, render_file
                from composer.grammar import genre as load_genre
                effects = Effects.from_table(dict(load_genre(genre).mix), where=f"grammars/{genre}.toml [mix]")
                render_file(stage / "song.mid", stage / "song.wav", soundfont=font, effects=effects,
                            title=song.title)
    except (SonggramError, KeyboardInterrupt) as err:
        _fail(err, debug)
    except Exception as err:  # noqa: BLE001 - the last line of defence: one line, exit 70
        _fail(err, debug)
    plan = song.plan
    click.echo(f"{song.title}: {plan.genre}, {plan.vibe}, {plan.key_name} {plan.mode}, {plan.tempo} BPM, "
               f"{plan.meter[0]}/{plan.meter[1]}, {song.seconds:.0f} s")
    click.echo(f"wrote {folder}/ (song.mid{'' if no_audio else ', song.wav'}, song.json, lyrics.txt, "
               f"song.musicxml, song.chordpro)")


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
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="The WAV file to write.")
@click.option("--soundfont", default=None, help="A .sf2/.sf3 path, or a catalog name such as 'small'.")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def render(midi: Path, out: Path, soundfont: str | None, debug: bool) -> None:
    """Render any General MIDI file to mastered audio.

    \b
    Example:
      songgram render songs/demo/song.mid --out demo.wav
    """
    try:
        from composer.errors import InputError, OutputError
        from composer.render import render_file, resolve_soundfont
        if not midi.is_file():
            raise InputError(f"no MIDI file at {midi}")
        if out.is_dir():
            raise OutputError(f"--out {out} is a folder; give a file name such as song.wav")
        font = resolve_soundfont(soundfont)
        report = render_file(midi, out, soundfont=font)
    except BaseException as err:  # noqa: BLE001 - mapped to one line and an exit code
        if isinstance(err, SystemExit):
            raise
        _fail(err, debug)
    click.echo(f"wrote {out} ({report.seconds:.1f} s, {report.lufs:.1f} LUFS, "
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
        result = analyse(_read_message(message), recipient=to)
    except BaseException as err:  # noqa: BLE001
        if isinstance(err, SystemExit):
            raise
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
