"""Registries: registration makes components gin-configurable; unknown names list known ones."""

import gin
import pytest

from simgan.core import registries
from simgan.core.registry import Registry, UnknownComponentError


def test_register_makes_gin_configurable_and_builds():
    reg = Registry("widgets_a", "test")

    @reg.register("knob")
    def knob(*, size: int = 3, color: str = "red"):
        """A knob."""
        return size, color

    assert reg.build("knob") == (3, "red")
    gin.parse_config("knob.size = 7")
    assert reg.build("knob") == (7, "red")
    gin.parse_config("widgets_a.knob.color = 'blue'")
    assert reg.build("knob", size=1) == (1, "blue")


def test_unknown_name_lists_known_names_and_suggests():
    reg = Registry("widgets_b", "test")
    reg.register("resnet_small")(lambda: 1)
    reg.register("unet")(lambda: 2)
    with pytest.raises(UnknownComponentError) as err:
        reg.lookup("resnet_smal")
    message = str(err.value)
    assert "resnet_smal" in message and "resnet_small, unet" in message
    assert "Did you mean 'resnet_small'" in message


def test_duplicate_name_from_other_code_is_rejected():
    reg = Registry("widgets_c", "test")

    @reg.register("x")
    def first():
        return 1

    def second():
        return 2

    with pytest.raises(ValueError, match="already registered"):
        reg.register("x")(second)


def test_denylisted_framework_arguments_cannot_be_bound_from_gin():
    reg = Registry("widgets_d", "test")

    @reg.register("net", denylist=("input_shape",))
    def net(*, input_shape, width: int = 4):
        return input_shape, width

    with pytest.raises(ValueError):
        gin.parse_config("net.input_shape = (1, 2)")
    assert reg.build("net", input_shape=(5,)) == ((5,), 4)


def test_describe_lists_parameters_and_defaults():
    from simgan.core import plugins, trainer  # noqa: F401  (trainer: train.*)

    plugins.load_module("simgan.plugins.simgan")
    text = registries.describe()
    assert "[refiners]" in text and "resnet.num_blocks = 4" in text
    assert "resnet.filters = 64" in text
    assert "[discriminators]" in text and "local.padding = 'same'" in text
    assert "sgd.learning_rate = 0.001" in text
    assert "[buffers]" in text and "history.capacity_batches = 100" in text
    assert "resnet.input_shape" not in text  # supplied by the framework, not bindable
    assert "[other gin-configurables]" in text and "train.batch_size = 512" in text
    assert "simgan.refiner_objective = (('local_adversarial', 1.0)" in text


def test_deprecated_alias_builds_with_its_own_bindings_and_warns(caplog):
    import gin
    from simgan.core.registry import Registry

    registry = Registry("things_alias_test", "test")

    @registry.register("new_name", deprecated_aliases=("old_name",))
    def make(*, size: int = 1):
        """A thing."""
        return size

    gin.parse_config("old_name.size = 3\nnew_name.size = 5")
    assert registry.build("new_name") == 5
    with caplog.at_level("WARNING"):
        assert registry.build("old_name") == 3
    assert "'old_name' is a deprecated name of 'new_name'" in caplog.text
    assert "old_name" in registry and registry.names() == ["new_name"]
    assert registry.aliases("new_name") == ["old_name"]
