"""ablations/ttur.gin: on the CPU base, each player's optimizer (built under the gin scope the
trainer builds it in) gets its own sourced rate, the discriminator's 4x the refiner's."""

import gin
import pytest

from simgan.configs import parsing
from simgan.core.registries import OPTIMIZERS
from simgan.plugins import loading


def test_ttur_variant_gives_the_discriminator_four_times_the_refiner_rate():
    loading.load_all()
    parsing.parse(["ablations/base/cpu.gin", "ablations/ttur.gin"], [])
    built = {}
    for scope in ("refiner", "discriminator"):
        name = gin.query_parameter(f"simgan.{scope}_optimizer")
        with gin.config_scope(scope):
            built[scope] = OPTIMIZERS.build(name)
    refiner, discriminator = built["refiner"], built["discriminator"]
    assert float(refiner.learning_rate) == pytest.approx(1e-4)
    assert float(discriminator.learning_rate) == pytest.approx(4e-4)
    for optimizer in (refiner, discriminator):
        assert (optimizer.beta_1, optimizer.beta_2) == (0.0, 0.9)
