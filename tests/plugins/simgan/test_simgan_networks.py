"""The paper's refiner and discriminators: shapes, ranges and layer structure."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from simgan.core.registries import DISCRIMINATORS, GENERATORS
import simgan.plugins.simgan  # noqa: F401  (registers the components)


def test_resnet_refiner_paper_structure_and_range():
    refiner = GENERATORS.build("resnet", input_shape=(35, 55, 1))
    convs = [l for l in refiner.layers if isinstance(l, tf.keras.layers.Conv2D)]
    assert len(convs) == 1 + 2 * 4 + 1  # stem, 4 blocks of two convs, 1x1 output
    assert all(c.filters == 64 and c.kernel_size == (3, 3) for c in convs[:-1])
    assert convs[-1].filters == 1 and convs[-1].kernel_size == (1, 1)
    x = tf.random.uniform([2, 35, 55, 1], -1, 1, seed=1)
    y = refiner(x).numpy()
    assert y.shape == (2, 35, 55, 1) and y.min() >= -1 and y.max() <= 1


def test_refiner_channels_and_depth_follow_config():
    refiner = GENERATORS.build("resnet", input_shape=(16, 16, 3), filters=8, num_blocks=2)
    assert refiner(tf.zeros([1, 16, 16, 3])).shape == (1, 16, 16, 3)
    assert sum(isinstance(l, tf.keras.layers.Add) for l in refiner.layers) == 2


def test_local_discriminator_gives_a_patch_map():
    disc = DISCRIMINATORS.build("local", input_shape=(35, 55, 1))
    logits = disc(tf.zeros([3, 35, 55, 1]))
    assert logits.shape == (3, 9, 14, 2)  # a real w x h map, not 1x1
    filters = [l.filters for l in disc.layers if isinstance(l, tf.keras.layers.Conv2D)]
    assert filters == [96, 64, 32, 32, 2]
    valid = DISCRIMINATORS.build("local", input_shape=(35, 55, 1), padding="valid")
    assert valid(tf.zeros([1, 35, 55, 1])).shape == (1, 4, 9, 2)


def test_unit_strides_give_a_full_size_map_of_9x9_patches():
    """With conv1 and conv2 unstrided each logit sees a 9x9 patch: on an 8x8 image a change in
    one corner leaves the opposite corner's logit alone (with the paper's strides it does not)."""
    for strides, same_far_corner in (((1, 1), True), ((2, 2), False)):
        disc = DISCRIMINATORS.build("local", input_shape=(8, 8, 1), strides=strides)
        x = np.zeros([1, 8, 8, 1], np.float32)
        y = x.copy()
        y[0, :2, :2] = 1.0
        a, b = disc(x).numpy(), disc(y).numpy()
        assert a.shape == ((1, 8, 8, 2) if strides == (1, 1) else (1, 2, 2, 2))
        assert np.allclose(a[0, -1, -1], b[0, -1, -1]) == same_far_corner
    with pytest.raises(ValueError, match="discriminator strides: expected 2 positive"):
        DISCRIMINATORS.build("local", input_shape=(8, 8, 1), strides=(0, 1))


def test_global_discriminator_gives_one_decision_per_image():
    disc = DISCRIMINATORS.build("global", input_shape=(35, 55, 1))
    assert disc(tf.zeros([3, 35, 55, 1])).shape == (3, 1, 1, 2)


def test_patch_outputs_depend_on_local_content():
    """A change in one corner must leave far-away patches of the local map unchanged."""
    disc = DISCRIMINATORS.build("local", input_shape=(35, 55, 1))
    x = np.zeros([1, 35, 55, 1], np.float32)
    y = x.copy()
    y[0, :4, :4] = 1.0
    a, b = disc(x).numpy(), disc(y).numpy()
    assert not np.allclose(a[0, 0, 0], b[0, 0, 0])
    np.testing.assert_allclose(a[0, -1, -1], b[0, -1, -1])


def test_mirrored_padding_keeps_a_flat_image_flat_where_zero_padding_frames_it():
    """The light border frame of zero padding: on a constant image every pixel of a reflect- or
    symmetric-padded refiner sees the same neighbourhood, so its output is constant too."""
    x = tf.fill([1, 12, 16, 1], 0.3)
    for padding in ("reflect", "symmetric"):
        keras_utils_seed()
        flat = GENERATORS.build("resnet", input_shape=(12, 16, 1), filters=8, num_blocks=2,
                              padding=padding)(x).numpy()
        assert flat.shape == (1, 12, 16, 1)
        np.testing.assert_allclose(flat, flat[0, 0, 0, 0], atol=1e-6)
    keras_utils_seed()
    framed = GENERATORS.build("resnet", input_shape=(12, 16, 1), filters=8, num_blocks=2)(x).numpy()
    assert np.abs(framed[0, 0] - framed[0, 6, 8]).max() > 1e-4


def test_unknown_padding_is_a_one_line_error():
    import pytest
    with pytest.raises(ValueError, match="resnet.padding"):
        GENERATORS.build("resnet", input_shape=(8, 8, 1), padding="same")


def test_noise_channels_draw_fresh_seeded_noise_unless_training_is_false():
    def build():
        keras_utils_seed()
        return GENERATORS.build("resnet", input_shape=(10, 12, 1), filters=8, num_blocks=1,
                              noise_channels=2, noise_seed=5)

    x = tf.zeros([2, 10, 12, 1])
    a, b = build(), build()
    first, second = a(x).numpy(), a(x).numpy()
    assert not np.allclose(first, second)  # fresh noise each call
    assert not np.allclose(first[0], first[1])  # independent per image
    np.testing.assert_allclose(b(x).numpy(), first, atol=1e-6)  # same seed, same draws
    np.testing.assert_allclose(a(x, training=False).numpy(), a(x, training=False).numpy())


def test_style_channels_draw_one_code_per_image_the_same_at_every_pixel():
    keras_utils_seed()
    refiner = GENERATORS.build("resnet", input_shape=(6, 8, 1), filters=4, num_blocks=1,
                               style_channels=3, noise_seed=2)
    x = tf.zeros([2, 6, 8, 1])
    with_style = keras.Model(refiner.input, refiner.get_layer("with_style").output)
    codes = with_style(x).numpy()[..., 1:]
    assert codes.shape == (2, 6, 8, 3)
    np.testing.assert_allclose(codes, np.broadcast_to(codes[:, :1, :1], codes.shape), atol=1e-6)
    assert not np.allclose(codes[0, 0, 0], codes[1, 0, 0])  # one draw per image
    assert not np.allclose(refiner(x).numpy(), refiner(x).numpy())  # fresh each call
    np.testing.assert_allclose(refiner(x, training=False).numpy(),
                               refiner(x, training=False).numpy())
    with pytest.raises(ValueError, match="resnet.style_channels"):
        GENERATORS.build("resnet", input_shape=(6, 8, 1), style_channels=-1)


def test_a_call_that_does_not_draw_takes_a_style_from_the_image_distributed_as_the_draws():
    """predict / training=False: Keras switches the draw off; the code is then a fixed hash of
    the image, N(0, 1) over images (not the all-zero code) and independent across channels,
    also for binary images with the same number of lit pixels in other places."""
    from scipy import stats
    keras_utils_seed()
    refiner = GENERATORS.build("resnet", input_shape=(6, 8, 1), filters=4, num_blocks=1,
                               style_channels=3, noise_seed=2)
    with_style = keras.Model(refiner.input, refiner.get_layer("with_style").output)
    rng = np.random.default_rng(0)
    lit = np.argsort(rng.uniform(size=(600, 48)), axis=1) < 12  # 12 of 48 pixels, anywhere
    x = np.where(lit, 0.8, -1.0).reshape(600, 6, 8, 1).astype(np.float32)
    codes = with_style.predict(x, verbose=0)[..., 1:]
    np.testing.assert_allclose(codes, np.broadcast_to(codes[:, :1, :1], codes.shape), atol=1e-6)
    codes = codes[:, 0, 0]
    np.testing.assert_allclose(with_style.predict(x, verbose=0)[:, 0, 0, 1:], codes)  # fixed
    assert len(np.unique(codes[:, 0])) > 590
    assert np.all(np.abs(np.corrcoef(codes.T) - np.eye(3)) < 0.15)
    for k in range(3):
        assert stats.kstest(codes[:, k], "norm").pvalue > 0.01, k
    drawn = with_style(x[:2], training=True).numpy()[:, 0, 0, 1:]
    assert not np.allclose(drawn, codes[:2], atol=1e-3)  # training calls still draw


def test_exported_noise_refiner_loads_and_runs_without_simgan(tmp_path):
    """The export path's promise: a stock Keras process (no simgan import) loads the model."""
    import subprocess
    import sys
    refiner = GENERATORS.build("resnet", input_shape=(10, 12, 1), filters=4, num_blocks=1,
                             padding="reflect", noise_channels=1, style_channels=2)
    path = tmp_path / "refiner.keras"
    refiner.save(path)
    script = ("import sys, numpy as np, keras; m = keras.saving.load_model(sys.argv[1]); "
              "x = np.zeros((2, 10, 12, 1), 'float32'); "
              "assert not [n for n in sys.modules if n.split('.')[0] == 'simgan']; "
              "p = m.predict(x + np.arange(2).reshape(2, 1, 1, 1) / 2, verbose=0); "
              "assert np.isfinite(p).all() and not np.allclose(p[0], p[1]), p; "
              "print(float(np.std(m(x).numpy() - m(x).numpy())))")
    out = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                         text=True, check=True, env={"TF_CPP_MIN_LOG_LEVEL": "3",
                                                     "PATH": "/usr/bin:/bin"})
    assert float(out.stdout.strip().splitlines()[-1]) > 0


def keras_utils_seed(seed: int = 0) -> None:
    tf.keras.utils.set_random_seed(seed)


def test_residual_output_starts_as_the_identity_and_exports(tmp_path):
    refiner = GENERATORS.build("resnet", input_shape=(8, 10, 1), filters=4, num_blocks=1,
                             residual_output=True, padding="symmetric")
    x = tf.random.uniform([2, 8, 10, 1], -0.99, 0.99, seed=3)
    np.testing.assert_allclose(refiner(x).numpy(), x.numpy(), atol=1e-5)
    assert np.isfinite(refiner(tf.fill([1, 8, 10, 1], 1.0)).numpy()).all()
    refiner.save(tmp_path / "r.keras")
    loaded = keras.saving.load_model(tmp_path / "r.keras")
    np.testing.assert_allclose(loaded(x).numpy(), refiner(x).numpy(), atol=1e-6)


@pytest.mark.parametrize("padding", ["zero", "reflect"])
def test_dilation_rates_widen_what_each_output_pixel_sees(padding):
    x = tf.random.uniform([1, 35, 55, 1], -1, 1, seed=3)
    poked = tf.tensor_scatter_nd_update(x, [[0, 4, 4, 0]], [1.0])
    reach = {}
    for rates in [(), (1, 2, 4, 8)]:
        keras.utils.set_random_seed(0)
        refiner = GENERATORS.build("resnet", input_shape=(35, 55, 1), filters=8,
                                   padding=padding, dilation_rates=rates)
        change = np.abs(refiner(poked).numpy() - refiner(x).numpy())[0, ..., 0]
        assert change.shape == (35, 55)
        rows, cols = np.nonzero(change > 1e-6)
        reach[rates] = max(rows.max() - 4, cols.max() - 4)
    assert reach[()] == 9  # 1 + 4 blocks x 2 convs x 1 pixel each side
    assert reach[(1, 2, 4, 8)] == 1 + 2 * (1 + 2 + 4 + 8)  # a 63-pixel field


def test_bad_dilation_rates_are_a_one_line_error():
    with pytest.raises(ValueError, match=r"resnet.dilation_rates: expected \(\) or 4 integers "
                                         r">= 1 \(one per block\), got \(1, 2\)"):
        GENERATORS.build("resnet", input_shape=(8, 8, 1), dilation_rates=(1, 2))
    with pytest.raises(ValueError, match=r"resnet.dilation_rates: dilation 8 pads 8 pixels, more "
                                         r"than reflect padding can mirror on images of 8x8"):
        GENERATORS.build("resnet", input_shape=(8, 8, 1), padding="reflect",
                         dilation_rates=(1, 2, 4, 8))
    zero = GENERATORS.build("resnet", input_shape=(8, 8, 1), dilation_rates=(1, 2, 4, 8))
    assert zero(tf.zeros([1, 8, 8, 1])).shape == (1, 8, 8, 1)  # zero padding has no such limit
