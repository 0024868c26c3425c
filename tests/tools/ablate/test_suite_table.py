"""The suite table (tools/ablate/suite.py): candidate x pair rows over seeds, paired changes,
realism-only pairs, and stopped runs named by the health check's line."""

import json
import math

import pytest

from simgan.tools.ablate import suite


def write_run(root, name, results=None, failed=None):
    run = root / name
    run.mkdir(parents=True)
    if results is not None:
        (run / "evaluation.json").write_text(json.dumps([{"step": 10, **results}]))
    if failed is not None:
        (run / "failed.json").write_text(json.dumps(failed))


def task(raw, refined, c2st=0.8):
    return {"downstream/synthetic/accuracy": raw, "downstream/refined/accuracy": refined,
            "downstream/synthetic/validation_accuracy": raw,
            "downstream/refined/validation_accuracy": refined,
            "downstream/oracle/accuracy": 0.9, "c2st/refined/accuracy": c2st,
            "c2st/synthetic/accuracy": 0.99}


@pytest.fixture
def grid(tmp_path):
    root = tmp_path / "cand"
    for seed, (raw, refined) in enumerate([(0.5, 0.6), (0.52, 0.61), (0.49, 0.62)]):
        write_run(root, f"photos__seed={seed}", task(raw, refined))
    write_run(root, "mpii__seed=0", {"c2st/refined/accuracy": 0.9,
                                      "c2st/synthetic/accuracy": 1.0})
    write_run(root, "mpii__seed=1", {"step": 3}, failed={
        "exit_status": 3, "log_tail": "step 300\nsimgan-train: error: collapsed output at step "
                                      "310: every refined image is the same; try ...\n"})
    (root / "summary").mkdir()
    return root


def test_rows_give_mean_spread_and_a_paired_test(grid):
    markdown, rows = suite.table({"cand": [str(grid)]})
    photos = next(r for r in rows if r["pair"] == "photos")
    test = photos["test_accuracy"]
    assert test["raw"] == "0.503 ± 0.015" and test["refined"] == "0.610 ± 0.010"
    assert test["better"] and test["beyond_spread"]
    assert 0 < test["p"] < 0.05 and test["oracle"] == "0.900 ± 0.000"
    assert photos["stopped"] == {} and photos["c2st_refined"] == "0.800 ± 0.000"
    assert "| photos | cand | 3 | 0 | test accuracy |" in markdown


def test_a_stopped_run_is_counted_and_named_and_realism_only_pairs_have_a_row(grid):
    markdown, rows = suite.table({"cand": [str(grid)]})
    mpii = next(r for r in rows if r["pair"] == "mpii")
    assert mpii["seeds"] == [0, 1]
    assert mpii["stopped"] == {1: "simgan-train: error: collapsed output at step 310: every "
                                  "refined image is the same; try ..."}
    assert mpii["c2st_refined"] == "0.900 ± 0.000"
    assert "| mpii | cand | 2 | 1 | — (realism only) |" in markdown


def test_a_change_without_seeds_to_compare_has_no_p_value(tmp_path):
    write_run(tmp_path / "c", "p__seed=0", task(0.5, 0.5))
    rows = suite.table({"c": [str(tmp_path / "c")]})[1]
    assert math.isnan(rows[0]["test_accuracy"]["p"]) and not rows[0]["test_accuracy"]["better"]


def test_a_candidate_in_two_folders_pools_their_seeds_and_refuses_a_seed_in_both(grid, tmp_path):
    later = tmp_path / "later"
    write_run(later, "photos__seed=3", task(0.5, 0.7))
    rows = suite.table({"cand": [str(grid), str(later)]})[1]
    photos = next(r for r in rows if r["pair"] == "photos")
    assert photos["seeds"] == [0, 1, 2, 3]
    assert photos["test_accuracy"]["change"].startswith("0.130 ±")  # (0.1+0.09+0.13+0.2)/4
    write_run(later, "photos__seed=1", task(0.5, 0.5))
    with pytest.raises(ValueError, match=r"photos seed\(s\) \[1\] also in another folder"):
        suite.table({"cand": [str(grid), str(later)]})


def test_a_reference_pairs_each_candidate_with_it_by_seed(grid, tmp_path):
    other = tmp_path / "other"
    # seeds 0..2 on photos, refined 0.02, 0.03, 0.04 above `cand`'s; seed 5 has no partner
    for seed, refined in enumerate([0.62, 0.64, 0.66]):
        write_run(other, f"photos__seed={seed}", task(0.5, refined, c2st=0.7))
    write_run(other, "photos__seed=5", task(0.5, 0.99))
    markdown, rows = suite.table({"cand": [str(grid)], "other": [str(other)]}, reference="cand")
    assert all("vs_reference" not in r for r in rows if r["candidate"] == "cand")
    compared = next(r for r in rows if r["candidate"] == "other")["vs_reference"]
    test = compared["test_accuracy"]
    assert test["n"] == 3 and test["diffs"] == pytest.approx([0.02, 0.03, 0.04])
    assert test["mean"] == pytest.approx(0.03)
    assert test["better"] and test["p"] == pytest.approx(0.0351, abs=1e-3)
    c2st = compared["c2st_refined"]
    assert c2st["mean"] == pytest.approx(-0.1) and c2st["better"] and math.isnan(c2st["p"])
    assert ("| photos | other | 3 | test accuracy | **+0.03 ± 0.01** (p 0.035) | "
            "-0.1 ± 0 |") in markdown
    assert "minus `cand`'s on the same pair, paired by seed" in markdown


def test_lower_mse_is_better_against_the_reference(tmp_path):
    def mse(refined):
        return {"downstream/synthetic/mse": 0.03, "downstream/refined/mse": refined}
    for seed, (a, b) in enumerate([(0.015, 0.012), (0.016, 0.012)]):
        write_run(tmp_path / "a", f"p__seed={seed}", mse(a))
        write_run(tmp_path / "b", f"p__seed={seed}", mse(b))
    rows = suite.table({"a": [str(tmp_path / "a")], "b": [str(tmp_path / "b")]}, "a")[1]
    test = next(r for r in rows if r["candidate"] == "b")["vs_reference"]["test_mse"]
    assert test["mean"] == pytest.approx(-0.0035) and test["better"]


def test_an_unknown_reference_is_refused_naming_the_candidates(grid):
    with pytest.raises(ValueError, match=r"--reference: no candidate 'base' among --grid; "
                                         r"candidates: cand"):
        suite.table({"cand": [str(grid)]}, reference="base")
