"""simgan-eval (summary table, evaluators from gin, the CLI) on the toy eye dataset
(simgan-refine: tests/tools/test_refine.py)."""

import json
import os
import subprocess
import sys

import gin
import keras
import pytest

import toy_gaze_data
from simgan.configs import parsing
from simgan.io import evaluation_file, exported
from simgan.plugins import loading
from simgan.plugins import metrics  # noqa: F401  (registers kid)
from simgan.tools import evaluating

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TINY_KID = """
real/toy_gaze_eyes.domain = 'real_like'
train_domain_classifier.steps = 100
domain_classifier.filters = (8,)
domain_classifier.feature_units = 8
kid.features = 'classifier'
kid.real_dataset = 'toy_gaze_eyes'
kid.real_scope = 'real'
kid.synthetic_dataset = 'toy_gaze_eyes'
kid.synthetic_scope = 'synthetic'
classifier_features.train_examples = 128
kid.examples = 100
kid.num_subsets = 4
"""


def _brightening_refiner(path):
    """x -> x + 0.25 (a 1x1 conv, so it saves and loads as a plain .keras file)."""
    model = keras.Sequential([keras.Input(toy_gaze_data.SHAPE), keras.layers.Conv2D(
        1, 1, kernel_initializer="ones", bias_initializer=keras.initializers.Constant(0.25))])
    model.save(path)
    return path


def test_summary_table_pairs_sources_and_spreads():
    table = evaluating.summary_table({
        "gaze/synthetic_4x/error_deg": 9.5, "gaze/synthetic_4x/error_deg_std": 0.25,
        "gaze/refined_4x/error_deg": 8.25, "gaze/refined_4x/error_deg_std": 0.5,
        "kid/refined/kid": 0.125, "kid/refined/kid_se": 0.01,
        "turing/synthetic/accuracy": 0.9, "turing/synthetic/accuracy_ci_low": 0.85,
        "turing/synthetic/accuracy_ci_high": 0.93, "misc": 3.0})
    lines = table.splitlines()
    assert lines[0] == "| metric | synthetic | refined |"
    assert "| gaze/error_deg (4x) | 9.5 ± 0.25 (std) | 8.25 ± 0.5 (std) |" in lines
    assert "| kid/kid | — | 0.125 ± 0.01 (s.e.) |" in lines
    assert "| turing/accuracy | 0.9 [0.85, 0.93] | — |" in lines
    assert "| misc | 3 |" in lines
    assert not any("_std" in line or "_ci_" in line for line in lines)


def test_evaluate_runs_the_evaluators_named_in_gin(tmp_path):
    gin.parse_config(TINY_KID + "evaluation.evaluators = ['kid']")
    refiner = keras.saving.load_model(_brightening_refiner(str(tmp_path / "r.keras")))
    results = evaluating.evaluate(refiner, str(tmp_path), seed=0)
    assert set(results) == {"kid/synthetic/kid", "kid/synthetic/kid_se", "kid/refined/kid",
                            "kid/refined/kid_se"}
    assert results["kid/refined/kid"] < results["kid/synthetic/kid"]  # brighter = closer to real
    evaluating.write_report(str(tmp_path), results, "r.keras", 0)
    assert "| kid/kid |" in (tmp_path / evaluating.SUMMARY_FILE).read_text()
    assert json.loads((tmp_path / evaluating.RESULTS_FILE).read_text())["results"] == results


def test_no_evaluators_is_a_clear_error():
    with pytest.raises(ValueError, match="No evaluators named"):
        evaluating.run_config()


def _run(module, *args):
    return subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300)


def test_simgan_eval_cli(tmp_path):
    refiner = _brightening_refiner(str(tmp_path / "r.keras"))
    params = [f"--gin_param={line}" for line in TINY_KID.strip().splitlines()]
    done = _run("simgan.tools.evaluate", f"--refiner={refiner}", "--plugin=simgan.plugins.metrics",
                "--plugin=tests/toy_gaze_data.py", "--gin_param=evaluation.evaluators=['kid']",
                *params)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = (tmp_path / "eval" / evaluating.SUMMARY_FILE).read_text()
    assert "| kid/kid |" in summary and "(s.e.)" in summary


def test_a_plugin_run_without_its_plugin_says_to_pass_it(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.gin").write_text("stripes.noise = 0.2\n")  # a plugin's component
    done = _run("simgan.tools.evaluate", f"--model_dir={run}")
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("simgan-eval: error: "), done.stderr[-2000:]
    assert "No configurable matching 'stripes'" in lines[0]
    assert "records no plugins (plugins.json): if it was trained with --plugin, give the same " \
        "--plugin here" in lines[0]


def test_unreadable_refiner_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="none.keras.*no such file"):
        exported.load(str(tmp_path / "none.keras"))
    (tmp_path / "bad.keras").write_text("not a zip")
    with pytest.raises(ValueError, match="bad.keras: not a loadable Keras model"):
        exported.load(str(tmp_path / "bad.keras"))


def test_summarize_reads_the_last_training_record(tmp_path):
    path = str(tmp_path / "evaluation.json")
    evaluation_file.append_results(path, 10, {"kid/refined/kid": 9.0})
    evaluation_file.append_results(path, 20, {"kid/refined/kid": 0.5, "kid/refined/kid_se": 0.25})
    text = evaluating.summarize(path)
    assert text.startswith("Step 20 of") and "| kid/kid | — | 0.5 ± 0.25 (s.e.) |" in text
    with pytest.raises(ValueError, match="no evaluation records"):
        evaluating.summarize(str(tmp_path / "missing.json"))


@pytest.mark.parametrize("gin_file", ["quickstart_eval.gin", "simgan/eyes_experiment.gin"])
def test_shipped_evaluation_configs_parse(gin_file):
    loading.load_all(["simgan.plugins.gaze", "simgan.plugins.metrics"])
    import simgan.core.engine.config  # noqa: F401  (registers `train`)
    parsing.parse([gin_file], [])
    assert "gaze" in gin.query_parameter("train.evaluators")
    assert gin.query_parameter("gaze_test/eye_simulator.domain") == "real_like"


def test_eval_of_a_model_dir_reuses_the_training_config(tmp_path):
    """simgan-eval --model_dir needs no gin file: the run's config.gin carries every binding,
    including those only the evaluators read, and reproduces the training-time evaluation."""
    gin_file = tmp_path / "run.gin"
    gin_file.write_text(TINY_KID + """
train.synthetic_dataset = 'toy_gaze_eyes'
train.real_dataset = 'toy_gaze_eyes'
train.batch_size = 8
simgan.refiner_pretrain_steps = 2
simgan.discriminator_pretrain_steps = 1
simgan.iterations = 1
train.image_every = 0
train.evaluators = ['kid']
resnet.filters = 4
resnet.num_blocks = 1
history.capacity_batches = 1
""")
    plugin = os.path.join(REPO, "tests", "toy_gaze_data.py")
    model_dir = tmp_path / "m"
    train = subprocess.run([sys.executable, "-m", "simgan.tools.train", f"--model_dir={model_dir}",
                            f"--gin_file={gin_file}", f"--plugin={plugin}"],
                           capture_output=True, text=True, timeout=300)
    assert train.returncode == 0, train.stderr[-3000:]
    trained = evaluation_file.load_results(str(model_dir / "evaluation.json"))[-1]
    result = subprocess.run([sys.executable, "-m", "simgan.tools.evaluate",
                             f"--model_dir={model_dir}", f"--plugin={plugin}"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    evaluated = json.loads((model_dir / "eval" / evaluating.RESULTS_FILE).read_text())
    values = evaluated.get("results", evaluated)
    assert values["kid/refined/kid"] == pytest.approx(trained["kid/refined/kid"], rel=1e-6)
