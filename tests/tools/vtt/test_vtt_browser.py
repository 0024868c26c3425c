"""End to end in headless Chromium (Debian's, driven by Playwright): two participants take a short
study against a real server process, the server is killed with SIGKILL mid-study and restarted,
and nothing answered is lost. Skips only when Chromium or Playwright cannot start, and fails
instead when SIMGAN_REQUIRE_BROWSER=1 (for CI after .ci/browser.sh has installed both).
"""

import csv
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request

import pytest

from simgan.tools.vtt import stats

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
IMAGES_PER_PARTICIPANT = 6

# The participant's rule: the mean grey level of the test image, read back from a canvas.
MEAN_GREY = """() => {
  const image = document.getElementById('test-image');
  const canvas = document.createElement('canvas');
  canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) { sum += data[i]; }
  return sum / (data.length / 4);
}"""


def unavailable(reason: str) -> None:
    if os.environ.get("SIMGAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"SIMGAN_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        unavailable(f"playwright is not installed ({error}); run .ci/browser.sh")
    if not os.path.exists(executable):
        unavailable(f"no chromium at {executable}; run .ci/browser.sh")
    manager = sync_playwright().start()
    try:
        chromium = manager.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                           headless=True, timeout=30_000)
    except Exception as error:  # Playwright's launch errors have no stable type.
        manager.stop()
        unavailable(f"chromium at {executable} cannot start headless: {error}")
    yield chromium
    chromium.close()
    manager.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m simgan.tools.vtt.cli` as a real process on 127.0.0.1 and a free port."""

    def __init__(self, real, refined, results, log):
        self.args = [sys.executable, "-m", "simgan.tools.vtt.cli", "--real", real, "--refined",
                     refined, "--results", results, "--images_per_participant",
                     str(IMAGES_PER_PARTICIPANT), "--examples_per_domain", "3", "--seed", "7"]
        self.log, self.process = log, None

    def start(self) -> str:
        self.port = free_port()
        with open(self.log, "a") as log:
            self.process = subprocess.Popen(self.args + ["--port", str(self.port)],
                                            stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/", timeout=2) as response:
                    assert response.status == 200
                return url
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    with open(self.log) as f:
                        pytest.fail(f"the study server did not start:\n{f.read()}")
                time.sleep(0.1)

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no shutdown handler gets to run.
        self.process.wait(10)


def stored(results) -> list[tuple]:
    with sqlite3.connect(os.path.join(results, "vtt.sqlite3")) as db:
        return db.execute("SELECT participant, position, image_id, truth, response FROM answers "
                          "ORDER BY participant, position").fetchall()


def answer(page, given: list, rule) -> None:
    """Answers the question on screen by `rule(mean grey)` and notes (token, response)."""
    page.wait_for_function("document.getElementById('test-image').complete")
    token = page.get_attribute("input[name=token]", "value")
    response = rule(page.evaluate(MEAN_GREY))
    with page.expect_navigation():
        page.click(f"#answer-{response}")
    given.append((token, response))


def test_a_short_study_survives_a_killed_server(browser, tmp_path, make_images):
    real, refined, results = (str(tmp_path / name) for name in ("real", "refined", "results"))
    make_images(real, 12, brightness=150)  # Bright "real" images, dark "refined" ones.
    make_images(refined, 12, brightness=40)
    server = Server(real, refined, results, str(tmp_path / "server.log"))
    url = server.start()
    by_brightness = lambda grey: "real" if grey > 110 else "refined"  # noqa: E731
    always_real = lambda grey: "real"  # noqa: E731
    alice = browser.new_context(viewport={"width": 1100, "height": 700}).new_page()
    bob = browser.new_context().new_page()
    given = {"alice": [], "bob": []}
    for page in (alice, bob):
        page.goto(url + "/")
        with page.expect_navigation():
            page.click("#start")
    for _ in range(3):  # Both participants at once, interleaved.
        answer(alice, given["alice"], by_brightness)
        answer(bob, given["bob"], always_real)
    assert alice.inner_text("#progress") == f"Image 4 of {IMAGES_PER_PARTICIPANT}"
    alice.screenshot(path=str(tmp_path / "vtt_question.png"))
    replay = alice.request.post(url + "/answer", form={"token": given["alice"][0][0],
                                                       "response": "refined"})
    assert replay.status == 409

    before = stored(results)
    server.kill()
    assert len(before) == 6  # Every acknowledged answer is on disk after SIGKILL...
    assert stored(results) == before
    url = server.start()  # ... and the study resumes on a new port from the same folder.
    for page in (alice, bob):
        page.goto(url + "/question")
        assert page.inner_text("#progress") == f"Image 4 of {IMAGES_PER_PARTICIPANT}"
    for _ in range(3):
        answer(alice, given["alice"], by_brightness)
        answer(bob, given["bob"], always_real)
    for page in (alice, bob):
        page.goto(url + "/question")
        assert page.inner_text("#done") == "Thank you!"

    rows = stored(results)
    assert set(before) <= set(rows)  # Nothing answered before the kill was lost or changed.
    assert len(rows) == 2 * IMAGES_PER_PARTICIPANT
    with sqlite3.connect(os.path.join(results, "vtt.sqlite3")) as db:  # Timed by the page's JS.
        untimed = db.execute("SELECT COUNT(*) FROM answers WHERE response_ms IS NULL").fetchone()
    assert untimed == (0,)
    assert [r[4] for r in rows[:6]] == [response for _, response in given["alice"]]
    assert [r[4] for r in rows[6:]] == ["real"] * 6
    correct = sum(r[3] == r[4] for r in rows)
    assert sum(r[3] == r[4] for r in rows[:6]) == 6  # The brightness rule is always right.
    assert sum(r[3] == r[4] for r in rows[6:]) == 3  # "Always real" gets the real half.
    sentence = stats.Tally(12, correct).sentence()

    with open(os.path.join(results, "results_key")) as f:
        key = f.read().strip()
    alice.goto(f"{url}/results?key={key}")
    assert alice.inner_text("#headline") == sentence == "9 of 12 correct, p = 0.146"
    alice.screenshot(path=str(tmp_path / "vtt_results.png"), full_page=True)
    server.kill()

    report = subprocess.run([sys.executable, "-m", "simgan.tools.vtt.cli", "report",
                             "--results", results], capture_output=True, text=True, check=True)
    assert report.stdout.startswith(f"Overall: {sentence}\n")
    with open(os.path.join(results, "answers.csv")) as f:
        exported = [(int(r["participant"]), int(r["position"]), r["image_id"], r["truth"],
                     r["response"]) for r in csv.DictReader(f)]
    assert exported == rows
    for name in ("vtt_question.png", "vtt_results.png"):
        assert os.path.getsize(tmp_path / name) > 1000
