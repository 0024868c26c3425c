"""docs/YOUR_DATA.md end to end, as a user follows it (issue 18, item 5): the toy folders, the
page's mine.gin, its simgan-train and simgan-refine commands (a short schedule, tiny networks and
bfloat16 appended as extra --gin_param), its Python block, and its downstream.gin (section 6)."""

import csv
import json
import shlex
import subprocess
import sys

import numpy as np

from doc_blocks import blocks, make_toy_folders, named_block

COMMANDS = {"simgan-train": "simgan.tools.train", "simgan-refine": "simgan.tools.refine"}
SHORT = ["simgan.refiner_pretrain_steps = 2", "simgan.discriminator_pretrain_steps = 1",
         "simgan.iterations = 2", "train.batch_size = 8", "resnet.filters = 4",
         "resnet.num_blocks = 1", "EVAL_TRAIN = 10", "EVAL_TEST = 10",
         "train_domain_classifier.steps = 10", "train.mixed_precision = 'mixed_bfloat16'"]


def _run(line: str, cwd, *extra: str) -> subprocess.CompletedProcess:
    words = shlex.split(line.replace("\\\n", " "))
    argv = [sys.executable, "-m", COMMANDS[words[0]], *words[1:]]
    if words[0] == "simgan-train":
        argv += [f"--gin_param={binding}" for binding in (*SHORT, *extra)]
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300)


def test_two_folders_to_a_refined_folder(tmp_path, monkeypatch):
    make_toy_folders(tmp_path)
    (tmp_path / "mine.gin").write_text(named_block("YOUR_DATA.md", "gin", "mine.gin"))
    commands = blocks("YOUR_DATA.md", "sh")
    assert [c.split()[0] for c in commands] == ["simgan-train", "simgan-refine", "simgan-train"]

    trained = _run(commands[0], tmp_path)
    assert trained.returncode == 0, trained.stderr[-3000:]
    final = json.loads((tmp_path / "runs" / "mine" / "evaluation.json").read_text())[-1]
    for key in ("c2st/refined/accuracy", "c2st/synthetic/accuracy",
                "kid/refined/kid", "kid/synthetic/kid"):
        assert isinstance(final[key], float), key
    config = (tmp_path / "runs" / "mine" / "config.gin").read_text()
    assert "real/heldout/image_folder.split = 'heldout'" in config

    refined = _run(commands[1], tmp_path)
    assert refined.returncode == 0, refined.stderr[-3000:]
    synthetic, out = tmp_path / "data" / "synthetic", tmp_path / "data" / "refined"
    names = sorted(p.relative_to(synthetic).as_posix() for p in synthetic.rglob("*.png"))
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.png")) == names
    with open(synthetic / "labels.csv", newline="") as f:
        expected = {row["file"]: {"x": float(row["x"]), "y": float(row["y"])}
                    for row in csv.DictReader(f)}
    labels = json.loads((out / "labels.json").read_text())
    assert list(labels) == names and labels == expected

    monkeypatch.chdir(tmp_path)
    namespace = {}
    python = [b for b in blocks("YOUR_DATA.md", "python") if not b.startswith("# make_toy")]
    assert len(python) == 1
    exec(compile(python[0], "YOUR_DATA.md", "exec"), namespace)  # pylint: disable=exec-used
    assert namespace["refined"].dtype == np.float32 and namespace["refined"].shape == (1, 24, 24, 1)
    assert sorted(p.relative_to(tmp_path / "data" / "refined_py").as_posix()
                  for p in (tmp_path / "data" / "refined_py").rglob("*.png")) == names


def test_downstream_task_on_a_labelled_real_folder(tmp_path):
    """Section 6: the page's downstream.gin beside mine.gin scores task models trained on raw
    and refined renders on the two halves of the labelled real folder."""
    make_toy_folders(tmp_path)
    for name in ("mine.gin", "downstream.gin"):
        (tmp_path / name).write_text(named_block("YOUR_DATA.md", "gin", name))
    command = blocks("YOUR_DATA.md", "sh")[2]
    assert "--gin_file=downstream.gin" in command
    trained = _run(command, tmp_path, "downstream.num_seeds = 1", "train_task_model.steps = 5")
    assert trained.returncode == 0, trained.stderr[-3000:]
    run = tmp_path / "runs" / "mine_task"
    final = json.loads((run / "evaluation.json").read_text())[-1]
    for row in ("synthetic", "refined"):
        for key in ("mse", "validation_mse"):
            assert final[f"downstream/{row}/{key}"] > 0.0, (row, key)
    assert "downstream/oracle/mse" not in final
    (record,) = (run / "eval" / "downstream").glob("step_*.json")
    assert json.loads(record.read_text())["train_examples"] == 300
