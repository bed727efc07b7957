//! The fused CPU kernel: decode, normalise (table look-up) and resize in one pass over the frame.
//!
//! Each unit of work is one output row of one channel (NCHW) or of every channel (NHWC). For
//! each channel it combines the height taps into a row of the frame's width,
//! `row[x] = Σ_j wy_j · T[byte(iy_j, x)]`, then gathers the width taps,
//! `out[xo] = Σ_k wx_k · row[ix_k]` — the products and the order of the resize kernel
//! ([`crate::cpu::resize`]), so the result is bit for bit that kernel run on the normalised frame.

use std::ops::Range;

use rayon::prelude::*;

use crate::spec::Layout;

use super::{ChannelSource, Prepared};

/// Below this many multiply-adds a call runs on the calling thread only.
const PARALLEL_THRESHOLD: usize = 1 << 16;

/// Writes the output (`prepared.layout`, standard order) from `frame` (checked to hold the frame).
pub(crate) fn run(prepared: &Prepared, frame: &[u8], out: &mut [f32]) {
    let [_, channels, out_h, out_w] = prepared.out_dims;
    let plan = prepared.plan();
    let (units, unit_len) = match prepared.layout {
        Layout::Nchw => (channels * out_h, out_w),
        Layout::Nhwc => (out_h, out_w * channels),
    };
    if units == 0 || unit_len == 0 {
        return;
    }
    let unit_channels = |u: usize| -> (Range<usize>, usize) {
        match prepared.layout {
            Layout::Nchw => (u / out_h..u / out_h + 1, u % out_h),
            Layout::Nhwc => (0..channels, u),
        }
    };
    let body = |scratch: &mut Vec<f32>, (u, dst): (usize, &mut [f32])| {
        let (chs, yo) = unit_channels(u);
        output_row(prepared, frame, yo, chs, scratch, dst);
    };
    let per_unit =
        (prepared.frame.width * plan.h.width() + out_w * plan.w.width()) * (unit_len / out_w);
    let threads = rayon::current_num_threads();
    if threads == 1 || units.saturating_mul(per_unit) < PARALLEL_THRESHOLD {
        let mut scratch = Vec::new();
        for unit in out.chunks_exact_mut(unit_len).enumerate() {
            body(&mut scratch, unit);
        }
    } else {
        let grain = units
            .div_ceil(threads * 4)
            .max(PARALLEL_THRESHOLD.div_ceil(per_unit.max(1)))
            .max(1);
        out.par_chunks_exact_mut(unit_len)
            .enumerate()
            .with_min_len(grain)
            .for_each_init(Vec::new, body);
    }
}

/// Output row `yo` of `channels`, into `dst` (`out_w · channels.len()` values, channel fastest).
fn output_row(
    prepared: &Prepared,
    frame: &[u8],
    yo: usize,
    channels: Range<usize>,
    scratch: &mut Vec<f32>,
    dst: &mut [f32],
) {
    let plan = prepared.plan();
    let ev = plan.extrapolation_value;
    if plan.h.is_extrapolated(yo) {
        dst.fill(ev);
        return;
    }
    let in_w = prepared.frame.width;
    let cs = channels.len();
    if scratch.len() < cs * in_w {
        scratch.resize(cs * in_w, 0.0);
    }
    let (iy, wy) = plan.h.taps(yo);
    for (slot, ch) in channels.enumerate() {
        let row = &mut scratch[slot * in_w..(slot + 1) * in_w];
        let table: &[f32; 256] = prepared.tables[ch * 256..(ch + 1) * 256]
            .try_into()
            .expect("256 values per channel");
        match prepared.sources[ch] {
            ChannelSource::Byte(o) => {
                height_pass(prepared, frame, iy, wy, row, |px| table[px[o] as usize])
            }
            src @ ChannelSource::Luma(_) => height_pass(prepared, frame, iy, wy, row, |px| {
                table[src.byte(px) as usize]
            }),
        }
    }
    for (xo, px) in dst.chunks_exact_mut(cs).enumerate() {
        if plan.w.is_extrapolated(xo) {
            px.fill(ev);
            continue;
        }
        let (ix, wx) = plan.w.taps(xo);
        for (slot, o) in px.iter_mut().enumerate() {
            let row = &scratch[slot * in_w..(slot + 1) * in_w];
            *o = match ix.split_first() {
                None => 0.0,
                Some((&i0, rest)) => {
                    let mut acc = wx[0] * row[i0 as usize];
                    for (&i, &w) in rest.iter().zip(&wx[1..]) {
                        acc += w * row[i as usize];
                    }
                    acc
                }
            };
        }
    }
}

/// `row[x] = Σ_j wy_j · value(pixel(iy_j, x))`, taps in order, the first product assigned (no
/// tap: zeros).
#[inline(always)]
fn height_pass(
    prepared: &Prepared,
    frame: &[u8],
    iy: &[u32],
    wy: &[f32],
    row: &mut [f32],
    value: impl Fn(&[u8]) -> f32,
) {
    let g = &prepared.frame;
    if iy.is_empty() {
        row.fill(0.0);
    }
    for (j, (&y, &w)) in iy.iter().zip(wy).enumerate() {
        let start = y as usize * g.stride;
        let pixels = frame[start..start + g.width * g.bpp].chunks_exact(g.bpp);
        if j == 0 {
            for (acc, px) in row.iter_mut().zip(pixels) {
                *acc = w * value(px);
            }
        } else {
            for (acc, px) in row.iter_mut().zip(pixels) {
                *acc += w * value(px);
            }
        }
    }
}
