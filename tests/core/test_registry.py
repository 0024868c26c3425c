"""Registries: registration makes components gin-configurable; unknown names list known ones."""

import gin
import pytest

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


def test_framework_arguments_declared_by_the_registry_cannot_be_bound_from_gin():
    reg = Registry("widgets_d", "test", framework_args=("input_shape",))

    @reg.register("net")
    def net(*, input_shape, width: int = 4):
        return input_shape, width

    with pytest.raises(ValueError):
        gin.parse_config("net.input_shape = (1, 2)")
    assert reg.build("net", input_shape=(5,)) == ((5,), 4)
