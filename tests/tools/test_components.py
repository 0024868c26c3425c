"""`simgan components [NAME]` (tools/components.py): whole descriptions, only the parameters a gin
file may bind, a filter by registry or component name, and one line for a name matching none."""

import pytest

from simgan.core.engine import config as _engine_config  # noqa: F401  (train.*)
from simgan.core.registry import Entry
from simgan.plugins import loading
from simgan.tools import cli, components


@pytest.fixture(scope="module", autouse=True)
def _builtin_plugins():
    loading.load_module("simgan.plugins.simgan")
    loading.load_module("simgan.plugins.metrics")


def _documented(x):
    """First line of the summary,
    second line of it.

    Details that are not shown.
    """
    return x


def test_description_is_the_whole_first_paragraph():
    entry = Entry("documented", _documented, _documented)
    assert components.description(entry) == "First line of the summary, second line of it."


def test_listing_has_every_registry_and_only_bindable_parameters():
    text = components.describe()
    for kind in ("tasks", "datasets", "generators", "discriminators", "losses", "buffers",
                 "optimizers", "augments", "evaluators", "other gin-configurables"):
        assert f"\n[{kind}]" in f"\n{text}"
    assert "resnet.num_blocks = 4" in text and "train.batch_size = 512" in text
    # Passed by the framework (the registries' denylists), so a binding of them is refused.
    for hidden in ("resnet.input_shape", "local.input_shape", "c2st.seed", "c2st.output_dir",
                   "c2st.domains", "history.image_shape", "history.batch_size",
                   "eye_simulator.seed"):
        assert hidden not in text
    # Descriptions are not cut mid-sentence: the wrapped line goes on to the paragraph's end.
    assert "summed over patches as in the paper (``reduction='mean'`` averages instead)." in \
        " ".join(text.split())
    assert max(map(len, [line for line in text.splitlines() if " = " not in line])) <= 100


def test_a_kind_selects_its_whole_registry():
    text = components.describe("evaluators")
    assert text.startswith("[evaluators]") and text.count("\n[") == 0
    assert "\n  c2st: " in text and "\n  kid: " in text


def test_a_name_selects_matching_components_under_their_registry():
    text = components.describe("adversarial")
    assert text.startswith("[losses]") and text.count("\n[") == 0
    names = [line.split(":")[0].strip() for line in text.splitlines() if line.startswith("  ")
             and not line.startswith("    ")]
    assert names and all("adversarial" in name for name in names)
    assert "self_regularization" not in text


def test_a_name_matching_nothing_is_one_line_with_close_matches():
    with pytest.raises(cli.UserError, match=r"holds 'resnt'; did you mean 'resnet'\?"):
        components.describe("resnt")
    with pytest.raises(cli.UserError) as error_info:
        components.describe("zzzz")
    assert "did you mean" not in str(error_info.value) and "\n" not in str(error_info.value)
