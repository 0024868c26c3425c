"""`simgan-vtt`: the report command, its CSV export, and clear errors for bad options."""

import csv
import os
import re
import types

import pytest

from simgan.tools.vtt import cli
from simgan.tools.vtt.app import create_app
from simgan.tools.vtt.images import Catalog
from simgan.tools.vtt.store import Store
from simgan.tools.vtt.study import Design, Study


def test_report_prints_the_stats_and_writes_csv(tmp_path, image_dirs, capsys):
    results = tmp_path / "results"
    results.mkdir()
    study = Study(Catalog(*image_dirs), Design(images_per_participant=4, examples_per_domain=2))
    store = Store(str(results / cli.DB_NAME))
    client = create_app(study, store, "k").test_client()
    client.post("/start")
    for _ in range(3):  # Three answers, all "refined", then the participant leaves.
        page = client.get("/question").data
        token = re.search(rb'name="token" value="([^"]+)"', page).group(1).decode()
        assert client.post("/answer", data={"token": token, "response": "refined"}
                           ).status_code == 303
    truths = [r["truth"] for r in store.answers()]
    correct = truths.count("refined")
    cli.report(types.SimpleNamespace(results=str(results), csv_dir=None))
    out = capsys.readouterr().out
    assert out.startswith(f"Overall: {correct} of 3 correct, p = ")
    assert "P001: 3/4 answered" in out
    with open(results / "answers.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["truth"] for r in rows] == truths and {r["response"] for r in rows} == {"refined"}
    with open(results / "participants.csv") as f:
        assert list(csv.DictReader(f))[-1]["correct"] == str(correct)


def options(**given):
    """The serve flags' defaults with ``given`` applied, as `serve` reads them from FLAGS."""
    defaults = dict(real=None, refined=None, results=None, host="127.0.0.1", port=0, public_url=[],
                    images_per_participant=Design().images_per_participant,
                    real_fraction=Design().real_fraction,
                    examples_per_domain=Design().examples_per_domain, scale=4, seed=0, csv_dir=None)
    return types.SimpleNamespace(**{**defaults, **given})


def test_bad_options_are_clear_errors(tmp_path, image_dirs):
    real, refined = image_dirs
    with pytest.raises(FileNotFoundError, match="does not exist"):
        cli.report(options(results=str(tmp_path / "nothing")))
    with pytest.raises(ValueError, match="--real: .*missing.*not a directory"):
        cli.serve(options(real=str(tmp_path / "missing"), refined=refined,
                          results=str(tmp_path / "r")))
    with pytest.raises(ValueError, match="real_fraction"):
        cli.serve(options(real=real, refined=refined, results=str(tmp_path / "r"),
                          real_fraction=2))
    with pytest.raises(ValueError, match="--refined is required"):
        cli.serve(options(real=real, results=str(tmp_path / "r")))
    assert not os.path.exists(tmp_path / "r")


def test_results_key_is_private_and_stable(tmp_path):
    key = cli.results_key(str(tmp_path))
    assert len(key) >= 20 and cli.results_key(str(tmp_path)) == key
    assert os.stat(tmp_path / cli.KEY_NAME).st_mode & 0o077 == 0
