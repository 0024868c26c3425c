"""The Flask app of the visual Turing test.

Participants are known by a random code kept in a cookie (and shown to them, so they can resume
elsewhere). Each question carries a one-time token: an answer needs the token of the participant's
first open question, so replayed, forged or out-of-order answers are refused. Images are served
by opaque id only, from the study's catalog; no URL ever names a file. The results pages need the
study's results key, so participants cannot watch their own score and learn the answers.
"""

from __future__ import annotations

import hmac
import io
import re
from typing import Sequence
from urllib.parse import urlsplit

from absl import logging
from flask import Flask, Response, abort, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from simgan.tools.vtt import stats
from simgan.tools.vtt.images import DOMAINS, ID_PATTERN
from simgan.tools.vtt.store import CODE_ALPHABET, CODE_LENGTH, AnswerRejected, Store, StoreError
from simgan.tools.vtt.study import Study

COOKIE = "vtt_participant"
COOKIE_MAX_AGE = 30 * 24 * 3600
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")
CODE_PATTERN = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
MS_PATTERN = re.compile(r"[0-9]{1,8}")
MAX_RESPONSE_MS = 24 * 3600 * 1000
MAX_BODY = 4096  # bytes of a POSTed form; a longer body gets 413
ORIGINS = "STUDY_ORIGINS"  # app.config key: the origins the study answers under
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; base-uri 'none'; form-action 'self'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # "no-referrer" would make browsers send Origin: null.
}


def format_code(code: str) -> str:
    """ABCDEFGHJK -> ABCDE-FGHJK, easier to copy down."""
    return f"{code[:5]}-{code[5:]}"


def _fields(required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict[str, str]:
    """The POSTed form, exactly the named fields, each once; anything else is a 400."""
    if request.args or request.files:
        abort(400, "unexpected query parameters or files")
    names = set(request.form.keys())
    if not set(required) <= names <= set(required) | set(optional):
        abort(400, f"expected the form fields {sorted(set(required) | set(optional))}, "
                   f"got {sorted(names)}")
    for name in names:
        if len(request.form.getlist(name)) != 1:
            abort(400, f"form field {name!r} given more than once")
    return {name: request.form[name] for name in names}


def _buffer_chunked_body() -> None:
    """Reads a body sent without Content-Length (chunked) whole, up to MAX_BODY bytes: a longer
    one is refused with 413 like one that announces its length, instead of being parsed from its
    first MAX_BODY bytes."""
    body = request.environ["wsgi.input"].read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        abort(413, f"the request body is over {MAX_BODY} bytes")
    request.environ["wsgi.input"] = io.BytesIO(body)
    request.environ["CONTENT_LENGTH"] = str(len(body))


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lowercased (what a browser sends as Origin)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"expected an http(s) URL such as http://study.example.org:8000, "
                         f"got {url!r}")
    return f"{parts.scheme}://{parts.netloc}".lower()


def _read_chunked_body() -> None:
    """Reads a body sent without Content-Length (chunked) up to MAX_BODY bytes, so that a
    longer one is refused with 413 like one that announces its length, not parsed as a
    truncated form."""
    body = request.stream.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise RequestEntityTooLarge()
    request.environ["wsgi.input"] = io.BytesIO(body)
    request.environ["CONTENT_LENGTH"] = str(len(body))
    request.environ.pop("HTTP_TRANSFER_ENCODING", None)


def create_app(study: Study, store: Store, results_key: str,
               origins: Sequence[str] = ("http://localhost",)) -> Flask:
    """The study's web app; `results_key` unlocks the results pages and CSV exports.

    Only requests whose Host header is the host of one of ``origins`` (the address the server
    is bound to, and any public URL it is served under) are answered, and a POST that carries an
    Origin must name one of ``origins``: a page of another site that resolves its own name to
    this server (DNS rebinding) is refused. Binds `store` to the study first: a results folder
    of another study is refused. A database error while serving (a full disk) is logged in one
    line and answered with 503; the answer was not stored, and the participant can retry.
    """
    if not results_key:
        raise ValueError("the results key is empty: the results pages would be open to anyone")
    store.bind(study.meta, study.catalog.all())
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    app.config[ORIGINS] = list(origins)  # may be set again once the server knows its port
    catalog = study.catalog
    width, height = catalog.size

    def participant() -> tuple[int, str] | None:
        code = request.cookies.get(COOKIE, "")
        number = store.participant(code) if CODE_PATTERN.fullmatch(code) else None
        return None if number is None else (number, code)

    def go(endpoint: str, code: str | None = None) -> Response:
        response = redirect(url_for(endpoint), code=303)
        if code is not None:
            response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, httponly=True,
                                samesite="Strict")
        return response

    def check_key() -> None:
        given = request.args.get("key", "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, results_key.encode()):
            abort(403, "the results pages need the results key printed when the server started")

    @app.before_request
    def own_host_and_origin():
        allowed_origins = {origin_of(o) for o in app.config[ORIGINS]}
        if request.host.lower() not in {urlsplit(o).netloc for o in allowed_origins}:
            abort(400, "unknown Host: this study answers only under its own address")
        origin = request.headers.get("Origin")
        if request.method == "POST" and origin is not None and \
                origin.lower() not in allowed_origins:
            abort(403, "cross-origin form posts are refused")
        if request.content_length is None and request.environ.get("wsgi.input_terminated"):
            _buffer_chunked_body()

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.errorhandler(HTTPException)
    def error(exc: HTTPException):
        return render_template("error.html", status=exc.code, message=exc.description), exc.code

    @app.errorhandler(StoreError)
    def store_error(exc: StoreError):
        logging.error("%s %s: %s", request.method, request.path, exc)
        return render_template("error.html", status=503, message="the study cannot save "
                               "answers right now; please try again in a moment, or tell the "
                               "experimenter"), 503

    @app.get("/")
    def index():
        current = participant()
        return render_template("index.html", code=current and format_code(current[1]))

    @app.post("/start")
    def start():
        _fields(())
        _, code = store.create_participant(study.sequence)
        return go("question", code)

    @app.post("/resume")
    def resume():
        raw = _fields(("code",))["code"]
        code = raw.replace("-", "").replace(" ", "").upper() if len(raw) <= 32 else ""
        if not CODE_PATTERN.fullmatch(code):
            abort(400, f"a participant code has {CODE_LENGTH} letters and digits, "
                       "like ABCDE-FGHJK")
        if store.participant(code) is None:
            abort(404, "no participant has this code")
        return go("question", code)

    @app.post("/leave")
    def leave():
        _fields(())
        response = go("index")
        response.delete_cookie(COOKIE)
        return response

    @app.get("/question")
    def question():
        current = participant()
        if current is None:
            return go("index")
        q = store.next_question(current[0])
        if q is None:
            return go("done")
        return render_template("question.html", q=q, code=format_code(current[1]),
                               examples=study.examples, width=width * catalog.scale,
                               height=height * catalog.scale)

    @app.post("/answer")
    def answer():
        current = participant()
        if current is None:
            abort(403, "no participant: start or resume the study first")
        form = _fields(("token", "response"), ("response_ms",))
        if not TOKEN_PATTERN.fullmatch(form["token"]):
            abort(400, "malformed question token")
        if form["response"] not in DOMAINS:
            abort(400, f"response must be one of {list(DOMAINS)}")
        ms = form.get("response_ms", "")
        if ms and (not MS_PATTERN.fullmatch(ms) or int(ms) > MAX_RESPONSE_MS):
            abort(400, f"response_ms must be empty or an integer in [0, {MAX_RESPONSE_MS}]")
        try:
            store.record_answer(current[0], form["token"], form["response"],
                                int(ms) if ms else None)
        except AnswerRejected as rejected:
            abort(rejected.status, str(rejected))
        return go("question")

    @app.get("/done")
    def done():
        current = participant()
        if current is None:
            return go("index")
        return render_template("done.html", code=format_code(current[1]))

    @app.get("/image/<image_id>")
    def image(image_id: str):
        if not ID_PATTERN.fullmatch(image_id) or image_id not in catalog:
            abort(404, "no such image")
        response = Response(catalog.png(image_id), mimetype="image/png")
        response.headers["Cache-Control"] = "private, max-age=86400"
        return response

    @app.get("/results")
    def results():
        check_key()
        summary = stats.summarize(store.answers(), store.progress())
        return render_template("results.html", s=summary, domains=DOMAINS,
                               key=request.args["key"], design=study.design)

    @app.get("/results/<name>.csv")
    def results_csv(name: str):
        check_key()
        answers = store.answers()
        if name == "answers":
            body = stats.answers_csv(answers)
        elif name == "participants":
            body = stats.participants_csv(stats.summarize(answers, store.progress()))
        else:
            abort(404, "no such export")
        return Response(body, mimetype="text/csv", headers={
            "Content-Disposition": f"attachment; filename=vtt_{name}.csv"})

    return app
