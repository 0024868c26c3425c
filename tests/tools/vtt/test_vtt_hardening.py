"""The study server over real HTTP: only its own host is answered (no DNS rebinding), and a
chunked body over the limit gets 413."""

import http.client
import threading

import pytest
from werkzeug.serving import make_server

from simgan.tools.vtt import cli
from simgan.tools.vtt.app import ORIGINS, create_app
from simgan.tools.vtt.images import Catalog
from simgan.tools.vtt.store import Store
from simgan.tools.vtt.study import Design, Study


@pytest.fixture
def server(tmp_path, image_dirs):
    """A served study on 127.0.0.1 as simgan-vtt sets it up; yields (port, store)."""
    study = Study(Catalog(*image_dirs), Design(images_per_participant=2, examples_per_domain=1))
    store = Store(str(tmp_path / "vtt.sqlite3"))
    app = create_app(study, store, "key")
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    app.config[ORIGINS] = cli.study_origins("127.0.0.1", httpd.server_port)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port, store
    httpd.shutdown()
    httpd.server_close()


def post(port, path, headers=(), chunks=None):
    """POSTs to the server with raw headers (Host included); ``chunks``: a chunked body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = dict(headers)
    connection.putrequest("POST", path, skip_host="Host" in headers)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    if chunks is None:
        connection.putheader("Content-Length", "0")
        connection.endheaders()
    else:
        connection.putheader("Transfer-Encoding", "chunked")
        connection.endheaders()
        for chunk in chunks:
            connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        connection.send(b"0\r\n\r\n")
    status = connection.getresponse().status
    connection.close()
    return status


def test_forged_host_and_matching_origin_are_refused(server):
    port, store = server
    forged = {"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"}
    assert post(port, "/start", forged) == 400
    assert post(port, "/answer", forged) == 400
    assert store.progress() == []
    own = {"Host": f"127.0.0.1:{port}", "Origin": f"http://127.0.0.1:{port}"}
    assert post(port, "/start", own) == 303
    assert post(port, "/start", {"Host": f"localhost:{port}"}) == 303  # loopback aliases
    assert post(port, "/start", {**own, "Origin": f"http://evil.example:{port}"}) == 403
    assert len(store.progress()) == 2


def test_public_url_is_answered_when_given():
    origins = cli.study_origins("0.0.0.0", 8000, ["https://Study.Example.org/vtt"])
    assert "https://study.example.org" in origins and "http://127.0.0.1:8000" in origins
    with pytest.raises(ValueError, match="--public_url"):
        cli.study_origins("0.0.0.0", 8000, ["study.example.org"])


def test_chunked_body_over_the_limit_gets_413(server):
    port, store = server
    assert post(port, "/start", chunks=[b"x=" + b"a" * 1000] * 5) == 413
    assert post(port, "/start", chunks=[b""]) == 303  # a chunked body within the limit works
    assert len(store.progress()) == 1
