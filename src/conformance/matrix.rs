//! Runs over several backends — the CPU and every GPU adapter — and the backend × framework
//! [`Matrix`] that compares them.
//!
//! A [`BackendRun`] is one backend's [`Report`], plus the backend its outputs were compared with
//! in ULPs ([`RunOptions::reference`]), or the reason it could not run at all (a device that would
//! not open: [`BackendRun::unavailable`] then counts every check of that backend as failed). A
//! [`MultiReport`] gathers the runs and prints, for each backend, its failures; then the matrix;
//! then one summary line per backend; and last `N passed, M failed` over everything.
//!
//! ```no_run
//! use halfpixel::conformance::{
//!     default_corpus_dir, BackendRun, Corpus, CpuBackend, MultiReport, RunOptions,
//! };
//!
//! let corpus = Corpus::load(default_corpus_dir())?;
//! let mut runs = vec![BackendRun::new(&corpus, &CpuBackend, &RunOptions::default())];
//! let gpu_options = RunOptions { reference: Some(&CpuBackend), ..RunOptions::default() };
//! match halfpixel::gpu::GpuContext::new() {
//!     Ok(gpu) => runs.push(BackendRun::new(&corpus, &gpu, &gpu_options)),
//!     Err(e) => runs.push(BackendRun::unavailable(&corpus, "gpu", e.to_string(), &gpu_options)),
//! }
//! let all = MultiReport::new(runs);
//! all.write_text(&mut std::io::stdout(), false)?;
//! assert!(all.all_passed());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeSet, HashSet};
use std::io::{self, Write};

use serde_json::{json, Map, Value};

use super::backend::{Backend, FnBackend};
use super::manifest::Corpus;
use super::report::{fmt_err, Report};
use super::runner::{CheckPath, CheckResult, RunOptions, Status};
use crate::error::Error;

/// One backend's run of a corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct BackendRun {
    /// Every check on this backend; `report.backend` names the backend.
    pub report: Report,
    /// The backend each output was also compared with, in ULPs
    /// ([`CheckResult::reference_max_ulp`]), if any.
    pub reference: Option<String>,
    /// Why the backend could not run at all, if it could not; every check that reached the
    /// backend then failed with this reason.
    pub unavailable: Option<String>,
}

impl BackendRun {
    /// Runs the cases `options` select on `backend`.
    pub fn new(corpus: &Corpus, backend: &dyn Backend, options: &RunOptions<'_>) -> BackendRun {
        BackendRun {
            report: corpus.run_with(backend, options),
            reference: options.reference.map(|r| r.name()),
            unavailable: None,
        }
    }

    /// A backend named `name` that could not run (e.g. its device would not open): every check
    /// `options` select is recorded as an error with `reason` (checks that fail before reaching
    /// the backend — an unreadable file, an unsupported call — keep their own reason).
    pub fn unavailable(
        corpus: &Corpus,
        name: impl Into<String>,
        reason: impl Into<String>,
        options: &RunOptions<'_>,
    ) -> BackendRun {
        let reason = reason.into();
        let sentinel = Error::NoAdapter {
            reason: reason.clone(),
        };
        let rendered = sentinel.to_string();
        let backend = FnBackend::new(name, move |_, _, _| Err(sentinel.clone()));
        let options = RunOptions {
            reference: None,
            ..*options
        };
        let mut report = corpus.run_with(&backend, &options);
        for r in &mut report.results {
            if matches!(&r.status, Status::Error { reason: m } if *m == rendered) {
                r.status = Status::Error {
                    reason: reason.clone(),
                };
            }
        }
        BackendRun {
            report,
            reference: None,
            unavailable: Some(reason),
        }
    }

    /// Appends the checks of another run of the same backend (another corpus).
    pub fn extend(&mut self, other: BackendRun) {
        self.report.corpus = format!("{} + {}", self.report.corpus, other.report.corpus);
        if !other.report.generated_by.is_empty() {
            self.report.generated_by = format!(
                "{}; {}",
                self.report.generated_by, other.report.generated_by
            );
        }
        self.report.results.extend(other.report.results);
        if self.unavailable.is_none() {
            self.unavailable = other.unavailable;
        }
    }

    /// The backend's name (`cpu`, `vulkan:llvmpipe (LLVM 15.0.6, 256 bits)`, …).
    pub fn name(&self) -> &str {
        &self.report.backend
    }

    /// Renames the backend, in the report and in every check (to tell apart two adapters with
    /// the same name).
    pub fn rename(&mut self, name: impl Into<String>) {
        let name = name.into();
        for r in &mut self.report.results {
            r.backend.clone_from(&name);
        }
        self.report.backend = name;
    }

    /// Checks that passed.
    pub fn passed(&self) -> usize {
        self.report.passed()
    }

    /// Checks that failed.
    pub fn failed(&self) -> usize {
        self.report.failed()
    }

    /// The largest ULP distance from the reference backend's output over the checks where both
    /// ran; `None` without a reference or without such checks.
    pub fn max_reference_ulp(&self) -> Option<u64> {
        self.report
            .results
            .iter()
            .filter_map(|r| r.reference_max_ulp)
            .max()
    }

    /// The largest `max |got − expected|` over the checks whose output could be compared.
    pub fn max_abs_error(&self) -> Option<f64> {
        self.report
            .results
            .iter()
            .filter_map(|r| r.status.max_abs_error())
            .reduce(f64::max)
    }

    /// `name: N passed, M failed (call p/t, portable p/t), max |err| E[, max U ulp from cpu]`,
    /// or the reason the backend was unavailable.
    pub fn summary_line(&self) -> String {
        let call = self.report.path_stats(CheckPath::Call);
        let portable = self.report.path_stats(CheckPath::Portable);
        let mut line = format!(
            "{}: {} passed, {} failed (call {}/{}, portable {}/{})",
            self.name(),
            self.passed(),
            self.failed(),
            call.passed,
            call.total(),
            portable.passed,
            portable.total()
        );
        if let Some(reason) = &self.unavailable {
            line.push_str(&format!(", unavailable: {}", one_line(reason)));
            return line;
        }
        line.push_str(&format!(", max |err| {}", fmt_err(self.max_abs_error())));
        if let Some(reference) = &self.reference {
            line.push_str(&format!(
                ", max {} ulp from {reference}",
                fmt_ulp(self.max_reference_ulp())
            ));
        }
        line
    }

    /// Whether a check's failure is only the backend being unavailable (listed once, not per
    /// check).
    fn is_unavailability(&self, r: &CheckResult) -> bool {
        match (&self.unavailable, &r.status) {
            (Some(why), Status::Error { reason }) => reason == why,
            _ => false,
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A ULP distance for tables: `-` when not compared, `NaN` when a NaN met a number.
fn fmt_ulp(u: Option<u64>) -> String {
    match u {
        None => "-".to_string(),
        Some(u64::MAX) => "NaN".to_string(),
        Some(u) => u.to_string(),
    }
}

/// The checks of one backend and one framework.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MatrixCell {
    /// Checks that passed.
    pub passed: usize,
    /// Checks that failed.
    pub failed: usize,
    /// The largest `max |got − expected|` over the checks whose output could be compared
    /// (infinite when a NaN met a number).
    pub max_abs_error: Option<f64>,
    /// The largest ULP distance from the reference backend's output, where there is one.
    pub max_reference_ulp: Option<u64>,
}

impl MatrixCell {
    fn add(&mut self, r: &CheckResult) {
        if r.passed() {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
        if let Some(e) = r.status.max_abs_error() {
            self.max_abs_error = Some(self.max_abs_error.map_or(e, |m| m.max(e)));
        }
        if let Some(u) = r.reference_max_ulp {
            self.max_reference_ulp = Some(self.max_reference_ulp.map_or(u, |m| m.max(u)));
        }
    }

    /// Number of checks.
    pub fn total(&self) -> usize {
        self.passed + self.failed
    }

    fn to_json(self) -> Value {
        json!({
            "passed": self.passed,
            "failed": self.failed,
            "total": self.total(),
            "max_abs_error": self.max_abs_error,
            "max_reference_ulp": self.max_reference_ulp,
        })
    }
}

/// One row of the matrix: a backend.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixRow {
    /// The backend's name.
    pub backend: String,
    /// The backend the ULP distances are measured from, if any.
    pub reference: Option<String>,
    /// One cell per framework, in the order of [`Matrix::frameworks`].
    pub cells: Vec<MatrixCell>,
    /// All the backend's checks.
    pub total: MatrixCell,
}

/// Backends × frameworks: per cell, passed / total, the largest error against the golden
/// output, and the largest ULP distance from the reference backend (the CPU for GPU rows).
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    /// The frameworks (`call.framework`) found in any run, sorted.
    pub frameworks: Vec<String>,
    /// One row per run, in run order.
    pub rows: Vec<MatrixRow>,
}

impl Matrix {
    /// The matrix of `runs`.
    pub fn from_runs(runs: &[BackendRun]) -> Matrix {
        let frameworks: Vec<String> = runs
            .iter()
            .flat_map(|run| run.report.results.iter().map(|r| r.framework.clone()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let rows = runs
            .iter()
            .map(|run| {
                let mut cells = vec![MatrixCell::default(); frameworks.len()];
                let mut total = MatrixCell::default();
                for r in &run.report.results {
                    if let Ok(i) = frameworks.binary_search(&r.framework) {
                        cells[i].add(r);
                    }
                    total.add(r);
                }
                MatrixRow {
                    backend: run.name().to_string(),
                    reference: run.reference.clone(),
                    cells,
                    total,
                }
            })
            .collect();
        Matrix { frameworks, rows }
    }

    /// The cell of a backend and a framework.
    pub fn cell(&self, backend: &str, framework: &str) -> Option<&MatrixCell> {
        let i = self.frameworks.iter().position(|f| f == framework)?;
        self.rows
            .iter()
            .find(|r| r.backend == backend)
            .map(|r| &r.cells[i])
    }

    /// Row labels for the text table: the backend name up to ` (` (`vulkan:llvmpipe`) when that
    /// is still unique, else the full name.
    fn labels(&self) -> Vec<String> {
        let short: Vec<String> = self
            .rows
            .iter()
            .map(|r| {
                r.backend
                    .split_once(" (")
                    .map_or(r.backend.as_str(), |(s, _)| s)
                    .to_string()
            })
            .collect();
        let unique = short.iter().collect::<HashSet<_>>().len() == short.len();
        if unique {
            short
        } else {
            self.rows.iter().map(|r| r.backend.clone()).collect()
        }
    }

    /// Writes the matrix as a text table, with a legend.
    pub fn write_text(&self, w: &mut dyn Write) -> io::Result<()> {
        let references: BTreeSet<&str> = self
            .rows
            .iter()
            .filter_map(|r| r.reference.as_deref())
            .collect();
        let reference = if references.is_empty() {
            String::new()
        } else {
            format!(
                ", max ULP distance from the {} output",
                references.into_iter().collect::<Vec<_>>().join(" / ")
            )
        };
        writeln!(
            w,
            "matrix (per cell: passed/total, max |got - expected|{reference})"
        )?;
        let labels = self.labels();
        // Each cell is three sub-columns, each as wide as its widest entry in the column.
        let parts = |c: &MatrixCell| -> [String; 3] {
            if c.total() == 0 {
                return ["-".into(), String::new(), String::new()];
            }
            [
                format!("{}/{}", c.passed, c.total()),
                fmt_err(c.max_abs_error),
                fmt_ulp(c.max_reference_ulp),
            ]
        };
        let mut widths = vec![[0usize; 3]; self.frameworks.len()];
        for row in &self.rows {
            for (i, c) in row.cells.iter().enumerate() {
                for (k, p) in parts(c).iter().enumerate() {
                    widths[i][k] = widths[i][k].max(p.chars().count());
                }
            }
        }
        let cell_width: Vec<usize> = widths
            .iter()
            .zip(&self.frameworks)
            .map(|(w, f)| (w[0] + w[1] + w[2] + 2).max(f.chars().count()))
            .collect();
        let label_width = labels
            .iter()
            .map(|l| l.chars().count())
            .chain(std::iter::once("backend".len()))
            .max()
            .unwrap_or(0);
        let mut header = format!("{:<label_width$}", "backend");
        for (f, cw) in self.frameworks.iter().zip(&cell_width) {
            header.push_str(&format!(" | {f:<cw$}"));
        }
        writeln!(w, "{}", header.trim_end())?;
        let mut rule = "-".repeat(label_width);
        for cw in &cell_width {
            rule.push_str(&format!("-+-{}", "-".repeat(*cw)));
        }
        writeln!(w, "{rule}")?;
        for (row, label) in self.rows.iter().zip(&labels) {
            let mut line = format!("{label:<label_width$}");
            for (i, c) in row.cells.iter().enumerate() {
                let [a, b, u] = parts(c);
                let [wa, wb, wu] = widths[i];
                let text = if c.total() == 0 {
                    a
                } else {
                    format!("{a:>wa$} {b:>wb$} {u:>wu$}")
                };
                let cw = cell_width[i];
                line.push_str(&format!(" | {text:>cw$}"));
            }
            writeln!(w, "{}", line.trim_end())?;
        }
        Ok(())
    }

    /// The matrix as JSON: `frameworks`, and per row `backend`, `reference`, `cells` (an object
    /// keyed by framework: `passed`, `failed`, `total`, `max_abs_error`, `max_reference_ulp`) and
    /// `total`.
    pub fn to_json(&self) -> Value {
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|row| {
                let cells: Map<String, Value> = self
                    .frameworks
                    .iter()
                    .zip(&row.cells)
                    .map(|(f, c)| (f.clone(), c.to_json()))
                    .collect();
                json!({
                    "backend": row.backend,
                    "reference": row.reference,
                    "cells": cells,
                    "total": row.total.to_json(),
                })
            })
            .collect();
        json!({ "frameworks": self.frameworks, "rows": rows })
    }
}

/// The runs of one corpus on several backends.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiReport {
    /// The runs, in order (the CPU first, by convention).
    pub runs: Vec<BackendRun>,
}

impl MultiReport {
    /// Gathers `runs`.
    pub fn new(runs: Vec<BackendRun>) -> MultiReport {
        MultiReport { runs }
    }

    /// Checks that passed, over every backend.
    pub fn passed(&self) -> usize {
        self.runs.iter().map(BackendRun::passed).sum()
    }

    /// Checks that failed, over every backend.
    pub fn failed(&self) -> usize {
        self.runs.iter().map(BackendRun::failed).sum()
    }

    /// Whether no check failed on any backend.
    pub fn all_passed(&self) -> bool {
        self.failed() == 0
    }

    /// The closing line: `N passed, M failed` over every backend and path.
    pub fn summary_line(&self) -> String {
        format!("{} passed, {} failed", self.passed(), self.failed())
    }

    /// The backend × framework matrix.
    pub fn matrix(&self) -> Matrix {
        Matrix::from_runs(&self.runs)
    }

    /// Writes, for each backend, its failures (with `verbose`, every check) and its summary table
    /// by framework and op; then the matrix; then one summary line per backend; and last
    /// `N passed, M failed` over everything.
    pub fn write_text(&self, w: &mut impl Write, verbose: bool) -> io::Result<()> {
        let w: &mut dyn Write = w;
        if let Some(first) = self.runs.first() {
            writeln!(w, "corpus {}", first.report.corpus)?;
            if !first.report.generated_by.is_empty() {
                writeln!(w, "corpus generated by {}", first.report.generated_by)?;
            }
            writeln!(w)?;
        }
        for run in &self.runs {
            let checks = run.report.results.len();
            writeln!(
                w,
                "== {}: {checks} checks, {} failed ==",
                run.name(),
                run.failed()
            )?;
            if let Some(reason) = &run.unavailable {
                let n = run
                    .report
                    .results
                    .iter()
                    .filter(|r| run.is_unavailability(r))
                    .count();
                writeln!(
                    w,
                    "UNAVAILABLE {}: {} ({n} checks counted as failed)",
                    run.name(),
                    one_line(reason)
                )?;
            }
            let listed = run
                .report
                .results
                .iter()
                .filter(|r| (verbose || !r.passed()) && !run.is_unavailability(r));
            for r in listed {
                Report::write_check(w, r)?;
            }
            if run.failed() == 0 && !verbose {
                writeln!(w, "no failures")?;
            }
            run.report.write_by_op(w)?;
            writeln!(w)?;
        }
        self.matrix().write_text(w)?;
        writeln!(w)?;
        for run in &self.runs {
            writeln!(w, "{}", run.summary_line())?;
        }
        writeln!(w, "{}", self.summary_line())
    }

    /// Everything as JSON: totals, each backend's report ([`Report::to_json`] plus `reference`,
    /// `unavailable` and `max_reference_ulp`) and the matrix.
    pub fn to_json(&self) -> Value {
        let backends: Vec<Value> = self
            .runs
            .iter()
            .map(|run| {
                let mut v = run.report.to_json();
                if let Some(obj) = v.as_object_mut() {
                    obj.insert("reference".into(), json!(run.reference));
                    obj.insert("unavailable".into(), json!(run.unavailable));
                    obj.insert("max_reference_ulp".into(), json!(run.max_reference_ulp()));
                }
                v
            })
            .collect();
        let first = self.runs.first().map(|r| &r.report);
        json!({
            "format": "halfpixel-conformance-run/1",
            "corpus": first.map(|r| r.corpus.clone()),
            "generated_by": first.map(|r| r.generated_by.clone()),
            "passed": self.passed(),
            "failed": self.failed(),
            "backends": backends,
            "matrix": self.matrix().to_json(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::{default_corpus_dir, CpuBackend};
    use ndarray::Array4;

    /// The shipped corpus, or `None` (said on stderr) in a copy of the published crate, which
    /// leaves the corpora out.
    fn corpus() -> Option<Corpus> {
        let dir = default_corpus_dir();
        if !dir.is_dir() {
            eprintln!(
                "SKIPPED: {} is not here (the published crate leaves the corpora out)",
                dir.display()
            );
            return None;
        }
        Some(Corpus::load(dir).expect("the shipped corpus loads"))
    }

    fn text(m: &MultiReport) -> String {
        let mut out = Vec::new();
        m.write_text(&mut out, false).expect("write to a Vec");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn cpu_against_itself_is_zero_ulp_and_an_unavailable_backend_fails() {
        let Some(corpus) = corpus() else { return };
        let filter = Some("torch.bilinear.ac0.size");
        let plain = RunOptions {
            filter,
            ..RunOptions::default()
        };
        let referenced = RunOptions {
            filter,
            reference: Some(&CpuBackend),
            ..RunOptions::default()
        };
        let again = FnBackend::new("vulkan:cpu again (Vulkan)", |op, x, l| {
            op.run_cpu_tensor(x, l)
        });
        let runs = vec![
            BackendRun::new(&corpus, &CpuBackend, &plain),
            BackendRun::new(&corpus, &again, &referenced),
            BackendRun::unavailable(
                &corpus,
                "gl:broken (Gl)",
                "cannot open a device on broken (Gl): out of luck",
                &referenced,
            ),
        ];
        let n = runs[0].report.results.len();
        assert!(n >= 10, "{n}");
        let all = MultiReport::new(runs);
        assert_eq!(all.passed(), 2 * n);
        assert_eq!(all.failed(), n);
        assert_eq!(all.runs[1].max_reference_ulp(), Some(0));
        assert_eq!(all.runs[0].max_reference_ulp(), None);
        assert!(all.runs[2].report.results.iter().all(|r| matches!(
            &r.status,
            Status::Error { reason } if reason == "cannot open a device on broken (Gl): out of luck"
        )));

        let m = all.matrix();
        assert_eq!(m.frameworks, vec!["torch".to_string()]);
        let cell = m.cell("vulkan:cpu again (Vulkan)", "torch").expect("cell");
        assert_eq!(
            (cell.passed, cell.failed, cell.max_reference_ulp),
            (n, 0, Some(0))
        );
        let cell = m.cell("gl:broken (Gl)", "torch").expect("cell");
        assert_eq!((cell.passed, cell.failed, cell.max_abs_error), (0, n, None));

        let out = text(&all);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(
            lines.last().copied(),
            Some(format!("{} passed, {} failed", 2 * n, n).as_str())
        );
        assert!(
            out.contains("UNAVAILABLE gl:broken (Gl): cannot open a device"),
            "{out}"
        );
        assert_eq!(
            out.matches("out of luck").count(),
            2,
            "listed once, and in the summary line: {out}"
        );
        assert!(
            lines.iter().any(|l| l.starts_with("vulkan:cpu again | ")),
            "short row label: {out}"
        );
        assert!(out.contains(&format!("vulkan:cpu again (Vulkan): {n} passed, 0 failed")));
        assert!(out.contains("max 0 ulp from cpu"), "{out}");

        let json = all.to_json();
        assert_eq!(json["passed"], 2 * n);
        assert_eq!(json["failed"], n);
        assert_eq!(json["backends"].as_array().map(Vec::len), Some(3));
        assert_eq!(json["backends"][1]["reference"], "cpu");
        assert_eq!(json["backends"][1]["max_reference_ulp"], 0);
        assert!(json["backends"][2]["unavailable"].is_string());
        assert_eq!(json["matrix"]["rows"][2]["cells"]["torch"]["failed"], n);
        assert_eq!(json["matrix"]["rows"][0]["total"]["total"], n);
    }

    #[test]
    fn ulp_distances_from_the_reference_reach_the_matrix() {
        let Some(corpus) = corpus() else { return };
        let nudged = FnBackend::new("nudged", |op, x, l| {
            let y: Array4<f32> = op.run_cpu_tensor(x, l)?.to_f32();
            Ok(crate::tensor::Tensor4::F32(y.mapv(|v| {
                if v > 0.0 {
                    f32::from_bits(v.to_bits() + 3)
                } else {
                    v
                }
            })))
        });
        let options = RunOptions {
            filter: Some("torch.nearest.size3x5"),
            reference: Some(&CpuBackend),
            ..RunOptions::default()
        };
        let run = BackendRun::new(&corpus, &nudged, &options);
        assert_eq!(run.max_reference_ulp(), Some(3));
        let m = Matrix::from_runs(std::slice::from_ref(&run));
        let mut out = Vec::new();
        m.write_text(&mut out).expect("write");
        let out = String::from_utf8(out).expect("UTF-8");
        assert!(out.contains("from the cpu output"), "{out}");
        assert!(
            out.lines()
                .any(|l| l.starts_with("nudged") && l.ends_with(" 3")),
            "{out}"
        );
    }

    #[test]
    fn duplicate_short_labels_fall_back_to_full_names() {
        let Some(corpus) = corpus() else { return };
        let options = RunOptions {
            filter: Some("torch.pixel_shuffle.b2.n1c4h1w1"),
            ..RunOptions::default()
        };
        let mut a = BackendRun::new(&corpus, &CpuBackend, &options);
        let mut b = a.clone();
        a.rename("vulkan:same (one)");
        b.rename("vulkan:same (two)");
        assert!(b
            .report
            .results
            .iter()
            .all(|r| r.backend == "vulkan:same (two)"));
        let m = Matrix::from_runs(&[a, b]);
        let mut out = Vec::new();
        m.write_text(&mut out).expect("write");
        let out = String::from_utf8(out).expect("UTF-8");
        assert!(out.contains("vulkan:same (one) |"), "{out}");
        assert!(out.contains("vulkan:same (two) |"), "{out}");
    }
}
