"""Writers of small files in the real eye-dataset layouts, for the reader tests and benchmarks."""

from __future__ import annotations

import json
import os

import h5py
import numpy as np
import scipy.io
from PIL import Image

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
UNITYEYES_FIXTURE = os.path.join(SHARED, "fixtures", "unityeyes", "1.json")
MPIIGAZE_REAL = os.path.join(SHARED, "mpiigaze_real", "unlabeled_train.npz")


def _point(x: float, y: float, z: float = 9.0) -> str:
    return f"({x:.4f}, {y:.4f}, {z:.4f})"


def unityeyes_meta(look_vec, centre=(320.0, 250.0), eye_width=120.0) -> dict:
    """A UnityEyes-style JSON dict: an elliptic eyelid margin around ``centre`` (y from bottom).

    Margin point 0 is the inner corner, point 8 the outer one; the caruncle sits just inside
    the inner corner, so the eye width is about ``eye_width``.
    """
    cx, cy = centre
    angles = np.linspace(np.pi, -np.pi, 16, endpoint=False)
    margin = [_point(cx + eye_width / 2 * np.cos(a), cy + eye_width / 5 * np.sin(a))
              for a in angles]
    caruncle = [_point(cx - eye_width / 2 + d, cy + d / 4) for d in np.linspace(-2, 2, 7)]
    iris = [_point(cx + 20 * np.cos(a), cy + 20 * np.sin(a)) for a in np.linspace(0, 6.2, 32)]
    return {"interior_margin_2d": margin, "caruncle_2d": caruncle, "iris_2d": iris,
            "eye_details": {"look_vec": "({:.4f}, {:.4f}, {:.4f}, 0.0000)".format(*look_vec),
                            "pupil_size": 0.1, "iris_size": 0.9},
            "head_pose": "(355.0, 200.0, 0.0)", "lighting_details": {}}


def write_unityeyes(directory: str, count: int, size=(480, 640), seed: int = 0) -> list:
    """``count`` renders ``i.jpg`` + ``i.json``: black images, white inside the eye crop box.

    Returns the look vectors written (UnityEyes frame, y up).
    """
    rng = np.random.default_rng(seed)
    os.makedirs(directory, exist_ok=True)
    looks = []
    for i in range(1, count + 1):
        look = rng.normal(size=3) * [0.3, 0.3, 0.1] + [0, 0, -1]
        look /= np.linalg.norm(look)
        centre = (320.0 + rng.uniform(-40, 40), 150.0 + rng.uniform(-20, 20))  # low in the image
        meta = unityeyes_meta(look, centre)
        with open(os.path.join(directory, f"{i}.json"), "w") as f:
            json.dump(meta, f)
        image = np.zeros(size, np.uint8)
        crop_w, crop_h = 1.5 * 120, 1.5 * 120 * 35 / 55
        top = int(size[0] - centre[1] - crop_h / 2)  # y from the bottom -> rows from the top
        left = int(centre[0] - crop_w / 2)
        image[top + 4:top + int(crop_h) - 4, left + 4:left + int(crop_w) - 4] = 255
        Image.fromarray(image).convert("RGB").save(os.path.join(directory, f"{i}.jpg"),
                                                   quality=95)
        looks.append(look)
    return looks


def mpiigaze_eye(count: int, seed: int, marker_left: bool = True) -> dict:
    """One eye's MPIIGaze fields: images with a bright marker in one half, gaze, pose."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 60, size=(count, 36, 60), dtype=np.uint8)
    columns = slice(0, 20) if marker_left else slice(40, 60)
    images[:, :, columns] = 250
    gaze = rng.normal(size=(count, 3)) * [0.2, 0.2, 0.05] + [0, 0, -1]
    gaze /= np.linalg.norm(gaze, axis=1, keepdims=True)
    pose = rng.normal(size=(count, 3)) * 0.1
    return {"image": images, "gaze": gaze, "pose": pose}


def write_mpiigaze_mat(path: str, left: dict, right: dict, v73: bool = False) -> None:
    """A ``dayYY.mat`` in MPIIGaze's layout (scipy v5 structs, or HDF5-based v7.3)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if not v73:
        scipy.io.savemat(path, {"data": {"left": left, "right": right},
                                "filenames": np.array([["day01/0001.jpg"]], dtype=object)})
        return
    with h5py.File(path, "w", userblock_size=512) as f:  # MATLAB writes column-major
        for eye, fields in (("left", left), ("right", right)):
            for name, value in fields.items():
                f.create_dataset(f"data/{eye}/{name}", data=np.asarray(value).T)


def write_mpiigaze(root: str, days: dict[int, int], seed: int = 0) -> None:
    """``root/Data/Normalized/pXX/day01.mat`` for each participant XX with ``days[XX]`` images."""
    for participant, count in days.items():
        write_mpiigaze_mat(os.path.join(root, "Data", "Normalized", f"p{participant:02d}",
                                        "day01.mat"),
                           mpiigaze_eye(count, seed + participant),
                           mpiigaze_eye(count, seed + 100 + participant))


def write_kaggle_gaze(path: str, count: int, labelled: bool = True, seed: int = 0) -> np.ndarray:
    """A Kaggle-layout ``gaze.h5`` (group ``image`` of per-image datasets named 0..N-1, and
    ``look_vec`` [N, 3]); image i is filled with the value i. Returns look_vec."""
    rng = np.random.default_rng(seed)
    look = rng.normal(size=(count, 3)) * [0.3, 0.3, 0.1] + [0, 0, -1]
    with h5py.File(path, "w") as f:
        for i in range(count):
            f.create_dataset(f"image/{i}", data=np.full((35, 55), i % 256, np.uint8))
        if labelled:
            f.create_dataset("look_vec", data=look)
    return look


def corrupt_jpeg_data(path: str) -> None:
    """Damages a JPEG's entropy-coded data but keeps its start and end markers intact."""
    content = bytearray(open(path, "rb").read())
    start = content.index(b"\xff\xda") + 20  # inside the scan, after the SOS header
    content[start:len(content) - 2] = b"\xff\xaa" * ((len(content) - 2 - start) // 2) + b"\xaa" * (
        (len(content) - 2 - start) % 2)
    open(path, "wb").write(bytes(content))
