//! The report of a run: failures, a summary by framework and op, text and JSON output.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::json;

use super::manifest::Op;
use super::runner::{CheckPath, CheckResult, Status};

/// Pass / fail counts of a group of checks.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct PathStats {
    /// Checks that passed.
    pub passed: usize,
    /// Checks that failed (any status but passed).
    pub failed: usize,
    /// The largest `max |got − expected|` among the checks whose output could be compared
    /// (passed or failed on values); `None` if none could. Infinite when a NaN met a number
    /// (serialized as `null` in JSON).
    pub max_abs_error: Option<f64>,
    /// The largest ULP distance to the expected output among the compared checks.
    pub max_ulp: Option<u64>,
}

impl PathStats {
    fn add(&mut self, r: &CheckResult) {
        if r.passed() {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
        if let Some(e) = r.status.max_abs_error() {
            self.max_abs_error = Some(self.max_abs_error.map_or(e, |m| m.max(e)));
        }
        if let Some(u) = r.max_ulp {
            self.max_ulp = Some(self.max_ulp.map_or(u, |m| m.max(u)));
        }
    }

    /// Number of checks.
    pub fn total(&self) -> usize {
        self.passed + self.failed
    }
}

/// One row of the summary: a framework and an op, with the counts of each path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRow {
    /// `call.framework`.
    pub framework: String,
    /// The op.
    pub op: Op,
    /// Checks through the framework call.
    pub call: PathStats,
    /// Checks through the portable spec.
    pub portable: PathStats,
}

/// The results of a run, in manifest order (call before portable within a case).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The backend's name.
    pub backend: String,
    /// The corpus folder.
    pub corpus: String,
    /// The manifest's `generated_by`.
    pub generated_by: String,
    /// Every check.
    pub results: Vec<CheckResult>,
}

/// An error for tables: `-` (not compared), `0`, `inf`, or three decimals in scientific notation.
pub(crate) fn fmt_err(e: Option<f64>) -> String {
    match e {
        None => "-".to_string(),
        Some(0.0) => "0".to_string(),
        Some(e) if e.is_infinite() => "inf".to_string(),
        Some(e) => format!("{e:.3e}"),
    }
}

impl Report {
    /// Checks that passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed()).count()
    }

    /// Checks that failed (including unsupported paths and errors).
    pub fn failed(&self) -> usize {
        self.results.len() - self.passed()
    }

    /// Whether no check failed.
    pub fn all_passed(&self) -> bool {
        self.failed() == 0
    }

    /// The checks that failed, in order.
    pub fn failures(&self) -> impl Iterator<Item = &CheckResult> + '_ {
        self.results.iter().filter(|r| !r.passed())
    }

    /// The checks of one path.
    pub fn of_path(&self, path: CheckPath) -> impl Iterator<Item = &CheckResult> + '_ {
        self.results.iter().filter(move |r| r.path == path)
    }

    /// Counts of one path over all cases.
    pub fn path_stats(&self, path: CheckPath) -> PathStats {
        let mut s = PathStats::default();
        for r in self.of_path(path) {
            s.add(r);
        }
        s
    }

    /// Counts by framework and op (sorted), split by path.
    pub fn summary(&self) -> Vec<SummaryRow> {
        let mut rows: BTreeMap<(String, Op), (PathStats, PathStats)> = BTreeMap::new();
        for r in &self.results {
            let entry = rows.entry((r.framework.clone(), r.op)).or_default();
            match r.path {
                CheckPath::Call => entry.0.add(r),
                CheckPath::Portable => entry.1.add(r),
            }
        }
        rows.into_iter()
            .map(|((framework, op), (call, portable))| SummaryRow {
                framework,
                op,
                call,
                portable,
            })
            .collect()
    }

    /// The closing line: `N passed, M failed`, counting (case, path) checks.
    pub fn summary_line(&self) -> String {
        format!("{} passed, {} failed", self.passed(), self.failed())
    }

    /// One line (two for a failure with a known operation) describing a check.
    pub(crate) fn write_check(w: &mut dyn Write, r: &CheckResult) -> io::Result<()> {
        let head = format!("{:<11} {} [{}]", r.status.label(), r.case_id, r.path);
        let reference = match r.reference_max_ulp {
            None => String::new(),
            Some(u64::MAX) => "; NaN against a number in the reference output".to_string(),
            Some(u) => format!("; {u} ulp from the reference output"),
        };
        match &r.status {
            Status::Passed { max_abs_error } => writeln!(
                w,
                "{head} max |err| {} (tolerance {}){reference}",
                fmt_err(Some(*max_abs_error)),
                r.tolerance
            )?,
            Status::Failed {
                max_abs_error,
                worst_index,
                expected_value,
                got_value,
            } => writeln!(
                w,
                "{head} max |err| {} > tolerance {} at {worst_index:?}: expected {expected_value:?}, got {got_value:?}{}{reference}",
                fmt_err(Some(*max_abs_error)),
                r.tolerance,
                r.max_ulp.map(|u| format!(" (max {u} ulp)")).unwrap_or_default()
            )?,
            Status::ShapeMismatch { expected, got } => {
                writeln!(w, "{head} shape mismatch: expected {expected:?}, got {got:?}")?
            }
            Status::TypeMismatch { expected, got } => writeln!(
                w,
                "{head} element type mismatch: the framework gives {expected}, got {got}"
            )?,
            Status::Unsupported { reason } | Status::Error { reason } => {
                writeln!(w, "{head} {reason}")?
            }
        }
        if !r.passed() {
            if let Some(op) = &r.operation {
                writeln!(w, "{:<11} ran {op}", "")?;
            }
        }
        Ok(())
    }

    /// Writes the failures, the summary table and the closing `N passed, M failed` line.
    pub fn print_text(&self, w: &mut impl Write) -> io::Result<()> {
        self.write_text(w, false)
    }

    /// Like [`Report::print_text`]; with `verbose`, every check is listed, passes included.
    pub fn write_text(&self, w: &mut impl Write, verbose: bool) -> io::Result<()> {
        let w: &mut dyn Write = w;
        let listed: Vec<&CheckResult> = if verbose {
            self.results.iter().collect()
        } else {
            self.failures().collect()
        };
        for r in &listed {
            Self::write_check(w, r)?;
        }
        if !listed.is_empty() {
            writeln!(w)?;
        }
        self.write_table(w)?;
        writeln!(w, "{}", self.summary_line())
    }

    /// Writes the backend and corpus, the summary table by framework and op, and the counts by
    /// path (everything [`Report::write_text`] writes but the checks and the closing line).
    pub fn write_table(&self, w: &mut dyn Write) -> io::Result<()> {
        writeln!(w, "backend {}, corpus {}", self.backend, self.corpus)?;
        if !self.generated_by.is_empty() {
            writeln!(w, "corpus generated by {}", self.generated_by)?;
        }
        self.write_by_op(w)
    }

    /// The summary table by framework and op, and the counts by path.
    pub(crate) fn write_by_op(&self, w: &mut dyn Write) -> io::Result<()> {
        writeln!(
            w,
            "{:<10} {:<15} | {:>5} {:>5} {:>10} | {:>5} {:>5} {:>10}",
            "framework", "op", "call", "fail", "max err", "port.", "fail", "max err"
        )?;
        writeln!(w, "{}", "-".repeat(78))?;
        let cell = |s: &PathStats| {
            if s.total() == 0 {
                format!("{:>5} {:>5} {:>10}", "-", "-", "-")
            } else {
                format!(
                    "{:>5} {:>5} {:>10}",
                    s.passed,
                    s.failed,
                    fmt_err(s.max_abs_error)
                )
            }
        };
        for row in self.summary() {
            writeln!(
                w,
                "{:<10} {:<15} | {} | {}",
                row.framework,
                row.op.name(),
                cell(&row.call),
                cell(&row.portable)
            )?;
        }
        writeln!(w, "{}", "-".repeat(78))?;
        let call = self.path_stats(CheckPath::Call);
        let portable = self.path_stats(CheckPath::Portable);
        writeln!(
            w,
            "{:<10} {:<15} | {} | {}",
            "total",
            "",
            cell(&call),
            cell(&portable)
        )?;
        writeln!(
            w,
            "call path: {} passed, {} failed; portable path: {} passed, {} failed",
            call.passed, call.failed, portable.passed, portable.failed
        )?;
        Ok(())
    }

    /// The report as JSON: totals, counts by path, the summary rows and every check.
    /// Non-finite errors (a NaN meeting a number) are `null`.
    pub fn to_json(&self) -> serde_json::Value {
        let results = serde_json::to_value(&self.results)
            .unwrap_or_else(|e| json!({ "error": e.to_string() }));
        let summary = serde_json::to_value(self.summary())
            .unwrap_or_else(|e| json!({ "error": e.to_string() }));
        json!({
            "format": "halfpixel-conformance-report/1",
            "backend": self.backend,
            "corpus": self.corpus,
            "generated_by": self.generated_by,
            "passed": self.passed(),
            "failed": self.failed(),
            "by_path": {
                "call": self.path_stats(CheckPath::Call),
                "portable": self.path_stats(CheckPath::Portable),
            },
            "summary": summary,
            "results": results,
        })
    }
}
