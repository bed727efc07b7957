//! GPU timings with resident buffers: the kernel time from timestamp queries where the device
//! has them, the wall time of a whole call (encode, submit, wait), and the device's
//! buffer-to-buffer copy bandwidth (the GPU's memory floor).
//!
//! Each workload is bound once ([`GpuContext::bind`]) and recorded on every call
//! ([`BoundOperation::encode`](crate::gpu::BoundOperation::encode)), as a steady-state inference
//! loop runs it. Timestamps are written around it with
//! `CommandEncoder::write_timestamp` when the device has `TIMESTAMP_QUERY_INSIDE_ENCODERS`, or
//! else at the beginning and the end of two empty compute passes that bracket it (which needs only
//! `TIMESTAMP_QUERY`). [`GpuContext`] requests both features whenever the adapter has them.

use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::gpu::{BufferTensor, DType, GpuContext, IntegerBufferTensor};
use crate::tensor::ElementType;
use crate::workloads::Workload;

use super::cpu::{input, input_u8, output_dims};
use super::stats::{wall, Repetitions, Stats};

/// How kernel times are taken on a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampMethod {
    /// `CommandEncoder::write_timestamp` before and after the encoded work
    /// (`TIMESTAMP_QUERY_INSIDE_ENCODERS`).
    InsideEncoder,
    /// The beginning of an empty compute pass before the work and the end of one after it
    /// (`TIMESTAMP_QUERY` only).
    PassBoundaries,
}

impl TimestampMethod {
    /// The method the device allows, if any.
    pub fn for_device(device: &wgpu::Device) -> Option<TimestampMethod> {
        let f = device.features();
        if !f.contains(wgpu::Features::TIMESTAMP_QUERY) {
            None
        } else if f.contains(wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS) {
            Some(TimestampMethod::InsideEncoder)
        } else {
            Some(TimestampMethod::PassBoundaries)
        }
    }

    /// A short description for reports.
    pub fn describe(self) -> &'static str {
        match self {
            TimestampMethod::InsideEncoder => {
                "encoder.write_timestamp (TIMESTAMP_QUERY_INSIDE_ENCODERS)"
            }
            TimestampMethod::PassBoundaries => {
                "empty compute passes with timestamp_writes (TIMESTAMP_QUERY)"
            }
        }
    }
}

/// A pair of timestamp queries and the buffers that bring them back.
struct Timer {
    method: TimestampMethod,
    queries: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    readback: wgpu::Buffer,
    period_ns: f64,
}

impl Timer {
    fn new(ctx: &GpuContext, method: TimestampMethod) -> Timer {
        let device = ctx.device();
        let queries = device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("halfpixel bench timestamps"),
            ty: wgpu::QueryType::Timestamp,
            count: 2,
        });
        let buffer = |label, usage| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size: 2 * wgpu::QUERY_SIZE as u64,
                usage,
                mapped_at_creation: false,
            })
        };
        Timer {
            method,
            queries,
            resolve: buffer(
                "halfpixel bench timestamp resolve",
                wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            ),
            readback: buffer(
                "halfpixel bench timestamp readback",
                wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            ),
            period_ns: ctx.queue().get_timestamp_period() as f64,
        }
    }

    fn mark(&self, encoder: &mut wgpu::CommandEncoder, index: u32) {
        match self.method {
            TimestampMethod::InsideEncoder => encoder.write_timestamp(&self.queries, index),
            TimestampMethod::PassBoundaries => {
                let (beginning, end) = if index == 0 {
                    (Some(0), None)
                } else {
                    (None, Some(index))
                };
                let pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("halfpixel bench timestamp"),
                    timestamp_writes: Some(wgpu::ComputePassTimestampWrites {
                        query_set: &self.queries,
                        beginning_of_pass_write_index: beginning,
                        end_of_pass_write_index: end,
                    }),
                });
                drop(pass);
            }
        }
    }

    /// Records `work` between the two timestamps, then the resolve and the copy to the readback
    /// buffer.
    fn record(
        &self,
        encoder: &mut wgpu::CommandEncoder,
        work: impl FnOnce(&mut wgpu::CommandEncoder) -> Result<()>,
    ) -> Result<()> {
        self.mark(encoder, 0);
        work(encoder)?;
        self.mark(encoder, 1);
        encoder.resolve_query_set(&self.queries, 0..2, &self.resolve, 0);
        encoder.copy_buffer_to_buffer(&self.resolve, 0, &self.readback, 0, self.resolve.size());
        Ok(())
    }

    /// The seconds between the two timestamps of the last submitted (and completed) record.
    fn read(&self, ctx: &GpuContext) -> Result<f64> {
        let (tx, rx) = std::sync::mpsc::channel();
        self.readback
            .slice(..)
            .map_async(wgpu::MapMode::Read, move |r| {
                let _ = tx.send(r);
            });
        wait(ctx, "reading timestamps back")?;
        rx.recv()
            .map_err(|e| gpu_error("mapping timestamps", e))?
            .map_err(|e| gpu_error("mapping timestamps", e))?;
        let ticks: [u64; 2] = {
            let view = self
                .readback
                .slice(..)
                .get_mapped_range()
                .map_err(|e| gpu_error("reading timestamps", format!("{e:?}")))?;
            let v: &[u64] = bytemuck::cast_slice(&view[..16]);
            [v[0], v[1]]
        };
        self.readback.unmap();
        if ticks[1] < ticks[0] {
            return Err(gpu_error(
                "reading timestamps",
                format!(
                    "the end timestamp {} precedes the start {}",
                    ticks[1], ticks[0]
                ),
            ));
        }
        Ok((ticks[1] - ticks[0]) as f64 * self.period_ns * 1e-9)
    }
}

fn gpu_error(during: &str, reason: impl std::fmt::Display) -> Error {
    Error::Gpu {
        during: during.to_string(),
        reason: reason.to_string(),
    }
}

fn wait(ctx: &GpuContext, during: &str) -> Result<()> {
    ctx.device()
        .poll(wgpu::PollType::wait_indefinitely())
        .map(|_| ())
        .map_err(|e| gpu_error(during, e))
}

/// Runs `f` inside out-of-memory and validation error scopes; the first error the device
/// reports becomes [`Error::Gpu`].
fn scoped<T>(ctx: &GpuContext, during: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let oom = ctx
        .device()
        .push_error_scope(wgpu::ErrorFilter::OutOfMemory);
    let validation = ctx.device().push_error_scope(wgpu::ErrorFilter::Validation);
    let result = f();
    let v = pollster::block_on(validation.pop());
    let o = pollster::block_on(oom.pop());
    if let Some(e) = v.or(o) {
        return Err(gpu_error(during, e));
    }
    result
}

/// A GPU measurement: the wall time of whole calls and, where timestamps exist, the GPU time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GpuTimes {
    /// Encode (or record), submit and wait, on the CPU's clock.
    pub wall: Stats,
    /// Between timestamps written around the work on the GPU; `None` without timestamp queries.
    pub kernel: Option<Stats>,
}

impl GpuTimes {
    /// The kernel time when there is one, else the wall time, and which it is.
    pub fn best(&self) -> (Stats, &'static str) {
        match self.kernel {
            Some(k) => (k, "kernel"),
            None => (self.wall, "wall"),
        }
    }

    /// `{"wall": Stats, "kernel": Stats | null}`.
    pub fn to_json(&self) -> Value {
        json!({
            "wall": self.wall.to_json(),
            "kernel": self.kernel.map(|k| k.to_json()),
        })
    }
}

/// Times workloads and copies on one GPU context.
pub struct GpuBench<'a> {
    ctx: &'a GpuContext,
    timer: Option<Timer>,
}

impl<'a> GpuBench<'a> {
    /// A bench on `ctx`, with timestamp queries when the device has them.
    pub fn new(ctx: &'a GpuContext) -> Result<GpuBench<'a>> {
        GpuBench::with_timestamps(ctx, TimestampMethod::for_device(ctx.device()))
    }

    /// A bench on `ctx` taking kernel times with `method`, or wall times only with `None`.
    /// `PassBoundaries` needs `TIMESTAMP_QUERY`, `InsideEncoder` also
    /// `TIMESTAMP_QUERY_INSIDE_ENCODERS`.
    pub fn with_timestamps(
        ctx: &'a GpuContext,
        method: Option<TimestampMethod>,
    ) -> Result<GpuBench<'a>> {
        let features = ctx.device().features();
        let needed = match method {
            None => wgpu::Features::empty(),
            Some(TimestampMethod::PassBoundaries) => wgpu::Features::TIMESTAMP_QUERY,
            Some(TimestampMethod::InsideEncoder) => {
                wgpu::Features::TIMESTAMP_QUERY | wgpu::Features::TIMESTAMP_QUERY_INSIDE_ENCODERS
            }
        };
        if !features.contains(needed) {
            return Err(Error::unsupported(format!(
                "timestamps by {} on {}: the device lacks {:?}",
                method.map_or("-", TimestampMethod::describe),
                ctx.adapter().label(),
                needed - features
            )));
        }
        let timer = match method {
            None => None,
            Some(m) => Some(scoped(ctx, "creating timestamp queries", || {
                Ok(Timer::new(ctx, m))
            })?),
        };
        Ok(GpuBench { ctx, timer })
    }

    /// The context.
    pub fn context(&self) -> &GpuContext {
        self.ctx
    }

    /// How kernel times are taken, or `None` when the device has no timestamp queries.
    pub fn timestamps(&self) -> Option<TimestampMethod> {
        self.timer.as_ref().map(|t| t.method)
    }

    /// Nanoseconds per timestamp tick (`Queue::get_timestamp_period`).
    pub fn timestamp_period_ns(&self) -> f64 {
        self.ctx.queue().get_timestamp_period() as f64
    }

    /// Why a workload does not run on this device, if it does not.
    pub fn unsupported(&self, w: &Workload) -> Option<String> {
        match w.element {
            ElementType::F16 if !self.ctx.supports_f16() => Some(format!(
                "f16 storage needs SHADER_F16, which {} lacks",
                self.ctx.adapter().label()
            )),
            ElementType::F32 | ElementType::F16 | ElementType::U8 => None,
            other => Some(format!("{other} workloads are not timed on the GPU")),
        }
    }

    fn buffer(&self, label: &str, bytes: u64, usage: wgpu::BufferUsages) -> Result<wgpu::Buffer> {
        let limit = self.ctx.limits().max_buffer_size;
        let size = bytes.div_ceil(4) * 4;
        if size > limit {
            return Err(Error::DeviceLimit {
                what: format!("{label} buffer bytes"),
                value: size,
                limit,
                limit_name: "max_buffer_size".into(),
                hint: "choose a smaller workload or the CPU backend".into(),
            });
        }
        scoped(self.ctx, &format!("creating the {label} buffer"), || {
            Ok(self.ctx.device().create_buffer(&wgpu::BufferDescriptor {
                label: Some(label),
                size,
                usage,
                mapped_at_creation: false,
            }))
        })
    }

    /// Times a workload with resident buffers (input uploaded once, output allocated once).
    pub fn time_workload(&self, w: &Workload, reps: &Repetitions) -> Result<GpuTimes> {
        if let Some(why) = self.unsupported(w) {
            return Err(Error::unsupported(why));
        }
        let op = w.operation()?;
        let out_dims = output_dims(w)?;
        let (in_bytes, out_bytes) = w.bytes()?;
        let usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST;
        let src = self.buffer("input", in_bytes, usage)?;
        let dst = self.buffer("output", out_bytes, usage)?;
        let data: Vec<u8> = match w.gpu_dtype() {
            // 8-bit workloads: the image's bytes, packed four to a word as they lie.
            None => input_u8(w).as_standard_layout().iter().copied().collect(),
            Some(DType::F32) => {
                bytemuck::cast_slice(input(w).as_slice().expect("standard layout")).to_vec()
            }
            Some(DType::F16) => {
                let h: Vec<u16> = input(w)
                    .iter()
                    .map(|&v| half::f16::from_f32(v).to_bits())
                    .collect();
                bytemuck::cast_slice(&h).to_vec()
            }
        };
        let mut padded = data;
        padded.resize(src.size() as usize, 0);
        self.ctx.queue().write_buffer(&src, 0, &padded);
        wait(self.ctx, "uploading the input")?;

        // Steady state, as an inference loop runs it: bound once, recorded on every call.
        let bound = match w.gpu_dtype() {
            None => self.ctx.bind_integer(
                &op,
                &IntegerBufferTensor {
                    buffer: &src,
                    dims: w.input,
                    layout: w.layout,
                    element: w.element,
                },
                &IntegerBufferTensor {
                    buffer: &dst,
                    dims: out_dims,
                    layout: w.layout,
                    element: w.element,
                },
            )?,
            Some(dtype) => {
                let input = BufferTensor {
                    buffer: &src,
                    offset: 0,
                    dims: w.input,
                    layout: w.layout,
                    dtype,
                };
                let output = BufferTensor {
                    buffer: &dst,
                    offset: 0,
                    dims: out_dims,
                    layout: w.layout,
                    dtype,
                };
                self.ctx.bind(&op, &input, &output)?
            }
        };
        let encode = |encoder: &mut wgpu::CommandEncoder| bound.encode(encoder);
        self.time(w.name, reps, encode)
    }

    /// Times `copy_buffer_to_buffer` of `bytes` bytes (at most the device's `max_buffer_size`)
    /// between two resident buffers. Bytes moved per copy: twice the size copied, which is
    /// returned beside the times.
    pub fn time_copy(&self, bytes: u64, reps: &Repetitions) -> Result<(u64, GpuTimes)> {
        let size = bytes.min(self.ctx.limits().max_buffer_size) / 4 * 4;
        let src = self.buffer(
            "copy source",
            size,
            wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
        )?;
        let dst = self.buffer("copy destination", size, wgpu::BufferUsages::COPY_DST)?;
        // Touch the source so that a driver cannot skip never-written memory.
        let mut encoder = self
            .ctx
            .device()
            .create_command_encoder(&Default::default());
        encoder.clear_buffer(&src, 0, None);
        self.ctx.queue().submit([encoder.finish()]);
        wait(self.ctx, "clearing the copy source")?;
        let times = self.time("buffer copy", reps, |encoder| {
            encoder.copy_buffer_to_buffer(&src, 0, &dst, 0, size);
            Ok(())
        })?;
        Ok((size, times))
    }

    /// Wall times of `record` + submit + wait, then kernel times from timestamps around
    /// `record` (in separate runs, so the resolve and read-back do not count in the wall time).
    fn time(
        &self,
        what: &str,
        reps: &Repetitions,
        record: impl Fn(&mut wgpu::CommandEncoder) -> Result<()>,
    ) -> Result<GpuTimes> {
        let ctx = self.ctx;
        scoped(ctx, &format!("timing {what}"), || {
            let wall_stats = reps.measure(|| {
                wall(|| {
                    let mut encoder = ctx.device().create_command_encoder(&Default::default());
                    record(&mut encoder)?;
                    ctx.queue().submit([encoder.finish()]);
                    wait(ctx, what)
                })
            })?;
            let kernel = match &self.timer {
                None => None,
                Some(timer) => Some(reps.measure(|| {
                    let mut encoder = ctx.device().create_command_encoder(&Default::default());
                    timer.record(&mut encoder, &record)?;
                    ctx.queue().submit([encoder.finish()]);
                    wait(ctx, what)?;
                    timer.read(ctx)
                })?),
            };
            Ok(GpuTimes {
                wall: wall_stats,
                kernel,
            })
        })
    }
}
