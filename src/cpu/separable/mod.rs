//! The CPU executor of [`ExactPlan`]s: a framework's own integer (or float) resize arithmetic,
//! pass by pass, exactly as the plan states it. It is the reference the GPU's exact kernels are
//! tested against.
//!
//! Two paths compute the same bits:
//!
//! - the **generic** path ([`run_reference`]): images as rows of interleaved `x·C + c` elements
//!   (NHWC order, the order OpenCV and Pillow see; an NCHW tensor is transposed in and out),
//!   whole-image intermediates, i64 integer accumulators (the frameworks' i32 and u64 sums are
//!   exact in it), f32 float accumulators with every product and sum rounded on its own in the
//!   plan's order, and the rule looked up per element. It runs every plan.
//! - the **fast** path (`fast`): 8- and 16-bit images whose passes all have a specialised kernel
//!   (fixed-point sums proven to stay inside i32, float32 sums, the stores of the real plans).
//!   It computes row bands in parallel, only the first-pass rows the second pass reads, NCHW
//!   planes in place without transposes, with per-thread scratch, and the same operations on
//!   every element: the same products, added in the same order, rounded, shifted and clamped by
//!   the same rules (the helpers below are shared by both paths). `tests/exact_fast.rs` checks it
//!   against the generic path on random plans and images.
//!
//! [`run`] and [`run_into`] take the fast path where it exists and the generic one otherwise.

mod fast;
mod simd;

use ndarray::{Array4, ArrayView4, ArrayViewMut4, Axis};
use rayon::prelude::*;

use crate::error::{try_zeros, Error, Result};
use crate::plan::separable::{
    Accumulate, AlphaRule, ArithmeticPlan, BlockAverage, BlockRule, ExactPlan, Pass, PassAxis,
    Rule, SeparablePlan, Store,
};
use crate::spec::Layout;
use crate::tensor::{Element, ElementType, Tensor4};

/// Below this many output elements of a pass, it runs on the calling thread only.
const PARALLEL_THRESHOLD: usize = 1 << 15;

/// Values between passes.
#[derive(Debug, Clone)]
enum Values {
    Int(Vec<i64>),
    Float(Vec<f32>),
}

/// An element type the executor reads and writes.
pub trait ExactElement: Element + fast::FastElement {
    /// The value as the executor's integer or float domain.
    fn load(self) -> Loaded;
    /// Converts an integer result (already clamped into range by the plan's last rule).
    fn from_int(v: i64) -> Self;
    /// Converts a float result.
    fn from_float(v: f32) -> Self;
    /// The array of this type in a tensor of the plan's output type.
    #[doc(hidden)]
    fn from_tensor(t: Tensor4) -> Result<Array4<Self>>;
    /// An array of this type as a tensor.
    #[doc(hidden)]
    fn into_tensor(a: Array4<Self>) -> Tensor4;
}

/// A value as loaded from an input tensor.
#[derive(Debug, Clone, Copy)]
pub enum Loaded {
    /// An integer value.
    Int(i64),
    /// A float value.
    Float(f32),
}

impl ExactElement for u8 {
    fn into_tensor(a: Array4<Self>) -> Tensor4 {
        Tensor4::U8(a)
    }
    fn from_tensor(t: Tensor4) -> Result<Array4<Self>> {
        match t {
            Tensor4::U8(a) => Ok(a),
            other => Err(Error::invalid_argument(
                "output element type",
                other.element_type(),
                "the plan writes another type than the output array's",
            )),
        }
    }
    fn load(self) -> Loaded {
        Loaded::Int(self as i64)
    }
    fn from_int(v: i64) -> Self {
        v.clamp(0, u8::MAX as i64) as u8
    }
    fn from_float(v: f32) -> Self {
        v as u8
    }
}

impl ExactElement for u16 {
    fn into_tensor(a: Array4<Self>) -> Tensor4 {
        Tensor4::U16(a)
    }
    fn from_tensor(t: Tensor4) -> Result<Array4<Self>> {
        match t {
            Tensor4::U16(a) => Ok(a),
            other => Err(Error::invalid_argument(
                "output element type",
                other.element_type(),
                "the plan writes another type than the output array's",
            )),
        }
    }
    fn load(self) -> Loaded {
        Loaded::Int(self as i64)
    }
    fn from_int(v: i64) -> Self {
        v.clamp(0, u16::MAX as i64) as u16
    }
    fn from_float(v: f32) -> Self {
        v as u16
    }
}

impl ExactElement for f32 {
    fn into_tensor(a: Array4<Self>) -> Tensor4 {
        Tensor4::F32(a)
    }
    fn from_tensor(t: Tensor4) -> Result<Array4<Self>> {
        match t {
            Tensor4::F32(a) => Ok(a),
            other => Err(Error::invalid_argument(
                "output element type",
                other.element_type(),
                "the plan writes another type than the output array's",
            )),
        }
    }
    fn load(self) -> Loaded {
        Loaded::Float(self)
    }
    fn from_int(v: i64) -> Self {
        v as f32
    }
    fn from_float(v: f32) -> Self {
        v
    }
}

/// Runs `plan` on `input` (in `layout`), returning the output in the plan's output type.
pub fn run<T: ExactElement>(
    plan: &ExactPlan,
    input: ArrayView4<T>,
    layout: Layout,
) -> Result<Tensor4> {
    let [n, c, _, _] = check(plan, &input, layout)?;
    if plan.output == T::TYPE && T::fast_covers(plan, c, layout) {
        let [oh, ow] = plan.output_hw();
        let mut out: Array4<T> = try_zeros("the output", layout.shape([n, c, oh, ow]))?;
        run_into(plan, input, layout, out.view_mut())?;
        return Ok(T::into_tensor(out));
    }
    run_reference(plan, input, layout)
}

/// Whether [`run`] and [`run_into`] take the fast path for `plan` on a tensor of `channels`
/// channels in `layout` with elements of type `T` (the plan reads and writes `T`, and every step
/// has a specialised kernel); otherwise they take [`run_reference`]. Both compute the same bits.
pub fn has_fast_path<T: ExactElement>(plan: &ExactPlan, channels: usize, layout: Layout) -> bool {
    plan.input == T::TYPE && plan.output == T::TYPE && T::fast_covers(plan, channels, layout)
}

/// Runs `plan` on `input` (in `layout`) into the caller's `output` (the same layout and element
/// type, the plan's output size). With the fast path (8- and 16-bit plans that have one) a
/// steady-state call allocates nothing.
///
/// Errors: those of [`run`], a plan whose output type is not `T`, and an output of another
/// shape.
pub fn run_into<T: ExactElement>(
    plan: &ExactPlan,
    input: ArrayView4<T>,
    layout: Layout,
    mut output: ArrayViewMut4<T>,
) -> Result<()> {
    let dims = check(plan, &input, layout)?;
    if plan.output != T::TYPE {
        return Err(Error::invalid_argument(
            "output element type",
            T::TYPE,
            format!("the plan writes {}", plan.output),
        ));
    }
    let [n, c, _, _] = dims;
    let [oh, ow] = plan.output_hw();
    let expected = layout.shape([n, c, oh, ow]);
    let got: [usize; 4] = output.dim().into();
    if got != expected {
        return Err(Error::ShapeMismatch {
            what: format!("output array ({})", layout.name()),
            expected: expected.to_vec(),
            got: got.to_vec(),
        });
    }
    if T::fast_covers(plan, c, layout) {
        let src = input.as_standard_layout();
        let src = src.as_slice().expect("standard layout");
        return crate::cpu::write_standard(output, |dst| T::run_fast(plan, src, dims, layout, dst));
    }
    let y = T::from_tensor(run_reference(plan, input, layout)?)?;
    output.assign(&y);
    Ok(())
}

/// The shape, type and plan checks of [`run`]: returns the input's `[n, c, h, w]`.
fn check<T: ExactElement>(
    plan: &ExactPlan,
    input: &ArrayView4<T>,
    layout: Layout,
) -> Result<[usize; 4]> {
    let dims = layout.nchw(input.dim().into());
    let [_, c, h, w] = dims;
    if [h, w] != plan.input_hw() {
        return Err(Error::ShapeMismatch {
            what: "input height and width (the plan was built for another size)".into(),
            expected: plan.input_hw().to_vec(),
            got: vec![h, w],
        });
    }
    if T::TYPE != plan.input {
        return Err(Error::invalid_argument(
            "input element type",
            T::TYPE,
            format!("the plan reads {}", plan.input),
        ));
    }
    plan.validate(c)?;
    Ok(dims)
}

/// The generic path: runs `plan` on `input` (in `layout`) element by element, exactly as the
/// plan states it, and returns the output in the plan's output type. It runs every plan;
/// [`run`] takes it where the fast path has no kernel, and the fast path is tested against it.
pub fn run_reference<T: ExactElement>(
    plan: &ExactPlan,
    input: ArrayView4<T>,
    layout: Layout,
) -> Result<Tensor4> {
    let [n, c, h, w] = check(plan, &input, layout)?;
    let [oh, ow] = plan.output_hw();
    // NHWC element order for the arithmetic.
    let nhwc = match layout {
        Layout::Nhwc => input.as_standard_layout().into_owned(),
        Layout::Nchw => input
            .permuted_axes([0, 2, 3, 1])
            .as_standard_layout()
            .into_owned(),
    };
    let image_in = h * w * c;
    let image_out = oh * ow * c;
    let src = nhwc.as_slice().expect("standard layout");
    let mut images: Vec<Values> = Vec::with_capacity(n);
    for k in 0..n {
        let pixels = &src[k * image_in..(k + 1) * image_in];
        let mut values = load(pixels, plan.input);
        if plan.alpha == Some(AlphaRule::PillowPremultiplied) {
            premultiply(&mut values);
        }
        let mut out = match &plan.arithmetic {
            ArithmeticPlan::Separable(p) => run_separable(p, values, c)?,
            ArithmeticPlan::BlockAverage(b) => block_average(b, &values, c, plan.output)?,
        };
        if plan.alpha == Some(AlphaRule::PillowPremultiplied) {
            unpremultiply(&mut out);
        }
        images.push(out);
    }
    let shape = [n, oh, ow, c];
    let out = match plan.output {
        ElementType::U8 => Tensor4::U8(collect::<u8>(&images, shape, image_out)?),
        ElementType::U16 => Tensor4::U16(collect::<u16>(&images, shape, image_out)?),
        ElementType::F32 => Tensor4::F32(collect::<f32>(&images, shape, image_out)?),
        other => {
            return Err(Error::unsupported(format!(
                "{other} output from an exact plan"
            )))
        }
    };
    Ok(match layout {
        Layout::Nhwc => out,
        Layout::Nchw => match out {
            Tensor4::U8(a) => Tensor4::U8(to_nchw(a)),
            Tensor4::U16(a) => Tensor4::U16(to_nchw(a)),
            Tensor4::F32(a) => Tensor4::F32(to_nchw(a)),
        },
    })
}

fn to_nchw<T: Clone>(a: Array4<T>) -> Array4<T> {
    a.permuted_axes([0, 3, 1, 2])
        .as_standard_layout()
        .into_owned()
}

fn load<T: ExactElement>(pixels: &[T], ty: ElementType) -> Values {
    if ty == ElementType::F32 {
        Values::Float(
            pixels
                .iter()
                .map(|&v| match v.load() {
                    Loaded::Float(f) => f,
                    Loaded::Int(i) => i as f32,
                })
                .collect(),
        )
    } else {
        Values::Int(
            pixels
                .iter()
                .map(|&v| match v.load() {
                    Loaded::Int(i) => i,
                    Loaded::Float(f) => f as i64,
                })
                .collect(),
        )
    }
}

fn collect<T: ExactElement>(
    images: &[Values],
    shape: [usize; 4],
    per_image: usize,
) -> Result<Array4<T>> {
    let mut out: Array4<T> = try_zeros("the output", shape)?;
    for (k, mut dst) in out.axis_iter_mut(Axis(0)).enumerate() {
        let dst = dst.as_slice_mut().expect("standard layout");
        match &images[k] {
            Values::Int(v) => {
                for (d, &s) in dst.iter_mut().zip(&v[..per_image]) {
                    *d = T::from_int(s);
                }
            }
            Values::Float(v) => {
                for (d, &s) in dst.iter_mut().zip(&v[..per_image]) {
                    *d = T::from_float(s);
                }
            }
        }
    }
    Ok(out)
}

/// Runs the passes of one image (`[h][w][c]` values).
fn run_separable(plan: &SeparablePlan, mut values: Values, c: usize) -> Result<Values> {
    let mut hw = plan.input_hw;
    for pass in &plan.passes {
        let (outer, inner) = match pass.axis {
            PassAxis::Width => (hw[0], c),
            PassAxis::Height => (1, hw[1] * c),
        };
        values = run_pass(pass, &values, outer, inner)?;
        match pass.axis {
            PassAxis::Width => hw[1] = pass.table.out_len(),
            PassAxis::Height => hw[0] = pass.table.out_len(),
        }
    }
    Ok(values)
}

/// One pass over values laid out as `[outer][axis][inner]`: output `[outer][out_len][inner]`.
/// The interleaved row position of an element (what the split rule compares) is `o·inner + i`
/// along the width and `i` along the height.
fn run_pass(pass: &Pass, values: &Values, outer: usize, inner: usize) -> Result<Values> {
    let table = &pass.table;
    let (in_len, out_len) = (table.in_len(), table.out_len());
    let total = outer * out_len * inner;
    let stores_float = pass.rule.stores_float();
    if let Some((_, tail)) = &pass.tail {
        if tail.stores_float() != stores_float {
            return Err(Error::invalid_argument(
                "exact plan",
                "",
                "the two rules of a pass must store the same kind of value",
            ));
        }
    }
    let row_position = |o: usize, i: usize| match pass.axis {
        PassAxis::Width => o * inner + i,
        PassAxis::Height => i,
    };
    // One output "line": all `inner` elements of output index `o` in block `b`.
    let line = |b: usize, o: usize, out: &mut dyn FnMut(usize, Acc)| {
        let idx = table.indices(o);
        for i in 0..inner {
            let rule = pass.rule_at(row_position(o, i));
            let read = |k: usize| (b * in_len + idx[k] as usize) * inner + i;
            out(
                i,
                accumulate(rule, table_coefficients(table, o), idx.len(), values, read),
            );
        }
    };
    let parallel = total >= PARALLEL_THRESHOLD;
    if stores_float {
        let mut dst = vec![0f32; total];
        let fill = |(line_no, chunk): (usize, &mut [f32])| {
            let (b, o) = (line_no / out_len, line_no % out_len);
            line(b, o, &mut |i, acc| {
                chunk[i] = match acc {
                    Acc::Float(f) => f,
                    Acc::Int(v) => v as f32,
                }
            });
        };
        if parallel {
            dst.par_chunks_mut(inner).enumerate().for_each(fill);
        } else {
            dst.chunks_mut(inner).enumerate().for_each(fill);
        }
        Ok(Values::Float(dst))
    } else {
        let mut dst = vec![0i64; total];
        let fill = |(line_no, chunk): (usize, &mut [i64])| {
            let (b, o) = (line_no / out_len, line_no % out_len);
            line(b, o, &mut |i, acc| {
                let rule = pass.rule_at(row_position(o, i));
                chunk[i] = store(rule, acc);
            });
        };
        if parallel {
            dst.par_chunks_mut(inner).enumerate().for_each(fill);
        } else {
            dst.chunks_mut(inner).enumerate().for_each(fill);
        }
        Ok(Values::Int(dst))
    }
}

/// Coefficients of output `o`, as the accumulators read them.
enum Coefs<'a> {
    Int(&'a [i32]),
    Float(&'a [f32]),
    Double(&'a [f64]),
}

fn table_coefficients(table: &crate::plan::separable::PassTable, o: usize) -> Coefs<'_> {
    if let Some(c) = table.int_coefficients(o) {
        Coefs::Int(c)
    } else if let Some(c) = table.double_coefficients(o) {
        Coefs::Double(c)
    } else {
        Coefs::Float(table.float_coefficients(o).unwrap_or(&[]))
    }
}

/// An accumulator.
#[derive(Debug, Clone, Copy)]
enum Acc {
    Int(i64),
    Float(f32),
}

fn value_int(values: &Values, at: usize) -> i64 {
    match values {
        Values::Int(v) => v[at],
        Values::Float(v) => v[at] as i64,
    }
}

fn value_float(values: &Values, at: usize) -> f32 {
    match values {
        Values::Int(v) => v[at] as f32,
        Values::Float(v) => v[at],
    }
}

fn value_double(values: &Values, at: usize) -> f64 {
    match values {
        Values::Int(v) => v[at] as f64,
        Values::Float(v) => v[at] as f64,
    }
}

#[inline]
fn accumulate(
    rule: &Rule,
    coefs: Coefs<'_>,
    taps: usize,
    values: &Values,
    read: impl Fn(usize) -> usize,
) -> Acc {
    match (rule.accumulate, coefs) {
        (Accumulate::Int, Coefs::Int(c)) => {
            let mut acc = 0i64;
            for (k, &ck) in c.iter().enumerate().take(taps) {
                acc = int_tap(acc, value_int(values, read(k)), ck as i64);
            }
            Acc::Int(acc)
        }
        (
            Accumulate::ShiftedProducts {
                pre_shift,
                post_shift,
            },
            Coefs::Int(c),
        ) => {
            let mut acc = 0i64;
            for (k, &ck) in c.iter().enumerate().take(taps) {
                acc = shifted_tap(
                    acc,
                    value_int(values, read(k)),
                    ck as i64,
                    pre_shift,
                    post_shift,
                );
            }
            Acc::Int(acc)
        }
        (Accumulate::Double, Coefs::Double(c)) => {
            // Pillow: `ss = 0.0; ss += (double)p * w` per tap; Rust neither contracts the
            // product into the sum nor reorders it.
            let mut acc = 0.0f64;
            for (k, &ck) in c.iter().enumerate().take(taps) {
                acc += value_double(values, read(k)) * ck;
            }
            Acc::Float(acc as f32)
        }
        (Accumulate::Float { reverse, scale }, coefs) => {
            let weight = |k: usize| match &coefs {
                Coefs::Int(c) => int_weight(c[k], scale),
                Coefs::Float(c) => float_weight(c[k], scale),
                // validate() refuses float32 rules on float64 tables.
                Coefs::Double(c) => float_weight(c[k] as f32, scale),
            };
            let product = |k: usize| value_float(values, read(k)) * weight(k);
            let mut acc;
            if reverse {
                acc = product(taps - 1);
                for k in (0..taps - 1).rev() {
                    acc += product(k);
                }
            } else {
                acc = product(0);
                for k in 1..taps {
                    acc += product(k);
                }
            }
            Acc::Float(acc)
        }
        // validate() refuses integer rules on float tables and float64 rules on other tables.
        (_, Coefs::Float(_) | Coefs::Double(_)) | (Accumulate::Double, _) => Acc::Float(f32::NAN),
    }
}

#[inline]
fn store(rule: &Rule, acc: Acc) -> i64 {
    match (rule.store, acc) {
        (
            Store::Shift {
                bias,
                shift,
                lo,
                hi,
            },
            Acc::Int(v),
        ) => shift_store(v, bias, shift, lo, hi),
        (Store::Keep, Acc::Int(v)) => v,
        (Store::RoundEven { lo, hi }, Acc::Float(f)) => round_even_saturate(f, lo, hi),
        (Store::RoundEven { lo, hi }, Acc::Int(v)) => v.clamp(lo, hi),
        (Store::Shift { .. }, Acc::Float(f)) | (Store::Keep, Acc::Float(f)) => f as i64,
    }
}

// The arithmetic of the rules, stated once for both paths: the generic path calls these with
// i64 accumulators, the fast path with i32 ones where the plan's bounds keep every value of the
// sum inside i32 (then both compute the same integers).

/// An integer accumulator: i64 (generic path) or i32 (fast path, within proven bounds).
pub(crate) trait IntAcc:
    Copy
    + Ord
    + std::ops::Add<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::Div<Output = Self>
    + std::ops::Shr<u32, Output = Self>
    + From<u8>
{
}

impl IntAcc for i32 {}
impl IntAcc for i64 {}

/// [`Accumulate::Int`]: one tap, `acc + v·c`.
#[inline(always)]
pub(crate) fn int_tap<A: IntAcc>(acc: A, v: A, c: A) -> A {
    acc + v * c
}

/// [`Accumulate::ShiftedProducts`]: one tap, `acc + ((v >> pre)·c >> post)`, arithmetic shifts.
#[inline(always)]
pub(crate) fn shifted_tap<A: IntAcc>(acc: A, v: A, c: A, pre: u32, post: u32) -> A {
    acc + (((v >> pre) * c) >> post)
}

/// [`Store::Shift`]: `clamp((acc + bias) >> shift, lo, hi)`, an arithmetic shift.
#[inline(always)]
pub(crate) fn shift_store<A: IntAcc>(acc: A, bias: A, shift: u32, lo: A, hi: A) -> A {
    ((acc + bias) >> shift).clamp(lo, hi)
}

/// [`Accumulate::Float`]'s weight of a fixed-point coefficient: `f32(c) · scale`.
#[inline(always)]
pub(crate) fn int_weight(c: i32, scale: f32) -> f32 {
    c as f32 * scale
}

/// [`Accumulate::Float`]'s weight of a float32 coefficient: `c · scale`.
#[inline(always)]
pub(crate) fn float_weight(c: f32, scale: f32) -> f32 {
    c * scale
}

/// Pillow's `MULDIV255(v, a)`: `(t + (t >> 8)) >> 8` with `t = v·a + 128`.
#[inline(always)]
pub(crate) fn muldiv255<A: IntAcc>(v: A, a: A) -> A {
    let t = v * a + A::from(128);
    (t + (t >> 8)) >> 8
}

/// Pillow's `rgba2rgbA` for one colour of a pixel whose alpha is neither 0 nor 255:
/// `min(255, ⌊255·v / a⌋)`.
#[inline(always)]
pub(crate) fn divide_by_alpha<A: IntAcc>(v: A, a: A) -> A {
    ((A::from(255) * v) / a).min(A::from(255))
}

/// OpenCV's `saturate_cast<uchar|ushort>(float)`: round half to even, then clamp; NaN gives the
/// low bound (cvRound(NaN) is INT_MIN, saturated).
pub fn round_even_saturate(f: f32, lo: i64, hi: i64) -> i64 {
    if f.is_nan() {
        return lo;
    }
    (f.round_ties_even() as i64).clamp(lo, hi)
}

/// [`round_even_saturate`] for bounds that float32 holds exactly (`|lo|, |hi| ≤ 2^24`), in
/// float32: `min(max(round_ties_even(f), lo), hi)`, an integer-valued float that converts to the
/// same integer. The same value: for `f` in `[lo, hi]` both round it; past a bound, the rounded
/// value is past (or at) that integer bound too, so both give the bound; NaN gives `lo`
/// (`f32::max` returns the other operand for NaN). The fast path uses it because it vectorises;
/// `round_even_clamped_matches_round_even_saturate` checks it against the generic one.
#[inline(always)]
pub(crate) fn round_even_clamped(f: f32, lo: f32, hi: f32) -> f32 {
    f.round_ties_even().max(lo).min(hi)
}

/// OpenCV's integer-factor area average over one image.
fn block_average(
    b: &BlockAverage,
    values: &Values,
    c: usize,
    output: ElementType,
) -> Result<Values> {
    let Values::Int(src) = values else {
        return Err(Error::unsupported(
            "a float input for OpenCV's integer-factor area average",
        ));
    };
    let [h, w] = b.input_hw;
    let [oh, ow] = b.output_hw;
    let [fy, fx] = b.factor;
    let hi = output.integer_max().unwrap_or(u16::MAX) as i64;
    let area = (fx * fy) as f32;
    let reciprocal = 1.0f32 / area;
    let (full_rows, full_cols) = (h / fy, w / fx);
    let mut out = vec![0i64; oh * ow * c];
    for dy in 0..oh {
        for dx in 0..ow {
            let (y0, x0) = (dy * fy, dx * fx);
            let ys = y0..(y0 + fy).min(h);
            let xs = x0..(x0 + fx).min(w);
            for ch in 0..c {
                let px = |y: usize, x: usize| src[(y * w + x) * c + ch];
                let v = if dy < full_rows && dx < full_cols {
                    match b.whole {
                        BlockRule::TwoByTwoShift => {
                            let s =
                                px(y0, x0) + px(y0, x0 + 1) + px(y0 + 1, x0) + px(y0 + 1, x0 + 1);
                            (s + 2) >> 2
                        }
                        BlockRule::IntSumTimesReciprocal => {
                            let s: i64 = ys
                                .clone()
                                .flat_map(|y| xs.clone().map(move |x| (y, x)))
                                .map(|(y, x)| px(y, x))
                                .sum();
                            round_even_saturate(s as f32 * reciprocal, 0, hi)
                        }
                        BlockRule::FloatSumByFourTimesReciprocal => {
                            let terms: Vec<f32> = ys
                                .clone()
                                .flat_map(|y| xs.clone().map(move |x| (y, x)))
                                .map(|(y, x)| px(y, x) as f32)
                                .collect();
                            let mut acc = 0f32;
                            let mut k = 0;
                            while k + 4 <= terms.len() {
                                acc += terms[k] + terms[k + 1] + terms[k + 2] + terms[k + 3];
                                k += 4;
                            }
                            for &t in &terms[k..] {
                                acc += t;
                            }
                            round_even_saturate(acc * reciprocal, 0, hi)
                        }
                    }
                } else {
                    // A block cut by the image's edge: its sum divided by its count.
                    let count = ys.len() * xs.len();
                    let pixels = ys.clone().flat_map(|y| xs.clone().map(move |x| (y, x)));
                    let sum = if b.float_partial_sums {
                        pixels.fold(0f32, |acc, (y, x)| acc + px(y, x) as f32)
                    } else {
                        pixels.map(|(y, x)| px(y, x)).sum::<i64>() as f32
                    };
                    round_even_saturate(sum / count as f32, 0, hi)
                };
                out[(dy * ow + dx) * c + ch] = v;
            }
        }
    }
    Ok(Values::Int(out))
}

/// Pillow's `RGBA → RGBa` (`rgbA2rgba`): each colour times alpha, divided by 255 with
/// Pillow's rounding `MULDIV255(v, a) = (t + (t >> 8)) >> 8` with `t = v·a + 128`.
fn premultiply(values: &mut Values) {
    if let Values::Int(v) = values {
        for px in v.chunks_exact_mut(4) {
            let a = px[3];
            for ch in &mut px[..3] {
                *ch = muldiv255(*ch, a);
            }
        }
    }
}

/// Pillow's `RGBa → RGBA` (`rgba2rgbA`): alpha 0 and 255 unchanged, otherwise each colour
/// becomes `min(255, ⌊255 · v / a⌋)` (integer division).
fn unpremultiply(values: &mut Values) {
    if let Values::Int(v) = values {
        for px in v.chunks_exact_mut(4) {
            let a = px[3];
            if a == 0 || a == 255 {
                continue;
            }
            for ch in &mut px[..3] {
                *ch = divide_by_alpha(*ch, a);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pillow's `MULDIV255` is `c·a/255` rounded half up, for every colour and alpha
    /// (`⌊(2·c·a + 255) / 510⌋`, checked exhaustively against Pillow 13.0.0 by the research that
    /// established it); alpha itself is kept.
    #[test]
    fn premultiply_is_pillows_muldiv255() {
        let mut values = Values::Int(
            (0..256i64)
                .flat_map(|c| (0..256i64).flat_map(move |a| [c, c, c, a]))
                .collect(),
        );
        premultiply(&mut values);
        let Values::Int(v) = values else {
            unreachable!()
        };
        for (k, px) in v.chunks_exact(4).enumerate() {
            let (c, a) = ((k / 256) as i64, (k % 256) as i64);
            assert_eq!(px[0], (2 * c * a + 255) / 510, "c {c} a {a}");
            assert_eq!(px[3], a);
        }
    }

    /// `rgba2rgbA`: alpha 0 and 255 keep the colour as it is (even a premultiplied colour above
    /// its alpha, which filters' overshoot makes); other alphas divide with the floor and clip.
    #[test]
    fn unpremultiply_copies_at_0_and_255_and_clips_between() {
        let mut values = Values::Int(vec![
            7, 9, 200, 0, // alpha 0: unchanged
            7, 9, 200, 255, // alpha 255: unchanged
            50, 100, 0, 100, // 127.5 → 127, 255, 0
            200, 60, 61, 60, // above alpha: clipped to 255; 255; 259 → 255
            1, 2, 3, 1, // alpha 1: 255, 255, 255
        ]);
        unpremultiply(&mut values);
        let Values::Int(v) = values else {
            unreachable!()
        };
        assert_eq!(
            v,
            vec![
                7, 9, 200, 0, 7, 9, 200, 255, 127, 255, 0, 100, 255, 255, 255, 60, 255, 255, 255, 1
            ]
        );
    }

    /// The round trip loses what `c·a/255` rounds away, and nothing where alpha is 255 or 0 is
    /// not involved: `unpremultiply(premultiply(c, a))` is within `255/a` of `c`, and equals `c`
    /// at alpha 255.
    #[test]
    fn premultiply_round_trip() {
        let pixels: Vec<i64> = (0..256i64)
            .flat_map(|c| (1..256i64).flat_map(move |a| [c, 255 - c, c / 2, a]))
            .collect();
        let mut values = Values::Int(pixels.clone());
        premultiply(&mut values);
        unpremultiply(&mut values);
        let Values::Int(v) = values else {
            unreachable!()
        };
        for (before, after) in pixels.chunks_exact(4).zip(v.chunks_exact(4)) {
            let a = before[3];
            for ch in 0..3 {
                let err = (after[ch] - before[ch]).abs();
                assert!(err <= 255 / a + 1, "{before:?} → {after:?}");
                if a == 255 {
                    assert_eq!(after[ch], before[ch]);
                }
            }
        }
    }

    /// `Accumulate::Double` sums from +0.0, in float64, and rounds to float32 once.
    #[test]
    fn double_accumulates_from_positive_zero_and_rounds_once() {
        use crate::plan::separable::PassTable;
        let table = PassTable::double(3, 1, |_| vec![(0, 1.0), (1, 1.0), (2, 1.0)]).unwrap();
        let rule = Rule {
            accumulate: Accumulate::Double,
            store: Store::Keep,
        };
        let coefs = table_coefficients(&table, 0);
        // 1 + 2^-30 − 1 in float64 is 2^-30; in float32 it would be 0.
        let values = Values::Float(vec![1.0, 2f32.powi(-30), -1.0]);
        match accumulate(&rule, coefs, 3, &values, |k| k) {
            Acc::Float(f) => assert_eq!(f, 2f32.powi(-30)),
            other => panic!("{other:?}"),
        }
        // −0.0 · 1 + … starts from +0.0: the sum is +0.0, as Pillow's `ss = 0.0` gives.
        let table = PassTable::double(1, 1, |_| vec![(0, 1.0)]).unwrap();
        let values = Values::Float(vec![-0.0]);
        match accumulate(&rule, table_coefficients(&table, 0), 1, &values, |k| k) {
            Acc::Float(f) => assert_eq!(f.to_bits(), 0.0f32.to_bits()),
            other => panic!("{other:?}"),
        }
    }
}
