"""Objectives as gin lists of weighted loss terms, so a new term is a plugin, not a core edit.

A loss term is a `LOSSES` factory returning a `LossTerm`: it implements `refiner_loss`,
`discriminator_loss` or both, each returning a per-example loss ``[B]``. Each player's objective
is ``sum(weight * term)`` over its list, e.g. the paper's refiner objective
``[('local_adversarial', 1.0), ('self_regularization', lambda)]``. The metric of a term is
``<player>/<term name>``, beside ``<player>/total``.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Sequence

import tensorflow as tf
from absl import logging

from simgan.core.adversarial import REAL, REFINED
from simgan.core.registries import LOSSES

REFINER, DISCRIMINATOR = "refiner", "discriminator"


@dataclasses.dataclass(frozen=True)
class RefinerInputs:
    """What a refiner term sees: synthetic images, their refinement (float32, differentiable
    w.r.t. the refiner) and the discriminator (images -> logits, in inference mode)."""

    synthetic: tf.Tensor
    refined: tf.Tensor
    discriminator: Callable[[tf.Tensor], tf.Tensor]


@dataclasses.dataclass(frozen=True)
class DiscriminatorInputs:
    """What a discriminator term sees: real images, refined images (mixed with the history),
    their logits, and the discriminator itself (in training mode) for input-gradient penalties."""

    real: tf.Tensor
    refined: tf.Tensor
    real_logits: tf.Tensor
    refined_logits: tf.Tensor
    discriminator: Callable[[tf.Tensor], tf.Tensor]


class LossTerm:
    """A loss for the refiner, the discriminator or both; override what applies.

    ``adversarial`` terms read the discriminator and are skipped during refiner pretraining
    (the paper pretrains R with self-regularization only).
    """

    adversarial = False

    def refiner_loss(self, inputs: RefinerInputs) -> tf.Tensor:
        raise NotImplementedError

    def discriminator_loss(self, inputs: DiscriminatorInputs) -> tf.Tensor:
        raise NotImplementedError

    def serves(self, player: str) -> bool:
        """Whether the term defines a loss for ``player``."""
        method = f"{player}_loss"
        return getattr(type(self), method) is not getattr(LossTerm, method)


class AdversarialTerm(LossTerm):
    """Both players' adversarial losses from one ``loss(logits, is_real) -> [B]``: the refiner
    wants its output classified real, the discriminator real as real and refined as refined.

    Calling the term calls ``loss`` itself."""

    adversarial = True

    def __init__(self, loss: Callable[[tf.Tensor, bool], tf.Tensor]):
        self.loss = loss

    def __call__(self, logits: tf.Tensor, is_real: bool) -> tf.Tensor:
        return self.loss(logits, is_real)

    def refiner_loss(self, inputs: RefinerInputs) -> tf.Tensor:
        return self.loss(inputs.discriminator(inputs.refined), True)

    def discriminator_loss(self, inputs: DiscriminatorInputs) -> tf.Tensor:
        return self.loss(inputs.real_logits, True) + self.loss(inputs.refined_logits, False)


class PairTerm(LossTerm):
    """A refiner term from ``loss(refined, synthetic) -> [B]`` (e.g. self-regularization).

    Calling the term calls ``loss`` itself."""

    def __init__(self, loss: Callable[[tf.Tensor, tf.Tensor], tf.Tensor]):
        self.loss = loss

    def __call__(self, refined: tf.Tensor, synthetic: tf.Tensor) -> tf.Tensor:
        return self.loss(refined, synthetic)

    def refiner_loss(self, inputs: RefinerInputs) -> tf.Tensor:
        return self.loss(inputs.refined, inputs.synthetic)


def real_log_odds(logits: tf.Tensor) -> tf.Tensor:
    """Per-patch log-odds of "real" from two-class logits ``[B, h, w, 2]`` -> ``[B, h, w]``."""
    logits = tf.cast(logits, tf.float32)
    return logits[..., REAL] - logits[..., REFINED]


@dataclasses.dataclass(frozen=True)
class Objective:
    """One player's weighted terms, in order."""

    player: str
    terms: tuple[tuple[str, float, LossTerm], ...]

    def metric_names(self) -> tuple[str, ...]:
        return tuple(f"{self.player}/{name}" for name, _, _ in self.terms) + (
            f"{self.player}/total",)


def build(player: str, spec: Sequence[tuple[str, float]], binding: str) -> Objective:
    """Builds the terms of ``spec`` (``[(term name, weight), ...]``) for ``player``; an entry
    that is malformed, repeated or has no loss for ``player`` fails naming ``binding``."""
    terms, seen = [], set()
    for entry in spec:
        if (not isinstance(entry, (tuple, list)) or len(entry) != 2 or not isinstance(entry[0], str)
                or not isinstance(entry[1], (int, float))):
            raise ValueError(f"{binding}: expected a list of (term name, weight) pairs, got entry "
                             f"{entry!r}")
        name, weight = entry
        if name in seen:
            raise ValueError(f"{binding}: term {name!r} is listed twice; give it one weight")
        seen.add(name)
        term = LOSSES.build(name)
        if not isinstance(term, LossTerm) or not term.serves(player):
            raise ValueError(f"{binding}: loss {name!r} has no {player} loss (a {player} term "
                             f"implements LossTerm.{player}_loss; see docs/PLUGINS.md)")
        terms.append((name, float(weight), term))
    if not terms:
        raise ValueError(f"{binding}: the {player} objective needs at least one term")
    return Objective(player, tuple(terms))


def _names(spec: list) -> list:
    return [e[0] if isinstance(e, tuple) and e else None for e in spec]


def resolve(refiner_objective, discriminator_objective, adversarial_loss: str | None,
            self_regularization: str | None, self_regularization_weight: float | None
            ) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The two objectives' specs, with the deprecated single-slot bindings applied.

    Before objectives were lists a run named ``train.adversarial_loss``,
    ``train.self_regularization`` and ``train.self_regularization_weight``; each still edits
    the lists: the adversarial loss replaces 'local_adversarial' in both, the regularizer
    replaces 'self_regularization' in the refiner's, and the weight is that regularizer's.
    """
    refiner = [tuple(e) if isinstance(e, list) else e for e in refiner_objective]
    discriminator = [tuple(e) if isinstance(e, list) else e for e in discriminator_objective]

    def replace(spec, old, new, binding):
        names = _names(spec)
        if old not in names:
            raise ValueError(f"{binding} (deprecated): the objective has no term {old!r} to "
                             f"replace; list the terms in train.refiner_objective / "
                             f"train.discriminator_objective instead")
        i = names.index(old)
        spec[i] = (new, spec[i][1])

    if adversarial_loss is not None:
        logging.log_first_n(logging.WARNING, "train.adversarial_loss is deprecated: name the term "
                            "in train.refiner_objective and train.discriminator_objective", 1)
        replace(refiner, "local_adversarial", adversarial_loss, "train.adversarial_loss")
        replace(discriminator, "local_adversarial", adversarial_loss, "train.adversarial_loss")
    regularizer = "self_regularization"
    if self_regularization is not None:
        logging.log_first_n(logging.WARNING, "train.self_regularization is deprecated: name the "
                            "term in train.refiner_objective", 1)
        replace(refiner, regularizer, self_regularization, "train.self_regularization")
        regularizer = self_regularization
    if self_regularization_weight is not None:
        logging.log_first_n(logging.WARNING, "train.self_regularization_weight is deprecated: "
                            "set the weight in train.refiner_objective", 1)
        names = _names(refiner)
        if regularizer not in names:
            raise ValueError(f"train.self_regularization_weight (deprecated): the refiner "
                             f"objective has no term {regularizer!r} to weight")
        refiner[names.index(regularizer)] = (regularizer, float(self_regularization_weight))
    return refiner, discriminator
