"""The web app's API and pages, through Starlette's test client (a real ASGI app, real worker processes)."""

from __future__ import annotations

import io
import json
import re
import time
from html.parser import HTMLParser

import pytest
import soundfile

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`:DeprecationWarning")

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from starlette.testclient import TestClient  # noqa: E402

from composer.web.app import MAX_BODY_BYTES, create_app  # noqa: E402
from composer.web.jobs import Pool  # noqa: E402

SONG = {"message": "Mom, thank you for always cooking for us. I love you.", "to": "Mom",
        "genre": "ballad", "vibe": "heartfelt", "seed": 7, "length": "short"}


def _slow_job(request: dict, folder: str) -> dict:
    """A stand-in worker that takes a while, for the queue tests (runs in a worker process)."""
    time.sleep(float(request.get("seed", 0)) / 1000)
    return {"status": "failed", "error": "test"}


def _wait(client: TestClient, song_id: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/songs/{song_id}").json()
        if body["status"] in ("done", "refused", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"song {song_id} not finished in {timeout} s")


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """One real song made through the API (short clip, audio), and the client that made it."""
    data = tmp_path_factory.mktemp("web")
    with TestClient(create_app(data, workers=1)) as client:
        answer = client.post("/api/songs", json=SONG)
        assert answer.status_code == 202, answer.text
        song = _wait(client, answer.json()["id"])
        yield client, song, data


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.labels: set[str] = set()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and "property" in a:
            self.meta[a["property"]] = a.get("content", "")
        if tag == "label" and "for" in a:
            self.labels.add(a["for"])
        if "id" in a:
            self.ids.add(a["id"])


def test_a_song_made_through_the_api_has_its_files_lyrics_and_word_times(made):
    client, song, _ = made
    assert song["status"] == "done", song
    assert song["title"] == "A song for Mom"
    assert set(song["files"]) >= {"mp3", "wav", "mid", "musicxml", "chordpro", "kar"}
    mp3 = client.get(song["files"]["mp3"])
    assert mp3.status_code == 200
    audio, rate = soundfile.read(io.BytesIO(mp3.content))
    assert len(audio) / rate == pytest.approx(song["seconds"], abs=5) and abs(audio).max() > 0.1
    mid = client.get(song["files"]["mid"])
    assert mid.content[:4] == b"MThd"
    times = [w["t"] for w in song["words"]]
    assert times == sorted(times) and times[0] > 0
    sung = " ".join(w["text"] for w in song["words"]).lower()
    for word in ("mom", "thank", "cooking", "love"):
        assert word in sung
    assert any("cooking" in line.lower() for line in song["lyrics"])


def test_word_times_match_the_vocal_notes_of_song_json(made):
    client, song, data = made
    folder = data / "songs" / song["id"]
    meta = json.loads((folder / "song.json").read_text())
    first = meta["vocal"][0]
    assert song["words"][0]["t"] == pytest.approx(first["start_beat"] * 60 / meta["tempo"], abs=1e-3)
    assert len(song["words"]) == sum(1 for n in meta["vocal"] if n["syllable"] and not n["continues"])
    assert " ".join(w["text"] for w in song["words"][:3]) == "Mom thank you"


def test_the_share_page_has_open_graph_tags_a_player_and_a_way_to_make_your_own(made):
    client, song, _ = made
    page = client.get(f"/s/{song['id']}")
    assert page.status_code == 200
    parsed = _Meta()
    parsed.feed(page.text)
    assert parsed.meta["og:title"] == "A song for Mom"
    assert "cooking" in parsed.meta["og:description"].lower() or "mom" in parsed.meta["og:description"].lower()
    image = client.get(parsed.meta["og:image"])
    assert image.status_code == 200 and image.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<audio" in page.text and "Make your own song" in page.text
    assert re.search(r'src="[^"]+song\.mp3"', page.text)


def test_play_and_share_counters_are_stored(made):
    client, song, _ = made
    assert client.post(f"/api/songs/{song['id']}/plays").json() == {"plays": 1}
    assert client.post(f"/api/songs/{song['id']}/plays").json() == {"plays": 2}
    assert client.post(f"/api/songs/{song['id']}/shares").json() == {"shares": 1}
    again = client.get(f"/api/songs/{song['id']}").json()
    assert (again["plays"], again["shares"]) == (2, 1)


def test_the_form_labels_every_field_and_lists_genres_and_vibes_with_descriptions(made):
    client, _, _ = made
    page = client.get("/")
    parsed = _Meta()
    parsed.feed(page.text)
    assert {"message", "to", "from", "genre", "vibe"} <= parsed.labels <= parsed.ids
    assert 'value="bossa-nova"' in page.text and "data-description=" in page.text
    genres = client.get("/api/genres").json()
    vibes = client.get("/api/vibes").json()
    assert len(genres) == 12 and all(g["description"] for g in genres)
    assert len(vibes) >= 10 and all(v["description"] for v in vibes)
    for asset in re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text):
        assert client.get(asset).status_code == 200
    assert "http://" not in page.text and "https://" not in page.text  # nothing from a CDN


@pytest.mark.parametrize("body, status, needle", [
    (b"{not json", 400, "not valid JSON"),
    (b"[1, 2]", 422, "JSON object"),
    (json.dumps({**SONG, "genre": "polka"}).encode(), 422, "genre"),
    (json.dumps({**SONG, "message": ""}).encode(), 422, "message"),
    (json.dumps({**SONG, "seed": -4}).encode(), 422, "seed"),
    (json.dumps({**SONG, "colour": "red"}).encode(), 422, "unknown field"),
    (b'{"message": "' + b"a" * (MAX_BODY_BYTES + 10) + b'"}', 413, "too large"),
], ids=["malformed", "not-object", "genre", "empty", "seed", "unknown-field", "oversized"])
def test_bad_requests_get_a_readable_4xx_and_no_trace(made, body, status, needle):
    client, _, _ = made
    answer = client.post("/api/songs", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == status
    error = answer.json()["error"]
    assert needle.lower() in error.lower()
    assert "Traceback" not in answer.text and "/tmp" not in answer.text and ".py" not in answer.text


def test_an_unknown_song_is_404_in_json_and_in_html(made):
    client, _, _ = made
    assert client.get("/api/songs/nope").status_code == 404
    assert client.get("/api/songs/nope").json() == {"error": "no song with this id"}
    page = client.get("/s/nope")
    assert page.status_code == 404 and "<html" in page.text
    assert client.get("/files/nope/song.mp3").status_code == 404


def test_files_outside_a_song_are_never_served(made):
    client, song, _ = made
    for name in ("..%2Fsongs.sqlite", "songs.sqlite", "song.json", "..%2F..%2Fetc%2Fpasswd"):
        assert client.get(f"/files/{song['id']}/{name}").status_code == 404


def test_a_refused_message_is_shown_kindly(tmp_path):
    with TestClient(create_app(tmp_path, workers=1)) as client:
        answer = client.post("/api/songs", json={**SONG, "message": "!!! ??? ..."})
    assert answer.status_code == 422
    assert answer.json()["error"] and "Traceback" not in answer.text


@pytest.mark.slow
def test_a_full_queue_answers_503_with_retry_after_and_one_client_is_rate_limited(tmp_path):
    pool = Pool(workers=1, queue_limit=1, job=_slow_job)
    with TestClient(create_app(tmp_path, pool=pool, songs_per_minute=100)) as client:
        codes = [client.post("/api/songs", json={**SONG, "seed": 3000}) for _ in range(4)]
        assert [c.status_code for c in codes[:2]] == [202, 202]
        assert all(c.status_code == 503 and int(c.headers["Retry-After"]) > 0 for c in codes[2:])
    limited = Pool(workers=1, queue_limit=50, job=_slow_job)
    with TestClient(create_app(tmp_path / "b", pool=limited, songs_per_minute=2)) as client:
        codes = [client.post("/api/songs", json={**SONG, "seed": 1}).status_code for _ in range(3)]
        assert codes == [202, 202, 429]
