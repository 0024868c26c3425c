"""Planning a grid: variant files x sweeps x seeds, stable names, clear errors."""

import os

import pytest

from simgan.tools.ablate import plan


@pytest.fixture
def gin_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, text in {"base.gin": "simgan.iterations = 2\n", "v_a.gin": "simgan.buffer = 'none'\n",
                       "v_b.gin": "resnet.num_blocks = 2\n"}.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_grid_is_variants_times_sweeps_times_seeds(gin_dir):
    runs = plan.plan(["base.gin"], ["*.gin"], ["refiner/self_regularization.weight=0,0.5",
                                               "resnet.filters=8,16"], [0, 1, 2])
    assert len(runs) == 2 * 2 * 2 * 3  # the base file is not a variant even though *.gin matches
    assert {r.variant for r in runs} == {"v_a", "v_b"}
    first = runs[0]
    # A scoped binding's '/' is not a folder in the run's name.
    assert first.name == "v_a__refiner-self_regularization.weight=0__resnet.filters=8__seed=0"
    assert first.group == "v_a__refiner-self_regularization.weight=0__resnet.filters=8"
    assert first.gin_files == (str(gin_dir / "base.gin"), str(gin_dir / "v_a.gin"))
    assert first.gin_params == ("refiner/self_regularization.weight=0", "resnet.filters=8")
    assert len({r.name for r in runs}) == len(runs)
    assert [r.seed for r in runs[:8]] == [0] * 8  # seed-major: every variant of seed 0 first


def test_names_do_not_depend_on_the_grid(gin_dir):
    small = plan.plan(["base.gin"], ["v_b.gin"], ["resnet.filters=16"], [1])
    large = plan.plan(["base.gin"], ["v_a.gin", "v_b.gin"], ["resnet.filters=8,16"], [0, 1])
    assert small[0] in large
    assert plan.Run.from_json(small[0].to_json()) == small[0]


def test_no_variant_means_the_base_alone_and_fixed_params_apply(gin_dir):
    runs = plan.plan(["base.gin"], [], [], [3], gin_params=["train.batch_size=4"])
    assert [(r.name, r.gin_params) for r in runs] == [("base__seed=3", ("train.batch_size=4",))]


def test_shipped_variants_resolve_from_the_configs_folder(gin_dir):
    runs = plan.plan(["ablations/base/cpu.gin"], ["ablations/*.gin"], [], [0])
    variants = {r.variant for r in runs}
    assert {"baseline", "no_history", "global_adversarial", "no_self_regularization"} <= variants
    assert all(os.path.isabs(f) for r in runs for f in r.gin_files)


def test_sweep_values_split_outside_brackets():
    assert plan.parse_sweep("gaze.data_multipliers=(1, 4),(1,),'a,b'") == (
        "gaze.data_multipliers", ["(1, 4)", "(1,)", "'a,b'"])


@pytest.mark.parametrize("spec", ["no_equals", "x.y=", "x.y=1,,2", "x.y=1,1"])
def test_bad_sweeps_are_named(spec):
    with pytest.raises(plan.PlanError, match="--sweep"):
        plan.parse_sweep(spec)


def test_bad_inputs_fail_clearly(gin_dir, tmp_path):
    with pytest.raises(plan.PlanError, match="missing.gin"):
        plan.plan(["missing.gin"], [], [], [0])
    with pytest.raises(plan.PlanError, match="--seeds"):
        plan.parse_seeds("0,x")
    with pytest.raises(plan.PlanError, match="--seeds"):
        plan.parse_seeds("1,1")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "v_a.gin").write_text("")
    with pytest.raises(plan.PlanError, match="share the run name 'v_a'"):
        plan.plan(["base.gin"], ["v_a.gin", "sub/v_a.gin"], [], [0])
    with pytest.raises(plan.PlanError, match="swept twice"):
        plan.plan(["base.gin"], [], ["a.b=1", "a.b=2"], [0])
