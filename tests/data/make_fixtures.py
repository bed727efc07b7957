"""Regenerates the fixtures of tests/tensor_io.rs with NumPy and OpenCV (not with halfpixel).

    python tests/data/make_fixtures.py      # numpy 2.4.6, opencv-python 5.0.0

values_f32.npy holds edge cases for the conversions; values_{f16,u8,u16}.npy are what NumPy makes
of them: astype(float16) (round to nearest, ties to even, overflow to inf) and
clip(rint(x), 0, max).astype(...) (round half to even, then clamp), the rule halfpixel follows.
The images are written by OpenCV (which stores colour as BGR, hence the [..., ::-1]).
"""

import os

import cv2
import numpy as np

here = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(here, name)


values = np.array(
    [
        0.0, 0.5, 1.5, 2.5, -0.5, -0.6, 254.5, 255.5,
        255.49, 1e9, -np.inf, 65535.5, 65504.0, 65519.99, 65520.0, 1e-8,
        -0.0, 0.1, 1.0 / 3.0, 3.14159, 100.5, 101.5, 7e4, -3.0,
    ],
    dtype=np.float32,
).reshape(2, 3, 4)
np.save(path("values_f32.npy"), values)
with np.errstate(over="ignore"):
    np.save(path("values_f16.npy"), values.astype(np.float16))
np.save(path("values_u8.npy"), np.clip(np.rint(values), 0, 255).astype(np.uint8))
np.save(path("values_u16.npy"), np.clip(np.rint(values), 0, 65535).astype(np.uint16))
r = np.rint(values)
print("clamped u8:", int(np.sum((r < 0) | (r > 255))), "u16:", int(np.sum((r < 0) | (r > 65535))))
print("f16 overflowed:", int(np.sum(np.isfinite(values) & np.isinf(values.astype(np.float16)))))

# RGB, 5 rows x 6 columns: pixel (y, x) channel c = (y * 18 + x * 3 + c) * 7 % 256.
rgb = ((np.arange(5 * 6 * 3).reshape(5, 6, 3) * 7) % 256).astype(np.uint8)
cv2.imwrite(path("rgb_5x6.png"), rgb[..., ::-1])
# RGBA, 2 x 3: channel c of (y, x) = 40 * (y * 3 + x) + c.
rgba = (40 * np.arange(6).reshape(2, 3, 1) + np.arange(4)).astype(np.uint8)
cv2.imwrite(path("rgba_2x3.png"), rgba[..., [2, 1, 0, 3]])
# 16-bit grey, 3 x 4: 5000 * (y * 4 + x) + 535, up to 55535.
cv2.imwrite(path("gray16_3x4.png"), (np.arange(12).reshape(3, 4) * 5000 + 535).astype(np.uint16))
# A flat grey JPEG (every decoder gives back 128 exactly), 8 x 16.
cv2.imwrite(path("gray_8x16.jpg"), np.full((8, 16), 128, np.uint8))
