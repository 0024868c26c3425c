"""Durable study state in SQLite: participants, their sequences and every answer.

Each answer is one `BEGIN IMMEDIATE ... COMMIT` transaction in WAL mode with synchronous=FULL, so
an answer the server has acknowledged survives a kill of the server or a power cut. Every call
opens its own connection, so the store is safe under a threaded web server. A database that
cannot be used (not a SQLite file, a read-only or full folder) is a one-line `StoreError`
naming the file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import secrets
import sqlite3
import time
import urllib.parse
from typing import Callable, Iterator, Sequence

from simgan.tools.cli import UserError
from simgan.tools.vtt.images import ImageRecord

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # No I, O, 0, 1: easy to read back.
CODE_LENGTH = 10

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS images (
  id TEXT PRIMARY KEY,
  domain TEXT NOT NULL CHECK (domain IN ('real', 'refined')),
  name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS participants (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS questions (
  participant INTEGER NOT NULL REFERENCES participants (id),
  position INTEGER NOT NULL,
  image_id TEXT NOT NULL REFERENCES images (id),
  truth TEXT NOT NULL CHECK (truth IN ('real', 'refined')),
  token TEXT NOT NULL UNIQUE,
  shown_at REAL,
  PRIMARY KEY (participant, position));
CREATE TABLE IF NOT EXISTS answers (
  participant INTEGER NOT NULL,
  position INTEGER NOT NULL,
  image_id TEXT NOT NULL,
  truth TEXT NOT NULL CHECK (truth IN ('real', 'refined')),
  response TEXT NOT NULL CHECK (response IN ('real', 'refined')),
  response_ms INTEGER,
  server_ms INTEGER,
  answered_at REAL NOT NULL,
  PRIMARY KEY (participant, position),
  FOREIGN KEY (participant, position) REFERENCES questions (participant, position));
"""


class StoreError(UserError):
    """The study database cannot be opened, read or written; names the file and the remedy."""


def _remedy(message: str) -> str:
    """What to do about a SQLite error, from its message."""
    if "not a database" in message or "malformed" in message or "no such table" in message:
        return "it is not an intact study database: move it away, or use another --results folder"
    return ("--results must be a folder this process can write, with free space (SQLite writes "
            "its lock files there, even to read)")


class AnswerRejected(Exception):
    """An answer the store refuses; `status` is the HTTP status that fits."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclasses.dataclass(frozen=True)
class Question:
    participant: int
    position: int
    total: int
    image_id: str
    token: str


class Store:
    """The study database at `path` (created on first use; only read with ``read_only``)."""

    def __init__(self, path: str, read_only: bool = False):
        self.path = path
        self._uri = f"file:{urllib.parse.quote(os.fsencode(path))}" + (
            "?mode=ro" if read_only else "")
        with self._connect() as db:
            if read_only:
                db.execute("SELECT COUNT(*) FROM answers JOIN images")  # a study database?
            else:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            db = sqlite3.connect(self._uri, uri=True, isolation_level=None, timeout=30.0)
        except sqlite3.Error as e:
            raise StoreError(f"{self.path}: {e}; {_remedy(str(e))}") from e
        try:
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
            yield db
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError):
            raise
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: {e}; {_remedy(str(e))}") from e
        finally:
            db.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def bind(self, meta: dict[str, object], images: Sequence[ImageRecord]) -> None:
        """Records the study's design and images, or checks they match the stored ones."""
        with self._transaction() as db:
            stored = dict(db.execute("SELECT key, value FROM meta"))
            wanted = {key: json.dumps(value) for key, value in meta.items()}
            if stored:
                for key, value in wanted.items():
                    if stored.get(key) != value:
                        raise ValueError(
                            f"{self.path}: this results folder holds a study with {key}="
                            f"{stored.get(key)}, not {value}; use the same options to resume it "
                            "or a new --results folder for a new study")
                return
            db.executemany("INSERT INTO meta VALUES (?, ?)", wanted.items())
            db.executemany("INSERT INTO images VALUES (?, ?, ?)",
                           [(r.id, r.domain, r.name) for r in images])

    def create_participant(self, sequence: Callable[[int], list[tuple[str, str]]]
                           ) -> tuple[int, str]:
        """Adds a participant with the sequence drawn for its number; returns (number, code)."""
        with self._transaction() as db:
            while True:
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                if not db.execute("SELECT 1 FROM participants WHERE code = ?", (code,)).fetchone():
                    break
            participant = db.execute("INSERT INTO participants (code, created_at) VALUES (?, ?)",
                                     (code, time.time())).lastrowid
            db.executemany(
                "INSERT INTO questions (participant, position, image_id, truth, token) "
                "VALUES (?, ?, ?, ?, ?)",
                [(participant, position, image_id, truth, secrets.token_urlsafe(16))
                 for position, (image_id, truth) in enumerate(sequence(participant))])
        return participant, code

    def participant(self, code: str) -> int | None:
        with self._connect() as db:
            row = db.execute("SELECT id FROM participants WHERE code = ?", (code,)).fetchone()
        return row[0] if row else None

    def next_question(self, participant: int) -> Question | None:
        """The first unanswered question (None when done); stamps the time it is shown."""
        with self._transaction() as db:
            total = db.execute("SELECT COUNT(*) FROM questions WHERE participant = ?",
                               (participant,)).fetchone()[0]
            row = db.execute(
                "SELECT q.position, q.image_id, q.token FROM questions q LEFT JOIN answers a "
                "USING (participant, position) WHERE q.participant = ? AND a.position IS NULL "
                "ORDER BY q.position LIMIT 1", (participant,)).fetchone()
            if row is None:
                return None
            db.execute("UPDATE questions SET shown_at = ? WHERE participant = ? AND position = ?",
                       (time.time(), participant, row[0]))
        return Question(participant, row[0], total, row[1], row[2])

    def record_answer(self, participant: int, token: str, response: str,
                      response_ms: int | None) -> None:
        """Stores one answer in its own transaction; raises AnswerRejected for replays."""
        now = time.time()
        with self._transaction() as db:
            row = db.execute(
                "SELECT q.participant, q.position, q.image_id, q.truth, q.shown_at, "
                "a.position IS NOT NULL FROM questions q LEFT JOIN answers a "
                "USING (participant, position) WHERE q.token = ?", (token,)).fetchone()
            if row is None:
                raise AnswerRejected(400, "unknown question token")
            owner, position, image_id, truth, shown_at, answered = row
            if owner != participant:
                raise AnswerRejected(403, "this question belongs to another participant")
            if answered:
                raise AnswerRejected(409, "this question has already been answered")
            first_open = db.execute(
                "SELECT MIN(q.position) FROM questions q LEFT JOIN answers a "
                "USING (participant, position) WHERE q.participant = ? AND a.position IS NULL",
                (participant,)).fetchone()[0]
            if position != first_open:
                raise AnswerRejected(409, "questions must be answered in order")
            server_ms = None if shown_at is None else int(round((now - shown_at) * 1000))
            db.execute("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (participant, position, image_id, truth, response, response_ms,
                        server_ms, now))

    def progress(self) -> list[tuple[int, int]]:
        """(participant, number of questions) for every participant."""
        with self._connect() as db:
            return db.execute("SELECT participant, COUNT(*) FROM questions GROUP BY participant "
                              "ORDER BY participant").fetchall()

    def answers(self) -> list[dict[str, object]]:
        """Every stored answer with its image's file name, in participant and showing order."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(
                "SELECT a.participant, a.position, a.image_id, i.name AS image_name, a.truth, "
                "a.response, a.response_ms, a.server_ms, a.answered_at FROM answers a "
                "JOIN images i ON i.id = a.image_id ORDER BY a.participant, a.position").fetchall()
        return [dict(row) for row in rows]
