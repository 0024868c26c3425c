"""required.check: a registered component's required parameter left unbound is one line naming
the binding to add, in the gin scope of the call (issue 18, item 5)."""

import gin
import pytest

from simgan.configs import required
from simgan.configs.parsing import ConfigError
from simgan.core.registries import DATASETS
from simgan.plugins import loading


@pytest.fixture(autouse=True)
def _plugins():
    loading.load_all()


def test_a_missing_path_names_the_scoped_binding():
    with gin.config_scope("real"), pytest.raises(ConfigError) as error:
        DATASETS.build("image_folder", seed=0)
    assert str(error.value) == (
        "image_folder.path is required and has no value (built in gin scope 'real'): bind "
        "real/image_folder.path = <value> in a gin file or binding")
    assert isinstance(error.value, required.MissingParameterError)


def test_a_bound_or_passed_parameter_satisfies_it(tmp_path):
    gin.parse_config(f"real/image_folder.path = '{tmp_path}'")
    with gin.config_scope("real"):
        required.check(DATASETS.kind, DATASETS.lookup("image_folder"), ())
    required.check(DATASETS.kind, DATASETS.lookup("image_folder"), ("path",))
    with pytest.raises(ConfigError, match=r"^image_folder.path is required and has no value: "
                                          r"bind image_folder.path"):
        required.check(DATASETS.kind, DATASETS.lookup("image_folder"), ())
