//! Exact arithmetic plans: a framework's own integer (and float) resize arithmetic, written as
//! data that the CPU and GPU kernels execute identically.
//!
//! OpenCV, PyTorch and Pillow resize 8- and 16-bit images with their own arithmetic: fixed-point
//! coefficients, a pass order, an intermediate that is rounded or kept, a final rounding rule
//! and saturation, and sometimes a different formula for the elements their SIMD loops cover
//! than for the scalar tail. An [`ArithmeticPlan`] states all of it:
//!
//! - [`ArithmeticPlan::Separable`]: up to two passes in execution order, each along one axis,
//!   with per-output tap tables ([`PassTable`]: source index and coefficient, **not merged**:
//!   a float rule rounds each product on its own, so two taps that clamp onto the same pixel
//!   stay two terms) and a [`Rule`] that says how taps are accumulated and how the result is
//!   stored. An axis without a pass keeps its length and is copied.
//! - [`ArithmeticPlan::BlockAverage`]: OpenCV's integer-factor `INTER_AREA` (a 2-D block sum
//!   whose accumulation order is not separable).
//!
//! Geometry still comes from one place per framework (`plan::opencv`, `plan::torch`,
//! `plan::pillow`); this module only holds the tables and rules they produce. The CPU executor
//! is `cpu::separable`.

use crate::error::{Error, Result};
use crate::tensor::ElementType;

/// The axis a pass resamples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PassAxis {
    /// Rows (the height axis).
    Height,
    /// Columns (the width axis).
    Width,
}

/// Per-tap coefficients of a pass: integers for fixed-point rules, float32 for float rules,
/// float64 for [`Accumulate::Double`].
#[derive(Debug, Clone, PartialEq)]
pub enum Coefficients {
    /// Fixed-point coefficients (OpenCV's `short` at 11 bits, Pillow's and PyTorch's int).
    Int(Vec<i32>),
    /// float32 weights.
    Float(Vec<f32>),
    /// float64 weights (Pillow's `double` coefficients of its 32-bit paths).
    Double(Vec<f64>),
}

/// The taps of one pass: for each output index, its source indices (already clamped into the
/// input) and coefficients, in the order the framework accumulates them, padded to `width`
/// per output.
#[derive(Debug, Clone, PartialEq)]
pub struct PassTable {
    in_len: usize,
    out_len: usize,
    width: usize,
    counts: Vec<u32>,
    indices: Vec<u32>,
    coefficients: Coefficients,
}

/// One output's taps while a table is built: `(source index, coefficient)` in accumulation
/// order; indices must already lie in the input.
pub type TapList<C> = Vec<(usize, C)>;

impl PassTable {
    fn build<C: Copy + Default>(
        in_len: usize,
        out_len: usize,
        mut taps_of: impl FnMut(usize) -> TapList<C>,
        wrap: impl FnOnce(Vec<C>) -> Coefficients,
    ) -> Result<PassTable> {
        crate::error::check_len("input length", in_len)?;
        crate::error::check_len("output length", out_len)?;
        let lists: Vec<TapList<C>> = (0..out_len).map(&mut taps_of).collect();
        let width = lists.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let mut counts = Vec::with_capacity(out_len);
        let mut indices = vec![0u32; out_len * width];
        let mut coefficients = vec![C::default(); out_len * width];
        for (o, list) in lists.into_iter().enumerate() {
            if list.is_empty() {
                return Err(Error::invalid_argument(
                    "pass table",
                    o,
                    "every output needs at least one tap",
                ));
            }
            counts.push(list.len() as u32);
            for (k, (i, c)) in list.into_iter().enumerate() {
                if i >= in_len {
                    return Err(Error::invalid_argument(
                        "pass table source index",
                        i,
                        format!("the input has {in_len} pixels along this axis"),
                    ));
                }
                indices[o * width + k] = i as u32;
                coefficients[o * width + k] = c;
            }
        }
        Ok(PassTable {
            in_len,
            out_len,
            width,
            counts,
            indices,
            coefficients: wrap(coefficients),
        })
    }

    /// A table of fixed-point coefficients.
    pub fn int(
        in_len: usize,
        out_len: usize,
        taps_of: impl FnMut(usize) -> TapList<i32>,
    ) -> Result<PassTable> {
        Self::build(in_len, out_len, taps_of, Coefficients::Int)
    }

    /// A table of float32 weights.
    pub fn float(
        in_len: usize,
        out_len: usize,
        taps_of: impl FnMut(usize) -> TapList<f32>,
    ) -> Result<PassTable> {
        Self::build(in_len, out_len, taps_of, Coefficients::Float)
    }

    /// A table of float64 weights, for [`Accumulate::Double`].
    pub fn double(
        in_len: usize,
        out_len: usize,
        taps_of: impl FnMut(usize) -> TapList<f64>,
    ) -> Result<PassTable> {
        Self::build(in_len, out_len, taps_of, Coefficients::Double)
    }

    /// Input length along the axis.
    pub fn in_len(&self) -> usize {
        self.in_len
    }

    /// Output length along the axis.
    pub fn out_len(&self) -> usize {
        self.out_len
    }

    /// Taps stored per output.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Per-output tap counts.
    pub fn counts(&self) -> &[u32] {
        &self.counts
    }

    /// The padded index table, `out_len · width` entries.
    pub fn index_table(&self) -> &[u32] {
        &self.indices
    }

    /// The padded coefficient table.
    pub fn coefficients(&self) -> &Coefficients {
        &self.coefficients
    }

    /// The source indices of output `o`.
    ///
    /// # Panics
    /// When `o` is not below [`out_len`](Self::out_len).
    pub fn indices(&self, o: usize) -> &[u32] {
        let start = o * self.width;
        &self.indices[start..start + self.counts[o] as usize]
    }

    /// The fixed-point coefficients of output `o` (`None` for a float table).
    ///
    /// # Panics
    /// When `o` is not below [`out_len`](Self::out_len).
    pub fn int_coefficients(&self, o: usize) -> Option<&[i32]> {
        let start = o * self.width;
        match &self.coefficients {
            Coefficients::Int(c) => Some(&c[start..start + self.counts[o] as usize]),
            Coefficients::Float(_) | Coefficients::Double(_) => None,
        }
    }

    /// The float coefficients of output `o` (`None` for a fixed-point table).
    ///
    /// # Panics
    /// When `o` is not below [`out_len`](Self::out_len).
    pub fn float_coefficients(&self, o: usize) -> Option<&[f32]> {
        let start = o * self.width;
        match &self.coefficients {
            Coefficients::Float(c) => Some(&c[start..start + self.counts[o] as usize]),
            Coefficients::Int(_) | Coefficients::Double(_) => None,
        }
    }

    /// The float64 coefficients of output `o` (`None` for other tables).
    ///
    /// # Panics
    /// When `o` is not below [`out_len`](Self::out_len).
    pub fn double_coefficients(&self, o: usize) -> Option<&[f64]> {
        let start = o * self.width;
        match &self.coefficients {
            Coefficients::Double(c) => Some(&c[start..start + self.counts[o] as usize]),
            Coefficients::Int(_) | Coefficients::Float(_) => None,
        }
    }

    /// The largest `Σ|c|` of any output (fixed-point tables), for overflow bounds.
    pub fn max_abs_sum(&self) -> i64 {
        match &self.coefficients {
            Coefficients::Int(_) => (0..self.out_len)
                .map(|o| {
                    self.int_coefficients(o)
                        .unwrap_or(&[])
                        .iter()
                        .map(|&c| (c as i64).abs())
                        .sum::<i64>()
                })
                .max()
                .unwrap_or(0),
            Coefficients::Float(_) | Coefficients::Double(_) => 0,
        }
    }
}

/// How a pass combines the values its taps read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Accumulate {
    /// `Σ v·c` over the taps, exactly (integers; the CPU sums in i64, and the plan's bounds say
    /// when i32 suffices). Needs a fixed-point table.
    Int,
    /// `Σ ((c · (v >> pre_shift)) >> post_shift)` in integers: each product is shifted on its
    /// own, as OpenCV's 8-bit `INTER_LINEAR` vertical pass does with 16-bit multiply-high
    /// (`((b0·(H0 >> 4)) >> 16) + ((b1·(H1 >> 4)) >> 16)`). Arithmetic (flooring) shifts.
    ShiftedProducts {
        /// Shift of each value before the multiply.
        pre_shift: u32,
        /// Shift of each product.
        post_shift: u32,
    },
    /// float32: each product `f32(v) · (w · scale)` rounded to float32, then summed in float32,
    /// each addition rounded (no fused multiply-add), in tap order (`p0 + p1 + p2 …`) or in
    /// reverse (`p0 + (p1 + (p2 + p3))`, OpenCV's SIMD chains). Integer values and integer
    /// coefficients are converted to float32 first; `scale` (a power of two, or 1) multiplies
    /// each coefficient exactly.
    Float {
        /// Sum from the last tap back to the first.
        reverse: bool,
        /// Applied to each coefficient (exact: a power of two).
        scale: f32,
    },
    /// float64, as Pillow's 32-bit paths compute (`_ImagingResample{Horizontal,Vertical}_32bpc`):
    /// `acc = 0.0; acc = acc + f64(v) · w` for each tap in order, the product and the sum each
    /// rounded to float64 (no fused multiply-add), with float64 coefficients. Starting from
    /// `+0.0` matters: a first product of `−0.0` sums to `+0.0`. With [`Store::Keep`] the
    /// result is rounded to float32 (nearest, ties to even; overflow gives ±inf), which is also
    /// what is stored between passes. Needs a float64 table. The CPU executes it; GPUs (no f64
    /// in WGSL) refuse it with [`Error::Unsupported`].
    Double,
}

/// What a pass stores for each output element.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Store {
    /// `clamp((acc + bias) >> shift, lo, hi)`: an arithmetic (flooring) shift of an integer
    /// accumulator.
    Shift {
        /// Added before the shift (typically `1 << (shift − 1)`, so ties round up).
        bias: i64,
        /// Bits shifted out.
        shift: u32,
        /// Lower clamp.
        lo: i64,
        /// Upper clamp.
        hi: i64,
    },
    /// The accumulator as it is: an integer kept wide, or a float32 kept unrounded.
    Keep,
    /// A float accumulator rounded half to even, then clamped (OpenCV's `saturate_cast`).
    RoundEven {
        /// Lower clamp.
        lo: i64,
        /// Upper clamp.
        hi: i64,
    },
}

/// How a pass turns an output's taps into the value it stores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// How taps are combined.
    pub accumulate: Accumulate,
    /// What is stored.
    pub store: Store,
}

impl Rule {
    /// Whether the stored values are floats (a float accumulator kept as float32).
    pub fn stores_float(&self) -> bool {
        matches!(
            self.accumulate,
            Accumulate::Float { .. } | Accumulate::Double
        ) && self.store == Store::Keep
    }
}

/// One pass of a separable plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Pass {
    /// The axis it resamples.
    pub axis: PassAxis,
    /// Its taps.
    pub table: PassTable,
    /// The rule for every element of an output row…
    pub rule: Rule,
    /// …except those at interleaved position `x·C + c ≥ at` of the row (C channels), which
    /// use this rule: OpenCV's vectorised loops cover the first `W − W mod 8` elements of a row
    /// and a scalar tail with another formula covers the rest.
    pub tail: Option<(usize, Rule)>,
}

impl Pass {
    /// The rule of the element at interleaved row position `e`.
    pub fn rule_at(&self, e: usize) -> &Rule {
        match &self.tail {
            Some((at, tail)) if e >= *at => tail,
            _ => &self.rule,
        }
    }
}

/// A framework's separable arithmetic: passes in execution order.
#[derive(Debug, Clone, PartialEq)]
pub struct SeparablePlan {
    /// Input height and width.
    pub input_hw: [usize; 2],
    /// Output height and width.
    pub output_hw: [usize; 2],
    /// 0, 1 or 2 passes in execution order, on different axes. An axis without a pass keeps its
    /// length (the values are carried through).
    pub passes: Vec<Pass>,
}

/// OpenCV's integer-factor `INTER_AREA` (`resizeAreaFast`): each output averages a
/// `factor_y × factor_x` block; blocks cut by the image's edge average what they cover.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlockAverage {
    /// Input height and width.
    pub input_hw: [usize; 2],
    /// Output height and width.
    pub output_hw: [usize; 2],
    /// Block height and width.
    pub factor: [usize; 2],
    /// How whole blocks are averaged.
    pub whole: BlockRule,
    /// Blocks cut by the image's edge: `true` sums their values in float32 one by one (16-bit),
    /// `false` sums them exactly in integers (8-bit); either sum is then divided by the count in
    /// float32 and rounded half to even.
    pub float_partial_sums: bool,
}

/// How [`BlockAverage`] turns a whole block's values into one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockRule {
    /// `(sum + 2) >> 2` over a 2×2 block in integers (OpenCV's 8- and 16-bit 2×2 fast path).
    TwoByTwoShift,
    /// The exact integer sum, converted to float32, times `1.f/area` (float32), rounded half to
    /// even (8-bit).
    IntSumTimesReciprocal,
    /// A float32 sum in groups of four values (`acc += (v0 + v1 + v2 + v3)` over the block in
    /// row-major order, then the rest one by one), times `1.f/area`, rounded half to even
    /// (16-bit).
    FloatSumByFourTimesReciprocal,
}

/// Which exact arithmetic a call runs on integer images (and, for Pillow's `F` mode, on
/// float32 ones).
#[derive(Debug, Clone, PartialEq)]
pub enum ArithmeticPlan {
    /// Separable passes.
    Separable(SeparablePlan),
    /// OpenCV's integer-factor area average.
    BlockAverage(BlockAverage),
}

/// A plan with its element types: what an [`crate::IntegerPath::Exact`] call runs, and what
/// [`crate::ResizePlanner::exact_f32_plan`] offers for float32 input.
#[derive(Debug, Clone, PartialEq)]
pub struct ExactPlan {
    /// The arithmetic.
    pub arithmetic: ArithmeticPlan,
    /// The input's element type.
    pub input: ElementType,
    /// The output's element type.
    pub output: ElementType,
    /// A per-pixel step before and after the resize (Pillow's premultiplied alpha).
    pub alpha: Option<AlphaRule>,
}

/// Per-pixel steps around a resize of images with an alpha channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlphaRule {
    /// Pillow's `RGBA → RGBa` premultiply before and `RGBa → RGBA` after (4 channels, alpha last).
    PillowPremultiplied,
}

impl ExactPlan {
    /// Output height and width.
    pub fn output_hw(&self) -> [usize; 2] {
        match &self.arithmetic {
            ArithmeticPlan::Separable(p) => p.output_hw,
            ArithmeticPlan::BlockAverage(b) => b.output_hw,
        }
    }

    /// Input height and width.
    pub fn input_hw(&self) -> [usize; 2] {
        match &self.arithmetic {
            ArithmeticPlan::Separable(p) => p.input_hw,
            ArithmeticPlan::BlockAverage(b) => b.input_hw,
        }
    }

    /// Whether any pass accumulates in float64 ([`Accumulate::Double`]), which only the CPU
    /// executes.
    pub fn uses_double(&self) -> bool {
        match &self.arithmetic {
            ArithmeticPlan::Separable(p) => p.passes.iter().any(|pass| {
                std::iter::once(&pass.rule)
                    .chain(pass.tail.as_ref().map(|t| &t.1))
                    .any(|r| r.accumulate == Accumulate::Double)
            }),
            ArithmeticPlan::BlockAverage(_) => false,
        }
    }

    /// Checks the plan's internal consistency: pass lengths chain from the input to the
    /// output, rules fit their tables, and the alpha rule fits the channel count `channels`.
    pub fn validate(&self, channels: usize) -> Result<()> {
        let bad = |why: String| Err(Error::invalid_argument("exact plan", "", why));
        if self.alpha == Some(AlphaRule::PillowPremultiplied) && channels != 4 {
            return bad(format!(
                "premultiplied alpha needs 4 channels (RGBA), the input has {channels}"
            ));
        }
        let ArithmeticPlan::Separable(p) = &self.arithmetic else {
            return Ok(());
        };
        let mut hw = p.input_hw;
        let mut seen = [false; 2];
        for pass in &p.passes {
            let k = match pass.axis {
                PassAxis::Height => 0,
                PassAxis::Width => 1,
            };
            if seen[k] {
                return bad("two passes on one axis".into());
            }
            seen[k] = true;
            if pass.table.in_len() != hw[k] {
                return bad(format!(
                    "a {:?} pass reads {} pixels, the axis has {}",
                    pass.axis,
                    pass.table.in_len(),
                    hw[k]
                ));
            }
            hw[k] = pass.table.out_len();
            for rule in std::iter::once(&pass.rule).chain(pass.tail.as_ref().map(|t| &t.1)) {
                let int_table = matches!(pass.table.coefficients(), Coefficients::Int(_));
                let double_table = matches!(pass.table.coefficients(), Coefficients::Double(_));
                match rule.accumulate {
                    Accumulate::Int | Accumulate::ShiftedProducts { .. } if !int_table => {
                        return bad("an integer rule needs fixed-point coefficients".into())
                    }
                    Accumulate::Float { .. } if double_table => {
                        return bad(
                            "a float32 rule reads float32 or fixed-point coefficients, not \
                             float64 ones"
                                .into(),
                        )
                    }
                    Accumulate::Float { .. } if matches!(rule.store, Store::Shift { .. }) => {
                        return bad("a float accumulator cannot be shifted".into())
                    }
                    Accumulate::Double if !double_table => {
                        return bad("a float64 rule needs float64 coefficients".into())
                    }
                    Accumulate::Double if rule.store != Store::Keep => {
                        return bad(
                            "a float64 rule stores its result as float32 (Store::Keep) only".into(),
                        )
                    }
                    _ => {}
                }
            }
        }
        if hw != p.output_hw {
            return bad(format!(
                "the passes end at {hw:?}, the output is {:?}",
                p.output_hw
            ));
        }
        Ok(())
    }
}
