"""PatchNCE (Park, Efros, Zhang & Zhu, "Contrastive Learning for Unpaired Image-to-Image
Translation", ECCV 2020, Sec. 3.1-3.2): a patch of the output should be closer, in the
generator's own encoder features, to the input patch at the same location than to the input's
other patches.

For each chosen generator layer, ``num_patches`` locations are drawn per image (stateless random
from ``seed`` and the term's call count, which is checkpointed, so a resumed run draws the same
patches); the features of the source image (the key, no gradient, as in the authors' code) and
of the output (the query) at those locations go through the layer's own two-layer MLP head and
are L2-normalised; the loss is the InfoNCE cross-entropy with temperature ``tau`` whose positive
is the same location and whose negatives are the image's other sampled locations (the paper's
"internal" negatives), averaged over patches and layers.

Two registered refiner-side terms: ``patchnce`` (x vs G(x), the paper's lambda_X term) and
``cut_identity`` (real y vs G(y), the lambda_Y term). Both share the heads of one generator, as
in the paper. A term with weights of its own follows the tasks' protocol: ``build(generator)``
creates them, ``trainable_variables`` are trained with the generator, and the term (a tf.Module)
is checkpointed with the task.
"""

from __future__ import annotations

import dataclasses
import weakref
from typing import Sequence

import keras
import tensorflow as tf

from simgan.core.losses import LossTerm, RefinerInputs
from simgan.core.registries import LOSSES

# The ResNet refiner's (plugins/simgan/refiner.py) input, first conv and its 4 blocks' outputs:
# the paper takes the input, the encoder's convolutions and residual blocks' outputs.
RESNET_LAYERS = ("synthetic", "stem", "block0_out", "block1_out", "block2_out", "block3_out")


def info_nce(query: tf.Tensor, key: tf.Tensor, temperature: float) -> tf.Tensor:
    """Per-image InfoNCE over patches: ``query`` and ``key`` ``[B, S, D]`` L2-normalised, query i's
    positive is key i and its negatives the other S - 1 keys; the cross-entropy averaged over the
    S patches, ``[B]`` (the paper's eq. 2-3 with internal negatives)."""
    logits = tf.matmul(query, key, transpose_b=True) / temperature  # [B, S, S]
    patches = tf.shape(logits)[1]
    labels = tf.broadcast_to(tf.range(patches), tf.shape(logits)[:2])
    return tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits), axis=1)


def sample_locations(seed: tf.Tensor, batch: tf.Tensor, locations: int, count: int) -> tf.Tensor:
    """``count`` distinct flat locations out of ``locations`` for each of ``batch`` images,
    ``[batch, count]``, a pure function of ``seed`` (shape [2])."""
    noise = tf.random.stateless_uniform(tf.stack([batch, locations]), seed)
    return tf.math.top_k(noise, count, sorted=False).indices


@dataclasses.dataclass(frozen=True)
class Settings:
    """PatchNCE's hyper-parameters (see `patchnce`)."""

    layers: tuple[str | int, ...]
    num_patches: int
    mlp_units: int
    temperature: float
    seed: int

    def __post_init__(self):
        if not self.layers or not all(isinstance(s, (str, int)) and not isinstance(s, bool)
                                      for s in self.layers):
            raise ValueError(f"patchnce.layers: expected a non-empty list of layer names or "
                             f"indices of the generator, got {self.layers!r}")
        for name, low in (("num_patches", 2), ("mlp_units", 1)):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < low:
                raise ValueError(f"patchnce.{name}: expected an integer >= {low}, got {value!r}")
        if not self.temperature > 0:
            raise ValueError(f"patchnce.temperature: expected a number > 0, got "
                             f"{self.temperature!r}")


def _layer_output(generator: keras.Model, spec: str | int):
    """The symbolic output of the generator's layer ``spec`` (a name or an index)."""
    names = [layer.name for layer in generator.layers]
    if isinstance(spec, int):
        if not -len(names) <= spec < len(names):
            raise ValueError(f"patchnce.layers: index {spec} is outside the {len(names)} layers "
                             f"of generator {generator.name!r}: {names}")
        return generator.layers[spec].output
    if spec not in names:
        raise ValueError(f"patchnce.layers: generator {generator.name!r} has no layer {spec!r}; "
                         f"its layers: {names}")
    return generator.get_layer(spec).output


class ProjectionHeads(tf.Module):
    """The generator's feature maps at the chosen layers and one MLP head per layer
    (Linear-ReLU-Linear, ``units`` wide, float32), the paper's H_l."""

    def __init__(self, generator: keras.Model, layers: Sequence[str | int], units: int):
        super().__init__(name="patchnce_heads")
        outputs = [_layer_output(generator, spec) for spec in layers]
        self.shapes = tuple(tuple(o.shape[1:]) for o in outputs)
        for spec, shape in zip(layers, self.shapes):
            if len(shape) != 3 or None in shape:
                raise ValueError(f"patchnce.layers: layer {spec!r} of generator "
                                 f"{generator.name!r} gives {shape}, not a fully defined "
                                 "[H, W, C] feature map")
        # A bound method, not the model: the extractor shares the generator's weights, which must
        # be neither this module's trainable variables nor checkpointed twice.
        self._extract = keras.Model(generator.inputs, outputs, name="patchnce_features").__call__
        self.generator = weakref.ref(generator)
        self.heads = []
        for index, (_, _, channels) in enumerate(self.shapes):
            hidden = keras.layers.Dense(units, activation="relu", dtype="float32",
                                        name=f"head{index}_hidden")
            output = keras.layers.Dense(units, dtype="float32", name=f"head{index}_output")
            hidden.build((None, None, channels))  # [B, patches, C]
            output.build((None, None, units))
            self.heads.append((hidden, output))

    @property
    def trainable_variables(self) -> list:
        return [w for head in self.heads for layer in head for w in layer.trainable_weights]

    def project(self, index: int, patches: tf.Tensor) -> tf.Tensor:
        """Layer ``index``'s head on patch features ``[B, S, C]``, L2-normalised: ``[B, S, units]``."""
        hidden, output = self.heads[index]
        return tf.math.l2_normalize(output(hidden(patches)), axis=-1)

    def features(self, images: tf.Tensor) -> list[tf.Tensor]:
        """The chosen layers' feature maps of ``images`` as float32 ``[B, H*W, C]``."""
        maps = tf.nest.flatten(self._extract(images, training=True))  # one layer: one tensor
        return [tf.reshape(tf.cast(m, tf.float32), [tf.shape(m)[0], h * w, c])
                for m, (h, w, c) in zip(maps, self.shapes)]


# One set of heads per generator and layout, so `patchnce` and `cut_identity` share them.
_HEADS: "weakref.WeakKeyDictionary[keras.Model, dict]" = weakref.WeakKeyDictionary()


def projection_heads(generator: keras.Model, layers: Sequence[str | int],
                     units: int) -> ProjectionHeads:
    """The heads of ``generator`` for ``layers`` and ``units``, built on first request."""
    built = _HEADS.setdefault(generator, {})
    key = (tuple(layers), units)
    if key not in built:
        built[key] = ProjectionHeads(generator, layers, units)
    return built[key]


class PatchNCE(LossTerm, tf.Module):
    """A PatchNCE refiner term between a source batch and the generator's output for it:
    ``source='synthetic'`` compares x with G(x) (the refined batch), ``'real'`` compares y with
    G(y) (the identity term; it reads a real batch)."""

    def __init__(self, settings: Settings, weight: float, source: str):
        tf.Module.__init__(self, name=f"patchnce_{source}")
        LossTerm.__init__(self, weight)
        if source not in ("synthetic", "real"):
            raise ValueError(f"patchnce: source must be 'synthetic' or 'real', got {source!r}")
        self.settings, self.source = settings, source
        self.needs_real = source == "real"
        self.heads: ProjectionHeads | None = None

    def build(self, generator: keras.Model) -> None:
        """Creates (or shares) the heads for ``generator`` and the call counter; call inside the
        strategy's scope, before the generator's optimizer is built."""
        s = self.settings
        self.heads = projection_heads(generator, s.layers, s.mlp_units)
        for spec, (h, w, _) in zip(s.layers, self.heads.shapes):
            if s.num_patches > h * w:
                raise ValueError(f"patchnce.num_patches: {s.num_patches} patches per image, but "
                                 f"layer {spec!r} has only {h * w} locations ({h}x{w})")
        self.calls = tf.Variable(0, dtype=tf.int64, trainable=False, name="calls",
                                 aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)

    @property
    def trainable_variables(self) -> list:
        return self.heads.trainable_variables if self.heads else []

    def refiner_loss(self, inputs: RefinerInputs) -> tf.Tensor:
        if self.heads is None or inputs.refiner is not self.heads.generator():
            raise ValueError(f"{self.name}: not built for this generator; the task calls "
                             "term.build(generator) for every term that has a build method")
        if self.source == "synthetic":
            return self.loss(inputs.synthetic, inputs.refined)
        return self.loss(inputs.real, tf.cast(inputs.refiner(inputs.real, training=True),
                                              tf.float32))

    def loss(self, source: tf.Tensor, output: tf.Tensor) -> tf.Tensor:
        """Per-image PatchNCE between ``source`` images and the generator's ``output`` for them,
        averaged over the layers, ``[B]``; advances the call counter."""
        s = self.settings
        step = self.calls.read_value()
        losses = []
        for index, (key, query) in enumerate(zip(self.heads.features(source),
                                                 self.heads.features(output))):
            seed = tf.random.experimental.stateless_fold_in(
                tf.constant([s.seed, index], tf.int64), step)
            ids = sample_locations(seed, tf.shape(key)[0], key.shape[1], s.num_patches)
            key = tf.stop_gradient(self.heads.project(index, tf.gather(key, ids, batch_dims=1)))
            query = self.heads.project(index, tf.gather(query, ids, batch_dims=1))
            losses.append(info_nce(query, key, s.temperature))
        self.calls.assign_add(1)
        return tf.add_n(losses) / len(losses)


@LOSSES.register("patchnce")
def patchnce(*, weight: float = 1.0, layers: Sequence[str | int] = RESNET_LAYERS,
             num_patches: int = 256, mlp_units: int = 256, temperature: float = 0.07,
             seed: int = 0) -> PatchNCE:
    """PatchNCE between the synthetic x and the refined G(x) over the generator's features
    (Park et al. 2020): ``weight`` is lambda_X (paper: 1 for CUT, 10 for FastCUT); ``layers`` the
    generator's layers by name or index; ``num_patches`` per image and layer (paper: 256);
    ``mlp_units`` the heads' width (paper: 256); ``temperature`` tau (paper: 0.07); ``seed`` of
    the patch draws. `cut_identity` uses the same settings and heads."""
    return PatchNCE(Settings(tuple(layers), num_patches, mlp_units, temperature, seed), weight,
                    "synthetic")


@LOSSES.register("cut_identity")
def cut_identity(*, weight: float = 1.0) -> PatchNCE:
    """PatchNCE between real y and G(y), CUT's identity term (Park et al. 2020, eq. 5): keeps the
    generator from changing what already looks real; ``weight`` is lambda_Y (paper: 1 for CUT, 0
    for FastCUT). Layers, patches, heads and temperature are `patchnce`'s."""
    return PatchNCE(LOSSES.build("patchnce").settings, weight, "real")
