"""The web page in a real browser: Debian's Chromium, headless, driven by Selenium through chromedriver.

One song is made the way a visitor makes it: fill the form, press Make, wait
for the song, press play and watch the highlighted word move, open the share
page, download the MP3. Screenshots at desktop and phone widths are written to
``$SONGGRAM_SCREENSHOTS`` when it is set (``make screenshots`` puts them in docs/).
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("selenium")
pytest.importorskip("starlette")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                                 reason="needs Debian's chromium and chromium-driver (make setup installs them)")]

SHOTS = os.environ.get("SONGGRAM_SCREENSHOTS")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    data = tmp_path_factory.mktemp("webdata")
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port), "--data", str(data),
                             "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            cwd=Path(__file__).resolve().parents[1])
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/api/genres", timeout=2).read()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise AssertionError("the server did not start: " + proc.stdout.read().decode(errors="replace"))
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--autoplay-policy=no-user-gesture-required", "--mute-audio", "--window-size=1280,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def _shot(driver, name: str, width: int) -> None:
    if not SHOTS:
        return
    driver.set_window_size(width, 1000)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(height + 40, 600), 2600))
    Path(SHOTS).mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(Path(SHOTS) / f"web-{name}-{'phone' if width < 500 else 'desktop'}.png"))


def test_a_visitor_makes_hears_and_shares_a_song(server, browser):
    browser.get(server + "/")
    for width in (1280, 390):
        _shot(browser, "form", width)
    browser.set_window_size(390, 1000)  # the rest happens on a phone-sized window
    browser.find_element(By.ID, "message").send_keys("Mom, thank you for always cooking for us. I love you.")
    browser.find_element(By.ID, "to").send_keys("Mom")
    Select(browser.find_element(By.ID, "genre")).select_by_value("ballad")
    Select(browser.find_element(By.ID, "vibe")).select_by_value("heartfelt")
    assert browser.find_element(By.ID, "genre-about").text  # the genre's description shows
    browser.find_element(By.ID, "make").click()
    WebDriverWait(browser, 30).until(ec.url_contains("/song/"))
    WebDriverWait(browser, 180).until(ec.visibility_of_element_located((By.ID, "player")))
    words = browser.find_elements(By.CSS_SELECTOR, "#lyrics .word")
    assert len(words) > 20
    assert "cooking" in " ".join(w.text for w in words).lower()

    # Press play: the highlighted word moves as the song plays.
    browser.execute_script("document.getElementById('player').play()")
    seen = []
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline and len(set(seen)) < 3:
        now = browser.execute_script(
            "var w = document.querySelector('#lyrics .word.now'); return w ? w.textContent : null;")
        if now:
            seen.append(now)
        time.sleep(0.25)
    assert len(set(seen)) >= 3, f"the highlight did not move: {seen}"
    assert browser.execute_script("return document.getElementById('player').currentTime") > 1.0
    for width in (1280, 390):
        _shot(browser, "song", width)

    # Download the MP3 the page links to: real audio.
    href = browser.find_element(By.ID, "download-mp3").get_attribute("href")
    data = urllib.request.urlopen(href, timeout=30).read()
    import soundfile
    audio, rate = soundfile.read(io.BytesIO(data))
    assert len(audio) / rate > 20 and abs(audio).max() > 0.1

    # The share page: the player, the lyrics and a way to make your own.
    share = browser.find_element(By.ID, "share-link").get_attribute("href")
    browser.get(share)
    WebDriverWait(browser, 30).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#lyrics .word")) > 20)
    assert browser.find_element(By.CSS_SELECTOR, "meta[property='og:title']").get_attribute("content") == \
        "A song for Mom"
    assert browser.find_element(By.LINK_TEXT, "Make your own song").is_displayed()
    browser.execute_script("document.getElementById('player').currentTime = 12; "
                           "document.getElementById('player').play()")
    WebDriverWait(browser, 20).until(
        lambda d: d.execute_script("return document.querySelector('#lyrics .word.now') !== null"))
    for width in (1280, 390):
        _shot(browser, "share", width)
    song_id = share.rstrip("/").split("/")[-1]
    import json
    status = json.loads(urllib.request.urlopen(f"{server}/api/songs/{song_id}", timeout=10).read())
    assert status["plays"] >= 2  # the song page's play and the share page's play were counted
