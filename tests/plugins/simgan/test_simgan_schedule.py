"""The S+U schedule: pretrain R, pretrain D, then Kg refiner / Kd discriminator steps."""

import pytest

from simgan.plugins.simgan import schedule as s


def test_phases_follow_algorithm_1():
    sched = s.Schedule(refiner_pretrain=2, discriminator_pretrain=1, iterations=2, kg=2, kd=1)
    phases = [sched.phase(i) for i in range(sched.total)]
    assert sched.total == 9
    assert phases == [s.REFINER_PRETRAIN] * 2 + [s.DISCRIMINATOR_PRETRAIN] + \
        [s.REFINER, s.REFINER, s.DISCRIMINATOR] * 2


def test_invalid_schedule_is_rejected():
    with pytest.raises(ValueError, match="simgan.refiner_pretrain_steps"):
        s.Schedule(-1, 0, 0, 1, 1)
    with pytest.raises(ValueError, match="simgan.refiner_steps_per_iteration \\+ "):
        s.Schedule(0, 0, 3, 0, 0)
    with pytest.raises(IndexError):
        s.Schedule(1, 0, 0, 1, 1).phase(1)
