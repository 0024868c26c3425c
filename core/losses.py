"""Objectives as gin lists of loss terms, each with its own weight, so a new term is one plugin
file and any term's weight can be swept.

A loss term is a `LOSSES` factory taking ``weight`` (and its own hyper-parameters) and returning
a `LossTerm`: it implements `refiner_loss`, `discriminator_loss` or both, each returning a
per-example loss ``[B]``. A player's objective is ``sum(weight * term)`` over its list, e.g. the
paper's refiner objective ``['local_adversarial', 'self_regularization']`` with
``refiner/self_regularization.weight = lambda``: each term is built under the gin scope of its
player. The metric of a term is ``<player>/<term name>``, beside ``<player>/total``.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Mapping, Sequence

import gin
import keras
import tensorflow as tf

from simgan.core.registries import LOSSES

REFINER, DISCRIMINATOR = "refiner", "discriminator"


@dataclasses.dataclass(frozen=True)
class RefinerInputs:
    """What a refiner (generator) term sees: the synthetic batch and its labels, the refined
    images (float32, differentiable w.r.t. the refiner), a real batch, the refiner itself (for
    feature-level terms such as PatchNCE) and the discriminator (images -> logits, inference)."""

    synthetic: tf.Tensor
    refined: tf.Tensor
    discriminator: Callable[[tf.Tensor], tf.Tensor]
    labels: Mapping[str, tf.Tensor] = dataclasses.field(default_factory=dict)
    real: tf.Tensor | None = None
    refiner: keras.Model | None = None


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

    ``adversarial`` terms read the discriminator; a task may leave them out while the other
    player is not trained yet (S+U pretrains R with self-regularization only). A refiner term
    that reads ``RefinerInputs.real`` sets ``needs_real``, so the step draws a real batch.
    ``content`` terms hold the output to its input (self-regularization, PatchNCE; the health
    checks read them); a non-adversarial term that does not (a diversity reward) sets it False.
    """

    adversarial = False
    needs_real = False
    content = True

    def __init__(self, weight: float = 1.0):
        self.weight = float(weight)

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

    def __init__(self, loss: Callable[[tf.Tensor, bool], tf.Tensor], weight: float = 1.0):
        super().__init__(weight)
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

    def __init__(self, loss: Callable[[tf.Tensor, tf.Tensor], tf.Tensor], weight: float = 1.0):
        super().__init__(weight)
        self.loss = loss

    def __call__(self, refined: tf.Tensor, synthetic: tf.Tensor) -> tf.Tensor:
        return self.loss(refined, synthetic)

    def refiner_loss(self, inputs: RefinerInputs) -> tf.Tensor:
        return self.loss(inputs.refined, inputs.synthetic)


@dataclasses.dataclass(frozen=True)
class Objective:
    """One player's terms, in order: ``((name, term), ...)``; each term carries its weight."""

    player: str
    terms: tuple[tuple[str, LossTerm], ...]

    def metric_names(self, adversarial: bool = True) -> tuple[str, ...]:
        """The term metrics and the total (without the adversarial terms if asked)."""
        return tuple(f"{self.player}/{name}" for name, term in self.terms
                     if adversarial or not term.adversarial) + (f"{self.player}/total",)

    def term_metrics(self, adversarial: bool) -> tuple[str, ...]:
        """The metrics of the adversarial terms, or of the non-adversarial content terms."""
        return tuple(f"{self.player}/{name}" for name, term in self.terms
                     if term.adversarial == adversarial and (adversarial or term.content))

    def values(self, losses: Mapping[str, tf.Tensor],
               average: Callable[[tf.Tensor], tf.Tensor]) -> dict[str, tf.Tensor]:
        """Per-term averages of the per-example ``losses`` (by term name) and their weighted
        sum, keyed by metric name; terms absent from ``losses`` are left out."""
        values = {f"{self.player}/{name}": average(loss) for name, loss in losses.items()}
        values[f"{self.player}/total"] = tf.add_n(
            [term.weight * values[f"{self.player}/{name}"] for name, term in self.terms
             if name in losses])
        return values


def build_for(objective: Objective, generator: keras.Model) -> tuple[dict, list]:
    """Builds the terms of ``objective`` that have weights of their own (a ``build(generator)``
    method, e.g. PatchNCE's projection heads) for ``generator``; returns them by checkpoint key
    (``refiner_term_<name>``) and the variables the generator's optimizer trains: the
    generator's, then the terms' (shared ones once)."""
    modules = {f"refiner_term_{name}": term for name, term in objective.terms
               if hasattr(term, "build")}
    for term in modules.values():
        term.build(generator)
    variables = {id(v): v for v in generator.trainable_variables}
    variables.update((id(v), v) for term in modules.values() for v in term.trainable_variables)
    return modules, list(variables.values())


def build(player: str, names: Sequence[str], binding: str) -> Objective:
    """Builds the terms ``names`` for ``player``, each under the gin scope ``player`` (so
    ``<player>/<term>.weight`` sets its weight); a malformed, repeated or wrong-player entry
    fails naming ``binding``."""
    terms, seen = [], set()
    for name in names:
        if not isinstance(name, str):
            raise ValueError(f"{binding}: expected a list of loss term names, got entry "
                             f"{name!r}; weights are set per term, e.g. "
                             f"{player}/self_regularization.weight = 2.0")
        if name in seen:
            raise ValueError(f"{binding}: term {name!r} is listed twice")
        seen.add(name)
        with gin.config_scope(player):
            term = LOSSES.build(name)
        if not isinstance(term, LossTerm) or not term.serves(player):
            raise ValueError(f"{binding}: loss {name!r} has no {player} loss (a {player} term "
                             f"implements LossTerm.{player}_loss; see docs/PLUGINS.md)")
        terms.append((name, term))
    if not terms:
        raise ValueError(f"{binding}: the {player} objective needs at least one term")
    return Objective(player, tuple(terms))
