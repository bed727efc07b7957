//! Element-wise comparison of an output with its golden reference.

use ndarray::{ArrayView, Dimension, IntoDimension};
use serde::{Deserialize, Serialize};

/// The outcome of comparing two arrays of the same shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// `max |got − expected|` over all elements, in f64 (0 for empty arrays; infinite when a NaN
    /// meets a number or an infinity meets anything else).
    pub max_abs_error: f64,
    /// The multi-dimensional index of the first element with the largest error (empty for empty
    /// arrays).
    pub worst_index: Vec<usize>,
    /// The expected value there.
    pub expected_value: f32,
    /// The value got there.
    pub got_value: f32,
    /// The largest [`ulp_distance`] over all elements.
    pub max_ulp: u64,
}

/// The error of one element: `|got − expected|` in f64, 0 when both are NaN or both are the same
/// infinity, infinite when exactly one is NaN.
pub fn element_error(expected: f32, got: f32) -> f64 {
    match (expected.is_nan(), got.is_nan()) {
        (true, true) => 0.0,
        (true, false) | (false, true) => f64::INFINITY,
        (false, false) if expected == got => 0.0,
        (false, false) => (got as f64 - expected as f64).abs(),
    }
}

/// The distance between two `f32` in units in the last place: how many representable values lie
/// between them (`+0.0` and `−0.0` are 0 apart; the largest finite value and infinity are 1
/// apart). Two NaNs are 0 apart; a NaN and a number are `u64::MAX` apart.
pub fn ulp_distance(a: f32, b: f32) -> u64 {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => return 0,
        (true, false) | (false, true) => return u64::MAX,
        _ => {}
    }
    // Map the bits to a monotonic integer line where −0 and +0 coincide.
    fn key(x: f32) -> i64 {
        let bits = x.to_bits();
        let magnitude = (bits & 0x7fff_ffff) as i64;
        if bits & 0x8000_0000 != 0 {
            -magnitude
        } else {
            magnitude
        }
    }
    key(a).abs_diff(key(b))
}

/// Compares `got` with `expected` element by element; `None` when the shapes differ.
pub fn compare<D: Dimension>(
    expected: ArrayView<'_, f32, D>,
    got: ArrayView<'_, f32, D>,
) -> Option<Comparison> {
    if expected.shape() != got.shape() {
        return None;
    }
    let mut out = Comparison {
        max_abs_error: 0.0,
        worst_index: Vec::new(),
        expected_value: 0.0,
        got_value: 0.0,
        max_ulp: 0,
    };
    let mut first = true;
    for ((index, &e), &g) in expected.indexed_iter().zip(got.iter()) {
        let err = element_error(e, g);
        if first || err > out.max_abs_error {
            first = false;
            out.max_abs_error = err;
            out.worst_index = index.into_dimension().slice().to_vec();
            out.expected_value = e;
            out.got_value = g;
        }
        out.max_ulp = out.max_ulp.max(ulp_distance(e, g));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{arr1, Array4};

    #[test]
    fn ulp() {
        assert_eq!(ulp_distance(1.0, 1.0), 0);
        assert_eq!(ulp_distance(0.0, -0.0), 0);
        assert_eq!(ulp_distance(1.0, f32::from_bits(1.0f32.to_bits() + 1)), 1);
        assert_eq!(ulp_distance(f32::from_bits(1), -f32::from_bits(1)), 2);
        assert_eq!(ulp_distance(f32::MAX, f32::INFINITY), 1);
        assert_eq!(ulp_distance(-1.0, 1.0), 2 * 1.0f32.to_bits() as u64);
        assert_eq!(ulp_distance(f32::NAN, f32::NAN), 0);
        assert_eq!(ulp_distance(f32::NAN, 0.0), u64::MAX);
        assert_eq!(
            ulp_distance(f32::NEG_INFINITY, f32::INFINITY),
            2 * 0x7f80_0000
        );
    }

    #[test]
    fn element_errors() {
        assert_eq!(element_error(1.0, 1.5), 0.5);
        assert_eq!(element_error(f32::NAN, f32::NAN), 0.0);
        assert_eq!(element_error(f32::NAN, 0.0), f64::INFINITY);
        assert_eq!(element_error(0.0, f32::NAN), f64::INFINITY);
        assert_eq!(element_error(f32::INFINITY, f32::INFINITY), 0.0);
        assert_eq!(
            element_error(f32::INFINITY, f32::NEG_INFINITY),
            f64::INFINITY
        );
        assert_eq!(element_error(f32::MAX, f32::INFINITY), f64::INFINITY);
        assert_eq!(element_error(-0.0, 0.0), 0.0);
    }

    #[test]
    fn worst_index_is_the_first_maximum() {
        let e = Array4::<f32>::zeros((1, 2, 2, 3));
        let mut g = e.clone();
        g[[0, 1, 0, 2]] = 0.25;
        g[[0, 1, 1, 2]] = 0.25;
        g[[0, 0, 0, 0]] = -0.125;
        let c = compare(e.view(), g.view()).unwrap();
        assert_eq!(c.max_abs_error, 0.25);
        assert_eq!(c.worst_index, vec![0, 1, 0, 2]);
        assert_eq!((c.expected_value, c.got_value), (0.0, 0.25));
        let s = Array4::<f32>::zeros((1, 2, 2, 4));
        assert!(compare(e.view(), s.view()).is_none());
        let n = compare(arr1(&[f32::NAN, 1.0]).view(), arr1(&[f32::NAN, 1.0]).view()).unwrap();
        assert_eq!(n.max_abs_error, 0.0);
        let n = compare(arr1(&[f32::NAN, 1.0]).view(), arr1(&[0.0, 1.0]).view()).unwrap();
        assert_eq!((n.max_abs_error, n.worst_index), (f64::INFINITY, vec![0]));
    }

    #[test]
    fn empty_arrays_compare_equal() {
        let e = Array4::<f32>::zeros((1, 0, 2, 3));
        let c = compare(e.view(), e.view()).unwrap();
        assert_eq!(c.max_abs_error, 0.0);
        assert!(c.worst_index.is_empty());
    }
}
