"""evaluation.json: one record per step, merged on the same step, checked on read."""

import json

import pytest

from simgan.io import evaluation_file


def test_append_results_keeps_one_record_per_step(tmp_path):
    path = str(tmp_path / "evaluation.json")
    evaluation_file.append_results(path, 10, {"a": 1.0})
    evaluation_file.append_results(path, 20, {"a": float("nan")})
    evaluation_file.append_results(path, 10, {"a": 3.0})
    records = evaluation_file.load_results(path)
    assert sorted((r["step"], r["a"]) for r in records if r["a"] is not None) == [(10, 3.0)]
    assert json.loads((tmp_path / "evaluation.json").read_text())[0]["step"] == 20


def test_append_results_merges_into_the_record_of_the_same_step(tmp_path):
    """A health symptom found at the final step survives that step's evaluation."""
    path = str(tmp_path / "evaluation.json")
    evaluation_file.append_results(path, 10, {"health/collapsed_output": 1.0, "a": 1.0})
    evaluation_file.append_results(path, 10, {"a": 2.0, "b": 3.0})
    assert evaluation_file.load_results(path) == [
        {"step": 10, "health/collapsed_output": 1.0, "a": 2.0, "b": 3.0}]


def test_corrupt_results_file_names_the_file(tmp_path):
    path = tmp_path / "evaluation.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="evaluation.json: not valid JSON"):
        evaluation_file.load_results(str(path))


@pytest.mark.parametrize("content, got", [
    ("[1, 2]", "record 0: expected an object with an integer \"step\" and numeric metrics, "
               "got int 1"),
    ('[{"x": 1.0}]', "record 0: .* got no \"step\""),
    ('[{"step": 5}, {"step": "10"}]', "record 1: .* got \"step\": \"10\""),
    ('[{"step": 5, "kid": "low"}]', "record 0: .* got \"kid\": \"low\""),
    ('{"step": 5}', "expected a JSON list of evaluation records, got dict"),
])
def test_a_results_file_of_the_wrong_shape_is_one_line_naming_it(tmp_path, content, got):
    path = tmp_path / "evaluation.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=f"^{path}: {got}; move it away") as error:
        evaluation_file.load_results(str(path))
    assert "\n" not in str(error.value)
    with pytest.raises(ValueError, match=f"^{path}: "):  # appending reads it first
        evaluation_file.append_results(str(path), 20, {"kid": 0.5})
    assert path.read_text() == content  # left as it was


def test_split_key_is_plain_on_test_and_prefixed_elsewhere():
    assert evaluation_file.split_key("test", "accuracy") == "accuracy"
    assert evaluation_file.split_key("validation", "accuracy") == "validation_accuracy"
    assert evaluation_file.split_key("validation", "mse_std") == "validation_mse_std"
