//! The width pass of the CPU resize kernel, specialised once per call from the width axis plan:
//! `out[xo] = Σ_k wx_k · row[ix_k]`, in tap order, for every output of a row.
//!
//! Every variant computes each output exactly as the generic loop does (the same products, added
//! left to right), so results do not depend on which one runs. The variants only change how the
//! loop is written, so the compiler can vectorise it:
//! - `Gather`: one tap of weight 1 everywhere — a copy.
//! - `Periodic`: in an interior range the taps repeat with a period of `P` outputs and a step of
//!   `S` inputs (exact integer and many rational ratios: 2× up, 2× down, …); there each phase
//!   reads `row` contiguously and the loop over periods vectorises.
//! - the generic loop elsewhere (edges, irregular ratios), with the taps in one array per tap.

use crate::plan::AxisPlan;

/// Taps of one phase of a periodic range: `(index of the first period's output, weight)` per tap.
#[derive(Debug, Clone)]
struct Phase {
    idx: Vec<u32>,
    w: Vec<f32>,
}

/// A range `[lo, lo + periods·P)` of outputs whose taps repeat every `P` outputs, shifted by `S`
/// inputs.
#[derive(Debug, Clone)]
struct Periodic {
    lo: usize,
    periods: usize,
    period: usize,
    step: usize,
    taps: usize,
    phases: Vec<Phase>,
}

/// The width pass of one call.
#[derive(Debug, Clone)]
pub(crate) struct WidthPass {
    out_len: usize,
    /// `counts[xo]`, 0 for extrapolated outputs (handled by the caller's fill).
    counts: Vec<u32>,
    /// Tap `k`'s index and weight for every output: `idx[k][xo]`, `w[k][xo]`.
    idx: Vec<Vec<u32>>,
    w: Vec<Vec<f32>>,
    extrapolated: Vec<bool>,
    /// The plan's padded tap tables (`width` taps per output), read by the generic loop.
    width: usize,
    aos_idx: Vec<u32>,
    aos_w: Vec<f32>,
    gather: bool,
    /// Whether any output is extrapolated (the caller fills those).
    pub(crate) any_extrapolated: bool,
    periodic: Option<Periodic>,
}

impl WidthPass {
    pub(crate) fn new(plan: &AxisPlan) -> Self {
        let out_len = plan.out_len();
        let width = plan.width();
        let mut idx = vec![vec![0u32; out_len]; width];
        let mut w = vec![vec![0f32; out_len]; width];
        let mut counts = vec![0u32; out_len];
        let mut extrapolated = vec![false; out_len];
        for xo in 0..out_len {
            extrapolated[xo] = plan.is_extrapolated(xo);
            let (i, wt) = plan.taps(xo);
            counts[xo] = i.len() as u32;
            for k in 0..i.len() {
                idx[k][xo] = i[k];
                w[k][xo] = wt[k];
            }
        }
        let gather = !extrapolated.iter().any(|&e| e)
            && counts.iter().all(|&c| c == 1)
            && w.first().is_some_and(|w0| w0.iter().all(|&v| v == 1.0));
        let any_extrapolated = extrapolated.iter().any(|&e| e);
        let mut pass = WidthPass {
            out_len,
            counts,
            idx,
            w,
            extrapolated,
            width,
            aos_idx: plan.index_table().to_vec(),
            aos_w: plan.weight_table().to_vec(),
            gather,
            any_extrapolated,
            periodic: None,
        };
        pass.periodic = pass.find_periodic();
        pass
    }

    /// Outputs `a` and `b` read taps shifted by `step` with the same weights.
    fn repeats(&self, a: usize, b: usize, step: usize) -> bool {
        let n = self.counts[a];
        if n == 0 || n != self.counts[b] || self.extrapolated[a] || self.extrapolated[b] {
            return false;
        }
        (0..n as usize).all(|k| {
            self.idx[k][b] == self.idx[k][a] + step as u32
                && self.w[k][b].to_bits() == self.w[k][a].to_bits()
        })
    }

    /// The longest interior range whose taps repeat with a small period.
    fn find_periodic(&self) -> Option<Periodic> {
        let n = self.out_len;
        let mut best: Option<Periodic> = None;
        for period in 1..=4usize {
            if n < 4 * period {
                break;
            }
            // The step of the middle of the axis.
            let mid = n / 2;
            let (a, b) = (mid - period, mid);
            if self.counts[a] == 0 || self.idx[0][b] < self.idx[0][a] {
                continue;
            }
            let step = (self.idx[0][b] - self.idx[0][a]) as usize;
            // Extend around the middle: every output x in [start + period, end) repeats the
            // output one period before it.
            let mut lo = mid;
            while lo >= period && self.repeats(lo - period, lo, step) {
                lo -= 1;
            }
            let start = lo + 1 - period;
            let mut end = mid;
            while end < n && self.repeats(end - period, end, step) {
                end += 1;
            }
            let periods = (end - start) / period;
            if periods < 4 {
                continue;
            }
            let taps = self.counts[start] as usize;
            if taps == 0 || (0..period).any(|p| self.counts[start + p] as usize != taps) {
                continue;
            }
            let lo = start;
            let covered = periods * period;
            if best
                .as_ref()
                .is_some_and(|b| b.periods * b.period >= covered)
            {
                continue;
            }
            let phases = (0..period)
                .map(|p| Phase {
                    idx: (0..taps).map(|k| self.idx[k][lo + p]).collect(),
                    w: (0..taps).map(|k| self.w[k][lo + p]).collect(),
                })
                .collect();
            best = Some(Periodic {
                lo,
                periods,
                period,
                step,
                taps,
                phases,
            });
        }
        best
    }

    /// Writes one output row from `row` (one float per pixel: planes of NCHW tensors).
    /// Extrapolated outputs are left for the caller.
    #[inline(always)]
    pub(crate) fn run(&self, row: &[f32], out: &mut [f32]) {
        if self.gather && self.periodic.is_none() {
            for (o, &i) in out.iter_mut().zip(&self.idx[0]) {
                *o = row[i as usize];
            }
            return;
        }
        match &self.periodic {
            None => self.generic(row, out, 0, self.out_len),
            Some(p) => {
                let hi = p.lo + p.periods * p.period;
                self.generic(row, out, 0, p.lo);
                periodic(p, row, &mut out[p.lo..hi]);
                self.generic(row, out, hi, self.out_len);
            }
        }
    }

    #[inline(always)]
    fn generic(&self, row: &[f32], out: &mut [f32], from: usize, to: usize) {
        macro_rules! by_width {
            ($($w:literal),*) => {
                match self.width {
                    $($w => self.generic_fixed::<$w>(row, out, from, to),)*
                    _ => self.generic_dynamic(row, out, from, to),
                }
            };
        }
        by_width!(1, 2, 3, 4, 5, 6, 7, 8)
    }

    /// The generic loop with the tap width known at compile time; outputs with fewer taps (merged
    /// edge taps) take the dynamic path.
    #[inline(always)]
    fn generic_fixed<const W: usize>(&self, row: &[f32], out: &mut [f32], from: usize, to: usize) {
        let idx = &self.aos_idx[from * W..to * W];
        let wts = &self.aos_w[from * W..to * W];
        let counts = &self.counts[from..to];
        for (((o, i), w), &n) in out[from..to]
            .iter_mut()
            .zip(idx.chunks_exact(W))
            .zip(wts.chunks_exact(W))
            .zip(counts)
        {
            if n as usize == W {
                let mut acc = w[0] * row[i[0] as usize];
                for k in 1..W {
                    acc += w[k] * row[i[k] as usize];
                }
                *o = acc;
            } else if n == 0 {
                // Extrapolated outputs are the caller's; an output with no taps is 0.
                *o = 0.0;
            } else {
                let n = n as usize;
                let mut acc = w[0] * row[i[0] as usize];
                for k in 1..n {
                    acc += w[k] * row[i[k] as usize];
                }
                *o = acc;
            }
        }
    }

    #[inline(always)]
    fn generic_dynamic(&self, row: &[f32], out: &mut [f32], from: usize, to: usize) {
        for (xo, o) in out.iter_mut().enumerate().take(to).skip(from) {
            let n = self.counts[xo] as usize;
            if n == 0 {
                *o = 0.0;
                continue;
            }
            let at = xo * self.width;
            let (idx, w) = (&self.aos_idx[at..at + n], &self.aos_w[at..at + n]);
            let mut acc = w[0] * row[idx[0] as usize];
            for k in 1..n {
                acc += w[k] * row[idx[k] as usize];
            }
            *o = acc;
        }
    }
}

/// The periodic range, monomorphised for the common shapes so the loop over periods vectorises.
#[inline(always)]
fn periodic(p: &Periodic, row: &[f32], out: &mut [f32]) {
    macro_rules! dispatch {
        ($(($period:literal, $step:literal, $taps:literal)),*) => {
            match (p.period, p.step, p.taps) {
                $(($period, $step, $taps) => fixed::<$period, $step, $taps>(p, row, out),)*
                _ => dynamic(p, row, out),
            }
        };
    }
    dispatch!(
        (1, 1, 1),
        (1, 1, 2),
        (1, 1, 4),
        (2, 1, 1),
        (2, 1, 2),
        (2, 1, 4),
        (1, 2, 1),
        (1, 2, 2),
        (1, 2, 4),
        (4, 1, 2),
        (4, 1, 4),
        (1, 4, 2),
        (2, 3, 2),
        (3, 2, 2)
    )
}

/// Every phase of a period written in turn, each tap read through a slice bounds-checked once,
/// so the loop over periods vectorises (interleaved loads and stores).
#[inline(always)]
fn fixed<const P: usize, const S: usize, const T: usize>(
    p: &Periodic,
    row: &[f32],
    out: &mut [f32],
) {
    let n = p.periods;
    assert!(out.len() == n * P && p.phases.len() == P);
    // Phase `ph`, tap `k` reads row[idx + q·S] for periods q < n.
    let taps: [[&[f32]; T]; P] = std::array::from_fn(|ph| {
        std::array::from_fn(|k| {
            let start = p.phases[ph].idx[k] as usize;
            &row[start..start + (n - 1) * S + 1]
        })
    });
    let w: [[f32; T]; P] = std::array::from_fn(|ph| std::array::from_fn(|k| p.phases[ph].w[k]));
    if T == 1 && w.iter().all(|w| w[0] == 1.0) {
        // Nearest: copies.
        for (q, chunk) in out.chunks_exact_mut(P).enumerate() {
            for ph in 0..P {
                chunk[ph] = taps[ph][0][q * S];
            }
        }
        return;
    }
    for (q, chunk) in out.chunks_exact_mut(P).enumerate() {
        for ph in 0..P {
            let mut acc = w[ph][0] * taps[ph][0][q * S];
            for k in 1..T {
                acc += w[ph][k] * taps[ph][k][q * S];
            }
            chunk[ph] = acc;
        }
    }
}

#[inline(always)]
fn dynamic(p: &Periodic, row: &[f32], out: &mut [f32]) {
    for (q, chunk) in out.chunks_exact_mut(p.period).enumerate() {
        let base = (q * p.step) as u32;
        for (o, ph) in chunk.iter_mut().zip(&p.phases) {
            let mut acc = ph.w[0] * row[(ph.idx[0] + base) as usize];
            for k in 1..p.taps {
                acc += ph.w[k] * row[(ph.idx[k] + base) as usize];
            }
            *o = acc;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{AxisPlan, Edge, Taps};
    use crate::spec::{CoordinateTransform, Mode, ResizeSpec};

    fn reference(plan: &AxisPlan, row: &[f32]) -> Vec<f32> {
        (0..plan.out_len())
            .map(|xo| {
                let (i, w) = plan.taps(xo);
                if i.is_empty() {
                    return 0.0;
                }
                let mut acc = w[0] * row[i[0] as usize];
                for k in 1..i.len() {
                    acc += w[k] * row[i[k] as usize];
                }
                acc
            })
            .collect()
    }

    #[test]
    fn every_variant_equals_the_generic_loop_bit_for_bit() {
        let row: Vec<f32> = (0..97)
            .map(|i| ((i * 37 % 23) as f32 - 11.0) * 0.173)
            .collect();
        for mode in [Mode::Nearest, Mode::Linear, Mode::Cubic, Mode::Lanczos3] {
            for (n_in, n_out) in [
                (97, 194),
                (97, 48),
                (97, 97),
                (97, 388),
                (97, 145),
                (97, 13),
                (97, 1),
            ] {
                let spec = ResizeSpec::new(mode, CoordinateTransform::HalfPixel, [1, n_out]);
                let plan = spec.plan([1, n_in]).unwrap();
                let pass = WidthPass::new(&plan.w);
                let mut out = vec![f32::NAN; n_out];
                pass.run(&row, &mut out);
                let want = reference(&plan.w, &row);
                for (xo, (g, w)) in out.iter().zip(&want).enumerate() {
                    assert_eq!(
                        g.to_bits(),
                        w.to_bits(),
                        "{mode:?} {n_in}->{n_out} output {xo}"
                    );
                }
            }
        }
    }

    #[test]
    fn two_times_linear_is_periodic() {
        let spec = ResizeSpec::new(Mode::Linear, CoordinateTransform::HalfPixel, [1, 256]);
        let plan = spec.plan([1, 128]).unwrap();
        let pass = WidthPass::new(&plan.w);
        let p = pass.periodic.expect("periodic");
        assert_eq!((p.period, p.step, p.taps), (2, 1, 2));
        assert!(p.periods * p.period >= 250);
    }

    #[test]
    fn irregular_taps_fall_back() {
        let plan = AxisPlan::build(10, 6, Edge::Replicate, |o| {
            Taps::from_pairs(vec![((o * o % 10) as i64, 1.0), (0, 0.5)])
        })
        .unwrap();
        let pass = WidthPass::new(&plan);
        let row: Vec<f32> = (0..10).map(|i| i as f32).collect();
        let mut out = vec![0.0; 6];
        pass.run(&row, &mut out);
        assert_eq!(out, reference(&plan, &row));
    }
}
