"""The web app through Flask's test client: the study flow, and every way to misuse it."""

import csv
import io
import re

import pytest

from simgan.tools.vtt.app import create_app
from simgan.tools.vtt.images import Catalog
from simgan.tools.vtt.store import Store
from simgan.tools.vtt.study import Design, Study

KEY = "test-results-key"


@pytest.fixture
def setup(tmp_path, image_dirs):
    study = Study(Catalog(*image_dirs, scale=2), Design(images_per_participant=4,
                                                        examples_per_domain=2, seed=3))
    store = Store(str(tmp_path / "vtt.sqlite3"))
    app = create_app(study, store, KEY)
    app.testing = True
    return app, study, store


def token_of(page: bytes) -> str:
    return re.search(rb'name="token" value="([^"]+)"', page).group(1).decode()


def start(client):
    response = client.post("/start")
    assert response.status_code == 303 and response.headers["Location"].endswith("/question")
    return client.get("/question")


def test_a_whole_study_and_the_results(setup):
    app, study, store = setup
    client = app.test_client()
    page = start(client)
    assert b"Real examples" in page.data and b"Refined examples" in page.data
    for image_id in study.examples["real"] + study.examples["refined"]:
        assert f"/image/{image_id}".encode() in page.data
    for _ in range(4):
        assert page.status_code == 200 and b"test image" in page.data
        response = client.post("/answer", data={"token": token_of(page.data), "response": "real",
                                                 "response_ms": "1234"})
        assert response.status_code == 303
        page = client.get("/question")
    assert page.status_code == 303 and page.headers["Location"].endswith("/done")
    rows = store.answers()
    assert [r["response"] for r in rows] == ["real"] * 4
    assert [r["response_ms"] for r in rows] == [1234] * 4
    results = client.get(f"/results?key={KEY}")
    assert b"2 of 4 correct, p = 1.000" in results.data  # 2 real of 4, all answered real.
    exported = client.get(f"/results/answers.csv?key={KEY}")
    assert exported.mimetype == "text/csv"
    assert len(list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))) == 4


def test_images_by_id_only(setup):
    app, study, _ = setup
    client = app.test_client()
    good = study.examples["real"][0]
    response = client.get(f"/image/{good}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG")
    for path in ("/image/0123456789abcdef", "/image/../../etc/passwd", "/image/..%2f..%2fapp.py",
                 "/image/%2e%2e/%2e%2e/cli.py", f"/image/{good}.png", f"/image/{good.upper()}",
                 "/image/img_000.png", "/image/", "/image", "/static/", "/static/../app.py",
                 "/static/..%2fapp.py", "/static/%2e%2e/cli.py", "/templates/base.html",
                 "/results/../vtt.sqlite3", "/vtt.sqlite3"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"import" not in response.data and b"SQLite" not in response.data, path


def test_malformed_answers_are_rejected(setup):
    app, _, store = setup
    client = app.test_client()
    token = token_of(start(client).data)
    bad_forms = [
        {"response": "real"},  # No token.
        {"token": token},  # No response.
        {"token": token, "response": "fake"},
        {"token": token, "response": "REAL"},
        {"token": token[:-1], "response": "real"},
        {"token": token + "!", "response": "real"},
        {"token": token + "\n", "response": "real"},
        {"token": token, "response": "real", "response_ms": "12\n"},
        {"token": token, "response": "real", "response_ms": "-5"},
        {"token": token, "response": "real", "response_ms": "1e3"},
        {"token": token, "response": "real", "response_ms": "99999999"},
        {"token": token, "response": "real", "truth": "real"},  # Unknown field.
        {"token": [token, token], "response": "real"},  # Repeated field.
        {"token": token, "response": "real", "pad": "x" * 5000},  # Oversized body.
    ]
    for form in bad_forms:
        response = client.post("/answer", data=form)
        assert response.status_code in (400, 413), form
    assert client.post("/answer?x=1", data={"token": token, "response": "real"}
                       ).status_code == 400
    assert store.answers() == []


def test_replay_and_foreign_answers_are_rejected(setup):
    app, _, store = setup
    alice, bob = app.test_client(), app.test_client()
    alice_token = token_of(start(alice).data)
    start(bob)
    form = {"token": alice_token, "response": "refined", "response_ms": ""}
    assert bob.post("/answer", data=form).status_code == 403  # Bob cannot answer for Alice.
    assert alice.post("/answer", data=form).status_code == 303
    replay = alice.post("/answer", data=form)
    assert replay.status_code == 409 and b"already been answered" in replay.data
    assert app.test_client().post("/answer", data=form).status_code == 403  # No cookie.
    rows = store.answers()
    assert len(rows) == 1 and rows[0]["response"] == "refined" and rows[0]["response_ms"] is None


def test_resume_with_the_code(setup):
    app, _, store = setup
    first = app.test_client()
    page = start(first)
    code = re.search(rb'id="participant-code">([A-Z0-9-]+)<', page.data).group(1).decode()
    first.post("/answer", data={"token": token_of(page.data), "response": "real"})
    other = app.test_client()  # Another browser: resumes at the second question.
    assert other.post("/resume", data={"code": code.lower()}).status_code == 303
    assert b"Image 2 of 4" in other.get("/question").data
    for bad in ("", "ABC", "A" * 40, "IIIII-OOOOO", "<script>"):
        assert other.post("/resume", data={"code": bad}).status_code == 400, bad
    assert other.post("/resume", data={"code": "AAAAA-AAAAA"}).status_code == 404
    assert other.post("/resume", data={"code": code, "x": "1"}).status_code == 400
    assert other.post("/start", data={"x": "1"}).status_code == 400
    assert len(store.progress()) == 1


def test_results_need_the_key_and_cross_origin_posts_are_refused(setup):
    app, _, store = setup
    client = app.test_client()
    for path in ("/results", "/results?key=wrong", "/results?key=%C3%A9", "/results/answers.csv",
                 "/results/answers.csv?key=nope"):
        assert client.get(path).status_code == 403, path
    assert client.get(f"/results/other.csv?key={KEY}").status_code == 404
    response = client.post("/start", headers={"Origin": "http://evil.example"})
    assert response.status_code == 403 and store.progress() == []
    assert client.post("/start", headers={"Origin": "http://localhost"}).status_code == 303
    page = client.get("/")
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert client.get("/answer").status_code == 405
