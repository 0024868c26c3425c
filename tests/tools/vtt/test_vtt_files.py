"""The study's files when something is off: an empty results key is replaced (the results are
never open without a key), answers.csv cannot carry spreadsheet formulas (CSV injection), a
damaged, read-only or full results folder is one line at start and in the report, a file name
that is not UTF-8 is served and named safely, and Ctrl-C stops the server in one line."""

import csv
import http.client
import io
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import types

import pytest

from simgan.tools.vtt import cli, stats
from simgan.tools.vtt.app import create_app
from simgan.tools.vtt.images import Catalog
from simgan.tools.vtt.store import Store, StoreError
from simgan.tools.vtt.study import Design, Study

SMALL = ["--images_per_participant=4", "--examples_per_domain=2"]


def _serve_command(real, refined, results):
    return [sys.executable, "-m", "simgan.tools.vtt.cli", f"--real={real}",
            f"--refined={refined}", f"--results={results}", "--port=0", *SMALL]


def _get(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    status = connection.getresponse().status
    connection.close()
    return status


def test_an_empty_key_is_replaced_and_ctrl_c_stops_the_server_in_one_line(tmp_path, image_dirs):
    results = tmp_path / "results"
    results.mkdir()
    (results / cli.KEY_NAME).write_text("")  # as a crash between creating and writing it leaves
    server = subprocess.Popen(_serve_command(*image_dirs, results), stderr=subprocess.PIPE,
                              text=True)
    try:
        log = []
        for line in server.stderr:
            log.append(line)
            found = re.search(r"Results: http://127.0.0.1:(\d+)/results\?key=(\S*)", line)
            if found:
                break
        port, key = int(found.group(1)), found.group(2)
        assert key and (results / cli.KEY_NAME).read_text().strip() == key
        assert stat.S_IMODE(os.stat(results / cli.KEY_NAME).st_mode) == 0o600
        assert any(f"{results / cli.KEY_NAME} is empty; making a new results key" in line
                   for line in log)
        assert _get(port, "/results/answers.csv") == 403
        assert _get(port, "/results/answers.csv?key=") == 403
        assert _get(port, f"/results/answers.csv?key={key}") == 200
        server.send_signal(signal.SIGINT)
        rest = server.stderr.read()
        assert server.wait(timeout=60) == 130
    finally:
        server.kill()
        server.wait()
    assert "Traceback" not in rest
    assert rest.splitlines()[-1] == ("simgan-vtt: interrupted by SIGINT; run the same command "
                                     "again to resume")


def test_the_app_refuses_an_empty_key(tmp_path, image_dirs):
    study = Study(Catalog(*image_dirs), Design(images_per_participant=4, examples_per_domain=2))
    with pytest.raises(ValueError, match="results key is empty"):
        create_app(study, Store(str(tmp_path / "vtt.sqlite3")), "")


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)",
                                  "\tx", "\rx"])
def test_answer_cells_cannot_run_as_spreadsheet_formulas(name):
    answer = {"participant": 1, "position": 0, "image_id": "0123456789abcdef", "truth": "real",
              "response": "refined", "response_ms": 900, "server_ms": 950, "answered_at": 0.0,
              "image_name": name}
    [row] = list(csv.DictReader(io.StringIO(stats.answers_csv([answer]), newline="")))
    assert row["image_name"] == "'" + name
    assert row["participant"] == "1" and row["response_ms"] == "900"  # numbers as they are


def test_a_garbage_database_is_one_line_at_start_and_in_the_report(tmp_path, image_dirs):
    results = tmp_path / "results"
    results.mkdir()
    (results / cli.DB_NAME).write_bytes(b"not a database at all\n" * 200)
    expected = (f"{results / cli.DB_NAME}: file is not a database; it is not an intact study "
                "database: move it away, or use another --results folder")
    for run in (lambda: cli.serve(types.SimpleNamespace(
            real=image_dirs[0], refined=image_dirs[1], results=str(results), host="127.0.0.1",
            port=0, public_url=[], images_per_participant=4, real_fraction=0.5,
            examples_per_domain=2, scale=4, seed=0)),
                lambda: cli.report(types.SimpleNamespace(results=str(results), csv_dir=None))):
        with pytest.raises(StoreError) as error:
            run()
        assert str(error.value) == expected
    report = subprocess.run([sys.executable, "-m", "simgan.tools.vtt.cli", "report",
                             f"--results={results}"], capture_output=True, text=True,
                            timeout=120)
    assert report.returncode == 1
    assert report.stderr.splitlines()[-1] == f"simgan-vtt: error: {expected}"


def _limited():
    """A child whose files cannot grow past 8 kB: its writes fail as on a full disk."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (8192, resource.RLIM_INFINITY))


def test_a_full_results_folder_is_one_line_at_start(tmp_path, image_dirs):
    results = tmp_path / "results"
    server = subprocess.run(_serve_command(*image_dirs, results), capture_output=True, text=True,
                            timeout=120, preexec_fn=_limited)
    assert server.returncode == 1 and "Traceback" not in server.stderr
    assert server.stderr.splitlines()[-1].startswith(
        f"simgan-vtt: error: {results / cli.DB_NAME}: disk I/O error; --results must be a folder "
        "this process can write, with free space")


@pytest.mark.skipif(os.geteuid() == 0 and shutil.which("setpriv") is None,
                    reason="root without setpriv writes into read-only folders")
def test_a_read_only_results_folder_is_one_line_at_start_and_in_the_report(tmp_path,
                                                                           image_dirs):
    results = tmp_path / "results"
    results.mkdir()
    study = Study(Catalog(*image_dirs), Design(images_per_participant=4, examples_per_domain=2))
    create_app(study, Store(str(results / cli.DB_NAME)), "key")
    unprivileged = ["setpriv", "--inh-caps=-all", "--bounding-set=-all", "--"] \
        if os.geteuid() == 0 else []
    results.chmod(0o555)
    try:
        runs = [subprocess.run(unprivileged + command, capture_output=True, text=True,
                               timeout=120)
                for command in (_serve_command(*image_dirs, results),
                                [sys.executable, "-m", "simgan.tools.vtt.cli", "report",
                                 f"--results={results}"])]
    finally:
        results.chmod(0o755)
    for run in runs:
        assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr[-2000:]
        assert run.stderr.splitlines()[-1].startswith(
            f"simgan-vtt: error: {results / cli.DB_NAME}: attempt to write a readonly database; "
            "--results must be a folder this process can write"), run.stderr[-2000:]


def test_a_file_name_that_is_not_utf8_is_served_and_named_safely(tmp_path, image_dirs,
                                                                  make_images):
    real, refined = image_dirs
    [name] = make_images(str(tmp_path / "odd"), 1, brightness=40)
    os.rename(tmp_path / "odd" / name, os.path.join(refined, os.fsdecode(b"caf\xe9.png")))
    catalog = Catalog(real, refined)
    [odd] = [r for r in catalog.all() if r.name.startswith("caf")]
    assert odd.name == "caf\\xe9.png" and catalog.png(odd.id).startswith(b"\x89PNG")
    study = Study(catalog, Design(images_per_participant=13, real_fraction=0,
                                  examples_per_domain=0))  # every refined image is asked
    store = Store(str(tmp_path / "vtt.sqlite3"))
    client = create_app(study, store, "key").test_client()
    client.post("/start")
    for _ in range(13):
        page = client.get("/question").data
        token = re.search(rb'name="token" value="([^"]+)"', page).group(1).decode()
        assert client.post("/answer", data={"token": token, "response": "real"}).status_code == 303
    assert "caf\\xe9.png" in [a["image_name"] for a in store.answers()]
    assert "caf\\xe9.png" in client.get("/results/answers.csv?key=key").data.decode()


def test_a_database_failing_while_serving_answers_503_and_logs_one_line(tmp_path, image_dirs,
                                                                         caplog):
    study = Study(Catalog(*image_dirs), Design(images_per_participant=4, examples_per_domain=2))
    path = tmp_path / cli.DB_NAME
    client = create_app(study, Store(str(path)), "key").test_client()
    for suffix in ("", "-wal", "-shm"):  # the database is destroyed under the running server
        if os.path.exists(f"{path}{suffix}"):
            os.remove(f"{path}{suffix}")
    path.write_bytes(b"garbage" * 1000)
    response = client.post("/start")
    assert response.status_code == 503 and b"cannot save answers right now" in response.data
    [logged] = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert logged == (f"POST /start: {path}: file is not a database; it is not an intact study "
                      "database: move it away, or use another --results folder")
