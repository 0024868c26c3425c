"""The dataset checks evaluators run when built: entries and sizes, each failing in one line
naming the dataset, its gin scope and the setting that asked."""

import numpy as np
import pytest
import tensorflow as tf

from simgan.core import data


def _dataset(count: int, **labels: int) -> tf.data.Dataset:
    images = np.zeros((count, 4, 4, 1), np.float32)
    return tf.data.Dataset.from_tensor_slices(
        {data.IMAGE_KEY: images, **{k: np.full((count, width), 0.5, np.float32)
                                    for k, width in labels.items()}})


def test_check_entries_names_the_missing_entry_and_what_asked_for_it():
    dataset = _dataset(3, gaze=3)
    data.check_entries(dataset, "Dataset 'eyes'", ("image", "gaze"))
    with pytest.raises(data.DatasetContractError,
                       match=r"^Dataset 'eyes' \(gin scope 'real'\) has no 'position' entry "
                             r"\(downstream.label_key\); its elements hold \['gaze', 'image'\]$"):
        data.check_entries(dataset, "Dataset 'eyes' (gin scope 'real')", ("gaze", "position"),
                           " (downstream.label_key)")


def test_check_size_fails_only_below_the_count_and_not_on_an_unknown_size():
    data.check_size(5, "Dataset 'eyes'", 5)
    data.check_size(-2, "Dataset 'eyes'", 5)  # an infinite or unknown cardinality
    with pytest.raises(data.DatasetContractError,
                       match=r"^Dataset 'eyes' has only 4 examples; 5 were asked for "
                             r"\(gaze.test_examples\)$"):
        data.check_size(4, "Dataset 'eyes'", 5, " (gaze.test_examples)")


def test_take_checks_entries_and_size_before_returning_arrays():
    dataset = _dataset(6, gaze=3)
    arrays = data.take("eyes", "real", 0, 4, required=("gaze",), dataset=dataset)
    assert arrays[data.IMAGE_KEY].shape == (4, 4, 4, 1) and arrays["gaze"].shape == (4, 3)
    with pytest.raises(data.DatasetContractError,
                       match=r"Dataset 'eyes' \(gin scope 'real'\) has no 'pupil_center'"):
        data.take("eyes", "real", 0, 4, required=("pupil_center",), dataset=dataset)
    with pytest.raises(data.DatasetContractError,
                       match=r"Dataset 'eyes' \(gin scope 'real'\) has only 6 examples; 7"):
        data.take("eyes", "real", 0, 7, dataset=dataset)
    unknown_size = dataset.filter(lambda e: True)  # cardinality unknown: counted after drawing
    with pytest.raises(data.DatasetContractError, match="has only 6 examples; 7"):
        data.take("eyes", "real", 0, 7, dataset=unknown_size)


def test_describe_names_the_dataset_its_scope_and_any_detail():
    assert data.describe("eyes", "real") == "Dataset 'eyes' (gin scope 'real')"
    assert (data.describe("eyes", "real", "split 'train'")
            == "Dataset 'eyes' (gin scope 'real', split 'train')")
    assert data.describe("eyes") == "Dataset 'eyes'"
    assert data.describe("eyes", detail="pool.dataset") == "Dataset 'eyes' (pool.dataset)"


@pytest.mark.parametrize("dataset", [
    tf.data.Dataset.from_tensor_slices(np.zeros((2, 4, 4, 1), np.float32)),  # not dicts
    tf.data.Dataset.from_tensor_slices({"pixels": np.zeros((2, 4, 4, 1), np.float32)}),
    tf.data.Dataset.from_tensor_slices({"image": np.zeros((2, 4, 4, 1), np.uint8)}),
    tf.data.Dataset.from_tensor_slices({"image": np.zeros((2, 4, 4), np.float32)}),
])
def test_check_contract_fails_in_one_line_on_anything_but_a_float32_image_entry(dataset):
    with pytest.raises(data.DatasetContractError,
                       match=r"^Dataset 'mine' \(gin scope 'real'\) must yield dicts with a "
                             r"float32 \[H, W, C\] 'image' entry; it yields .+$"):
        data.check_contract(dataset, data.describe("mine", "real"))
    assert data.check_contract(_dataset(2), data.describe("mine")).shape == (4, 4, 1)
