"""`workbench serve` in a real headless browser: load the page, screen a study, check the sheet.

Uses Debian's Chromium and chromedriver (packages chromium, chromium-driver;
`.ci/run` installs them) through Selenium. Nothing downloads a browser. In CI
(CI=true) a missing browser fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _browser_or_skip() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium")
    if missing:
        message = f"headless browser test needs {', '.join(missing)} (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _image(png: bytes):
    from io import BytesIO

    from PIL import Image
    return Image.open(BytesIO(png)).convert("RGB")


def _colours(png: bytes) -> int:
    """Return how many colours a screenshot has (a blank page has one or two)."""
    return len(_image(png).getcolors(1 << 16) or ())


def _footer_keys(png: bytes) -> int:
    """Return how many orange pixels a screenshot has: the key letters of the home footer."""
    colours = _image(png).getcolors(1 << 16) or ()
    return sum(n for n, (r, g, b) in colours if r > 200 and 100 < g < 200 and b < 80)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def review_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "review"
    folder.mkdir()
    shutil.copy(REPO / "codebook.yaml", folder)
    shutil.copytree(REPO / "references", folder / "references")
    (folder / "coding").mkdir()
    (folder / "exports").mkdir()
    return folder


@pytest.fixture
def server(review_copy: Path, tmp_path: Path):
    port = _free_port()
    log = tmp_path / "serve.log"  # a file, not a pipe: a full pipe would stall the server
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "workbench", "--review", str(review_copy),
                             "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=log.open("wb"), env=env)

    def up() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return proc.poll() is not None

    _wait_for(up, 60, "the server to listen")
    assert proc.poll() is None, log.read_text()
    yield f"http://127.0.0.1:{port}/"
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.mark.slow
def test_screen_a_study_in_a_browser_and_the_decision_is_on_disk(server, review_copy, tmp_path):
    _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1200,800",
                 f"--user-data-dir={tmp_path / 'chrome'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.get(server)
        box = _wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".xterm-helper-textarea"),
                        60, "the terminal in the page")[0]
        sheet = review_copy / "coding" / "dana.csv"

        def type_keys(*keys: str) -> None:
            for key in keys:
                box.send_keys(key)
                time.sleep(0.05)

        # The app asks the name (each browser tab is a person); then home, then screening.
        # The app process starts when the page connects; the page is one colour until the
        # app draws its first frame (the dialog asking the name).
        _wait_for(lambda: _colours(driver.get_screenshot_as_png()) > 4, 120,
                  "the app's first frame")
        time.sleep(1)
        type_keys(*"dana")

        def home() -> bool:
            # Enter on the name dialog opens home (its footer shows orange key letters). An
            # Enter typed while the app is still busy can be lost, so it is pressed again
            # until home shows; on home, Enter does nothing.
            type_keys(Keys.ENTER)
            time.sleep(2)
            return _footer_keys(driver.get_screenshot_as_png()) > 50

        _wait_for(home, 120, "the home screen")

        def decided():
            # The page shows a canvas, not text, so the test cannot read which screen is up:
            # "s" opens screening from home (and means nothing on the screening screen), and
            # "i" includes once the screening worker has shown a study. Both are pressed
            # until the decision is on disk.
            if sheet.exists() and sheet.read_text().splitlines()[1:]:
                return sheet.read_text().splitlines()[1:]
            type_keys("s")
            time.sleep(1)
            type_keys("i")
            time.sleep(2)
            return None

        try:
            lines = _wait_for(decided, 120, "a decision in the sheet")
        finally:
            driver.save_screenshot(str(tmp_path / "served.png"))
    finally:
        driver.quit()
    first = lines[0].split(",")
    assert first[1:5] == ["dana", first[2], "title_abstract", "decision"]
    assert first[5] == "include"
    assert not (review_copy / ".workbench" / "reviewer").exists()  # nobody is remembered


def test_a_non_loopback_host_is_refused_without_the_flag(review_copy):
    from click.testing import CliRunner
    from workbench.cli import cli
    result = CliRunner().invoke(cli, ["--review", str(review_copy), "serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--allow-remote" in result.output
