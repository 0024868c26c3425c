"""Resuming with a changed configuration: refused in one line naming the binding (or the seed)
unless allowed, allowed for the schedule's length, and every session's operative config kept.
(In this process: simgan-train reports the same ConfigError as its one error line.)"""

import pytest

from simgan.configs.parsing import ConfigError
from simgan.io import provenance
from train_cli import TOY_CONFIG, train_here, write_config


def test_resume_compares_the_configuration_with_the_one_it_resumes_from(tmp_path):
    model_dir = tmp_path / "m"
    config = write_config(tmp_path, TOY_CONFIG + "train.image_every = 0\n")
    train_here(model_dir, config, seed=1)
    first = (model_dir / "operative_config.gin").read_text()

    with pytest.raises(ConfigError, match=r"resuming at step 18 with a changed configuration "
                                          r"\(--seed: 1 -> 2\)"):
        train_here(model_dir, config, seed=2)
    with pytest.raises(ConfigError, match="simgan.refiner_optimizer: 'sgd' -> 'adam'.*"
                                          "train.allow_config_change = True"):
        train_here(model_dir, config, "simgan.refiner_optimizer='adam'", seed=1)
    with pytest.raises(ConfigError, match="the checkpoint is at step 18, but the schedule now "
                                          "ends at step 9"):
        train_here(model_dir, config, "simgan.iterations=1", seed=1)

    train_here(model_dir, config, "simgan.iterations=6", seed=1)
    assert (model_dir / "operative_config.gin").read_text() == first  # never overwritten
    assert "simgan.iterations = 6" in (model_dir / "operative_config.18.gin").read_text()

    train_here(model_dir, config, "simgan.iterations=7", "train.allow_config_change=True",
               seed=2)
    assert (model_dir / "operative_config.24.gin").exists()


def test_plugins_of_every_session_are_recorded_in_first_use_order(tmp_path):
    assert provenance.read_plugins(str(tmp_path)) is None
    provenance.write_plugins(str(tmp_path), [])
    assert not (tmp_path / provenance.PLUGINS_FILE).exists()  # nothing to record
    provenance.write_plugins(str(tmp_path), ["/p/a.py", "b"])
    provenance.write_plugins(str(tmp_path), ["b", "/q/c.py"])  # a resume with another plugin
    assert provenance.read_plugins(str(tmp_path)) == ["/p/a.py", "b", "/q/c.py"]


@pytest.mark.parametrize("text", ["{", '{"modules": []}', '{"plugins": "a.py"}', "[1]"])
def test_a_damaged_plugin_record_is_named(tmp_path, text):
    (tmp_path / provenance.PLUGINS_FILE).write_text(text)
    with pytest.raises(ConfigError, match=r"plugins\.json: field 'plugins': expected"):
        provenance.read_plugins(str(tmp_path))
