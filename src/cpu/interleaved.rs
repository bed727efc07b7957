//! The width pass of the CPU resize kernel on interleaved pixels (NHWC rows: `cs` floats per
//! pixel): `out[xo][c] = Σ_k wx_k · row[ix_k][c]`, taps in order, for every channel slot.
//!
//! Pixels of 1 to 4 floats (images, masks) run a loop with the channel count and the tap count
//! known at compile time, so the per-pixel work unrolls into straight-line arithmetic; wider
//! pixels (feature maps) run the dynamic loop, whose inner loop over channels vectorises. Both
//! compute each output exactly as the other does (the same products, added in tap order).

use crate::plan::AxisPlan;

/// Writes one output row of `plan.out_len()` pixels of `cs` floats from `row`. Outputs with no
/// taps are 0; extrapolated outputs are left for the caller.
#[inline(always)]
pub(crate) fn width_pass(plan: &AxisPlan, row: &[f32], cs: usize, out: &mut [f32]) {
    macro_rules! by_shape {
        ($($cs:literal => [$($w:literal),*]),*) => {
            match (cs, plan.width()) {
                $($(($cs, $w) => fixed::<$cs, $w>(plan, row, out),)*)*
                _ => dynamic(plan, row, cs, out),
            }
        };
    }
    by_shape!(
        1 => [1, 2, 3, 4, 5, 6, 7, 8],
        2 => [1, 2, 3, 4, 5, 6, 7, 8],
        3 => [1, 2, 3, 4, 5, 6, 7, 8],
        4 => [1, 2, 3, 4, 5, 6, 7, 8]
    )
}

/// `CS` floats per pixel, `W` taps stored per output.
#[inline(always)]
fn fixed<const CS: usize, const W: usize>(plan: &AxisPlan, row: &[f32], out: &mut [f32]) {
    let tables = plan
        .index_table()
        .chunks_exact(W)
        .zip(plan.weight_table().chunks_exact(W))
        .zip(plan.counts());
    for (px, ((idx, w), &n)) in out.chunks_exact_mut(CS).zip(tables) {
        let n = n as usize;
        if n != W {
            taps_of(&idx[..n], &w[..n], row, px);
            continue;
        }
        if W == 1 && w[0] == 1.0 {
            let s = idx[0] as usize * CS;
            px.copy_from_slice(&row[s..s + CS]);
            continue;
        }
        let pixel = |k: usize| -> &[f32; CS] {
            let s = idx[k] as usize * CS;
            row[s..s + CS].try_into().expect("CS floats")
        };
        let first = pixel(0);
        let mut acc = [0f32; CS];
        for c in 0..CS {
            acc[c] = w[0] * first[c];
        }
        for (k, &wk) in w.iter().enumerate().skip(1) {
            let p = pixel(k);
            for c in 0..CS {
                acc[c] += wk * p[c];
            }
        }
        px.copy_from_slice(&acc);
    }
}

/// Any pixel width: the channel loop is the inner one.
#[inline(always)]
fn dynamic(plan: &AxisPlan, row: &[f32], cs: usize, out: &mut [f32]) {
    for (xo, px) in out.chunks_exact_mut(cs).enumerate() {
        let (idx, w) = plan.taps(xo);
        taps_of(idx, w, row, px);
    }
}

/// One output pixel from its taps (none: 0; one of weight 1: a copy).
#[inline(always)]
fn taps_of(idx: &[u32], w: &[f32], row: &[f32], px: &mut [f32]) {
    let cs = px.len();
    match idx.len() {
        0 => px.fill(0.0),
        1 if w[0] == 1.0 => {
            let s = idx[0] as usize * cs;
            px.copy_from_slice(&row[s..s + cs]);
        }
        _ => {
            let s = idx[0] as usize * cs;
            for (o, &v) in px.iter_mut().zip(&row[s..s + cs]) {
                *o = w[0] * v;
            }
            for (&i, &wk) in idx[1..].iter().zip(&w[1..]) {
                let s = i as usize * cs;
                for (o, &v) in px.iter_mut().zip(&row[s..s + cs]) {
                    *o += wk * v;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{CoordinateTransform, Mode, ResizeSpec};

    /// The straightforward sum, channel by channel.
    fn reference(plan: &AxisPlan, row: &[f32], cs: usize) -> Vec<f32> {
        let mut out = vec![0.0; plan.out_len() * cs];
        for xo in 0..plan.out_len() {
            let (i, w) = plan.taps(xo);
            for c in 0..cs {
                if i.is_empty() {
                    continue;
                }
                let mut acc = w[0] * row[i[0] as usize * cs + c];
                for k in 1..i.len() {
                    acc += w[k] * row[i[k] as usize * cs + c];
                }
                out[xo * cs + c] = acc;
            }
        }
        out
    }

    #[test]
    fn every_pixel_width_equals_the_plain_sum_bit_for_bit() {
        for cs in [1, 2, 3, 4, 5, 8] {
            let row: Vec<f32> = (0..37 * cs)
                .map(|i| ((i * 29 % 31) as f32 - 15.0) * 0.37)
                .collect();
            for mode in [Mode::Nearest, Mode::Linear, Mode::Cubic, Mode::Lanczos3] {
                for antialias in [false, true] {
                    for n_out in [74, 18, 37, 111, 5] {
                        let mut spec =
                            ResizeSpec::new(mode, CoordinateTransform::HalfPixel, [1, n_out]);
                        spec.antialias = antialias && mode.supports_antialias();
                        let plan = spec.plan([1, 37]).unwrap();
                        let mut out = vec![f32::NAN; n_out * cs];
                        width_pass(&plan.w, &row, cs, &mut out);
                        let want = reference(&plan.w, &row, cs);
                        for (e, (g, w)) in out.iter().zip(&want).enumerate() {
                            assert_eq!(
                                g.to_bits(),
                                w.to_bits(),
                                "{mode:?} aa={antialias} cs={cs} 37->{n_out} element {e}"
                            );
                        }
                    }
                }
            }
        }
    }
}
