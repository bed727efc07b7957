//! Exact arithmetic plans ([`ExactPlan`]) on the GPU: the framework's own integer (and float)
//! rules in WGSL (`shaders/exact.wgsl`), reading and writing packed 8- and 16-bit storage,
//! bit-exact with [`crate::cpu::separable`].
//!
//! One dispatch computes every output element from the input directly: the second pass's taps
//! each evaluate the first pass, with its rounding, at their source row or column, so no
//! intermediate image is stored. Where that would be too much work per invocation (wide
//! windows: Pillow's antialiased shrinks), the plan runs in two dispatches, the first pass's
//! stored values kept in an intermediate buffer; the arithmetic is the same either way. Float64
//! plans (Pillow's `F` mode) are refused: WGSL has no f64. Integer accumulators are i32 where the
//! plan's bounds allow and
//! 64-bit pairs of u32 words where they do not (16-bit `INTER_LINEAR_EXACT`); float rules keep
//! every product and sum a separate rounding, as the CPU does.

use ndarray::Array4;

use crate::error::{Error, Result};
use crate::plan::separable::{
    Accumulate, AlphaRule, ArithmeticPlan, BlockRule, Coefficients, ExactPlan, Pass, PassAxis,
    Rule, Store,
};
use crate::spec::Layout;
use crate::tensor::{ElementType, Tensor4, TensorView4};

use super::context::GpuContext;
use super::kernels::{DType, Entry, KernelKey};
use super::tables::BoundDispatch;

// Offsets of shaders/exact.wgsl's parameter block.
const P_N: usize = 0;
const P_C: usize = 1;
const P_IN_H: usize = 2;
const P_IN_W: usize = 3;
const P_OUT_H: usize = 4;
const P_OUT_W: usize = 5;
const P_NHWC: usize = 6;
const P_IN_BITS: usize = 7;
const P_OUT_BITS: usize = 8;
const P_KIND: usize = 9;
const P_PASSES: usize = 10;
const P_ALPHA: usize = 11;
const P_WIDE: usize = 12;
const P_TOTAL: usize = 13;
const P_WORDS: usize = 15;
const P_FY: usize = 16;
const P_FX: usize = 17;
const P_BLOCK_RULE: usize = 18;
const P_FLOAT_PARTIAL: usize = 19;
const P_FRAME: usize = 20;
const P_BPP: usize = 21;
const P_STRIDE: usize = 22;
const P_SRC_BASE: usize = 23;
const P_SEL: usize = 24;
const P_RGB: usize = 28;
const P_OUT_LUT: usize = 31;
const P_LUT_OFFSET: usize = 32;
const P_DST_BASE: usize = 33;
const LUMA: u32 = u32::MAX;
const P_STAGE: usize = 36;
const P_MID_H: usize = 37;
const P_MID_W: usize = 38;
const P_PASS0: usize = 40;
const PASS_STRIDE: usize = 32;
const Q_AXIS: usize = 0;
const Q_IN_LEN: usize = 1;
const Q_OUT_LEN: usize = 2;
const Q_WIDTH: usize = 3;
const Q_COUNTS: usize = 4;
const Q_INDICES: usize = 5;
const Q_COEFS: usize = 6;
const Q_FLOAT_COEFS: usize = 7;
const Q_SPLIT: usize = 8;
const Q_BODY: usize = 10;
const Q_TAIL: usize = 20;
const R_ACC: usize = 0;
const R_PRE: usize = 1;
const R_POST: usize = 2;
const R_REVERSE: usize = 3;
const R_SCALE: usize = 4;
const R_STORE: usize = 5;
const R_BIAS_LO: usize = 6;
const R_BIAS_HI: usize = 7;
const R_SHIFT: usize = 8;
const R_CLAMP_HI: usize = 9;
const PARAM_WORDS: usize = P_PASS0 + 2 * PASS_STRIDE;

/// Invocations per workgroup (`@workgroup_size(64)`).
const WORKGROUP: u64 = 64;

fn bits(ty: ElementType) -> Result<u32> {
    match ty {
        ElementType::U8 => Ok(8),
        ElementType::U16 => Ok(16),
        other => Err(Error::unsupported(format!(
            "{other} storage for an exact plan on the GPU (8- and 16-bit images only)"
        ))),
    }
}

/// The largest magnitude a rule's stored values can have, given the magnitude of what it reads.
fn stored_bound(rule: &Rule, read: i64, table_abs_sum: i64) -> i64 {
    match rule.store {
        Store::Shift { hi, .. } | Store::RoundEven { hi, .. } => hi.max(0),
        Store::Keep => read.saturating_mul(table_abs_sum.max(1)),
    }
}

/// Whether a pass's integer arithmetic can leave i32 (then the kernel runs 64-bit).
fn needs_wide(pass: &Pass, read: i64) -> bool {
    let sum = pass.table.max_abs_sum();
    std::iter::once(&pass.rule)
        .chain(pass.tail.as_ref().map(|t| &t.1))
        .any(|rule| match (rule.accumulate, rule.store) {
            (Accumulate::Int, Store::Shift { bias, shift, .. }) => {
                read.saturating_mul(sum).saturating_add(bias.abs()) >= 1 << 31 || shift >= 31
            }
            (Accumulate::Int, _) => read.saturating_mul(sum) >= 1 << 31,
            _ => false,
        })
}

/// The refusal of a float64 rule: WGSL has no f64, and an f32 evaluation would not be the
/// framework's arithmetic.
fn no_f64() -> Error {
    Error::unsupported(
        "a float64 exact plan (Pillow's F mode arithmetic) on the GPU: WGSL has no float64, and \
         halfpixel does not compute it approximately under the exact kernel's name; run it on \
         the CPU (exact), or run the call's float32 plan on the GPU (ResizePlanner::plan, \
         what GpuContext::run does for float32 input)",
    )
}

fn rule_words(rule: &Rule, out: &mut [u32]) -> Result<()> {
    let (acc, pre, post, reverse, scale) = match rule.accumulate {
        Accumulate::Int => (0, 0, 0, 0, 1.0f32),
        Accumulate::ShiftedProducts {
            pre_shift,
            post_shift,
        } => (1, pre_shift, post_shift, 0, 1.0),
        Accumulate::Float { reverse, scale } => (2, 0, 0, reverse as u32, scale),
        Accumulate::Double => return Err(no_f64()),
    };
    out[R_ACC] = acc;
    out[R_PRE] = pre;
    out[R_POST] = post;
    out[R_REVERSE] = reverse;
    out[R_SCALE] = scale.to_bits();
    let (store, bias, shift, hi) = match rule.store {
        Store::Shift {
            bias, shift, hi, ..
        } => (0, bias, shift, hi),
        Store::Keep => (1, 0, 0, 0),
        Store::RoundEven { hi, .. } => (2, 0, 0, hi),
    };
    out[R_STORE] = store;
    out[R_BIAS_LO] = bias as u64 as u32;
    out[R_BIAS_HI] = ((bias as u64) >> 32) as u32;
    out[R_SHIFT] = shift;
    out[R_CLAMP_HI] = hi.clamp(0, i32::MAX as i64) as u32;
    Ok(())
}

/// Appends a pass's tables to `tables` and writes its parameters.
fn pass_words(pass: &Pass, tables: &mut Vec<u32>, out: &mut [u32]) -> Result<()> {
    let t = &pass.table;
    out[Q_AXIS] = match pass.axis {
        PassAxis::Height => 0,
        PassAxis::Width => 1,
    };
    out[Q_IN_LEN] = t.in_len() as u32;
    out[Q_OUT_LEN] = t.out_len() as u32;
    out[Q_WIDTH] = t.width() as u32;
    out[Q_COUNTS] = tables.len() as u32;
    tables.extend_from_slice(t.counts());
    out[Q_INDICES] = tables.len() as u32;
    tables.extend_from_slice(t.index_table());
    out[Q_COEFS] = tables.len() as u32;
    match t.coefficients() {
        Coefficients::Int(c) => {
            out[Q_FLOAT_COEFS] = 0;
            tables.extend(c.iter().map(|&v| v as u32));
        }
        Coefficients::Float(c) => {
            out[Q_FLOAT_COEFS] = 1;
            tables.extend(c.iter().map(|v| v.to_bits()));
        }
        Coefficients::Double(_) => return Err(no_f64()),
    }
    out[Q_SPLIT] = u32::MAX;
    rule_words(&pass.rule, &mut out[Q_BODY..Q_BODY + 10])?;
    rule_words(&pass.rule, &mut out[Q_TAIL..Q_TAIL + 10])?;
    if let Some((at, tail)) = &pass.tail {
        out[Q_SPLIT] = (*at).min(u32::MAX as usize) as u32;
        rule_words(tail, &mut out[Q_TAIL..Q_TAIL + 10])?;
    }
    Ok(())
}

/// Where a preprocessing's frame bytes are and how its channels are picked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameInput {
    /// Bytes per pixel.
    pub bpp: u32,
    /// Bytes per row.
    pub stride: u32,
    /// Byte address of the first pixel in the bound range.
    pub base: u32,
    /// Per output channel: the byte offset in a pixel, or `None` for luma.
    pub sel: [Option<u32>; 4],
    /// Red, green and blue offsets for luma.
    pub rgb: [u32; 3],
}

/// A float output through per-channel normalisation tables (256 values per channel).
#[derive(Debug, Clone)]
pub(crate) struct TableOutput<'a> {
    /// `channels × 256` values.
    pub tables: &'a [f32],
    /// First output element (f32 word) of the bound destination.
    pub base: u32,
}

/// The parameter block and the tap tables of a plan for an input of `dims` (`[n, c, h, w]`);
/// `layout` is the input's and the output's (the output's alone for a frame).
fn encode_plan(
    plan: &ExactPlan,
    dims: [usize; 4],
    layout: Layout,
    frame: Option<FrameInput>,
    lut: Option<&TableOutput<'_>>,
) -> Result<(Vec<u32>, Vec<u32>, usize)> {
    let [n, c, h, w] = dims;
    let [oh, ow] = plan.output_hw();
    let mut p = vec![0u32; PARAM_WORDS];
    let to32 = |what: &str, v: usize| {
        u32::try_from(v).map_err(|_| Error::DeviceLimit {
            what: what.to_string(),
            value: v as u64,
            limit: u32::MAX as u64,
            limit_name: "32-bit indexing of the exact kernel".into(),
            hint: "use the CPU backend".into(),
        })
    };
    let total = n
        .checked_mul(c)
        .and_then(|v| v.checked_mul(oh))
        .and_then(|v| v.checked_mul(ow))
        .unwrap_or(usize::MAX);
    p[P_N] = to32("images", n)?;
    p[P_C] = to32("channels", c)?;
    p[P_IN_H] = to32("input height", h)?;
    p[P_IN_W] = to32("input width", w)?;
    p[P_OUT_H] = to32("output height", oh)?;
    p[P_OUT_W] = to32("output width", ow)?;
    p[P_NHWC] = (layout == Layout::Nhwc) as u32;
    p[P_IN_BITS] = bits(plan.input)?;
    p[P_OUT_BITS] = bits(plan.output)?;
    p[P_ALPHA] = (plan.alpha == Some(AlphaRule::PillowPremultiplied)) as u32;
    p[P_TOTAL] = to32("output elements", total)?;
    let per_word = if lut.is_some() {
        1
    } else {
        32 / p[P_OUT_BITS] as usize
    };
    let words = total.div_ceil(per_word);
    if let Some(f) = frame {
        p[P_FRAME] = 1;
        p[P_BPP] = f.bpp;
        p[P_STRIDE] = f.stride;
        p[P_SRC_BASE] = f.base;
        for (k, sel) in f.sel.iter().enumerate() {
            p[P_SEL + k] = sel.unwrap_or(LUMA);
        }
        p[P_RGB..P_RGB + 3].copy_from_slice(&f.rgb);
    }
    p[P_WORDS] = to32("output words", words)?;
    let mut tables = Vec::new();
    match &plan.arithmetic {
        ArithmeticPlan::Separable(s) => {
            p[P_KIND] = 0;
            p[P_PASSES] = s.passes.len() as u32;
            let mut read = if plan.input == ElementType::U8 {
                255
            } else {
                65535
            };
            let mut wide = false;
            for (k, pass) in s.passes.iter().enumerate() {
                wide |= needs_wide(pass, read);
                if matches!(pass.rule.accumulate, Accumulate::ShiftedProducts { .. })
                    && read >= 1 << 24
                {
                    wide = true;
                }
                read = stored_bound(&pass.rule, read, pass.table.max_abs_sum());
                let at = P_PASS0 + k * PASS_STRIDE;
                pass_words(pass, &mut tables, &mut p[at..at + PASS_STRIDE])?;
            }
            if wide
                && s.passes.iter().any(|pass| {
                    std::iter::once(&pass.rule)
                        .chain(pass.tail.as_ref().map(|t| &t.1))
                        .any(|r| matches!(r.accumulate, Accumulate::ShiftedProducts { .. }))
                })
            {
                return Err(Error::unsupported(
                    "a plan whose shifted products need 64-bit integers on the GPU",
                ));
            }
            p[P_WIDE] = wide as u32;
        }
        ArithmeticPlan::BlockAverage(b) => {
            p[P_KIND] = 1;
            p[P_FY] = to32("block height", b.factor[0])?;
            p[P_FX] = to32("block width", b.factor[1])?;
            p[P_BLOCK_RULE] = match b.whole {
                BlockRule::TwoByTwoShift => 0,
                BlockRule::IntSumTimesReciprocal => 1,
                BlockRule::FloatSumByFourTimesReciprocal => 2,
            };
            p[P_FLOAT_PARTIAL] = b.float_partial_sums as u32;
            // A whole block's integer sum must stay in i32.
            if (b.factor[0] as u64) * (b.factor[1] as u64) * 65535 >= 1 << 31 {
                return Err(Error::unsupported(
                    "an area block so large that its sum leaves 32-bit integers on the GPU",
                ));
            }
        }
    }
    if let Some(lut) = lut {
        p[P_OUT_LUT] = 1;
        p[P_LUT_OFFSET] = to32("table offset", tables.len())?;
        p[P_DST_BASE] = lut.base;
        tables.extend(lut.tables.iter().map(|v| v.to_bits()));
    }
    if tables.is_empty() {
        tables.push(0);
    }
    Ok((p, tables, words))
}

/// Loop iterations one invocation may run: llvmpipe (Mesa's software rasterizer, GL and Vulkan)
/// ends every loop of an invocation once 65535 iterations have run in all
/// (`LP_MAX_TGSI_LOOP_ITERATIONS`), silently, leaving partial sums. Plans that need more per
/// invocation are split into two dispatches or refused, never computed wrong.
const LOOP_BUDGET: u64 = 65_535;

/// Above this many loop iterations per output element, a two-pass resize runs in two dispatches
/// instead of re-evaluating its first pass at every tap of the second (`t2·(t1 + 1)` fused
/// against `t1 + t2` in two stages): narrow windows (OpenCV's bilinear and bicubic) stay fused,
/// wide ones (Lanczos, antialiased shrinks) do far less work, and no dispatch holds the device
/// long (wgpu's GL backend holds one lock while llvmpipe runs a dispatch). Preprocessings stay
/// fused up to [`LOOP_BUDGET`]: one dispatch is their promise.
const FUSED_BUDGET: u64 = 32;

/// One dispatch of an exact plan.
struct Stage {
    /// 0: fused, 1: first pass into the intermediate, 2: second pass from it.
    stage: u32,
    params: Vec<u32>,
    /// Invocations to launch.
    invocations: usize,
    /// Words of the intermediate buffer this stage binds (0: none).
    mid_words: usize,
}

/// The largest tap count of a pass.
fn max_taps(pass: &Pass) -> u64 {
    pass.table.counts().iter().copied().max().unwrap_or(0) as u64
}

/// The dispatches of a plan: one (fused) while the work per element stays within
/// `fused_budget`, else two (first pass stored, then the second pass), each within
/// [`LOOP_BUDGET`].
fn stages(
    plan: &ExactPlan,
    dims: [usize; 4],
    params: &[u32],
    words: usize,
    fused_budget: u64,
) -> Result<Vec<Stage>> {
    let per_word = if params[P_OUT_LUT] == 1 {
        1
    } else {
        32 / params[P_OUT_BITS] as u64
    };
    // An RGBA element also computes its alpha (Pillow's unpremultiply reads it).
    let per_element = if plan.alpha.is_some() { 2 } else { 1 };
    let elements = per_word * per_element;
    let too_much = |what: &str, work: u64| Error::DeviceLimit {
        what: format!("loop iterations per invocation of an exact plan ({what})"),
        value: work,
        limit: LOOP_BUDGET,
        limit_name: "the loop budget of llvmpipe, the strictest driver halfpixel runs on".into(),
        hint: "use the CPU backend: the filter window is too wide for one GPU invocation".into(),
    };
    let fused = |work: u64| -> Result<Vec<Stage>> {
        let work = elements * work + per_word;
        if work > LOOP_BUDGET {
            return Err(too_much("one dispatch", work));
        }
        Ok(vec![Stage {
            stage: 0,
            params: params.to_vec(),
            invocations: words,
            mid_words: 0,
        }])
    };
    let passes = match &plan.arithmetic {
        ArithmeticPlan::Separable(s) => &s.passes,
        ArithmeticPlan::BlockAverage(b) => {
            let (fy, fx) = (b.factor[0] as u64, b.factor[1] as u64);
            return fused(2 * fy * (fx + 1));
        }
    };
    match passes.as_slice() {
        [] => fused(0),
        [one] => fused(max_taps(one)),
        [first, second] => {
            let (t1, t2) = (max_taps(first), max_taps(second));
            let fused_work = t2 * (t1 + 1);
            if fused_work <= fused_budget && elements * fused_work + per_word <= LOOP_BUDGET {
                return fused(fused_work);
            }
            if t1 > LOOP_BUDGET {
                return Err(too_much("first pass", t1));
            }
            if elements * t2 + per_word > LOOP_BUDGET {
                return Err(too_much("second pass", elements * t2 + per_word));
            }
            // The intermediate image: the first pass's output length on its axis.
            let [n, c, h, w] = dims;
            let (mid_h, mid_w) = match first.axis {
                PassAxis::Width => (h, first.table.out_len()),
                PassAxis::Height => (first.table.out_len(), w),
            };
            let values = n * c * mid_h * mid_w;
            let to32 = |what: &str, v: usize| {
                u32::try_from(v).map_err(|_| Error::DeviceLimit {
                    what: what.to_string(),
                    value: v as u64,
                    limit: u32::MAX as u64 / 2,
                    limit_name: "32-bit indexing of the exact kernel".into(),
                    hint: "use the CPU backend or split the batch".into(),
                })
            };
            to32(
                "intermediate words of an exact plan",
                values.saturating_mul(2),
            )?;
            let mut p1 = params.to_vec();
            p1[P_STAGE] = 1;
            p1[P_MID_H] = to32("intermediate height", mid_h)?;
            p1[P_MID_W] = to32("intermediate width", mid_w)?;
            p1[P_WORDS] = to32("intermediate values", values)?;
            let mut p2 = p1.clone();
            p2[P_STAGE] = 2;
            p2[P_WORDS] = params[P_WORDS];
            Ok(vec![
                Stage {
                    stage: 1,
                    params: p1,
                    invocations: values,
                    mid_words: values * 2,
                },
                Stage {
                    stage: 2,
                    params: p2,
                    invocations: words,
                    mid_words: values * 2,
                },
            ])
        }
        _ => Err(Error::invalid_argument(
            "exact plan",
            passes.len(),
            "at most two passes",
        )),
    }
}

/// Packs 8- or 16-bit elements (C order) into little-endian u32 words.
fn pack(input: &TensorView4<'_>) -> Result<Vec<u32>> {
    Ok(match input {
        TensorView4::U8(a) => {
            let data = a.as_standard_layout();
            let bytes = data.as_slice().expect("standard layout");
            bytes
                .chunks(4)
                .map(|c| {
                    let mut w = [0u8; 4];
                    w[..c.len()].copy_from_slice(c);
                    u32::from_le_bytes(w)
                })
                .collect()
        }
        TensorView4::U16(a) => {
            let data = a.as_standard_layout();
            let values = data.as_slice().expect("standard layout");
            values
                .chunks(2)
                .map(|c| c[0] as u32 | (c.get(1).copied().unwrap_or(0) as u32) << 16)
                .collect()
        }
        TensorView4::F32(_) => {
            return Err(Error::unsupported(
                "float32 input for an exact plan on the GPU (8- and 16-bit images only)",
            ))
        }
    })
}

/// An 8- or 16-bit tensor in a wgpu storage buffer, as the exact kernels read and write it:
/// `dims` (`[n, c, h, w]`) elements of `element` in `layout`, C order, packed little-endian into
/// 32-bit words (four `u8` or two `u16` per word; the last word zero-padded), from the start of
/// `buffer`, which needs `STORAGE` usage.
#[derive(Debug, Clone, Copy)]
pub struct IntegerBufferTensor<'a> {
    /// The buffer.
    pub buffer: &'a wgpu::Buffer,
    /// `[n, c, h, w]`.
    pub dims: [usize; 4],
    /// Memory layout.
    pub layout: Layout,
    /// [`ElementType::U8`] or [`ElementType::U16`].
    pub element: ElementType,
}

impl IntegerBufferTensor<'_> {
    /// The bytes it occupies: whole 32-bit words.
    pub fn bytes(&self) -> u64 {
        let per_word = match self.element {
            ElementType::U16 => 2,
            _ => 4,
        };
        let elements = self
            .dims
            .iter()
            .fold(1u64, |acc, &d| acc.saturating_mul(d as u64));
        elements.div_ceil(per_word).saturating_mul(4)
    }

    fn check(&self, what: &str) -> Result<()> {
        bits(self.element)?;
        if self.bytes() > self.buffer.size() {
            return Err(Error::ShapeMismatch {
                what: format!(
                    "{what} buffer too small for {:?} {}",
                    self.dims, self.element
                ),
                expected: vec![self.bytes() as usize],
                got: vec![self.buffer.size() as usize],
            });
        }
        if !self.buffer.usage().contains(wgpu::BufferUsages::STORAGE) {
            return Err(Error::invalid_argument(
                format!("{what} buffer usage"),
                format!("{:?}", self.buffer.usage()),
                "needs BufferUsages::STORAGE",
            ));
        }
        Ok(())
    }
}

impl GpuContext {
    /// Binds a resize on an 8- or 16-bit image in a buffer: the framework's own arithmetic
    /// ([`IntegerPath::Exact`](crate::IntegerPath::Exact)), bit-exact with the CPU, recorded
    /// with [`BoundOperation::encode`] into the caller's encoder as often as needed (the steady
    /// state of an inference loop: nothing is created per call). Input and output stay in
    /// their buffers; nothing is read back.
    ///
    /// Errors: [`Error::Unsupported`] for an operation without an exact plan on this input (a
    /// pixel copy, a float-output call, a pixel shuffle: [`GpuContext::run_tensor`] runs those)
    /// or one that accumulates in float64; [`Error::ShapeMismatch`] when the output's dims,
    /// layout or element type are not the operation's, or a buffer is too small; the limits of
    /// [`GpuContext::run_exact`].
    pub fn bind_integer(
        &self,
        op: &crate::Operation,
        input: &IntegerBufferTensor<'_>,
        output: &IntegerBufferTensor<'_>,
    ) -> Result<super::BoundOperation> {
        self.check()?;
        input.check("input")?;
        output.check("output")?;
        let crate::Operation::Resize(r) = op else {
            return Err(Error::unsupported(format!(
                "{} on a packed integer buffer: only resizes have exact plans",
                op.describe()
            )));
        };
        let desc = crate::InputDesc {
            dims: input.dims,
            layout: input.layout,
        };
        let plan = match r.integer_path(&desc, input.element)? {
            crate::IntegerPath::Exact(plan) => plan,
            _ => {
                return Err(Error::unsupported(format!(
                    "{} on {} data copies pixels or returns float32 here, with no exact plan to \
                     bind on packed buffers; use GpuContext::run_tensor",
                    op.describe(),
                    input.element
                )))
            }
        };
        let [n, c, _, _] = input.dims;
        let [oh, ow] = plan.output_hw();
        if output.dims != [n, c, oh, ow]
            || output.layout != input.layout
            || output.element != plan.output
        {
            return Err(Error::ShapeMismatch {
                what: format!(
                    "output tensor (dims [n, c, h, w], {} {} expected)",
                    input.layout.name(),
                    plan.output
                ),
                expected: vec![n, c, oh, ow],
                got: output.dims.to_vec(),
            });
        }
        plan.validate(c)?;
        let (params, tables, words) = encode_plan(&plan, input.dims, input.layout, None, None)?;
        let dispatches = self.bind_exact(
            &plan,
            input.dims,
            (&params, &tables, words),
            FUSED_BUDGET,
            input.buffer.as_entire_binding(),
            output.buffer.as_entire_binding(),
        )?;
        Ok(super::BoundOperation::from_dispatches(
            self,
            "halfpixel exact",
            "recording an exact plan",
            dispatches,
        ))
    }

    /// Runs an exact plan on an 8- or 16-bit tensor (`layout` NCHW or NHWC), returning the
    /// output in the plan's type; bit-exact with [`crate::cpu::separable::run`].
    ///
    /// Errors: [`Error::Unsupported`] for a plan that accumulates in float64
    /// ([`Accumulate::Double`], Pillow's `F` mode: WGSL has no f64) and for float32 storage;
    /// [`Error::DeviceLimit`] when the input, the output, the tables or the intermediate do not
    /// fit one storage binding of this device, or a filter window is too wide for one
    /// invocation; [`Error::DeviceLost`] on a lost device.
    pub fn run_exact(
        &self,
        plan: &ExactPlan,
        input: TensorView4<'_>,
        layout: Layout,
    ) -> Result<Tensor4> {
        if plan.uses_double() {
            return Err(no_f64());
        }
        self.check()?;
        let dims = layout.nchw(input.dim());
        if input.element_type() != plan.input {
            return Err(Error::invalid_argument(
                "input element type",
                input.element_type(),
                format!("the plan reads {}", plan.input),
            ));
        }
        if [dims[2], dims[3]] != plan.input_hw() {
            return Err(Error::ShapeMismatch {
                what: "input height and width (the plan was built for another size)".into(),
                expected: plan.input_hw().to_vec(),
                got: vec![dims[2], dims[3]],
            });
        }
        plan.validate(dims[1])?;
        let (params, tables, words) = encode_plan(plan, dims, layout, None, None)?;
        let src = pack(&input)?;
        let binding = self.limits().max_storage_buffer_binding_size;
        if src.len() as u64 * 4 > binding {
            return Err(Error::DeviceLimit {
                what: "input bytes of an exact plan".into(),
                value: src.len() as u64 * 4,
                limit: binding,
                limit_name: "max_storage_buffer_binding_size".into(),
                hint: "use the CPU backend or split the batch".into(),
            });
        }
        let [oh, ow] = plan.output_hw();
        let out_dims = [dims[0], dims[1], oh, ow];
        let device = self.device();
        let out_bytes = (words.max(1) * 4) as u64;
        let readback = self.scoped("running an exact plan on the GPU", || {
            let src_buf = self.watched().buffer_init(
                "halfpixel exact input",
                bytemuck::cast_slice(&src),
                wgpu::BufferUsages::STORAGE,
            )?;
            let out_buf = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("halfpixel exact output"),
                size: out_bytes,
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
                mapped_at_creation: false,
            });
            let readback = device.create_buffer(&wgpu::BufferDescriptor {
                label: Some("halfpixel exact readback"),
                size: out_bytes,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                mapped_at_creation: false,
            });
            let bound = self.bind_exact(
                plan,
                dims,
                (&params, &tables, words),
                FUSED_BUDGET,
                src_buf.as_entire_binding(),
                out_buf.as_entire_binding(),
            )?;
            let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("halfpixel exact"),
            });
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("halfpixel exact"),
                    timestamp_writes: None,
                });
                for dispatch in &bound {
                    dispatch.record(&mut pass);
                }
            }
            encoder.copy_buffer_to_buffer(&out_buf, 0, &readback, 0, out_bytes);
            self.queue().submit([encoder.finish()]);
            Ok(readback)
        })?;
        let words_out: Vec<u32> =
            self.read_mapped(&readback, "reading the result back", |view| {
                bytemuck::pod_collect_to_vec(&view[..words * 4])
            })?;
        let shape = layout.shape(out_dims);
        let total: usize = shape.iter().product();
        let shaping = |e: ndarray::ShapeError| Error::Gpu {
            during: "shaping the result".into(),
            reason: e.to_string(),
        };
        Ok(match plan.output {
            ElementType::U8 => {
                let bytes: Vec<u8> = words_out
                    .iter()
                    .flat_map(|w| w.to_le_bytes())
                    .take(total)
                    .collect();
                Tensor4::U8(Array4::from_shape_vec(shape, bytes).map_err(shaping)?)
            }
            _ => {
                let values: Vec<u16> = words_out
                    .iter()
                    .flat_map(|w| [*w as u16, (*w >> 16) as u16])
                    .take(total)
                    .collect();
                Tensor4::U16(Array4::from_shape_vec(shape, values).map_err(shaping)?)
            }
        })
    }

    /// Checks the sizes of an exact plan's dispatches against the device and binds them (one,
    /// or two with an intermediate buffer, see [`stages`]): `encoded` is the plan's parameter
    /// block, tap tables and output words; `src` and `dst` are bound as they are.
    pub(crate) fn bind_exact(
        &self,
        plan: &ExactPlan,
        dims: [usize; 4],
        encoded: (&[u32], &[u32], usize),
        fused_budget: u64,
        src: wgpu::BindingResource<'_>,
        dst: wgpu::BindingResource<'_>,
    ) -> Result<Vec<BoundDispatch>> {
        if plan.uses_double() {
            return Err(no_f64());
        }
        let (params, tables, words) = encoded;
        let stages = stages(plan, dims, params, words, fused_budget)?;
        let binding = self.limits().max_storage_buffer_binding_size;
        let mid_words = stages.iter().map(|s| s.mid_words).max().unwrap_or(0);
        for (what, len) in [
            ("output", words),
            ("tap tables", tables.len()),
            ("intermediate", mid_words),
        ] {
            let bytes = len as u64 * 4;
            if bytes > binding {
                return Err(Error::DeviceLimit {
                    what: format!("{what} bytes of an exact plan"),
                    value: bytes,
                    limit: binding,
                    limit_name: "max_storage_buffer_binding_size".into(),
                    hint: "use the CPU backend or split the batch".into(),
                });
            }
        }
        let max_x = self.limits().max_compute_workgroups_per_dimension as u64;
        let grid = |invocations: usize| -> Result<(u32, u32, u32)> {
            let groups = (invocations as u64).div_ceil(WORKGROUP);
            let (gx, gy) = if groups <= max_x {
                (groups.max(1), 1)
            } else {
                (max_x, groups.div_ceil(max_x))
            };
            if gy > max_x {
                return Err(Error::DeviceLimit {
                    what: "workgroups of an exact plan".into(),
                    value: groups,
                    limit: max_x * max_x,
                    limit_name: "max_compute_workgroups_per_dimension²".into(),
                    hint: "use the CPU backend or split the batch".into(),
                });
            }
            Ok((gx as u32, gy as u32, 1))
        };
        let pipeline = self.pipeline(KernelKey {
            entry: Entry::Exact,
            dtype: DType::F32,
        })?;
        let storage = wgpu::BufferUsages::STORAGE;
        let tables_buf = self.watched().buffer_init(
            "halfpixel exact tables",
            bytemuck::cast_slice(tables),
            storage,
        )?;
        let mid_buf = (mid_words > 0).then(|| {
            self.device().create_buffer(&wgpu::BufferDescriptor {
                label: Some("halfpixel exact intermediate"),
                size: mid_words as u64 * 4,
                usage: storage,
                mapped_at_creation: false,
            })
        });
        let mut bound = Vec::with_capacity(stages.len());
        for stage in &stages {
            let params_buf = self.watched().buffer_init(
                "halfpixel exact params",
                bytemuck::cast_slice(&stage.params),
                storage,
            )?;
            // Stage 1 writes the intermediate; stage 2 reads it in place of the input.
            let (from, to) = match (stage.stage, &mid_buf) {
                (1, Some(mid)) => (src.clone(), mid.as_entire_binding()),
                (2, Some(mid)) => (mid.as_entire_binding(), dst.clone()),
                _ => (src.clone(), dst.clone()),
            };
            let bind_group = self.device().create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("halfpixel exact"),
                layout: &pipeline.get_bind_group_layout(0),
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: from,
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: to,
                    },
                    wgpu::BindGroupEntry {
                        binding: 2,
                        resource: params_buf.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 3,
                        resource: tables_buf.as_entire_binding(),
                    },
                ],
            });
            bound.push(BoundDispatch::from_parts(
                pipeline.clone(),
                bind_group,
                grid(stage.invocations)?,
            ));
        }
        Ok(bound)
    }

    /// Binds a preprocessing that resizes the frame's bytes with `plan` and writes
    /// `lut.tables[c·256 + byte]` as float32: one dispatch, unless the filter window is too wide
    /// for one invocation (then two, see [`stages`]).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn bind_exact_frame(
        &self,
        plan: &ExactPlan,
        dims: [usize; 4],
        layout: Layout,
        frame: FrameInput,
        src: wgpu::BindingResource<'_>,
        lut: TableOutput<'_>,
        dst: wgpu::BindingResource<'_>,
    ) -> Result<Vec<BoundDispatch>> {
        plan.validate(dims[1])?;
        let (params, tables, words) = encode_plan(plan, dims, layout, Some(frame), Some(&lut))?;
        self.bind_exact(plan, dims, (&params, &tables, words), LOOP_BUDGET, src, dst)
    }
}
