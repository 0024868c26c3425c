"""Resuming with a changed configuration: refused in one line naming the binding (or the seed)
unless allowed, allowed for the schedule's length, and every session's operative config kept."""

from train_cli import TOY_CONFIG, run_train, write_config


def _errors(result):
    return [line for line in result.stderr.splitlines() if "simgan-train: error" in line]


def test_resume_compares_the_configuration_with_the_one_it_resumes_from(tmp_path):
    model_dir = tmp_path / "m"
    config = write_config(tmp_path, TOY_CONFIG + "train.image_every = 0\n")
    assert run_train(model_dir, config, "--seed=1").returncode == 0
    first = (model_dir / "operative_config.gin").read_text()

    changed_seed = run_train(model_dir, config, "--seed=2")
    assert changed_seed.returncode == 1
    [error] = _errors(changed_seed)
    assert "resuming at step 18 with a changed configuration (--seed: 1 -> 2)" in error

    adam = run_train(model_dir, config, "--seed=1", "--gin_param=simgan.refiner_optimizer='adam'")
    [error] = _errors(adam)
    assert "simgan.refiner_optimizer: 'sgd' -> 'adam'" in error, adam.stderr[-2000:]
    assert "train.allow_config_change = True" in error

    shorter = run_train(model_dir, config, "--seed=1", "--gin_param=simgan.iterations=1")
    [error] = _errors(shorter)
    assert "the checkpoint is at step 18, but the schedule now ends at step 9" in error

    longer = run_train(model_dir, config, "--seed=1", "--gin_param=simgan.iterations=6")
    assert longer.returncode == 0, longer.stderr[-2000:]
    assert (model_dir / "operative_config.gin").read_text() == first  # never overwritten
    assert "simgan.iterations = 6" in (model_dir / "operative_config.18.gin").read_text()

    allowed = run_train(model_dir, config, "--seed=2", "--gin_param=simgan.iterations=7",
                        "--gin_param=train.allow_config_change=True")
    assert allowed.returncode == 0, allowed.stderr[-2000:]
    assert (model_dir / "operative_config.24.gin").exists()
