//! The fast path of the exact executor: the same arithmetic as the generic path (see the parent
//! module), specialised.
//!
//! What is specialised, and why each is the same computation:
//!
//! - **Kernels per rule.** Each pass's rule is matched once per row, not per element, into a
//!   [`Kernel`]: `Accumulate::Int` and `ShiftedProducts` in **i32** where the plan's bounds keep
//!   every partial sum inside i32 (the largest value a pass reads times the largest `Σ|c|` of its
//!   table, plus the rounding bias: then the i32 sums are the generic path's i64 sums, term by
//!   term), `Accumulate::Float` in f32 with the products and sums in the plan's order. Rules
//!   without a kernel (float64 sums, integer sums that could leave i32, integer rules reading
//!   float values) leave the whole plan to the generic path.
//! - **Loops.** The vertical pass is a weighted sum of whole rows: every element keeps its own
//!   accumulator, and the taps are added to it one after the other, in the plan's order (for
//!   floats: the first product, then each next one, or from the last one back for `reverse`),
//!   which is the generic path's per-element sum with the loops exchanged. The horizontal pass
//!   keeps one accumulator per channel of a pixel and walks its taps in order.
//! - **Intermediates.** The values between passes are stored in the narrowest type that holds
//!   every value the first pass can store (`u8` after a shift clamped to 0..=255, `i32` for kept
//!   fixed-point sums, `f32` for kept float sums): a change of storage, not of value.
//! - **Only what is read.** Output rows are computed in bands; a band computes the first-pass
//!   rows its second pass reads, kept in a ring of rows, and nothing else. Bands run in parallel.
//! - **Layouts.** An NCHW tensor is a stack of one-channel images (the passes never mix
//!   channels); the position a split rule compares (`x·C + c`, the interleaved position) is
//!   computed for each plane, so no transpose is needed.
//! - **SIMD.** The loops are written so the compiler vectorises them (built once more with
//!   AVX2 where the CPU has it); the horizontal integer sums of one-value pixels of bytes with
//!   i16 coefficients use the AVX2 kernel of [`super::simd`], whose integer sums cannot overflow
//!   and so do not depend on the order of the additions.
//! - **Pillow's premultiplied alpha** is applied to each input row as it is read and undone on
//!   each output row as it is written, with the same per-pixel helpers.
//!
//! The rounding helpers are the parent module's ([`super::shift_store`], [`super::int_tap`],
//! …), shared by both paths. `tests/exact_fast.rs` compares this path with the generic one on
//! random plans and images.

// The kernels index fixed-size channel arrays and output ranges by position: the form the
// compiler unrolls and vectorises, and the one that states the generic path's element order.
#![allow(clippy::needless_range_loop)]

use std::cell::RefCell;
use std::ops::Range;

use crate::plan::separable::{
    Accumulate, AlphaRule, ArithmeticPlan, Coefficients, ExactPlan, Pass, PassAxis, PassTable,
    Rule, Store,
};
use crate::spec::Layout;

use super::simd::Taps16;
use super::{
    divide_by_alpha, float_weight, int_tap, int_weight, muldiv255, round_even_clamped, shift_store,
    shifted_tap,
};

/// Below this many multiply-adds a call runs on the calling thread only.
const PARALLEL_THRESHOLD: usize = 1 << 16;

/// Elements of a row the vertical kernels sum at once (their accumulators stay in registers or
/// L1).
const CHUNK: usize = 64;

/// The element types the fast path reads and writes (8- and 16-bit images); sealed by its
/// private module.
pub trait FastElement: Sized {
    /// Whether the fast path has a kernel for every step of `plan` on a tensor of `channels`
    /// channels in `layout` whose input and output are of this type.
    fn fast_covers(plan: &ExactPlan, channels: usize, layout: Layout) -> bool;

    /// Runs `plan` on the fast path: `src` holds the input (`dims` = `[n, c, h, w]` in
    /// `layout`, standard order), `dst` receives the output in the same layout. Only called
    /// where [`FastElement::fast_covers`] holds.
    fn run_fast(plan: &ExactPlan, src: &[Self], dims: [usize; 4], layout: Layout, dst: &mut [Self]);
}

impl FastElement for u8 {
    fn fast_covers(plan: &ExactPlan, channels: usize, layout: Layout) -> bool {
        analyse(plan, channels, layout, u8::MAX as i64).is_some()
    }
    fn run_fast(plan: &ExactPlan, src: &[u8], dims: [usize; 4], layout: Layout, dst: &mut [u8]) {
        let fp = analyse(plan, dims[1], layout, u8::MAX as i64).expect("fast_covers holds");
        execute(&fp, src, dims, layout, dst);
    }
}

impl FastElement for u16 {
    fn fast_covers(plan: &ExactPlan, channels: usize, layout: Layout) -> bool {
        analyse(plan, channels, layout, u16::MAX as i64).is_some()
    }
    fn run_fast(plan: &ExactPlan, src: &[u16], dims: [usize; 4], layout: Layout, dst: &mut [u16]) {
        let fp = analyse(plan, dims[1], layout, u16::MAX as i64).expect("fast_covers holds");
        execute(&fp, src, dims, layout, dst);
    }
}

impl FastElement for f32 {
    /// Float32 plans (Pillow's `F`, float64 sums) run on the generic path.
    fn fast_covers(_: &ExactPlan, _: usize, _: Layout) -> bool {
        false
    }
    fn run_fast(_: &ExactPlan, _: &[f32], _: [usize; 4], _: Layout, _: &mut [f32]) {
        unreachable!("fast_covers is false for float32")
    }
}

// ---------------------------------------------------------------------------------------------
// Values

/// A value a kernel reads: an input element or a first pass's stored value.
trait Src: bytemuck::Pod + Send + Sync {
    /// As an integer rule reads it (the generic path's `value_int`). Never called on `f32`:
    /// [`analyse`] gives integer rules no float input.
    fn int(self) -> i32;
    /// As a float rule reads it (`value_float`: an integer converted to the nearest float32).
    fn float(self) -> f32;
    /// The values as bytes, for the 8-bit kernels of [`super::simd`] (`None` but for `u8`).
    #[inline(always)]
    fn bytes(values: &[Self]) -> Option<&[u8]> {
        let _ = values;
        None
    }
}

/// A value a kernel stores: an output element or a first pass's stored value.
trait Dst: bytemuck::Pod + Send + Sync {
    /// An integer rule's stored value (the generic path's `ExactElement::from_int` for an
    /// output: clamped into the type; between passes, within the type by [`analyse`]).
    fn from_int(v: i32) -> Self;
    /// A float rule's kept value (`ExactElement::from_float` for an output).
    fn from_float(v: f32) -> Self;
}

impl Src for u8 {
    #[inline(always)]
    fn int(self) -> i32 {
        self as i32
    }
    #[inline(always)]
    fn float(self) -> f32 {
        self as f32
    }
    #[inline(always)]
    fn bytes(values: &[Self]) -> Option<&[u8]> {
        Some(values)
    }
}

impl Src for u16 {
    #[inline(always)]
    fn int(self) -> i32 {
        self as i32
    }
    #[inline(always)]
    fn float(self) -> f32 {
        self as f32
    }
}

impl Src for i32 {
    #[inline(always)]
    fn int(self) -> i32 {
        self
    }
    #[inline(always)]
    fn float(self) -> f32 {
        self as f32
    }
}

impl Src for f32 {
    #[inline(always)]
    fn int(self) -> i32 {
        // Unreachable by construction (see the trait); saturating like the generic `f as i64`.
        self as i32
    }
    #[inline(always)]
    fn float(self) -> f32 {
        self
    }
}

impl Dst for u8 {
    #[inline(always)]
    fn from_int(v: i32) -> Self {
        v.clamp(0, u8::MAX as i32) as u8
    }
    #[inline(always)]
    fn from_float(v: f32) -> Self {
        v as u8
    }
}

impl Dst for u16 {
    #[inline(always)]
    fn from_int(v: i32) -> Self {
        v.clamp(0, u16::MAX as i32) as u16
    }
    #[inline(always)]
    fn from_float(v: f32) -> Self {
        v as u16
    }
}

impl Dst for i32 {
    #[inline(always)]
    fn from_int(v: i32) -> Self {
        v
    }
    #[inline(always)]
    fn from_float(v: f32) -> Self {
        // Unreachable by construction: float values are kept as f32.
        v as i32
    }
}

impl Dst for f32 {
    #[inline(always)]
    fn from_int(v: i32) -> Self {
        v as f32
    }
    #[inline(always)]
    fn from_float(v: f32) -> Self {
        v
    }
}

/// A coefficient as a float rule weighs with it ([`int_weight`] or [`float_weight`]).
trait Weight: Copy + Send + Sync {
    fn weight(self, scale: f32) -> f32;
}

impl Weight for i32 {
    #[inline(always)]
    fn weight(self, scale: f32) -> f32 {
        int_weight(self, scale)
    }
}

impl Weight for f32 {
    #[inline(always)]
    fn weight(self, scale: f32) -> f32 {
        float_weight(self, scale)
    }
}

// ---------------------------------------------------------------------------------------------
// Analysis

/// A rule as a specialised kernel.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kernel {
    /// `Accumulate::Int` in i32.
    Int(IntStore),
    /// `Accumulate::ShiftedProducts` in i32.
    Shifted {
        pre: u32,
        post: u32,
        store: IntStore,
    },
    /// `Accumulate::Float`.
    Float {
        reverse: bool,
        scale: f32,
        store: FloatStore,
    },
}

/// The store of an integer accumulator, in i32.
#[derive(Debug, Clone, Copy, PartialEq)]
enum IntStore {
    /// `Store::Shift` ([`shift_store`]).
    Shift {
        bias: i32,
        shift: u32,
        lo: i32,
        hi: i32,
    },
    /// `Store::RoundEven` of an integer: a clamp.
    Clamp { lo: i32, hi: i32 },
    /// `Store::Keep`.
    Keep,
}

impl IntStore {
    #[inline(always)]
    fn apply(self, acc: i32) -> i32 {
        match self {
            IntStore::Shift {
                bias,
                shift,
                lo,
                hi,
            } => shift_store(acc, bias, shift, lo, hi),
            IntStore::Clamp { lo, hi } => acc.clamp(lo, hi),
            IntStore::Keep => acc,
        }
    }
}

/// The store of a float accumulator.
#[derive(Debug, Clone, Copy, PartialEq)]
enum FloatStore {
    /// `Store::Keep`: the float32 sum.
    Keep,
    /// `Store::RoundEven` ([`round_even_clamped`], bounds exact in f32).
    Round { lo: f32, hi: f32 },
}

/// What a pass stores: integers within `[lo, hi]`, or float32 values.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stored {
    Int { lo: i64, hi: i64 },
    Float,
}

/// The type a first pass's values are kept in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mid {
    U8,
    U16,
    I32,
    F32,
}

impl Stored {
    fn mid(self) -> Mid {
        match self {
            Stored::Float => Mid::F32,
            Stored::Int { lo, hi } if lo >= 0 && hi <= u8::MAX as i64 => Mid::U8,
            Stored::Int { lo, hi } if lo >= 0 && hi <= u16::MAX as i64 => Mid::U16,
            Stored::Int { .. } => Mid::I32,
        }
    }

    /// The largest magnitude of a stored integer.
    fn bound(self) -> Option<i64> {
        match self {
            Stored::Int { lo, hi } => Some(lo.abs().max(hi.abs())),
            Stored::Float => None,
        }
    }
}

/// A pass's coefficients as the kernels read them (padded to the table's width per output).
#[derive(Debug, Clone, Copy)]
enum Coefs<'p> {
    Int(&'p [i32]),
    Float(&'p [f32]),
}

/// A pass ready for the kernels.
#[derive(Debug, Clone, Copy)]
struct FastPass<'p> {
    axis: PassAxis,
    table: &'p PassTable,
    coefs: Coefs<'p>,
    /// The rule of elements before the split (every element without one).
    body: Kernel,
    /// The split position and the rule from it on.
    tail: Option<(usize, Kernel)>,
    /// Every output's taps read consecutive sources (`i0, i0 + 1, …`).
    contiguous: bool,
    /// The largest `last index − first index + 1` of an output's taps.
    span: usize,
}

/// A plan the fast path runs: one or two passes, and where the first one's values are kept.
#[derive(Debug, Clone, Copy)]
struct FastPlan<'p> {
    input_hw: [usize; 2],
    output_hw: [usize; 2],
    first: FastPass<'p>,
    second: Option<FastPass<'p>>,
    mid: Mid,
    alpha: bool,
}

/// The fast plan of `plan` on an input whose values lie in `0..=input_max`, or `None` where a
/// step has no kernel.
fn analyse(
    plan: &ExactPlan,
    channels: usize,
    layout: Layout,
    input_max: i64,
) -> Option<FastPlan<'_>> {
    let ArithmeticPlan::Separable(p) = &plan.arithmetic else {
        return None;
    };
    if plan.input != plan.output || p.passes.is_empty() || p.passes.len() > 2 {
        return None;
    }
    let alpha = match plan.alpha {
        None => false,
        // Pillow's RGBA: interleaved 8-bit pixels of 4 channels.
        Some(AlphaRule::PillowPremultiplied) => {
            if layout != Layout::Nhwc || channels != 4 || input_max != u8::MAX as i64 {
                return None;
            }
            true
        }
    };
    let mut read = Stored::Int {
        lo: 0,
        hi: input_max,
    };
    let mut passes = [None, None];
    let mut first_stores = read;
    for (k, pass) in p.passes.iter().enumerate() {
        let (fast, stored) = analyse_pass(pass, read)?;
        passes[k] = Some(fast);
        if k == 0 {
            first_stores = stored;
        }
        read = stored;
    }
    if alpha {
        // The generic path undoes the premultiplication on the values the last pass stores and
        // then converts them to u8; the fast path converts first. Both agree when the stored
        // values are already bytes.
        match read {
            Stored::Int { lo, hi } if lo >= 0 && hi <= u8::MAX as i64 => {}
            _ => return None,
        }
    }
    let first = passes[0]?;
    // One pass stores straight into the output: no intermediate.
    let mid = match p.passes.len() {
        2 => first_stores.mid(),
        _ => Mid::U8,
    };
    Some(FastPlan {
        input_hw: p.input_hw,
        output_hw: p.output_hw,
        first,
        second: passes[1],
        mid,
        alpha,
    })
}

/// A pass's kernels given what it reads, and what it stores.
fn analyse_pass(pass: &Pass, read: Stored) -> Option<(FastPass<'_>, Stored)> {
    let table = &pass.table;
    let coefs = match table.coefficients() {
        Coefficients::Int(c) => Coefs::Int(c),
        Coefficients::Float(c) => Coefs::Float(c),
        Coefficients::Double(_) => return None,
    };
    let (body, stored) = kernel(&pass.rule, table, coefs, read)?;
    let tail = match &pass.tail {
        None => None,
        Some((at, rule)) => {
            let (k, s) = kernel(rule, table, coefs, read)?;
            // Both rules must store the same kind of value (the generic path refuses others).
            let stored = match (stored, s) {
                (Stored::Int { lo, hi }, Stored::Int { lo: l2, hi: h2 }) => Stored::Int {
                    lo: lo.min(l2),
                    hi: hi.max(h2),
                },
                (Stored::Float, Stored::Float) => Stored::Float,
                _ => return None,
            };
            return Some((
                FastPass {
                    tail: Some((*at, k)),
                    ..fast_pass(pass, coefs, body)
                },
                stored,
            ));
        }
    };
    Some((
        FastPass {
            tail,
            ..fast_pass(pass, coefs, body)
        },
        stored,
    ))
}

fn fast_pass<'p>(pass: &'p Pass, coefs: Coefs<'p>, body: Kernel) -> FastPass<'p> {
    let table = &pass.table;
    let (mut contiguous, mut span) = (true, 1);
    for o in 0..table.out_len() {
        let idx = table.indices(o);
        contiguous &= idx.iter().enumerate().all(|(k, &i)| i == idx[0] + k as u32);
        let (lo, hi) = idx
            .iter()
            .fold((u32::MAX, 0), |(lo, hi), &i| (lo.min(i), hi.max(i)));
        span = span.max((hi - lo) as usize + 1);
    }
    FastPass {
        axis: pass.axis,
        table,
        coefs,
        body,
        tail: None,
        contiguous,
        span,
    }
}

/// A rule's kernel given what it reads, and what it stores; `None` without one.
fn kernel(
    rule: &Rule,
    table: &PassTable,
    coefs: Coefs<'_>,
    read: Stored,
) -> Option<(Kernel, Stored)> {
    const MAX: i64 = i32::MAX as i64;
    let i32_bounds = |lo: i64, hi: i64| {
        (
            lo.clamp(-MAX - 1, MAX) as i32,
            hi.clamp(-MAX - 1, MAX) as i32,
        )
    };
    let int_store = |store: Store, sum: i64| -> Option<(IntStore, Stored)> {
        match store {
            Store::Shift {
                bias,
                shift,
                lo,
                hi,
            } => {
                if shift >= 32 || bias.abs() > MAX || sum.checked_add(bias.abs())? > MAX || lo > hi
                {
                    return None;
                }
                let (l, h) = i32_bounds(lo, hi);
                // What the shift can give, clamped.
                let reach = (sum + bias.abs()) >> shift;
                Some((
                    IntStore::Shift {
                        bias: bias as i32,
                        shift,
                        lo: l,
                        hi: h,
                    },
                    Stored::Int {
                        lo: (-reach - 1).clamp(lo, hi),
                        hi: reach.clamp(lo, hi),
                    },
                ))
            }
            Store::RoundEven { lo, hi } => {
                if lo > hi {
                    return None;
                }
                let (l, h) = i32_bounds(lo, hi);
                Some((
                    IntStore::Clamp { lo: l, hi: h },
                    Stored::Int {
                        lo: (-sum).clamp(lo, hi),
                        hi: sum.clamp(lo, hi),
                    },
                ))
            }
            Store::Keep => Some((IntStore::Keep, Stored::Int { lo: -sum, hi: sum })),
        }
    };
    match rule.accumulate {
        Accumulate::Int => {
            let Coefs::Int(_) = coefs else { return None };
            // Every partial sum is at most (largest value read) · Σ|c| in magnitude.
            let sum = read.bound()?.checked_mul(table.max_abs_sum())?;
            if sum > MAX {
                return None;
            }
            let (store, stored) = int_store(rule.store, sum)?;
            Some((Kernel::Int(store), stored))
        }
        Accumulate::ShiftedProducts {
            pre_shift,
            post_shift,
        } => {
            let Coefs::Int(_) = coefs else { return None };
            if pre_shift >= 32 || post_shift >= 32 {
                return None;
            }
            // |v >> pre| ≤ (bound >> pre) + 1 (flooring shifts of negatives), and each shifted
            // product is at most the product in magnitude.
            let v = (read.bound()? >> pre_shift) + 1;
            let max_c = max_abs_coefficient(table);
            if v.checked_mul(max_c)? > MAX {
                return None;
            }
            let sum = v.checked_mul(table.max_abs_sum())?;
            if sum > MAX {
                return None;
            }
            let (store, stored) = int_store(rule.store, sum)?;
            Some((
                Kernel::Shifted {
                    pre: pre_shift,
                    post: post_shift,
                    store,
                },
                stored,
            ))
        }
        Accumulate::Float { reverse, scale } => {
            let (store, stored) = match rule.store {
                Store::Keep => (FloatStore::Keep, Stored::Float),
                Store::RoundEven { lo, hi } => {
                    // Bounds that float32 holds exactly.
                    const EXACT: i64 = 1 << 24;
                    if lo > hi || lo.abs() > EXACT || hi.abs() > EXACT {
                        return None;
                    }
                    (
                        FloatStore::Round {
                            lo: lo as f32,
                            hi: hi as f32,
                        },
                        Stored::Int { lo, hi },
                    )
                }
                // validate() refuses a shifted float accumulator.
                Store::Shift { .. } => return None,
            };
            Some((
                Kernel::Float {
                    reverse,
                    scale,
                    store,
                },
                stored,
            ))
        }
        Accumulate::Double => None,
    }
}

fn max_abs_coefficient(table: &PassTable) -> i64 {
    (0..table.out_len())
        .filter_map(|o| table.int_coefficients(o))
        .flat_map(|c| c.iter().map(|&c| (c as i64).abs()))
        .max()
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// Kernels

/// The taps of output `o`: source indices and coefficients.
#[inline(always)]
fn taps<'t, C: Copy>(table: &'t PassTable, coefs: &'t [C], o: usize) -> (&'t [u32], &'t [C]) {
    let width = table.width();
    let n = table.counts()[o] as usize;
    let start = o * width;
    (
        &table.index_table()[start..start + n],
        &coefs[start..start + n],
    )
}

/// Horizontal pass: output elements `[e0, e1)` of a row of pixels of `cs` interleaved values,
/// from the source row `src`, with `kernel`.
#[inline(always)]
fn horizontal<S: Src, D: Dst>(
    pass: &FastPass<'_>,
    kernel: Kernel,
    src: &[S],
    cs: usize,
    out: &mut [D],
    elements: Range<usize>,
) {
    let (e0, e1) = (elements.start, elements.end);
    if e0 >= e1 {
        return;
    }
    // Whole pixels inside the range run the per-pixel kernels; the ends (a split inside a
    // pixel) go element by element.
    let (p0, p1) = (e0.div_ceil(cs), e1 / cs);
    if p0 >= p1 {
        for e in e0..e1 {
            out[e] = h_element(pass, kernel, src, cs, e);
        }
        return;
    }
    for e in e0..p0 * cs {
        out[e] = h_element(pass, kernel, src, cs, e);
    }
    match cs {
        1 => h_pixels::<S, D, 1>(pass, kernel, src, out, p0..p1),
        2 => h_pixels::<S, D, 2>(pass, kernel, src, out, p0..p1),
        3 => h_pixels::<S, D, 3>(pass, kernel, src, out, p0..p1),
        4 => h_pixels::<S, D, 4>(pass, kernel, src, out, p0..p1),
        _ => {
            for e in p0 * cs..p1 * cs {
                out[e] = h_element(pass, kernel, src, cs, e);
            }
        }
    }
    for e in p1 * cs..e1 {
        out[e] = h_element(pass, kernel, src, cs, e);
    }
}

/// One element `e = o·cs + ch` of a horizontal pass.
#[inline(always)]
fn h_element<S: Src, D: Dst>(
    pass: &FastPass<'_>,
    kernel: Kernel,
    src: &[S],
    cs: usize,
    e: usize,
) -> D {
    let (o, ch) = (e / cs, e % cs);
    let table = pass.table;
    match (kernel, pass.coefs) {
        (Kernel::Int(store), Coefs::Int(c)) => {
            let (idx, c) = taps(table, c, o);
            let mut acc = 0i32;
            for (&i, &c) in idx.iter().zip(c) {
                acc = int_tap(acc, src[i as usize * cs + ch].int(), c);
            }
            D::from_int(store.apply(acc))
        }
        (Kernel::Shifted { pre, post, store }, Coefs::Int(c)) => {
            let (idx, c) = taps(table, c, o);
            let mut acc = 0i32;
            for (&i, &c) in idx.iter().zip(c) {
                acc = shifted_tap(acc, src[i as usize * cs + ch].int(), c, pre, post);
            }
            D::from_int(store.apply(acc))
        }
        (
            Kernel::Float {
                reverse,
                scale,
                store,
            },
            coefs,
        ) => {
            let acc = match coefs {
                Coefs::Int(c) => {
                    let (idx, c) = taps(table, c, o);
                    float_sum(idx.len(), reverse, |k| {
                        src[idx[k] as usize * cs + ch].float() * c[k].weight(scale)
                    })
                }
                Coefs::Float(c) => {
                    let (idx, c) = taps(table, c, o);
                    float_sum(idx.len(), reverse, |k| {
                        src[idx[k] as usize * cs + ch].float() * c[k].weight(scale)
                    })
                }
            };
            float_store(store, acc)
        }
        // analyse() gives integer kernels integer tables only.
        (Kernel::Int(_) | Kernel::Shifted { .. }, Coefs::Float(_)) => {
            unreachable!("integer kernel on a float table")
        }
    }
}

/// The float32 sum of `n` products in tap order, or from the last back to the first: the first
/// product, then each next one added.
#[inline(always)]
fn float_sum(n: usize, reverse: bool, product: impl Fn(usize) -> f32) -> f32 {
    let mut acc;
    if reverse {
        acc = product(n - 1);
        for k in (0..n - 1).rev() {
            acc += product(k);
        }
    } else {
        acc = product(0);
        for k in 1..n {
            acc += product(k);
        }
    }
    acc
}

#[inline(always)]
fn float_store<D: Dst>(store: FloatStore, acc: f32) -> D {
    match store {
        FloatStore::Keep => D::from_float(acc),
        FloatStore::Round { lo, hi } => D::from_int(round_even_clamped(acc, lo, hi) as i32),
    }
}

/// Whole pixels `[p0, p1)` of a horizontal pass on pixels of `CS` values.
#[inline(always)]
fn h_pixels<S: Src, D: Dst, const CS: usize>(
    pass: &FastPass<'_>,
    kernel: Kernel,
    src: &[S],
    out: &mut [D],
    pixels: Range<usize>,
) {
    let table = pass.table;
    let out = &mut out[pixels.start * CS..pixels.end * CS];
    match (kernel, pass.coefs) {
        (Kernel::Int(store), Coefs::Int(coefs)) => {
            for (o, px) in pixels.zip(out.chunks_exact_mut(CS)) {
                let (idx, c) = taps(table, coefs, o);
                let mut acc = [0i32; CS];
                if pass.contiguous {
                    let i0 = idx[0] as usize * CS;
                    let window = &src[i0..i0 + c.len() * CS];
                    for (v, &c) in window.chunks_exact(CS).zip(c) {
                        for ch in 0..CS {
                            acc[ch] = int_tap(acc[ch], v[ch].int(), c);
                        }
                    }
                } else {
                    for (&i, &c) in idx.iter().zip(c) {
                        let v = &src[i as usize * CS..i as usize * CS + CS];
                        for ch in 0..CS {
                            acc[ch] = int_tap(acc[ch], v[ch].int(), c);
                        }
                    }
                }
                for ch in 0..CS {
                    px[ch] = D::from_int(store.apply(acc[ch]));
                }
            }
        }
        (Kernel::Shifted { pre, post, store }, Coefs::Int(coefs)) => {
            for (o, px) in pixels.zip(out.chunks_exact_mut(CS)) {
                let (idx, c) = taps(table, coefs, o);
                let mut acc = [0i32; CS];
                for (&i, &c) in idx.iter().zip(c) {
                    let v = &src[i as usize * CS..i as usize * CS + CS];
                    for ch in 0..CS {
                        acc[ch] = shifted_tap(acc[ch], v[ch].int(), c, pre, post);
                    }
                }
                for ch in 0..CS {
                    px[ch] = D::from_int(store.apply(acc[ch]));
                }
            }
        }
        (
            Kernel::Float {
                reverse,
                scale,
                store,
            },
            Coefs::Int(coefs),
        ) => h_float_pixels::<S, D, i32, CS>(pass, reverse, scale, store, coefs, src, out, pixels),
        (
            Kernel::Float {
                reverse,
                scale,
                store,
            },
            Coefs::Float(coefs),
        ) => h_float_pixels::<S, D, f32, CS>(pass, reverse, scale, store, coefs, src, out, pixels),
        (Kernel::Int(_) | Kernel::Shifted { .. }, Coefs::Float(_)) => {
            unreachable!("integer kernel on a float table")
        }
    }
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn h_float_pixels<S: Src, D: Dst, W: Weight, const CS: usize>(
    pass: &FastPass<'_>,
    reverse: bool,
    scale: f32,
    store: FloatStore,
    coefs: &[W],
    src: &[S],
    out: &mut [D],
    pixels: Range<usize>,
) {
    let table = pass.table;
    for (o, px) in pixels.zip(out.chunks_exact_mut(CS)) {
        let (idx, c) = taps(table, coefs, o);
        let n = idx.len();
        let pixel = |k: usize| {
            let i = idx[k] as usize * CS;
            &src[i..i + CS]
        };
        let product = |k: usize, ch: usize, v: &[S]| v[ch].float() * c[k].weight(scale);
        let mut acc = [0f32; CS];
        if reverse {
            let v = pixel(n - 1);
            for ch in 0..CS {
                acc[ch] = product(n - 1, ch, v);
            }
            for k in (0..n - 1).rev() {
                let v = pixel(k);
                for ch in 0..CS {
                    acc[ch] += product(k, ch, v);
                }
            }
        } else {
            let v = pixel(0);
            for ch in 0..CS {
                acc[ch] = product(0, ch, v);
            }
            for k in 1..n {
                let v = pixel(k);
                for ch in 0..CS {
                    acc[ch] += product(k, ch, v);
                }
            }
        }
        for ch in 0..CS {
            px[ch] = float_store(store, acc[ch]);
        }
    }
}

/// Vertical pass: output elements `elements` of one output row: the weighted sum of the rows
/// at `rows[k]` (offsets into `base`) with `kernel` and output `o`'s coefficients.
#[inline(always)]
fn vertical<S: Src, D: Dst>(
    pass: &FastPass<'_>,
    kernel: Kernel,
    o: usize,
    base: &[S],
    rows: &[usize],
    out: &mut [D],
    elements: Range<usize>,
) {
    let mut start = elements.start;
    while start < elements.end {
        let end = (start + CHUNK).min(elements.end);
        let len = end - start;
        let row = |k: usize| &base[rows[k] + start..rows[k] + end];
        let out = &mut out[start..end];
        match (kernel, pass.coefs) {
            (Kernel::Int(store), Coefs::Int(coefs)) => {
                let (_, c) = taps(pass.table, coefs, o);
                let mut acc = [0i32; CHUNK];
                let acc = &mut acc[..len];
                for (k, &c) in c.iter().enumerate() {
                    for (a, v) in acc.iter_mut().zip(row(k)) {
                        *a = int_tap(*a, v.int(), c);
                    }
                }
                store_int(store, acc, out);
            }
            (Kernel::Shifted { pre, post, store }, Coefs::Int(coefs)) => {
                let (_, c) = taps(pass.table, coefs, o);
                let mut acc = [0i32; CHUNK];
                let acc = &mut acc[..len];
                for (k, &c) in c.iter().enumerate() {
                    for (a, v) in acc.iter_mut().zip(row(k)) {
                        *a = shifted_tap(*a, v.int(), c, pre, post);
                    }
                }
                store_int(store, acc, out);
            }
            (
                Kernel::Float {
                    reverse,
                    scale,
                    store,
                },
                Coefs::Int(coefs),
            ) => {
                let (_, c) = taps(pass.table, coefs, o);
                v_float(reverse, scale, store, c, &row, len, out);
            }
            (
                Kernel::Float {
                    reverse,
                    scale,
                    store,
                },
                Coefs::Float(coefs),
            ) => {
                let (_, c) = taps(pass.table, coefs, o);
                v_float(reverse, scale, store, c, &row, len, out);
            }
            (Kernel::Int(_) | Kernel::Shifted { .. }, Coefs::Float(_)) => {
                unreachable!("integer kernel on a float table")
            }
        }
        start = end;
    }
}

#[inline(always)]
fn store_int<D: Dst>(store: IntStore, acc: &[i32], out: &mut [D]) {
    match store {
        IntStore::Shift {
            bias,
            shift,
            lo,
            hi,
        } => {
            for (d, &a) in out.iter_mut().zip(acc) {
                *d = D::from_int(shift_store(a, bias, shift, lo, hi));
            }
        }
        IntStore::Clamp { lo, hi } => {
            for (d, &a) in out.iter_mut().zip(acc) {
                *d = D::from_int(a.clamp(lo, hi));
            }
        }
        IntStore::Keep => {
            for (d, &a) in out.iter_mut().zip(acc) {
                *d = D::from_int(a);
            }
        }
    }
}

#[inline(always)]
fn v_float<'r, S: Src + 'r, D: Dst, W: Weight>(
    reverse: bool,
    scale: f32,
    store: FloatStore,
    c: &[W],
    row: &impl Fn(usize) -> &'r [S],
    len: usize,
    out: &mut [D],
) {
    let n = c.len();
    let mut acc = [0f32; CHUNK];
    let acc = &mut acc[..len];
    let order = |j: usize| if reverse { n - 1 - j } else { j };
    let k0 = order(0);
    let w = c[k0].weight(scale);
    for (a, v) in acc.iter_mut().zip(row(k0)) {
        *a = v.float() * w;
    }
    for j in 1..n {
        let k = order(j);
        let w = c[k].weight(scale);
        for (a, v) in acc.iter_mut().zip(row(k)) {
            *a += v.float() * w;
        }
    }
    match store {
        FloatStore::Keep => {
            for (d, &a) in out.iter_mut().zip(acc.iter()) {
                *d = D::from_float(a);
            }
        }
        FloatStore::Round { lo, hi } => {
            for (d, &a) in out.iter_mut().zip(acc.iter()) {
                *d = D::from_int(round_even_clamped(a, lo, hi) as i32);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Driver

/// Per-thread scratch, kept between calls so steady-state runs allocate nothing.
#[derive(Default)]
struct Scratch {
    /// Ring of first-pass rows (raw storage, cast to the intermediate type).
    ring: Vec<u64>,
    /// Which source row each ring slot holds.
    tags: Vec<usize>,
    /// Ring of premultiplied input rows (Pillow's RGBA, vertical pass first).
    alpha_ring: Vec<u64>,
    alpha_tags: Vec<usize>,
    /// Offsets of the rows a vertical output reads.
    rows: Vec<usize>,
    /// One row: the vertical pass's result before a horizontal pass, or a premultiplied row.
    row: Vec<u64>,
    /// The horizontal pass's taps as the AVX2 kernel reads them ([`Taps16`]).
    taps16: Taps16,
    /// One row of the AVX2 kernel's integer sums.
    sums: Vec<i32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// What a band's horizontal passes share: the AVX2 kernel's taps where it applies, and its row
/// of sums.
struct HorizontalScratch<'s> {
    h16: Option<&'s Taps16>,
    sums: &'s mut Vec<i32>,
}

/// Whether the horizontal pass `pass` can take [`Taps16::sums`]: one value per pixel (an NCHW
/// plane or a one-channel image), an `Accumulate::Int` rule alone (no split) and consecutive
/// taps. The values it reads must also be bytes ([`Src::bytes`], checked per row) and the
/// coefficients fit in i16 ([`Taps16::fill`]).
fn byte_sums_apply(pass: &FastPass<'_>, cs: usize) -> bool {
    cs == 1 && pass.contiguous && pass.tail.is_none() && matches!(pass.body, Kernel::Int(_))
}

/// Grows `v` to at least `len` elements (never shrinks: steady state allocates nothing).
fn fit<T: Clone + Default>(v: &mut Vec<T>, len: usize) {
    if v.len() < len {
        v.resize(len, T::default());
    }
}

/// `len` values of type `X` at the start of raw storage.
fn typed<X: bytemuck::Pod>(raw: &mut Vec<u64>, len: usize) -> &mut [X] {
    let words = (len * std::mem::size_of::<X>()).div_ceil(8);
    fit(raw, words);
    &mut bytemuck::cast_slice_mut::<u64, X>(&mut raw[..words])[..len]
}

/// How the tensor is cut into images of `[h][w][cs]` values.
#[derive(Debug, Clone, Copy)]
struct Geometry {
    /// Values per pixel inside an image.
    cs: usize,
    /// Channels of the tensor.
    c: usize,
    nhwc: bool,
    in_w: usize,
    in_image: usize,
    out_row: usize,
    out_image: usize,
    /// Output rows per band, and bands per image.
    band: usize,
    bands: usize,
}

impl Geometry {
    /// The first element of a row of image `image` whose interleaved position `x·C + c` is at
    /// least `at` (rows of `len` elements).
    fn split(&self, image: usize, at: usize, len: usize) -> usize {
        if self.nhwc {
            at.min(len)
        } else {
            let ch = image % self.c;
            if at <= ch {
                0
            } else {
                (at - ch).div_ceil(self.c).min(len)
            }
        }
    }
}

fn execute<T: Src + Dst>(
    fp: &FastPlan<'_>,
    src: &[T],
    dims: [usize; 4],
    layout: Layout,
    dst: &mut [T],
) {
    match fp.mid {
        Mid::U8 => execute_with::<T, u8>(fp, src, dims, layout, dst),
        Mid::U16 => execute_with::<T, u16>(fp, src, dims, layout, dst),
        Mid::I32 => execute_with::<T, i32>(fp, src, dims, layout, dst),
        Mid::F32 => execute_with::<T, f32>(fp, src, dims, layout, dst),
    }
}

fn execute_with<T: Src + Dst, M: Src + Dst>(
    fp: &FastPlan<'_>,
    src: &[T],
    dims: [usize; 4],
    layout: Layout,
    dst: &mut [T],
) {
    let [n, c, h, w] = dims;
    let [oh, ow] = fp.output_hw;
    debug_assert_eq!([h, w], fp.input_hw);
    let nhwc = layout == Layout::Nhwc;
    let (images, cs) = if nhwc { (n, c) } else { (n * c, 1) };
    if images == 0 || oh * ow * cs == 0 {
        return;
    }
    // Work per output row, in multiply-adds (for the parallel split).
    let per_row = [Some(fp.first), fp.second]
        .into_iter()
        .flatten()
        .map(|p| {
            let taps = p.table.width();
            match p.axis {
                PassAxis::Width => ow * cs * taps * (h.max(oh)).div_ceil(oh),
                PassAxis::Height => w.max(ow) * cs * taps,
            }
        })
        .sum::<usize>()
        .max(1);
    let threads = rayon::current_num_threads().max(1);
    let total = images * oh * per_row;
    let bands = if threads == 1 || total < PARALLEL_THRESHOLD {
        1
    } else {
        // About four units of work per thread, none below the threshold's worth.
        let wanted = (threads * 4).div_ceil(images);
        let most = (oh * per_row / PARALLEL_THRESHOLD.div_ceil(4)).max(1);
        wanted.min(most).min(oh).max(1)
    };
    let band = oh.div_ceil(bands);
    let bands = oh.div_ceil(band);
    let geo = Geometry {
        cs,
        c,
        nhwc,
        in_w: w,
        in_image: h * w * cs,
        out_row: ow * cs,
        out_image: oh * ow * cs,
        band,
        bands,
    };
    let job = Job::<T, M> {
        fp,
        geo,
        src,
        _mid: std::marker::PhantomData,
    };
    let units = images * bands;
    if units == 1 || threads == 1 {
        job.run_units(0, units, dst);
    } else {
        job.split(0, units, dst);
    }
}

/// One call: units of work are `(image, band)` pairs in output order, so a range of units is
/// one contiguous slice of the output.
struct Job<'a, T, M> {
    fp: &'a FastPlan<'a>,
    geo: Geometry,
    src: &'a [T],
    _mid: std::marker::PhantomData<M>,
}

impl<T: Src + Dst, M: Src + Dst> Job<'_, T, M> {
    /// Output rows `[r0, r1)` of band `b`.
    fn band_rows(&self, b: usize) -> Range<usize> {
        let oh = self.fp.output_hw[0];
        b * self.geo.band..((b + 1) * self.geo.band).min(oh)
    }

    /// Where unit `u` starts in the output (the unit count maps to the end).
    fn offset(&self, u: usize) -> usize {
        let (image, b) = (u / self.geo.bands, u % self.geo.bands);
        if b == 0 {
            return image * self.geo.out_image;
        }
        image * self.geo.out_image + self.band_rows(b).start * self.geo.out_row
    }

    /// Halves `u0..u1` until one unit is left, running the halves in parallel.
    fn split(&self, u0: usize, u1: usize, out: &mut [T]) {
        if u1 - u0 <= 1 {
            self.run_units(u0, u1, out);
            return;
        }
        let mid = u0 + (u1 - u0) / 2;
        let (a, b) = out.split_at_mut(self.offset(mid) - self.offset(u0));
        rayon::join(|| self.split(u0, mid, a), || self.split(mid, u1, b));
    }

    /// Runs units `u0..u1` on this thread, into `out` (exactly their rows).
    fn run_units(&self, u0: usize, u1: usize, out: &mut [T]) {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.dispatch(u0, u1, out, &mut scratch),
            Err(_) => self.dispatch(u0, u1, out, &mut Scratch::default()),
        });
    }

    /// With 256-bit vectors where the CPU has AVX2: the same operations in the same order;
    /// only the width of the element-wise loops changes, so the results are identical (Rust
    /// never fuses a multiply and an add on its own).
    fn dispatch(&self, u0: usize, u1: usize, out: &mut [T], scratch: &mut Scratch) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2, checked just above.
                unsafe { self.units_avx2(u0, u1, out, scratch) };
                return;
            }
        }
        self.units(u0, u1, out, scratch);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn units_avx2(&self, u0: usize, u1: usize, out: &mut [T], scratch: &mut Scratch) {
        self.units(u0, u1, out, scratch);
    }

    #[inline(always)]
    fn units(&self, u0: usize, u1: usize, out: &mut [T], scratch: &mut Scratch) {
        let geo = self.geo;
        let mut rest = out;
        for u in u0..u1 {
            let (image, b) = (u / geo.bands, u % geo.bands);
            let rows = self.band_rows(b);
            let (chunk, tail) = std::mem::take(&mut rest).split_at_mut(rows.len() * geo.out_row);
            rest = tail;
            let input = &self.src[image * geo.in_image..(image + 1) * geo.in_image];
            self.band(image, input, rows, chunk, scratch);
        }
    }

    /// Output rows `rows` of one image into `out` (exactly those rows).
    #[inline(always)]
    fn band(&self, image: usize, input: &[T], rows: Range<usize>, out: &mut [T], s: &mut Scratch) {
        let fp = self.fp;
        let geo = self.geo;
        let in_row = geo.in_w * geo.cs;
        let out_row = geo.out_row;
        let Scratch {
            ring,
            tags,
            alpha_ring,
            alpha_tags,
            rows: offsets,
            row,
            taps16,
            sums,
        } = s;
        // The horizontal pass's 8-bit kernel, where it applies (filled once per band: a few
        // thousand coefficients).
        let horizontal = match fp.first.axis {
            PassAxis::Width => Some(&fp.first),
            PassAxis::Height => fp.second.as_ref(),
        };
        let h16 = horizontal
            .filter(|p| byte_sums_apply(p, geo.cs))
            .and_then(|p| match p.coefs {
                Coefs::Int(c) => {
                    let t = p.table;
                    taps16
                        .fill(t.index_table(), t.counts(), c, t.width())
                        .then_some(&*taps16)
                }
                Coefs::Float(_) => None,
            });
        let mut h = HorizontalScratch { h16, sums };
        let oy0 = rows.start;
        match (fp.first.axis, fp.second) {
            // Width, then height: a ring of the first pass's rows.
            (PassAxis::Width, Some(second)) => {
                let first = &fp.first;
                let mid_row = fp.output_hw[1] * geo.cs;
                let span = second.span;
                let ring: &mut [M] = typed(ring, span * mid_row);
                fit(tags, span);
                tags[..span].fill(usize::MAX);
                let pre: &mut [T] = typed(row, if fp.alpha { in_row } else { 0 });
                for oy in rows {
                    offsets.clear();
                    for &r in second.table.indices(oy) {
                        let r = r as usize;
                        let slot = r % span;
                        if tags[slot] != r {
                            let source = &input[r * in_row..(r + 1) * in_row];
                            let source = if fp.alpha {
                                premultiply_row(source, pre);
                                &*pre
                            } else {
                                source
                            };
                            let dst = &mut ring[slot * mid_row..(slot + 1) * mid_row];
                            self.run_horizontal(first, image, source, dst, &mut h);
                            tags[slot] = r;
                        }
                        offsets.push(slot * mid_row);
                    }
                    let dst = &mut out[(oy - oy0) * out_row..(oy - oy0 + 1) * out_row];
                    self.run_vertical(&second, image, oy, ring, offsets, dst);
                    if fp.alpha {
                        unpremultiply_row(dst);
                    }
                }
            }
            // Height first (then width, or alone).
            (PassAxis::Height, second) => {
                let first = &fp.first;
                let span = first.span;
                let premultiplied: &mut [T] =
                    typed(alpha_ring, if fp.alpha { span * in_row } else { 0 });
                fit(alpha_tags, span);
                alpha_tags[..span].fill(usize::MAX);
                let mid: &mut [M] = typed(row, if second.is_some() { in_row } else { 0 });
                for oy in rows {
                    offsets.clear();
                    for &r in first.table.indices(oy) {
                        let r = r as usize;
                        if fp.alpha {
                            let slot = r % span;
                            if alpha_tags[slot] != r {
                                premultiply_row(
                                    &input[r * in_row..(r + 1) * in_row],
                                    &mut premultiplied[slot * in_row..(slot + 1) * in_row],
                                );
                                alpha_tags[slot] = r;
                            }
                            offsets.push(slot * in_row);
                        } else {
                            offsets.push(r * in_row);
                        }
                    }
                    let base: &[T] = if fp.alpha { &*premultiplied } else { input };
                    let dst = &mut out[(oy - oy0) * out_row..(oy - oy0 + 1) * out_row];
                    match &second {
                        None => self.run_vertical(first, image, oy, base, offsets, dst),
                        Some(second) => {
                            self.run_vertical(first, image, oy, base, offsets, mid);
                            self.run_horizontal(second, image, mid, dst, &mut h);
                        }
                    }
                    if fp.alpha {
                        unpremultiply_row(dst);
                    }
                }
            }
            // Width alone.
            (PassAxis::Width, None) => {
                let pre: &mut [T] = typed(row, if fp.alpha { in_row } else { 0 });
                for oy in rows {
                    let source = &input[oy * in_row..(oy + 1) * in_row];
                    let source = if fp.alpha {
                        premultiply_row(source, pre);
                        &*pre
                    } else {
                        source
                    };
                    let dst = &mut out[(oy - oy0) * out_row..(oy - oy0 + 1) * out_row];
                    self.run_horizontal(&fp.first, image, source, dst, &mut h);
                    if fp.alpha {
                        unpremultiply_row(dst);
                    }
                }
            }
        }
    }

    /// A horizontal pass over one whole row, split between the body and tail rules.
    #[inline(always)]
    fn run_horizontal<S: Src, D: Dst>(
        &self,
        pass: &FastPass<'_>,
        image: usize,
        src: &[S],
        dst: &mut [D],
        h: &mut HorizontalScratch<'_>,
    ) {
        let len = dst.len();
        if let (Some(t), Kernel::Int(store), None, Some(bytes)) =
            (h.h16, pass.body, pass.tail, S::bytes(src))
        {
            fit(h.sums, len);
            let sums = &mut h.sums[..len];
            t.sums(bytes, 0..len, sums);
            store_int(store, sums, dst);
            return;
        }
        match pass.tail {
            None => horizontal(pass, pass.body, src, self.geo.cs, dst, 0..len),
            Some((at, tail)) => {
                let split = self.geo.split(image, at, len);
                horizontal(pass, pass.body, src, self.geo.cs, dst, 0..split);
                horizontal(pass, tail, src, self.geo.cs, dst, split..len);
            }
        }
    }

    /// A vertical pass for output row `o`, split between the body and tail rules.
    #[inline(always)]
    fn run_vertical<S: Src, D: Dst>(
        &self,
        pass: &FastPass<'_>,
        image: usize,
        o: usize,
        base: &[S],
        rows: &[usize],
        dst: &mut [D],
    ) {
        let len = dst.len();
        match pass.tail {
            None => vertical(pass, pass.body, o, base, rows, dst, 0..len),
            Some((at, tail)) => {
                let split = self.geo.split(image, at, len);
                vertical(pass, pass.body, o, base, rows, dst, 0..split);
                vertical(pass, tail, o, base, rows, dst, split..len);
            }
        }
    }
}

/// Pillow's `RGBA → RGBa` on one row of 4-value pixels ([`muldiv255`]).
#[inline(always)]
fn premultiply_row<T: Src + Dst>(src: &[T], dst: &mut [T]) {
    for (s, d) in src.chunks_exact(4).zip(dst.chunks_exact_mut(4)) {
        let a = s[3].int();
        for ch in 0..3 {
            d[ch] = T::from_int(muldiv255(s[ch].int(), a));
        }
        d[3] = s[3];
    }
}

/// Pillow's `RGBa → RGBA` on one row of 4-value pixels ([`divide_by_alpha`]).
#[inline(always)]
fn unpremultiply_row<T: Src + Dst>(row: &mut [T]) {
    for px in row.chunks_exact_mut(4) {
        let a = px[3].int();
        if a == 0 || a == 255 {
            continue;
        }
        for ch in 0..3 {
            px[ch] = T::from_int(divide_by_alpha(px[ch].int(), a));
        }
    }
}
