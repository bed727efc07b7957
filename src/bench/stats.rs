//! Order statistics over repeated timings, and the loop that collects them.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::error::Result;

/// Median, minimum, 90th percentile and mean of repeated timings, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stats {
    /// How many timed runs (after warm-up) the statistics cover.
    pub samples: usize,
    /// The median (the mean of the two middle samples for an even count).
    pub median: f64,
    /// The fastest run.
    pub min: f64,
    /// The 90th percentile (nearest rank).
    pub p90: f64,
    /// The arithmetic mean.
    pub mean: f64,
}

impl Stats {
    /// The statistics of `samples` (seconds); `None` when there are none.
    pub fn from_samples(samples: &[f64]) -> Option<Stats> {
        if samples.is_empty() {
            return None;
        }
        let mut s = samples.to_vec();
        s.sort_by(f64::total_cmp);
        let n = s.len();
        let median = if n % 2 == 1 {
            s[n / 2]
        } else {
            0.5 * (s[n / 2 - 1] + s[n / 2])
        };
        // Nearest rank: the smallest sample with at least 90% of the samples at or below it.
        let rank = (0.9 * n as f64).ceil().max(1.0) as usize;
        Some(Stats {
            samples: n,
            median,
            min: s[0],
            p90: s[rank - 1],
            mean: s.iter().sum::<f64>() / n as f64,
        })
    }

    /// Bytes per second at the median, in GB/s (10⁹ bytes).
    pub fn gbps(&self, bytes: u64) -> f64 {
        bytes as f64 / self.median / 1e9
    }

    /// `{"samples", "median_s", "min_s", "p90_s", "mean_s"}`.
    pub fn to_json(&self) -> Value {
        json!({
            "samples": self.samples,
            "median_s": self.median,
            "min_s": self.min,
            "p90_s": self.p90,
            "mean_s": self.mean,
        })
    }
}

/// How many runs to time and for how long at most.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Repetitions {
    /// Untimed runs first (pipelines compiled, caches and pages warm).
    pub warmup: usize,
    /// Timed runs.
    pub reps: usize,
    /// Stop timing early once this much time has gone into timed runs, keeping at least
    /// [`Repetitions::MIN_SAMPLES`] samples (or `reps`, if fewer).
    pub budget: Duration,
}

impl Repetitions {
    /// The fewest samples a measurement stopped by its budget keeps.
    pub const MIN_SAMPLES: usize = 3;

    /// Runs `f` `warmup` times, then up to `reps` times, and returns the statistics of the
    /// durations it reports (seconds; `f` may time only part of its work, e.g. from GPU
    /// timestamps). The first error ends the measurement.
    pub fn measure(&self, mut f: impl FnMut() -> Result<f64>) -> Result<Stats> {
        for _ in 0..self.warmup {
            f()?;
        }
        let reps = self.reps.max(1);
        let keep = reps.min(Self::MIN_SAMPLES);
        let mut samples = Vec::with_capacity(reps);
        let start = Instant::now();
        while samples.len() < reps {
            samples.push(f()?);
            if samples.len() >= keep && start.elapsed() > self.budget {
                break;
            }
        }
        Ok(Stats::from_samples(&samples).expect("at least one sample"))
    }
}

/// Times one call of `f` on the wall clock, in seconds.
pub fn wall<T>(f: impl FnOnce() -> Result<T>) -> Result<f64> {
    let t = Instant::now();
    f()?;
    Ok(t.elapsed().as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_statistics() {
        let s = Stats::from_samples(&[5.0, 1.0, 3.0, 2.0, 4.0]).unwrap();
        assert_eq!((s.median, s.min, s.p90, s.mean), (3.0, 1.0, 5.0, 3.0));
        let s = Stats::from_samples(&(1..=10).map(f64::from).collect::<Vec<_>>()).unwrap();
        assert_eq!((s.median, s.min, s.p90), (5.5, 1.0, 9.0));
        assert!(Stats::from_samples(&[]).is_none());
        assert_eq!(s.gbps(2_000_000_000), 2.0 / 5.5);
    }

    #[test]
    fn budget_keeps_the_minimum() {
        let r = Repetitions {
            warmup: 1,
            reps: 100,
            budget: Duration::ZERO,
        };
        let mut calls = 0;
        let s = r
            .measure(|| {
                calls += 1;
                Ok(1.0)
            })
            .unwrap();
        assert_eq!(s.samples, Repetitions::MIN_SAMPLES);
        assert_eq!(calls, 1 + Repetitions::MIN_SAMPLES);
    }
}
