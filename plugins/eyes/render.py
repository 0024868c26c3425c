"""Procedural eye geometry and its flat-shaded rendering, in TensorFlow ops only.

``sample_geometry`` draws one eye (gaze and nuisance parameters) from a stateless seed;
``render`` turns geometry of any batch shape ``[...]`` into intensities ``[..., H, W]`` in [0, 1]
by evaluating every layer on a pixel meshgrid (no per-pixel loops), so it runs inside
``tf.data`` maps. Model: an orthographic camera looks along +z at an eyeball of radius R. The
iris and pupil are concentric disks on a plane at depth sqrt(R^2 - r_iris^2) with normal = gaze,
so they move by that depth times (gaze_x, gaze_y) and foreshorten by |gaze_z| along the
direction of rotation. Upper and lower lids are curves between the eye corners whose heights
follow the vertical gaze (the upper lid rides on the iris: up raises it, down lowers it). A
cornea of radius 0.65 R centred 0.45 R along the gaze reflects a point light (the glint).
Pixel coordinates: x = column, y = row, pixel centres at integers.
"""

from __future__ import annotations

import math
from typing import Mapping

import tensorflow as tf

from simgan.plugins.eyes.angles import gaze_from_angles

REFERENCE_WIDTH = 55.0  # lengths below are in pixels of a 55-pixel-wide image, scaled to width
EYEBALL_RADIUS = 18.0
CORNER_HALF_WIDTH = 1.3  # eye-corner distance from the centre, in eyeball radii
UPPER_LID_FOLLOW = 0.75  # upper-lid height change per unit sin(pitch), in eyeball radii
LOWER_LID_FOLLOW = 0.25
CORNEA_OFFSET, CORNEA_RADIUS = 0.45, 0.65  # in eyeball radii

# Nuisance parameters, uniform in [low, high]. Tones are linear intensities in [0, 1].
NUISANCE_RANGES: dict[str, tuple[float, float]] = {
    "center_dx": (-2.0, 2.0),      # eye position jitter, pixels
    "center_dy": (-1.5, 1.5),
    "scale": (0.92, 1.12),          # eye size
    "iris_ratio": (0.55, 0.63),    # iris radius / eyeball radius
    "pupil_ratio": (0.30, 0.50),   # pupil radius / iris radius
    "upper_lid": (0.40, 0.55),     # upper-lid height at rest / eyeball radius
    "lower_lid": (0.30, 0.42),
    "canthal_tilt": (-0.10, 0.10),  # slope of the line through the eye corners
    "crease_gap": (0.22, 0.40),    # lid crease above the resting upper lid / eyeball radius
    "skin_tone": (0.45, 0.75),
    "sclera_tone": (0.72, 0.92),
    "iris_tone": (0.08, 0.35),
    "pupil_tone": (0.02, 0.07),
    "limbus": (0.3, 0.7),          # darkening of the limbal ring
    "lash": (0.5, 0.9),            # darkness of the upper lid margin
    "light_x": (-0.5, 0.5),        # point-light direction (x, y, -1), for the glint
    "light_y": (-0.5, 0.3),
}
# What each range may be set to (eye_simulator.nuisance_ranges): tones and ratios in [0, 1], the
# iris inside the eyeball, a visible eye; positions and slopes within the frame's reach.
NUISANCE_LIMITS: dict[str, tuple[float, float]] = {
    **{name: (0.0, 1.0) for name in NUISANCE_RANGES},
    "center_dx": (-10.0, 10.0), "center_dy": (-8.0, 8.0), "scale": (0.5, 1.5),
    "iris_ratio": (0.2, 0.9), "pupil_ratio": (0.1, 0.9), "canthal_tilt": (-0.5, 0.5),
    "light_x": (-2.0, 2.0), "light_y": (-2.0, 2.0),
}


def sample_geometry(seed: tf.Tensor, yaw_range: tuple[float, float],
                    pitch_range: tuple[float, float],
                    nuisance_ranges: Mapping[str, tuple[float, float]] = NUISANCE_RANGES
                    ) -> dict[str, tf.Tensor]:
    """One eye from stateless ``seed`` [2]: yaw, pitch (radians), gaze [3] and the nuisances
    (``nuisance_ranges``: every name of NUISANCE_RANGES, in its order)."""
    ranges = {"yaw": tuple(math.radians(a) for a in yaw_range),
              "pitch": tuple(math.radians(a) for a in pitch_range), **nuisance_ranges}
    u = tf.random.stateless_uniform([len(ranges)], seed)
    geometry = {name: low + (high - low) * u[i]
                for i, (name, (low, high)) in enumerate(ranges.items())}
    geometry["gaze"] = gaze_from_angles(geometry["yaw"], geometry["pitch"])
    return geometry


def fixed_geometry(yaw: float, pitch: float, **nuisances: float) -> dict[str, tf.Tensor]:
    """A geometry with the given gaze (radians) and mid-range nuisances unless overridden."""
    values = {name: (low + high) / 2.0 for name, (low, high) in NUISANCE_RANGES.items()}
    values.update(nuisances, yaw=yaw, pitch=pitch)
    geometry = {name: tf.constant(value, tf.float32) for name, value in values.items()}
    geometry["gaze"] = gaze_from_angles(geometry["yaw"], geometry["pitch"])
    return geometry


def _px(p: tf.Tensor) -> tf.Tensor:
    """A per-eye parameter [...] broadcastable against pixel maps [..., H, W]."""
    return p[..., None, None]


def _ramp(signed_distance: tf.Tensor) -> tf.Tensor:
    """Anti-aliased coverage of a region from a signed distance in pixels (inside > 0)."""
    return tf.clip_by_value(0.5 + signed_distance, 0.0, 1.0)


def _layout(geometry: Mapping[str, tf.Tensor], height: int, width: int) -> dict[str, tf.Tensor]:
    """Pixel-space quantities per eye [...]: centre, radii, iris centre."""
    unit = width / REFERENCE_WIDTH
    radius = EYEBALL_RADIUS * unit * geometry["scale"]
    iris_radius = geometry["iris_ratio"] * radius
    depth = tf.sqrt(radius ** 2 - iris_radius ** 2)
    cx = (width - 1) / 2.0 + geometry["center_dx"] * unit
    cy = (height - 1) / 2.0 + geometry["center_dy"] * unit
    gaze = geometry["gaze"]
    return {"cx": cx, "cy": cy, "radius": radius, "iris_radius": iris_radius,
            "iris_x": cx + depth * gaze[..., 0], "iris_y": cy + depth * gaze[..., 1]}


def pupil_center(geometry: Mapping[str, tf.Tensor], height: int, width: int) -> tf.Tensor:
    """Projected pupil centre (x, y) in pixels, [..., 2]."""
    layout = _layout(geometry, height, width)
    return tf.stack([layout["iris_x"], layout["iris_y"]], axis=-1)


def lid_curves(geometry: Mapping[str, tf.Tensor], x: tf.Tensor, height: int,
               width: int) -> tuple[tf.Tensor, tf.Tensor]:
    """Rows of the upper and lower lid margins at columns ``x`` (broadcast with [..., 1, 1])."""
    layout = _layout(geometry, height, width)
    radius = _px(layout["radius"])
    sin_pitch = _px(tf.sin(geometry["pitch"]))
    half_width = CORNER_HALF_WIDTH * radius
    t = (x - _px(layout["cx"])) / half_width
    bulge = tf.maximum(1.0 - t ** 2, 0.0)
    corner_y = _px(layout["cy"]) + _px(geometry["canthal_tilt"]) * (x - _px(layout["cx"]))
    upper_height = tf.maximum(radius * (_px(geometry["upper_lid"]) + UPPER_LID_FOLLOW * sin_pitch),
                              0.08 * radius)
    lower_height = tf.maximum(radius * (_px(geometry["lower_lid"]) - LOWER_LID_FOLLOW * sin_pitch),
                              0.08 * radius)
    upper = corner_y - upper_height * bulge ** 0.75
    lower = corner_y + lower_height * bulge ** 0.9
    return upper, lower


def render(geometry: Mapping[str, tf.Tensor], height: int, width: int,
           texture: Mapping[str, tf.Tensor] | None = None) -> tf.Tensor:
    """Flat-shaded intensities [..., H, W] in [0, 1]; ``texture`` (see ``camera``) adds detail."""
    ys, xs = tf.meshgrid(tf.range(height, dtype=tf.float32), tf.range(width, dtype=tf.float32),
                         indexing="ij")
    layout = _layout(geometry, height, width)
    g = {k: _px(v) for k, v in geometry.items() if k != "gaze"}
    gaze = geometry["gaze"]
    gx, gy, gz = (_px(gaze[..., i]) for i in range(3))
    radius, iris_radius = _px(layout["radius"]), _px(layout["iris_radius"])
    cx, cy = _px(layout["cx"]), _px(layout["cy"])

    upper, lower = lid_curves(geometry, xs, height, width)
    t = (xs - cx) / (CORNER_HALF_WIDTH * radius)
    opening = _ramp(tf.minimum(tf.minimum(ys - upper, lower - ys),
                               (1.0 - tf.abs(t)) * CORNER_HALF_WIDTH * radius))

    # Iris and pupil: radius in the iris plane, recovering the depth offset from the plane normal.
    dx, dy = xs - _px(layout["iris_x"]), ys - _px(layout["iris_y"])
    in_plane = tf.sqrt(dx ** 2 + dy ** 2 + ((dx * gx + dy * gy) / gz) ** 2)
    iris = _ramp(iris_radius - in_plane)
    pupil = _ramp(g["pupil_ratio"] * iris_radius - in_plane)
    rho = in_plane / iris_radius
    iris_shade = 1.0 - g["limbus"] * tf.clip_by_value((rho - 0.7) / 0.3, 0.0, 1.0)
    if texture is not None:
        angle = tf.atan2(dy, dx)[..., None]
        k = texture["iris_frequency"][..., None, None, :]
        streaks = tf.reduce_sum(texture["iris_amplitude"][..., None, None, :]
                                * tf.cos(k * angle + texture["iris_phase"][..., None, None, :]), -1)
        iris_shade *= 1.0 + streaks * tf.clip_by_value(rho, 0.0, 1.0)
    iris_value = g["iris_tone"] * iris_shade

    # Sclera: darker toward the corners (sphere falloff) and in the upper lid's shadow.
    ball = ((xs - cx) ** 2 + (ys - cy) ** 2) / radius ** 2
    sclera_value = g["sclera_tone"] * (1.0 - 0.35 * tf.minimum(ball, 1.5))
    sclera_value *= 1.0 - 0.35 * tf.exp(-tf.maximum(ys - upper, 0.0) / 1.5)

    eye = sclera_value * (1.0 - iris) + iris_value * iris
    eye = eye * (1.0 - pupil) + g["pupil_tone"] * pupil

    # Glint: specular point on the cornea, half-way between the light and the camera directions.
    light = tf.math.l2_normalize(tf.stack([geometry["light_x"], geometry["light_y"],
                                           -tf.ones_like(geometry["light_x"])], -1), -1)
    half = tf.math.l2_normalize(light + tf.constant([0.0, 0.0, -1.0]), -1)
    glint_x = cx + CORNEA_OFFSET * radius * gx + CORNEA_RADIUS * radius * _px(half[..., 0])
    glint_y = cy + CORNEA_OFFSET * radius * gy + CORNEA_RADIUS * radius * _px(half[..., 1])
    glint = tf.exp(-((xs - glint_x) ** 2 + (ys - glint_y) ** 2) / (2 * 0.7 ** 2))
    eye = eye + (1.0 - eye) * 0.95 * glint * _ramp(1.15 * iris_radius - in_plane)

    # Skin: dark orbit, lighter brow and cheek, lid crease, dark upper lid margin (lashes),
    # lighter lower lid rim with a shadow under it.
    skin = g["skin_tone"] * (1.0 - 0.18 * tf.exp(-(t ** 2) - ((ys - cy) / (1.1 * radius)) ** 2))
    if texture is not None:
        skin *= texture["skin"]
    crease_t = tf.maximum(1.0 - (t / 1.15) ** 2, 0.0)
    crease_y = (cy + g["canthal_tilt"] * (xs - cx)
                - (g["upper_lid"] + g["crease_gap"]) * radius * crease_t ** 0.6)
    skin *= 1.0 - 0.4 * crease_t * tf.exp(-((ys - crease_y) / 1.0) ** 2)
    brow_y = cy - (g["upper_lid"] + g["crease_gap"]) * radius * (1.0 - 0.3 * t ** 2)
    skin *= 1.0 + 0.15 * tf.sigmoid((brow_y - 2.0 - ys) / 1.5)
    skin *= 1.0 + 0.12 * tf.exp(-((ys - (upper + crease_y) / 2.0) / 1.5) ** 2) * crease_t
    between_corners = tf.clip_by_value(3.0 * (1.0 - t ** 2), 0.0, 1.0)
    skin *= 1.0 + 0.12 * between_corners * tf.exp(-((ys - lower - 1.0) / 1.0) ** 2)
    skin *= 1.0 - 0.12 * between_corners * tf.exp(-((ys - lower - 3.5) / 2.0) ** 2)
    image = skin * (1.0 - opening) + eye * opening
    lash_width = 0.8 + 1.4 * tf.maximum(1.0 - t ** 2, 0.0)
    lash = tf.exp(-(((upper - ys + 0.2) / lash_width) ** 2)) * between_corners
    image *= 1.0 - g["lash"] * lash
    return tf.clip_by_value(image, 0.0, 1.0)
