"""The SQLite store: durable settings, participants, one transaction per answer, replays refused."""

import sqlite3
import threading

import pytest

from simgan.tools.vtt.images import Catalog
from simgan.tools.vtt.store import AnswerRejected, Store
from simgan.tools.vtt.study import Design, Study


@pytest.fixture
def study(image_dirs):
    return Study(Catalog(*image_dirs), Design(images_per_participant=4, examples_per_domain=2))


@pytest.fixture
def store(tmp_path, study):
    store = Store(str(tmp_path / "vtt.sqlite3"))
    store.bind(study.meta, study.catalog.all())
    return store


def test_database_is_wal_and_synchronous_full(store):
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with store._connect() as db:  # The connections the store writes answers with.
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_bind_refuses_a_different_study(store, study):
    store.bind(study.meta, study.catalog.all())  # The same study: resumes.
    with pytest.raises(ValueError, match="seed=0, not 1.*new --results"):
        store.bind({**study.meta, "seed": 1}, study.catalog.all())


def test_answers_are_stored_in_order_and_survive_a_new_store(store, study):
    number, code = store.create_participant(study.sequence)
    assert store.participant(code) == number and store.participant("NOSUCHCODE") is None
    expected = study.sequence(number)
    for position, (image_id, truth) in enumerate(expected):
        q = store.next_question(number)
        assert (q.position, q.total, q.image_id) == (position, 4, image_id)
        store.record_answer(number, q.token, "real", response_ms=100 + position)
    assert store.next_question(number) is None
    reopened = Store(store.path)
    rows = reopened.answers()
    assert [(r["image_id"], r["truth"]) for r in rows] == expected
    assert [r["response_ms"] for r in rows] == [100, 101, 102, 103]
    assert all(r["server_ms"] is not None and r["server_ms"] >= 0 for r in rows)
    assert reopened.progress() == [(number, 4)]


def test_replayed_foreign_unknown_and_out_of_order_answers_are_refused(store, study):
    alice, _ = store.create_participant(study.sequence)
    bob, _ = store.create_participant(study.sequence)
    q = store.next_question(alice)
    store.record_answer(alice, q.token, "refined", None)
    with pytest.raises(AnswerRejected, match="already been answered") as replay:
        store.record_answer(alice, q.token, "real", None)
    assert replay.value.status == 409
    with pytest.raises(AnswerRejected, match="another participant") as foreign:
        store.record_answer(bob, store.next_question(alice).token, "real", None)
    assert foreign.value.status == 403
    with pytest.raises(AnswerRejected, match="unknown") as unknown:
        store.record_answer(alice, "A" * 22, "real", None)
    assert unknown.value.status == 400
    with sqlite3.connect(store.path) as db:  # A token for a later question, e.g. guessed.
        later = db.execute("SELECT token FROM questions WHERE participant = ? AND position = 3",
                           (alice,)).fetchone()[0]
    with pytest.raises(AnswerRejected, match="in order"):
        store.record_answer(alice, later, "real", None)
    rows = store.answers()
    assert [(r["participant"], r["position"], r["response"]) for r in rows] == [
        (alice, 0, "refined")]


def test_concurrent_participants(store, study):
    errors = []

    def take_part():
        try:
            number, _ = store.create_participant(study.sequence)
            while (q := store.next_question(number)) is not None:
                store.record_answer(number, q.token, "real", None)
        except Exception as error:  # Reported below with the assertion.
            errors.append(error)

    threads = [threading.Thread(target=take_part) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    rows = store.answers()
    assert len(rows) == 24 and len({r["participant"] for r in rows}) == 6
