"""An evaluation.json of the wrong shape is one line naming it, both when a resumed training run
appends to it and in `simgan-eval --summarize`; the file is left as it was."""

import subprocess
import sys

from train_cli import TOY_CONFIG, run_train, write_config

# A real evaluator, as small as they come: the mean pixel of refined toy squares.
EVALUATOR = """
import numpy as np
from simgan.core.registries import DATASETS, EVALUATORS
from simgan.core.evaluation import refine

class MeanPixel:
    def __init__(self, seed):
        batch = DATASETS.build("toy_squares", seed=seed).batch(8).take(1)
        self.images = next(iter(batch))["image"].numpy()

    def evaluate(self, refiner, step):
        return {"refined/mean_pixel": float(np.mean(refine(refiner, self.images)))}

@EVALUATORS.register("mean_pixel")
def mean_pixel(*, seed, output_dir, domains):
    return MeanPixel(seed)
"""
WRONG = '[{"step": 8, "mean_pixel": 0.5}, {"mean_pixel": 0.25}]'


def test_a_resume_into_a_malformed_record_is_one_line_naming_it(tmp_path):
    plugin = tmp_path / "mean_pixel.py"
    plugin.write_text(EVALUATOR)
    gin_file = write_config(tmp_path, TOY_CONFIG + "train.evaluators = ['mean_pixel']\n"
                            "train.image_every = 0\n")
    model_dir = tmp_path / "model"
    first = run_train(model_dir, gin_file, f"--plugin={plugin}")
    assert first.returncode == 0, first.stderr[-3000:]
    record = model_dir / "evaluation.json"
    record.write_text(WRONG)
    resumed = run_train(model_dir, gin_file, f"--plugin={plugin}",
                        "--gin_param=simgan.iterations = 6")
    assert resumed.returncode == 1 and "Traceback" not in resumed.stderr, resumed.stderr[-3000:]
    assert resumed.stderr.splitlines()[-1] == (
        f"simgan-train: error: {record}: record 1: expected an object with an integer \"step\" "
        "and numeric metrics, got no \"step\"; move it away (simgan-train starts a new one) or "
        "fix it")
    assert record.read_text() == WRONG


def test_summarize_of_a_malformed_record_is_one_line_naming_it(tmp_path):
    record = tmp_path / "evaluation.json"
    for content, got in (("[3]", "record 0: expected an object with an integer \"step\" and "
                                 "numeric metrics, got int 3"),
                         ("{}", "expected a JSON list of evaluation records, got dict")):
        record.write_text(content)
        result = subprocess.run([sys.executable, "-m", "simgan.tools.evaluate",
                                 f"--summarize={record}"], capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 1
        assert result.stderr.splitlines() == [
            f"simgan-eval: error: {record}: {got}; move it away (simgan-train starts a new one) "
            "or fix it"]
