"""data.check_selected: a dataset's required parameter bound where the run builds no such
dataset is a one-line error naming the binding and the dataset in use (issue 18, item 1)."""

import gin
import pytest

import toy_gaze_data  # noqa: F401  (registers toy_gaze_eyes)
from simgan.core import config, data, plugins

RUN = {"train.synthetic_dataset": ("eye_simulator", "synthetic"),
       "train.real_dataset": ("eye_simulator", "real")}


@pytest.fixture(autouse=True)
def _plugins():
    plugins.load_all()


def test_a_real_folder_bound_while_the_run_uses_the_simulator_fails():
    gin.parse_config("real/image_folder.path = '/data/real_eyes'")
    with pytest.raises(config.ConfigError) as error:
        data.check_selected(RUN)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("real/image_folder.path is bound, but the run builds no "
                              "'image_folder' in gin scope 'real'")
    assert "'eye_simulator' (train.real_dataset)" in message
    assert "train.real_dataset = 'image_folder'" in message


def test_the_selected_dataset_and_optional_parameters_pass():
    gin.parse_config("real/image_folder.path = '/data/real'\n"
                     "real/eye_simulator.domain = 'real_like'\n"  # optional: a base file's
                     "image_folder.height = 20\n")
    data.check_selected({**RUN, "train.real_dataset": ("image_folder", "real")})


def test_an_unscoped_binding_of_an_unused_dataset_fails():
    gin.parse_config("image_array.path = '/data/real.npz'")
    with pytest.raises(config.ConfigError, match=r"^image_array.path is bound, but the run "
                                                 r"builds no 'image_array' in any gin scope"):
        data.check_selected(RUN)


def test_a_nested_scope_and_an_evaluator_s_dataset_count_as_selected():
    gin.parse_config("real/image_folder.path = '/data/real'\n"
                     "real/heldout/image_folder.split = 'heldout'\n"
                     "heldout/image_array.path = '/data/heldout.npz'\n")

    class C2st:
        datasets = {"real": ("image_array", "heldout")}

    selected = {**RUN, "train.real_dataset": ("image_folder", "real"),
                **data.evaluator_selections({"c2st": C2st()})}
    data.check_selected(selected)
    del selected["evaluator 'c2st' (real)"]
    with pytest.raises(config.ConfigError, match="heldout/image_array.path is bound.*datasets "
                                                 "in use there: none"):
        data.check_selected(selected)


def test_a_wrapped_dataset_is_selected_in_its_wrapper_s_scope():
    gin.parse_config("real/pool.dataset = 'image_folder'\n"
                     "real/image_folder.path = '/data/real'\n")
    data.check_selected({**RUN, "train.real_dataset": ("pool", "real")})
    gin.parse_config("synthetic/image_folder.path = '/data/synthetic'")
    with pytest.raises(config.ConfigError, match="synthetic/image_folder.path"):
        data.check_selected({**RUN, "train.real_dataset": ("pool", "real")})
