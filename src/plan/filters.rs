//! Filter kernels shared by the plan builders, each written as its framework evaluates it.

/// Keys cubic convolution kernel with coefficient `a`, evaluated at distance `x` (float64).
///
/// `|x| ≤ 1: (a+2)|x|³ − (a+3)|x|² + 1`; `1 < |x| < 2: a|x|³ − 5a|x|² + 8a|x| − 4a`; else 0.
pub fn keys_cubic(x: f64, a: f64) -> f64 {
    let x = x.abs();
    if x <= 1.0 {
        ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    } else if x < 2.0 {
        ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a
    } else {
        0.0
    }
}

/// The four Keys weights for taps `x0−1, x0, x0+1, x0+2` at fraction `t = x − x0`, in the
/// association ONNX's reference uses (`_cubic_coeffs`), float64.
pub fn cubic_coeffs_f64(t: f64, a: f64) -> [f64; 4] {
    let u = t + 1.0;
    let v = 1.0 - t;
    let w = v + 1.0;
    [
        ((a * u - 5.0 * a) * u + 8.0 * a) * u - 4.0 * a,
        ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0,
        ((a + 2.0) * v - (a + 3.0)) * v * v + 1.0,
        ((a * w - 5.0 * a) * w + 8.0 * a) * w - 4.0 * a,
    ]
}

/// The four Keys weights evaluated in float32, as PyTorch's `get_cubic_upsample_coefficients`
/// does for float tensors.
pub fn cubic_coeffs_f32(t: f32, a: f32) -> [f32; 4] {
    let cc1 = |x: f32| ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
    let cc2 = |x: f32| ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a;
    let x1 = 1.0 - t;
    [cc2(t + 1.0), cc1(t), cc1(x1), cc2(x1 + 1.0)]
}

/// The triangle (tent) kernel `max(0, 1 − |x|)`.
pub fn triangle(x: f64) -> f64 {
    let x = x.abs();
    if x < 1.0 {
        1.0 - x
    } else {
        0.0
    }
}

/// π as TensorFlow's `sampling_kernels.h` spells it: the float literal `3.14159265359f`, which
/// rounds to exactly `f32::consts::PI`.
const TF_PI: f64 = std::f32::consts::PI as f64;

/// Lanczos kernel with `a` lobes, as TensorFlow's ScaleAndTranslate evaluates it.
pub fn lanczos(x: f64, a: f64) -> f64 {
    let x = x.abs();
    if x > a {
        return 0.0;
    }
    if x <= 1e-3 {
        return 1.0;
    }
    let px = TF_PI * x;
    a * (px).sin() * (px / a).sin() / (px * px)
}

/// TensorFlow's Gaussian kernel: radius 1.5, sigma 0.5.
pub fn gaussian(x: f64) -> f64 {
    const SIGMA: f64 = 0.5;
    let x = x.abs();
    if x >= 1.5 {
        0.0
    } else {
        (-x * x / (2.0 * SIGMA * SIGMA)).exp()
    }
}

/// Mitchell–Netravali cubic with B = C = 1/3, as TensorFlow's `ComputeMitchellCubicKernel`.
pub fn mitchell_cubic(x: f64) -> f64 {
    let x = x.abs();
    if x >= 2.0 {
        0.0
    } else if x >= 1.0 {
        (((-7.0 / 18.0) * x + 2.0) * x - 10.0 / 3.0) * x + 16.0 / 9.0
    } else {
        (((7.0 / 6.0) * x - 2.0) * x) * x + 8.0 / 9.0
    }
}

/// OpenCV's `interpolateLanczos4`: the 8 weights for taps `sx−3 ..= sx+4` at fraction `x`,
/// computed with its sin/cos recurrence in float64, summed and normalised in float32.
pub fn opencv_lanczos4(x: f32) -> [f32; 8] {
    // OpenCV's `s45 = 0.70710678118654752440084436210485`, the same double as 1/√2.
    const S45: f64 = std::f64::consts::FRAC_1_SQRT_2;
    const CS: [[f64; 2]; 8] = [
        [1.0, 0.0],
        [-S45, -S45],
        [0.0, 1.0],
        [S45, -S45],
        [-1.0, 0.0],
        [S45, S45],
        [0.0, -1.0],
        [-S45, S45],
    ];
    let mut coeffs = [0f32; 8];
    let mut sum = 0f32;
    // OpenCV adds 3 to the float32 `x` in float32 before widening to double.
    let y0 = -((x + 3.0f32) as f64) * std::f64::consts::PI * 0.25;
    let (s0, c0) = (y0.sin(), y0.cos());
    for (i, c) in coeffs.iter_mut().enumerate() {
        let y0_ = x + 3.0 - i as f32;
        if y0_.abs() >= 1e-6 {
            let y = -(y0_ as f64) * std::f64::consts::PI * 0.25;
            *c = ((CS[i][0] * s0 + CS[i][1] * c0) / (y * y)) as f32;
        } else {
            *c = 1e30;
        }
        sum += *c;
    }
    let inv = 1.0 / sum;
    for c in coeffs.iter_mut() {
        *c *= inv;
    }
    coeffs
}

/// TensorFlow's bicubic coefficient table (`resize_bicubic_op.cc::InitCoeffsTable`): 1025 pairs,
/// entry `2j` = Keys(|x| ≤ 1) at x = j/1024, entry `2j+1` = Keys(1 < |x| < 2) at x + 1; evaluated
/// in float64 with a float32 `x`, stored as float32.
pub fn tf_bicubic_table(a: f64) -> Vec<f32> {
    const TABLE: usize = 1024;
    let mut table = vec![0f32; (TABLE + 1) * 2];
    for i in 0..=TABLE {
        let mut x = (i as f64 / TABLE as f64) as f32;
        let xd = x as f64;
        table[2 * i] = (((a + 2.0) * xd - (a + 3.0)) * xd * xd + 1.0) as f32;
        x = (x as f64 + 1.0) as f32;
        let xd = x as f64;
        table[2 * i + 1] = (((a * xd - 5.0 * a) * xd + 8.0 * a) * xd - 4.0 * a) as f32;
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cubic_weights_sum_to_one() {
        for k in 0..=10 {
            let t = k as f64 / 10.0;
            for a in [-0.5, -0.75] {
                let s: f64 = cubic_coeffs_f64(t, a).iter().sum();
                assert!((s - 1.0).abs() < 1e-12, "t={t} a={a} sum={s}");
            }
        }
    }

    #[test]
    fn keys_matches_coefficients() {
        let t = 0.3;
        let c = cubic_coeffs_f64(t, -0.75);
        assert!((c[0] - keys_cubic(t + 1.0, -0.75)).abs() < 1e-12);
        assert!((c[1] - keys_cubic(t, -0.75)).abs() < 1e-12);
        assert!((c[2] - keys_cubic(1.0 - t, -0.75)).abs() < 1e-12);
        assert!((c[3] - keys_cubic(2.0 - t, -0.75)).abs() < 1e-12);
    }

    #[test]
    fn lanczos4_interpolates_at_integers() {
        let c = opencv_lanczos4(0.0);
        assert!((c[3] - 1.0).abs() < 1e-6);
        let s: f32 = opencv_lanczos4(0.37).iter().sum();
        assert!((s - 1.0).abs() < 1e-6);
    }

    #[test]
    fn tf_table_endpoints() {
        let t = tf_bicubic_table(-0.75);
        assert_eq!(t[0], 1.0);
        assert_eq!(t[1], 0.0);
        assert_eq!(t[2 * 1024], 0.0);
    }

    #[test]
    fn kernels_vanish_outside_their_support() {
        assert_eq!(lanczos(3.5, 3.0), 0.0);
        assert_eq!(gaussian(1.5), 0.0);
        assert_eq!(mitchell_cubic(2.0), 0.0);
        assert_eq!(triangle(1.0), 0.0);
        assert!((mitchell_cubic(0.0) - 8.0 / 9.0).abs() < 1e-12);
    }
}
