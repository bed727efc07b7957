//! Axis plans: the one place where resize geometry lives.
//!
//! Every resize — the portable [`ResizeSpec`](crate::spec::ResizeSpec) and every framework preset —
//! is reduced, per spatial axis, to a table that says for each output index which source indices
//! it reads and with which weights (or that it lies outside the input and takes the extrapolation
//! value). The CPU kernel and the GPU kernels execute the same tables, so they read the same
//! source pixels by construction.
//!
//! Submodules build tables for one family of rules each:
//! - [`portable`]: the ONNX-reference semantics of the portable vocabulary (float64);
//! - [`torch`], [`tf`], [`opencv`], [`pillow`]: framework rules that need the framework's own
//!   precision or formulas (float32 scales, TF's 1/1024 bicubic table, OpenCV's fixed point,
//!   Pillow's float64 coefficients and stepped nearest indices);
//! - [`filters`]: the filter kernels they share.

pub mod filters;
pub mod opencv;
pub mod opencv_exact;
pub mod pillow;
pub mod portable;
pub mod separable;
pub mod tf;
pub mod torch;
pub mod torch_u8;

use crate::error::{check_dims, check_len, Error, Result};

/// One axis of a resize: for each output index, its taps (source index, weight) or "extrapolate".
///
/// Taps are stored padded to [`AxisPlan::width`] per output: output `o` has
/// `counts[o]` taps at `indices[o*width ..]` and `weights[o*width ..]`; the padding (index 0,
/// weight 0) is never read. Source indices are always within `0..in_len`.
#[derive(Debug, Clone, PartialEq)]
pub struct AxisPlan {
    in_len: usize,
    out_len: usize,
    width: usize,
    counts: Vec<u32>,
    indices: Vec<u32>,
    weights: Vec<f32>,
    extrapolate: Vec<bool>,
}

/// The taps of one output index while a plan is being built: unclamped source indices and
/// weights in float64.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Taps {
    /// `(source index, weight)` pairs; indices may lie outside the input until the edge rule
    /// (replicate or exclude) is applied.
    pub taps: Vec<(i64, f64)>,
    /// The sample lies outside the input: the output takes the extrapolation value.
    pub extrapolate: bool,
}

impl Taps {
    /// A single tap of weight 1.
    pub fn one(index: i64) -> Self {
        Taps {
            taps: vec![(index, 1.0)],
            extrapolate: false,
        }
    }

    /// The output takes the extrapolation value.
    pub fn extrapolated() -> Self {
        Taps {
            taps: Vec::new(),
            extrapolate: true,
        }
    }

    /// Taps from pairs.
    pub fn from_pairs(taps: Vec<(i64, f64)>) -> Self {
        Taps {
            taps,
            extrapolate: false,
        }
    }
}

/// What to do with taps that fall outside `0..in_len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// Read the nearest edge pixel instead (replicate border).
    Replicate,
    /// Drop them and divide the remaining weights by their sum (ONNX `exclude_outside`).
    Exclude,
}

impl AxisPlan {
    /// Builds a plan from one [`Taps`] per output index, applying the edge rule and merging taps
    /// that read the same source index (their weights are added in float64, then rounded once).
    pub fn build(
        in_len: usize,
        out_len: usize,
        edge: Edge,
        mut taps_of: impl FnMut(usize) -> Taps,
    ) -> Result<AxisPlan> {
        check_len("input length", in_len)?;
        check_len("output length", out_len)?;
        let too_large = |what: &str, value: usize| Error::SizeTooLarge {
            what: format!("{what} of an axis plan ({in_len} → {out_len})"),
            value: value as u128,
            limit: MAX_PLAN_TAPS as u128,
        };
        // Every output holds at least one entry: refuse before reserving anything.
        if out_len > MAX_PLAN_TAPS {
            return Err(too_large("outputs", out_len));
        }
        let mut per_output: Vec<Taps> = Vec::new();
        per_output
            .try_reserve_exact(out_len)
            .map_err(|_| too_large("outputs", out_len))?;
        let mut width = 1;
        let mut total_taps = 0usize;
        for o in 0..out_len {
            let mut t = taps_of(o);
            if !t.extrapolate {
                apply_edge(&mut t.taps, in_len, edge);
                merge_duplicates(&mut t.taps);
                width = width.max(t.taps.len());
                total_taps = total_taps.saturating_add(t.taps.len());
                if total_taps > MAX_PLAN_TAPS {
                    return Err(too_large("taps", total_taps));
                }
            }
            per_output.push(t);
        }
        let table_len = out_len
            .checked_mul(width)
            .filter(|&n| n <= MAX_PLAN_TAPS.saturating_mul(4))
            .ok_or_else(|| too_large("padded table entries", out_len.saturating_mul(width)))?;
        let mut plan = AxisPlan {
            in_len,
            out_len,
            width,
            counts: zeroed(out_len, || too_large("outputs", out_len))?,
            indices: zeroed(table_len, || too_large("padded table entries", table_len))?,
            weights: zeroed(table_len, || too_large("padded table entries", table_len))?,
            extrapolate: zeroed(out_len, || too_large("outputs", out_len))?,
        };
        for (o, t) in per_output.into_iter().enumerate() {
            if t.extrapolate {
                plan.extrapolate[o] = true;
                continue;
            }
            plan.counts[o] = t.taps.len() as u32;
            for (k, (idx, w)) in t.taps.into_iter().enumerate() {
                plan.indices[o * width + k] = idx as u32;
                plan.weights[o * width + k] = w as f32;
            }
        }
        Ok(plan)
    }

    /// The identity axis: output `i` copies input `i`.
    pub fn identity(len: usize) -> Result<AxisPlan> {
        AxisPlan::build(len, len, Edge::Replicate, |o| Taps::one(o as i64))
    }

    /// Input length of the axis.
    pub fn in_len(&self) -> usize {
        self.in_len
    }

    /// Output length of the axis.
    pub fn out_len(&self) -> usize {
        self.out_len
    }

    /// Taps stored per output (the largest tap count of any output).
    pub fn width(&self) -> usize {
        self.width
    }

    /// Whether output `o` takes the extrapolation value.
    ///
    /// # Panics
    /// When `o` is not below [`out_len`](Self::out_len), like slice indexing.
    pub fn is_extrapolated(&self, o: usize) -> bool {
        self.extrapolate[o]
    }

    /// The taps of output `o`: source indices and weights.
    ///
    /// # Panics
    /// When `o` is not below [`out_len`](Self::out_len), like slice indexing; iterate over
    /// `0..out_len()`.
    pub fn taps(&self, o: usize) -> (&[u32], &[f32]) {
        let start = o * self.width;
        let n = self.counts[o] as usize;
        (
            &self.indices[start..start + n],
            &self.weights[start..start + n],
        )
    }

    /// Per-output tap counts (0 for extrapolated outputs).
    pub fn counts(&self) -> &[u32] {
        &self.counts
    }

    /// The padded index table, `out_len * width` entries.
    pub fn index_table(&self) -> &[u32] {
        &self.indices
    }

    /// The padded weight table, `out_len * width` entries.
    pub fn weight_table(&self) -> &[f32] {
        &self.weights
    }

    /// Per-output extrapolation flags.
    pub fn extrapolation_flags(&self) -> &[bool] {
        &self.extrapolate
    }

    /// True when every output copies the input pixel of the same index with weight 1.
    pub fn is_identity(&self) -> bool {
        self.in_len == self.out_len
            && (0..self.out_len).all(|o| {
                let (i, w) = self.taps(o);
                !self.extrapolate[o] && i.len() == 1 && i[0] as usize == o && w[0] == 1.0
            })
    }

    /// True when every output reads exactly one source pixel with weight 1 (a gather).
    pub fn is_gather(&self) -> bool {
        (0..self.out_len).all(|o| {
            let (i, w) = self.taps(o);
            self.extrapolate[o] || (i.len() == 1 && w[0] == 1.0)
        })
    }

    /// For a gather axis, the source index of each output (`None` where extrapolated).
    pub fn gather_indices(&self) -> Vec<Option<usize>> {
        (0..self.out_len)
            .map(|o| {
                if self.extrapolate[o] {
                    None
                } else {
                    Some(self.taps(o).0[0] as usize)
                }
            })
            .collect()
    }
}

/// The most taps one axis plan holds: 2^27 (about 2 GiB while the plan is built). An axis needs
/// about `max(in, out) × filter width` taps (1 for nearest, 2 for linear, up to 10 per unit of
/// shrink for antialiased lanczos5), so with axes of at most [`MAX_AXIS_LEN`](crate::error::MAX_AXIS_LEN) this is reached only
/// by antialiased shrinks of inputs millions of pixels long; past it: [`Error::SizeTooLarge`].
pub const MAX_PLAN_TAPS: usize = 1 << 27;

fn apply_edge(taps: &mut Vec<(i64, f64)>, in_len: usize, edge: Edge) {
    let last = in_len as i64 - 1;
    match edge {
        Edge::Replicate => {
            for t in taps.iter_mut() {
                t.0 = t.0.clamp(0, last);
            }
        }
        Edge::Exclude => {
            let any_outside = taps.iter().any(|t| t.0 < 0 || t.0 > last);
            if any_outside {
                taps.retain(|t| t.0 >= 0 && t.0 <= last);
                // As ONNX's reference: the kept weights divided by their sum, which gives ±inf
                // when they sum to zero and 0/0 = NaN when none is left (only when the sample
                // lies far outside the input, which a scale inconsistent with the output size
                // can cause).
                if taps.is_empty() {
                    taps.push((0, f64::NAN));
                }
                let sum: f64 = taps.iter().map(|t| t.1).sum();
                for t in taps.iter_mut() {
                    t.1 /= sum;
                }
            }
        }
    }
}

/// Adds the weights of taps that read the same source index into the first of them, keeping
/// the order of first occurrence (the order the kernels sum in). Linear in the number of taps:
/// wide antialias windows hold thousands.
fn merge_duplicates(taps: &mut Vec<(i64, f64)>) {
    if taps.len() <= 16 {
        // The common case (no tap clamped onto another) needs no new vector.
        let duplicated = (1..taps.len()).any(|k| taps[..k].iter().any(|t| t.0 == taps[k].0));
        if !duplicated {
            return;
        }
    }
    let mut merged: Vec<(i64, f64)> = Vec::with_capacity(taps.len());
    if taps.len() <= 16 {
        for &(i, w) in taps.iter() {
            if let Some(m) = merged.iter_mut().find(|m| m.0 == i) {
                m.1 += w;
            } else {
                merged.push((i, w));
            }
        }
    } else {
        // Indices of a window are a contiguous range (clamped at the edges), so a dense table
        // over that range finds each index's first position; a HashMap covers any other shape.
        let (lo, hi) = taps.iter().fold((i64::MAX, i64::MIN), |(lo, hi), t| {
            (lo.min(t.0), hi.max(t.0))
        });
        let span = hi.abs_diff(lo).saturating_add(1);
        if span <= 4 * taps.len() as u64 {
            let mut position = vec![usize::MAX; span as usize];
            for &(i, w) in taps.iter() {
                let slot = &mut position[i.abs_diff(lo) as usize];
                if *slot == usize::MAX {
                    *slot = merged.len();
                    merged.push((i, w));
                } else {
                    merged[*slot].1 += w;
                }
            }
        } else {
            let mut position: std::collections::HashMap<i64, usize> =
                std::collections::HashMap::with_capacity(taps.len());
            for &(i, w) in taps.iter() {
                match position.entry(i) {
                    std::collections::hash_map::Entry::Occupied(at) => merged[*at.get()].1 += w,
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(merged.len());
                        merged.push((i, w));
                    }
                }
            }
        }
    }
    *taps = merged;
}

/// A vector of `len` default values, or `err()` when it cannot be allocated.
fn zeroed<T: Clone + Default>(len: usize, err: impl FnOnce() -> Error) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| err())?;
    v.resize(len, T::default());
    Ok(v)
}

/// A complete 2-D resize: the height plan, the width plan, the value for extrapolated samples,
/// and (for Core ML `crop_resize` with a box index) which batch item is read.
#[derive(Debug, Clone, PartialEq)]
pub struct ResizePlan {
    /// The plan of the height axis.
    pub h: AxisPlan,
    /// The plan of the width axis.
    pub w: AxisPlan,
    /// The value of outputs whose sample lies outside the input on either axis.
    pub extrapolation_value: f32,
    /// When set, the output has batch 1 and reads this batch item of the input.
    pub batch_index: Option<usize>,
}

impl ResizePlan {
    /// A plan from two axis plans with extrapolation value 0.
    pub fn new(h: AxisPlan, w: AxisPlan) -> Self {
        ResizePlan {
            h,
            w,
            extrapolation_value: 0.0,
            batch_index: None,
        }
    }

    /// The output `[n, c, h, w]` for an input `[n, c, h, w]`, checking that the input matches the plan.
    pub fn output_dims(&self, input_nchw: [usize; 4]) -> Result<[usize; 4]> {
        let [n, c, h, w] = input_nchw;
        if h != self.h.in_len() || w != self.w.in_len() {
            return Err(Error::ShapeMismatch {
                what: "input height and width (the plan was built for another size)".into(),
                expected: vec![self.h.in_len(), self.w.in_len()],
                got: vec![h, w],
            });
        }
        let n_out = match self.batch_index {
            Some(b) if b >= n => {
                return Err(Error::invalid_argument(
                    "box index",
                    b,
                    format!("the input has batch {n}"),
                ))
            }
            Some(_) => 1,
            None => n,
        };
        let out = [n_out, c, self.h.out_len(), self.w.out_len()];
        check_dims("output", out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every path of merge_duplicates (short lists, a dense window, scattered indices) keeps the
    /// order of first occurrence and adds the weights of repeated indices.
    #[test]
    fn merging_keeps_first_occurrence_order_and_adds_weights() {
        let naive = |taps: &[(i64, f64)]| {
            let mut out: Vec<(i64, f64)> = Vec::new();
            for &(i, w) in taps {
                match out.iter_mut().find(|m| m.0 == i) {
                    Some(m) => m.1 += w,
                    None => out.push((i, w)),
                }
            }
            out
        };
        let short = vec![(3, 0.25), (0, 0.5), (3, 0.125), (1, 0.125)];
        // A window clamped at both edges: 0 repeated at the start, 9 at the end.
        let dense: Vec<(i64, f64)> = (-5..15).map(|i| (i.clamp(0, 9), 0.05)).collect();
        let scattered: Vec<(i64, f64)> = (0..40)
            .map(|k| (((k * 7919) % 13) * 1_000_003, k as f64))
            .collect();
        for taps in [short, dense, scattered] {
            let mut merged = taps.clone();
            merge_duplicates(&mut merged);
            assert_eq!(merged, naive(&taps));
        }
    }

    #[test]
    fn exclude_renormalises_and_gives_nan_like_onnx_when_nothing_is_left() {
        // Output 0: taps -1, 0, 1 → the outside one dropped, the rest renormalised.
        // Output 1: taps 5, 6 on a 3-pixel axis → nothing inside: 0/0, as ONNX's reference.
        // Output 2: kept weights that sum to zero → ±w/0 = ±inf, as well.
        let plan = AxisPlan::build(3, 3, Edge::Exclude, |o| match o {
            0 => Taps::from_pairs(vec![(-1, 0.5), (0, 0.25), (1, 0.25)]),
            1 => Taps::from_pairs(vec![(5, 0.5), (6, 0.5)]),
            _ => Taps::from_pairs(vec![(1, 0.5), (2, -0.5), (3, 1.0)]),
        })
        .unwrap();
        assert_eq!(plan.taps(0), (&[0u32, 1][..], &[0.5f32, 0.5][..]));
        assert!(plan.taps(1).1.iter().all(|w| w.is_nan()));
        assert_eq!(plan.taps(2).1, &[f32::INFINITY, f32::NEG_INFINITY][..]);
    }
}
