//! CPU timings: the workloads through `Operation::run_cpu_into` (float32) or
//! `Operation::run_cpu_u8_into` (8-bit) into a preallocated output, and the memcpy floor,
//! inside a rayon pool of a chosen size.

use ndarray::Array4;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::op::InputDesc;
use crate::tensor::ElementType;
use crate::workloads::Workload;

use super::stats::{wall, Repetitions, Stats};

/// A rayon pool of `threads` threads (the CPU kernels split their work over the current pool).
pub fn pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .thread_name(|i| format!("halfpixel-bench-{i}"))
        .build()
        .map_err(|e| Error::invalid_argument("threads", threads, e.to_string()))
}

/// A deterministic, non-trivial input for a workload, in its layout's shape.
pub fn input(w: &Workload) -> Array4<f32> {
    let s = w.input_shape();
    Array4::from_shape_fn((s[0], s[1], s[2], s[3]), |(a, b, c, d)| {
        ((a + 3 * b + 5 * c + 7 * d) % 29) as f32 * 0.1
    })
}

/// A deterministic 8-bit input for an 8-bit workload, in its layout's shape: the element at
/// NHWC position `i` (`((n·H + y)·W + x)·C + c`) is `(i · 2654435761 mod 2^32) >> 24`, a
/// pattern with no structure a kernel could exploit (`benches/peers.py` builds the same image).
pub fn input_u8(w: &Workload) -> Array4<u8> {
    let [_, c, h, wd] = w.input;
    let value = |n: usize, ch: usize, y: usize, x: usize| {
        let i = (((n * h + y) * wd + x) * c + ch) as u64;
        ((i.wrapping_mul(2_654_435_761) & 0xffff_ffff) >> 24) as u8
    };
    let s = w.input_shape();
    match w.layout {
        crate::spec::Layout::Nchw => {
            Array4::from_shape_fn((s[0], s[1], s[2], s[3]), |(n, ch, y, x)| value(n, ch, y, x))
        }
        crate::spec::Layout::Nhwc => {
            Array4::from_shape_fn((s[0], s[1], s[2], s[3]), |(n, y, x, ch)| value(n, ch, y, x))
        }
    }
}

/// The output dims `[n, c, h, w]` of a workload.
pub fn output_dims(w: &Workload) -> Result<[usize; 4]> {
    w.operation()?.output_dims(&InputDesc {
        dims: w.input,
        layout: w.layout,
    })
}

/// Why a workload does not run on the CPU, if it does not.
pub fn unsupported(w: &Workload) -> Option<String> {
    match w.element {
        ElementType::F32 | ElementType::U8 => None,
        other => Some(format!(
            "{other} storage runs on GPUs with SHADER_F16 only (the CPU kernels are f32, u8 and \
             u16)"
        )),
    }
}

/// Times the workload in `pool` into one output array allocated up front (the steady state:
/// input and output resident, the operation's kernel or exact plan prepared on the first call,
/// nothing allocated by the caller): `op.run_cpu_into` for float32, `op.run_cpu_u8_into` for
/// 8-bit workloads.
pub fn time_workload(w: &Workload, pool: &rayon::ThreadPool, reps: &Repetitions) -> Result<Stats> {
    if let Some(why) = unsupported(w) {
        return Err(Error::unsupported(why));
    }
    let op = w.operation()?;
    let o = w.layout.shape(output_dims(w)?);
    let shape = (o[0], o[1], o[2], o[3]);
    if w.element == ElementType::U8 {
        let x = input_u8(w);
        let mut y = Array4::<u8>::zeros(shape);
        return pool.install(|| {
            reps.measure(|| wall(|| op.run_cpu_u8_into(x.view(), w.layout, y.view_mut())))
        });
    }
    let x = input(w);
    let mut y = Array4::<f32>::zeros(shape);
    pool.install(|| reps.measure(|| wall(|| op.run_cpu_into(x.view(), w.layout, y.view_mut()))))
}

/// How the memcpy floor copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyStrategy {
    /// One `copy_from_slice` (libc `memcpy`) per thread over its contiguous share: libc picks
    /// non-temporal stores for copies this large.
    WholeShares,
    /// Each thread's share copied in 64 KiB `copy_from_slice` pieces: libc's cached-store path.
    Pieces64K,
}

impl CopyStrategy {
    /// Both strategies.
    pub const ALL: [CopyStrategy; 2] = [CopyStrategy::WholeShares, CopyStrategy::Pieces64K];

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            CopyStrategy::WholeShares => "one memcpy per thread",
            CopyStrategy::Pieces64K => "64 KiB memcpy pieces per thread",
        }
    }
}

/// The memcpy floor by one strategy: copies a `bytes`-byte buffer into another, split over the
/// pool's threads in contiguous shares, and reports the statistics of one whole copy. Bytes moved
/// per copy are `2 * bytes` (read once, written once).
pub fn time_memcpy(
    bytes: usize,
    strategy: CopyStrategy,
    pool: &rayon::ThreadPool,
    reps: &Repetitions,
) -> Result<Stats> {
    let n = (bytes / 8).max(1);
    let src: Vec<u64> = (0..n as u64).collect();
    let mut dst = vec![0u64; n];
    let threads = pool.current_num_threads().max(1);
    // Page-aligned shares, one per thread.
    let share = n.div_ceil(threads).div_ceil(512) * 512;
    let piece = match strategy {
        CopyStrategy::WholeShares => share,
        CopyStrategy::Pieces64K => (64 << 10) / 8,
    };
    let stats = pool.install(|| {
        reps.measure(|| {
            wall(|| {
                dst.par_chunks_mut(share)
                    .zip(src.par_chunks(share))
                    .for_each(|(d, s)| {
                        for (dd, ss) in d.chunks_mut(piece).zip(s.chunks(piece)) {
                            dd.copy_from_slice(ss);
                        }
                    });
                Ok(())
            })
        })
    });
    std::hint::black_box(&dst);
    stats
}

/// The memcpy floor: every [`CopyStrategy`], and the index of the fastest (by median).
pub fn time_memcpy_best(
    bytes: usize,
    pool: &rayon::ThreadPool,
    reps: &Repetitions,
) -> Result<(Vec<(CopyStrategy, Stats)>, usize)> {
    let mut all = Vec::new();
    for strategy in CopyStrategy::ALL {
        all.push((strategy, time_memcpy(bytes, strategy, pool, reps)?));
    }
    let best = (0..all.len())
        .min_by(|&a, &b| all[a].1.median.total_cmp(&all[b].1.median))
        .expect("two strategies");
    Ok((all, best))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn memcpy_copies() {
        let pool = pool(2).unwrap();
        let r = Repetitions {
            warmup: 0,
            reps: 2,
            budget: Duration::from_secs(10),
        };
        let (all, best) = time_memcpy_best(1 << 20, &pool, &r).unwrap();
        assert_eq!(all.len(), 2);
        for (_, s) in &all {
            assert_eq!(s.samples, 2);
            assert!(s.median > 0.0);
        }
        assert!(all.iter().all(|(_, s)| s.median >= all[best].1.median));
    }
}
