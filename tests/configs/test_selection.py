"""selection.check_selected: a dataset's required parameter bound where the run builds no such
dataset is a one-line error naming the binding and the dataset in use (issue 18, item 1)."""

import gin
import pytest

import toy_gaze_data  # noqa: F401  (registers toy_gaze_eyes)
from simgan.configs import parsing, selection
from simgan.core.registries import DATASETS
from simgan.plugins import loading

RUN = {"train.synthetic_dataset": ("eye_simulator", "synthetic"),
       "train.real_dataset": ("eye_simulator", "real")}


@pytest.fixture(autouse=True)
def _plugins():
    loading.load_all()


def test_a_real_folder_bound_while_the_run_uses_the_simulator_fails():
    gin.parse_config("real/image_folder.path = '/data/real_eyes'")
    with pytest.raises(parsing.ConfigError) as error:
        selection.check_selected(DATASETS, RUN)
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
    selection.check_selected(DATASETS, {**RUN, "train.real_dataset": ("image_folder", "real")})


def test_an_unscoped_binding_of_an_unused_dataset_fails():
    gin.parse_config("image_array.path = '/data/real.npz'")
    with pytest.raises(parsing.ConfigError, match=r"^image_array.path is bound, but the run "
                                                 r"builds no 'image_array' in any gin scope"):
        selection.check_selected(DATASETS, RUN)


def test_a_nested_scope_and_an_evaluator_s_dataset_count_as_selected():
    gin.parse_config("real/image_folder.path = '/data/real'\n"
                     "real/heldout/image_folder.split = 'heldout'\n"
                     "heldout/image_array.path = '/data/heldout.npz'\n")

    class C2st:
        datasets = {"real": ("image_array", "heldout")}

    selected = {**RUN, "train.real_dataset": ("image_folder", "real"),
                **selection.component_selections("evaluator", {"c2st": C2st()})}
    selection.check_selected(DATASETS, selected)
    del selected["evaluator 'c2st' (real)"]
    with pytest.raises(parsing.ConfigError, match="heldout/image_array.path is bound.*datasets "
                                                 "in use there: none"):
        selection.check_selected(DATASETS, selected)


def test_a_wrapped_dataset_is_selected_in_its_wrapper_s_scope():
    gin.parse_config("real/pool.dataset = 'image_folder'\n"
                     "real/image_folder.path = '/data/real'\n")
    selection.check_selected(DATASETS, {**RUN, "train.real_dataset": ("pool", "real")})
    gin.parse_config("synthetic/image_folder.path = '/data/synthetic'")
    with pytest.raises(parsing.ConfigError, match="synthetic/image_folder.path"):
        selection.check_selected(DATASETS, {**RUN, "train.real_dataset": ("pool", "real")})
