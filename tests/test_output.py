"""Nothing half-written: staged, atomic output (composer/output.py and the compose command).

A failed or interrupted compose leaves the output folder as it was, an older
song in it included; two composes into one folder leave one whole song.
"""

from __future__ import annotations

import json
import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

import composer.render
from cli import main
from composer import OutputError, RenderError, compose
from composer.output import MANIFEST, STAGE_PREFIX, _signals_held, staged_output, write_files
from composer.soundfonts import SoundFont

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["compose", "Thank you for the soup", "--to", "Mom", "--genre", "pop", "--vibe", "chill"]
FAKE_FONT = SoundFont(id="fake", name="Fake", license="MIT", path=Path("/nowhere/fake.sf2"), source="test")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) and its bytes."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def manifest(files: dict[str, bytes]) -> bytes:
    """The manifest a commit of ``files`` writes: each name and the SHA-256 of its bytes."""
    return "".join(f"{n}\t{hashlib.sha256(files[n]).hexdigest()}\n" for n in sorted(files)).encode()


def commit(folder: Path, files: dict[str, str]) -> None:
    with staged_output(folder) as stage:
        write_files(stage, files)


def test_a_commit_writes_every_file_and_leaves_no_stage(tmp_path):
    commit(tmp_path / "a" / "b", {"song.mid": "1", "song.json": "1"})
    assert snapshot(tmp_path / "a" / "b") == {MANIFEST: manifest({"song.json": b"1", "song.mid": b"1"}),
                                              "song.json": b"1", "song.mid": b"1"}


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()], ids=["error", "interrupt"])
def test_a_failure_leaves_the_folder_as_it_was(tmp_path, error):
    fresh = tmp_path / "new" / "deeper"
    with pytest.raises(type(error)):
        with staged_output(fresh) as stage:
            write_files(stage, {"song.mid": "half"})
            raise error
    assert not (tmp_path / "new").exists()
    old = tmp_path / "old"
    commit(old, {"song.mid": "old", "song.json": "old"})
    (old / "mine.txt").write_text("the user's")
    before = snapshot(old)
    with pytest.raises(type(error)):
        with staged_output(old) as stage:
            write_files(stage, {"song.mid": "new", "song.wav": "new"})
            raise error
    assert snapshot(old) == before


def test_the_later_song_wins_whole_and_user_files_stay(tmp_path):
    commit(tmp_path, {"song.mid": "A", "song.wav": "A", "song.json": "A"})
    (tmp_path / "notes.txt").write_text("mine")
    commit(tmp_path, {"song.mid": "B", "song.json": "B"})  # no audio this time
    assert snapshot(tmp_path) == {MANIFEST: manifest({"song.json": b"B", "song.mid": b"B"}), "notes.txt": b"mine",
                                  "song.json": b"B", "song.mid": b"B"}


def test_a_tampered_manifest_never_reaches_outside(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("safe")
    out = tmp_path / "out"
    out.mkdir()
    (out / MANIFEST).write_text(f"../victim.txt\n{victim}\n.hidden\n\n")
    (out / ".hidden").write_text("kept")
    commit(out, {"song.mid": "1"})
    assert victim.read_text() == "safe" and (out / ".hidden").read_text() == "kept"


def test_a_failing_commit_is_rolled_back(tmp_path):
    commit(tmp_path, {"song.mid": "old", "lyrics.txt": "old"})
    (tmp_path / "song.json").mkdir()  # a folder where a file must go: the rename fails
    before = snapshot(tmp_path)
    with pytest.raises(OutputError, match="cannot write to"):
        commit(tmp_path, {"lyrics.txt": "new", "song.json": "new", "song.mid": "new"})
    assert snapshot(tmp_path) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(STAGE_PREFIX)]


def test_a_killed_compose_s_stage_is_cleaned_up_later(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    stale = tmp_path / f"{STAGE_PREFIX}{dead.stdout.strip()}-abcd1234"
    live = tmp_path / f"{STAGE_PREFIX}{os.getpid()}-abcd1234"
    for folder in (stale, live):
        folder.mkdir()
        (folder / "song.mid").write_text("half")  # just made: the owner, not the age, decides
    commit(tmp_path, {"song.mid": "1"})
    assert not stale.exists() and live.exists()


def test_a_hand_made_or_changed_manifest_entry_never_deletes_a_user_file(tmp_path):
    (tmp_path / "thesis.docx").write_text("years of work")
    (tmp_path / MANIFEST).write_text("thesis.docx\nsong.mid\n")
    commit(tmp_path, {"song.mid": "1"})
    assert (tmp_path / "thesis.docx").read_text() == "years of work"
    commit(tmp_path, {"song.mid": "2", "song.wav": "2"})
    (tmp_path / "song.wav").write_text("edited by the user")  # no longer what we wrote
    commit(tmp_path, {"song.mid": "3"})
    assert (tmp_path / "song.wav").read_text() == "edited by the user"
    commit(tmp_path, {"song.mid": "4", "song.flac": "4"})
    commit(tmp_path, {"song.mid": "5"})  # our own, unchanged: removed with its song
    assert not (tmp_path / "song.flac").exists()


def test_a_dead_render_s_part_file_is_removed_by_the_next_write(tmp_path):
    from composer.output import remove_stale_parts

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = tmp_path / f".song.{dead}.0123abcd.wav.part"
    live = tmp_path / f".song.{os.getpid()}.0123abcd.wav.part"
    mine = tmp_path / ".notes.1.txt.part"
    for path in (stale, live, mine):
        path.write_text("half")
    remove_stale_parts(tmp_path)
    assert not stale.exists() and live.exists() and mine.exists()


def test_signals_are_held_during_a_commit_then_delivered():
    reached = False
    with pytest.raises(KeyboardInterrupt):
        with _signals_held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
            reached = True
    assert reached


def test_threads_committing_into_one_folder_leave_one_whole_song(tmp_path):
    def worker(tag: int) -> None:
        files = {f"part{i}.txt": f"{tag}" for i in range(3 + tag % 3)}
        for _ in range(5):
            commit(tmp_path, files)
    threads = [threading.Thread(target=worker, args=(tag,)) for tag in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    files = {k: v for k, v in snapshot(tmp_path).items() if k != MANIFEST}
    tags = set(files.values())
    assert len(tags) == 1
    tag = int(tags.pop())
    assert set(files) == {f"part{i}.txt" for i in range(3 + tag % 3)}


# ------------------------------------------------------------------ through the command line


def fail_render(error: BaseException):
    def render_file(midi, out, **_kwargs):
        Path(out).write_bytes(b"RIFF half a wav")  # a partial file, then the failure
        raise error
    return render_file


@pytest.mark.parametrize("error, code", [(RenderError("libfluidsynth cannot load the SoundFont"), 4),
                                         (KeyboardInterrupt(), 130), (MemoryError(), 70)],
                         ids=["render-error", "interrupt", "crash"])
def test_a_failed_render_leaves_the_older_song_intact(runner, tmp_path, monkeypatch, error, code):
    fresh, old = tmp_path / "fresh", tmp_path / "old"
    assert runner.invoke(main, [*ARGS, "--seed", "1", "--no-audio", "--out", str(old)]).exit_code == 0
    before = snapshot(old)
    assert {"song.mid", "song.json", MANIFEST} <= set(before)
    monkeypatch.setattr(composer.render, "resolve_soundfont", lambda spec=None: FAKE_FONT)
    monkeypatch.setattr(composer.render, "render_file", fail_render(error))
    for out in (fresh, old):
        result = runner.invoke(main, [*ARGS, "--seed", "2", "--out", str(out)])
        assert result.exit_code == code, result.output
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not fresh.exists()
    assert snapshot(old) == before


def test_sigterm_during_a_compose_leaves_the_folder_as_it_was(runner, tmp_path):
    out = tmp_path / "song"
    assert runner.invoke(main, [*ARGS, "--seed", "1", "--no-audio", "--out", str(out)]).exit_code == 0
    before = snapshot(out)
    script = textwrap.dedent(f"""
        import sys, time, pathlib
        import composer.render as r
        from composer.soundfonts import SoundFont
        def slow(midi, out, **kw):
            pathlib.Path(out).write_bytes(b"partial")
            time.sleep(120)
        r.render_file = slow
        r.resolve_soundfont = lambda spec=None: SoundFont(id="f", name="F", license="MIT",
                                                           path=pathlib.Path("/x.sf2"), source="test")
        from cli import main
        main({[*ARGS, "--seed", "2", "--out", str(out)]!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(out.glob(f"{STAGE_PREFIX}*/song.wav")):
        assert proc.poll() is None and time.monotonic() < deadline, "the compose never reached its render"
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert err.strip().splitlines() == ["songgram: interrupted; no file was left half-written"]
    assert snapshot(out) == before


@pytest.mark.slow
def test_composes_at_once_into_one_folder_and_into_others(tmp_path):
    shared = tmp_path / "shared"
    seeds = [11, 12, 13, 14]
    songgram = str(Path(sys.executable).parent / "songgram")
    procs = [subprocess.Popen([songgram, *ARGS, "--seed", str(s), "--no-audio", "--out", str(out)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
             for s in seeds for out in (shared, tmp_path / f"own-{s}")]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    for folder, allowed in [(shared, seeds)] + [(tmp_path / f"own-{s}", [s]) for s in seeds]:
        seed = json.loads((folder / "song.json").read_text())["seed"]
        assert seed in allowed
        song = compose("Thank you for the soup", to="Mom", genre="pop", vibe="chill", seed=seed)
        assert (folder / "song.mid").read_bytes() == song.to_midi()
        assert (folder / "lyrics.txt").read_text() == song.to_lyrics_text()
        assert (folder / "song.chordpro").read_text() == song.to_chordpro()
        assert (folder / "song.musicxml").read_text() == song.to_musicxml()
        assert not [p for p in folder.iterdir() if p.name.startswith(STAGE_PREFIX)]
