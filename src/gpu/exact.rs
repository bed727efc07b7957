//! Exact arithmetic plans ([`ExactPlan`]) on the GPU: the framework's own integer (and float)
//! rules in WGSL (`shaders/exact.wgsl`), reading and writing packed 8- and 16-bit storage,
//! bit-exact with [`crate::cpu::separable`].
//!
//! One dispatch computes every output element from the input directly: the second pass's taps
//! each evaluate the first pass, with its rounding, at their source row or column, so no
//! intermediate image is stored. Integer accumulators are i32 where the plan's bounds allow and
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

fn rule_words(rule: &Rule, out: &mut [u32]) {
    let (acc, pre, post, reverse, scale) = match rule.accumulate {
        Accumulate::Int => (0, 0, 0, 0, 1.0f32),
        Accumulate::ShiftedProducts {
            pre_shift,
            post_shift,
        } => (1, pre_shift, post_shift, 0, 1.0),
        Accumulate::Float { reverse, scale } => (2, 0, 0, reverse as u32, scale),
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
}

/// Appends a pass's tables to `tables` and writes its parameters.
fn pass_words(pass: &Pass, tables: &mut Vec<u32>, out: &mut [u32]) {
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
    }
    out[Q_SPLIT] = u32::MAX;
    rule_words(&pass.rule, &mut out[Q_BODY..Q_BODY + 10]);
    rule_words(&pass.rule, &mut out[Q_TAIL..Q_TAIL + 10]);
    if let Some((at, tail)) = &pass.tail {
        out[Q_SPLIT] = (*at).min(u32::MAX as usize) as u32;
        rule_words(tail, &mut out[Q_TAIL..Q_TAIL + 10]);
    }
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
                pass_words(pass, &mut tables, &mut p[at..at + PASS_STRIDE]);
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

impl GpuContext {
    /// Runs an exact plan on an 8- or 16-bit tensor (`layout` NCHW or NHWC), returning the
    /// output in the plan's type; bit-exact with [`crate::cpu::separable::run`].
    ///
    /// Errors: [`Error::DeviceLimit`] when the input, the output or the tables do not fit one
    /// storage binding of this device; [`Error::DeviceLost`] on a lost device.
    pub fn run_exact(
        &self,
        plan: &ExactPlan,
        input: TensorView4<'_>,
        layout: Layout,
    ) -> Result<Tensor4> {
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
                &params,
                &tables,
                words,
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
                bound.record(&mut pass);
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

    /// Checks the sizes of an exact dispatch against the device and binds it: `params` and
    /// `tables` are uploaded, `src` and `dst` are bound as they are.
    pub(crate) fn bind_exact(
        &self,
        params: &[u32],
        tables: &[u32],
        words: usize,
        src: wgpu::BindingResource<'_>,
        dst: wgpu::BindingResource<'_>,
    ) -> Result<BoundDispatch> {
        let binding = self.limits().max_storage_buffer_binding_size;
        for (what, len) in [("output", words), ("tap tables", tables.len())] {
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
        let groups = (words as u64).div_ceil(WORKGROUP);
        let max_x = self.limits().max_compute_workgroups_per_dimension as u64;
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
        let pipeline = self.pipeline(KernelKey {
            entry: Entry::Exact,
            dtype: DType::F32,
        })?;
        let storage = wgpu::BufferUsages::STORAGE;
        let params_buf = self.watched().buffer_init(
            "halfpixel exact params",
            bytemuck::cast_slice(params),
            storage,
        )?;
        let tables_buf = self.watched().buffer_init(
            "halfpixel exact tables",
            bytemuck::cast_slice(tables),
            storage,
        )?;
        let bind_group = self.device().create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("halfpixel exact"),
            layout: &pipeline.get_bind_group_layout(0),
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: src,
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: dst,
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
        Ok(BoundDispatch::from_parts(
            pipeline,
            bind_group,
            (gx as u32, gy as u32, 1),
        ))
    }

    /// Binds a preprocessing that resizes the frame's bytes with `plan` and writes
    /// `lut.tables[c·256 + byte]` as float32 (one dispatch).
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
    ) -> Result<BoundDispatch> {
        plan.validate(dims[1])?;
        let (params, tables, words) = encode_plan(plan, dims, layout, Some(frame), Some(&lut))?;
        self.bind_exact(&params, &tables, words, src, dst)
    }
}
