//! Throughput measurement: the named [`workloads`] on the CPU and on a GPU,
//! against the two memory floors (a large CPU memcpy and the GPU's buffer-to-buffer copy), as
//! `halfpixel bench` prints them.
//!
//! - CPU: [`Operation::run_cpu_into`](crate::Operation::run_cpu_into) into an output allocated
//!   once, inside a rayon pool of the requested size ([`cpu`]).
//! - GPU: buffers resident; the kernel time from timestamp queries where the device has them, and
//!   the wall time of a whole call (encode, submit, wait) ([`gpu`]).
//! - Each measurement: warm-up runs, then up to `reps` timed runs (a time budget may stop it
//!   early), reported as median, minimum and 90th percentile ([`Stats`]); the effective
//!   bandwidth is (bytes in + bytes out) / median.

pub mod cpu;
pub mod gpu;
mod report;
pub mod stats;

use std::time::Duration;

pub use gpu::{GpuBench, GpuTimes, TimestampMethod};
pub use report::{AdapterReport, Machine, Outcome, Report, Row};
pub use stats::{Repetitions, Stats};

use crate::error::Result;
use crate::gpu::GpuContext;
use crate::workloads::{self, Workload};

/// The size of the memcpy that measures the CPU floor: 256 MiB, far past every cache.
pub const MEMCPY_BYTES: usize = 256 << 20;

/// The size of the buffer copy that measures the GPU floor (at most the device's
/// `max_buffer_size`).
pub const GPU_COPY_BYTES: u64 = 256 << 20;

/// What to measure.
#[derive(Debug, Clone)]
pub struct Options {
    /// Time the workloads on the CPU.
    pub cpu: bool,
    /// The workloads (default: [`workloads::all`]).
    pub workloads: Vec<Workload>,
    /// Threads of the rayon pool the CPU work runs in.
    pub threads: usize,
    /// Warm-up, repetitions and time budget of each measurement.
    pub reps: Repetitions,
    /// Also time W1 at the sizes of [`workloads::scaling`].
    pub scaling: bool,
    /// Bytes the CPU memcpy floor copies ([`MEMCPY_BYTES`]).
    pub memcpy_bytes: usize,
    /// Bytes the GPU copy floor copies ([`GPU_COPY_BYTES`]).
    pub gpu_copy_bytes: u64,
    /// How GPU kernel times are taken: [`Timestamps::Auto`] picks the best the device has.
    pub timestamps: Timestamps,
}

/// The choice of GPU timestamp method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Timestamps {
    /// `write_timestamp` inside the encoder when the device allows it, else empty passes, else
    /// none (wall times only).
    #[default]
    Auto,
    /// This method (an error on devices without the features it needs).
    Method(TimestampMethod),
    /// No timestamps: wall times only.
    Off,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            cpu: true,
            workloads: workloads::all(),
            threads: default_threads(),
            reps: Repetitions {
                warmup: 3,
                reps: 30,
                budget: Duration::from_secs(10),
            },
            scaling: false,
            memcpy_bytes: MEMCPY_BYTES,
            gpu_copy_bytes: GPU_COPY_BYTES,
            timestamps: Timestamps::Auto,
        }
    }
}

/// All the cores the process may use.
pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// The GPU side of a run.
#[derive(Debug, Clone, Copy)]
pub enum GpuInput<'a> {
    /// The GPU was not asked for.
    NotRequested,
    /// The GPU was asked for but no device opened; why.
    Unavailable(&'a str),
    /// Time on this device.
    Context(&'a GpuContext),
}

/// Runs every measurement `options` asks for, calling `progress` with a short line before each.
/// Failures of single measurements are recorded in the report, not returned; only a thread pool
/// that cannot be built is an error.
pub fn run(options: &Options, gpu: GpuInput<'_>, progress: &mut dyn FnMut(&str)) -> Result<Report> {
    let pool = cpu::pool(options.threads)?;
    let reps = &options.reps;
    let mut report = Report::new(Machine::detect(), options);

    // The memcpy floor, before the workloads and again after them: the higher (stricter) one
    // counts, and the two show how much the machine's bandwidth drifted during the run.
    let floor = |when: &'static str, report: &mut Report, progress: &mut dyn FnMut(&str)| {
        progress(&format!(
            "cpu: memcpy of {} MiB ({} threads, {when})",
            options.memcpy_bytes >> 20,
            pool.current_num_threads()
        ));
        match cpu::time_memcpy_best(options.memcpy_bytes, &pool, reps) {
            Ok((all, _)) => {
                report
                    .memcpy_strategies
                    .extend(all.into_iter().map(|(k, s)| (when, k, s)));
                let best = (0..report.memcpy_strategies.len())
                    .min_by(|&a, &b| {
                        let m = |i: usize| report.memcpy_strategies[i].2.median;
                        m(a).total_cmp(&m(b))
                    })
                    .expect("strategies timed");
                report.memcpy_best = best;
                report.memcpy = Outcome::Done((
                    2 * options.memcpy_bytes as u64,
                    report.memcpy_strategies[best].2,
                ));
            }
            Err(e) => report.memcpy = Outcome::Failed(e.to_string()),
        }
    };
    if options.cpu {
        floor("start", &mut report, progress);
    }

    let bench = match gpu {
        GpuInput::NotRequested => None,
        GpuInput::Unavailable(why) => {
            report.gpu_unavailable = Some(why.to_string());
            None
        }
        GpuInput::Context(ctx) => match match options.timestamps {
            Timestamps::Auto => GpuBench::new(ctx),
            Timestamps::Method(m) => GpuBench::with_timestamps(ctx, Some(m)),
            Timestamps::Off => GpuBench::with_timestamps(ctx, None),
        } {
            Ok(b) => {
                report.adapter = Some(AdapterReport::new(&b));
                Some(b)
            }
            Err(e) => {
                report.gpu_unavailable = Some(e.to_string());
                None
            }
        },
    };
    if let Some(b) = &bench {
        progress(&format!(
            "gpu: buffer copy of {} MiB on {}",
            options.gpu_copy_bytes >> 20,
            ctx_label(b)
        ));
        report.gpu_copy = Outcome::from_result(
            b.time_copy(options.gpu_copy_bytes, reps)
                .map(|(size, t)| (2 * size, t)),
        );
    }

    let measure = |w: &Workload, progress: &mut dyn FnMut(&str)| -> Row {
        let mut row = Row::new(w);
        if options.cpu {
            row.cpu = match cpu::unsupported(w) {
                Some(why) => Outcome::Skipped(why),
                None => {
                    progress(&format!("cpu: {}", w.name));
                    Outcome::from_result(cpu::time_workload(w, &pool, reps))
                }
            };
        }
        if let Some(b) = &bench {
            row.gpu = match b.unsupported(w) {
                Some(why) => Outcome::Skipped(why),
                None => {
                    progress(&format!("gpu: {}", w.name));
                    Outcome::from_result(b.time_workload(w, reps))
                }
            };
        }
        row
    };
    for w in &options.workloads {
        let row = measure(w, progress);
        report.rows.push(row);
    }
    if options.scaling {
        let rows = workloads::scaling()
            .iter()
            .map(|(_, w)| measure(w, progress))
            .collect();
        report.scaling = Some(rows);
    }
    if options.cpu && !report.memcpy.failed() {
        floor("end", &mut report, progress);
    }
    Ok(report)
}

fn ctx_label(b: &GpuBench<'_>) -> String {
    b.context().adapter().label()
}
