"""The project's gaze convention in one place: unit 3-vectors <-> (yaw, pitch) (the angular
error between gaze vectors is `simgan.plugins.gaze.angles.angular_error_deg`).

Frame (MPIIGaze normalized camera): x right in the image, y down, z away from the camera; an eye
looking into the camera has gaze (0, 0, -1). Here yaw > 0 turns the gaze toward +x (image right)
and pitch > 0 turns it up (toward -y); both in radians. (MPIIGaze's own code uses the opposite
sign for yaw, so convert through the 3-vector, never by copying angles.)
"""

from __future__ import annotations

import tensorflow as tf


def gaze_from_angles(yaw: tf.Tensor, pitch: tf.Tensor) -> tf.Tensor:
    """(yaw, pitch) radians, any shape [...] -> unit gaze vectors [..., 3]."""
    yaw = tf.convert_to_tensor(yaw, tf.float32)
    pitch = tf.convert_to_tensor(pitch, tf.float32)
    return tf.stack([tf.cos(pitch) * tf.sin(yaw), -tf.sin(pitch), -tf.cos(pitch) * tf.cos(yaw)],
                    axis=-1)


def angles_from_gaze(gaze: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Gaze vectors [..., 3] (any length) -> (yaw, pitch) radians, each [...]."""
    gaze = tf.math.l2_normalize(tf.convert_to_tensor(gaze, tf.float32), axis=-1)
    x, y, z = tf.unstack(gaze, axis=-1)
    return tf.atan2(x, -z), tf.asin(tf.clip_by_value(-y, -1.0, 1.0))
