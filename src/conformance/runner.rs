//! Running the cases of a corpus on a backend.

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

use ndarray::ArrayD;
use rayon::prelude::*;
use serde::Serialize;

use super::backend::Backend;
use super::compare::{compare, ulp_distance};
use super::manifest::{Case, Corpus, Op};
use super::report::Report;
use crate::error::{Error, Result};
use crate::npy::{read_npy, NpyDtype};
use crate::op::Operation;
use crate::spec::{BlockSpec, Layout, ResizeSpec};
use crate::tensor::{ElementType, Tensor4};

/// Which of a case's two paths a check went through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckPath {
    /// The recorded framework call through [`crate::presets::from_call`].
    Call,
    /// The portable spec: the `resize` block, or `block_size` and `order`.
    Portable,
}

impl CheckPath {
    /// `call` or `portable`.
    pub fn name(self) -> &'static str {
        match self {
            CheckPath::Call => "call",
            CheckPath::Portable => "portable",
        }
    }
}

impl fmt::Display for CheckPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which paths a run checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PathSelection {
    /// Both paths, where a case has them (the default).
    #[default]
    Both,
    /// The framework call only.
    Call,
    /// The portable spec only (cases without one are skipped).
    Portable,
}

impl PathSelection {
    fn includes(self, path: CheckPath) -> bool {
        matches!(
            (self, path),
            (PathSelection::Both, _)
                | (PathSelection::Call, CheckPath::Call)
                | (PathSelection::Portable, CheckPath::Portable)
        )
    }
}

/// The outcome of one check (one case through one path).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// Same shape, and the error is within tolerance.
    Passed {
        /// `max |got − expected|`.
        max_abs_error: f64,
    },
    /// Same shape, but the error is above tolerance (or a NaN met a number: infinite error).
    Failed {
        /// `max |got − expected|`.
        max_abs_error: f64,
        /// Index of the first element with that error, in the case's layout.
        worst_index: Vec<usize>,
        /// The expected value there.
        expected_value: f32,
        /// The value got there.
        got_value: f32,
    },
    /// The output's element type differs from the expected one (e.g. float32 where the
    /// framework gives uint8).
    TypeMismatch {
        /// The expected element type (`u8`, `u16`, `f32`).
        expected: String,
        /// The element type got.
        got: String,
    },
    /// The output shape differs from the expected one.
    ShapeMismatch {
        /// The expected shape.
        expected: Vec<usize>,
        /// The shape got.
        got: Vec<usize>,
    },
    /// The call or spec is not supported ([`Error::Unsupported`]).
    Unsupported {
        /// The error's message.
        reason: String,
    },
    /// Anything else: an argument refused, a data file that cannot be read, a panic.
    Error {
        /// The error's message.
        reason: String,
    },
}

impl Status {
    /// Whether the check passed.
    pub fn is_pass(&self) -> bool {
        matches!(self, Status::Passed { .. })
    }

    /// A short upper-case label: `PASS`, `FAIL`, `SHAPE`, `TYPE`, `UNSUPPORTED`, `ERROR`.
    pub fn label(&self) -> &'static str {
        match self {
            Status::Passed { .. } => "PASS",
            Status::Failed { .. } => "FAIL",
            Status::ShapeMismatch { .. } => "SHAPE",
            Status::TypeMismatch { .. } => "TYPE",
            Status::Unsupported { .. } => "UNSUPPORTED",
            Status::Error { .. } => "ERROR",
        }
    }

    /// The maximum error, where the output could be compared.
    pub fn max_abs_error(&self) -> Option<f64> {
        match self {
            Status::Passed { max_abs_error } | Status::Failed { max_abs_error, .. } => {
                Some(*max_abs_error)
            }
            _ => None,
        }
    }

    fn from_error(e: &Error) -> Status {
        match e {
            Error::Unsupported { .. } => Status::Unsupported {
                reason: e.to_string(),
            },
            _ => Status::Error {
                reason: e.to_string(),
            },
        }
    }
}

/// One case through one path on one backend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    /// The case id.
    pub case_id: String,
    /// `call.framework` (`torch`, `tf`, `onnx`, …).
    pub framework: String,
    /// `call.function`.
    pub function: String,
    /// The operation.
    pub op: Op,
    /// The case's layout.
    pub layout: Layout,
    /// The path.
    pub path: CheckPath,
    /// The backend's name.
    pub backend: String,
    /// The case's `tolerance.max_abs`.
    pub tolerance: f64,
    /// What [`Operation::describe`] says, when the operation could be built.
    pub operation: Option<String>,
    /// The outcome (flattened into this object in JSON: `"status": "failed", "max_abs_error": …`).
    #[serde(flatten)]
    pub status: Status,
    /// The largest [`ulp_distance`] between output and expected, where they could be compared.
    pub max_ulp: Option<u64>,
    /// The largest [`ulp_distance`] between this backend's output and the reference backend's
    /// (see [`RunOptions::reference`]), where both ran and have the same shape.
    pub reference_max_ulp: Option<u64>,
}

impl CheckResult {
    /// Whether the check passed.
    pub fn passed(&self) -> bool {
        self.status.is_pass()
    }
}

/// Options of [`Corpus::run_with`].
#[derive(Clone, Copy, Default)]
pub struct RunOptions<'a> {
    /// Only cases whose id contains this text.
    pub filter: Option<&'a str>,
    /// Which paths to check.
    pub paths: PathSelection,
    /// A second backend (typically [`super::CpuBackend`]) whose output each check is also
    /// compared with, in ULPs ([`CheckResult::reference_max_ulp`]).
    pub reference: Option<&'a dyn Backend>,
    /// Called after each case with the number of checks it ran (from the worker threads).
    pub progress: Option<&'a (dyn Fn(usize) + Sync)>,
}

impl fmt::Debug for RunOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunOptions")
            .field("filter", &self.filter)
            .field("paths", &self.paths)
            .field("reference", &self.reference.map(|b| b.name()))
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// Runs `f`, turning an error or a panic into a failed [`Status`].
fn guarded<T>(f: impl FnOnce() -> Result<T>) -> std::result::Result<T, Status> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Status::from_error(&e)),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".to_string());
            Err(Status::Error {
                reason: format!("panicked: {msg}"),
            })
        }
    }
}

/// Builds the operation of a case's path.
fn build(case: &Case, path: CheckPath) -> Result<Operation> {
    match path {
        CheckPath::Call => crate::presets::from_call(&case.call),
        CheckPath::Portable => match case.op {
            Op::Resize => {
                let value = case.resize.as_ref().ok_or_else(|| Error::Corpus {
                    location: case.id.clone(),
                    reason: "no resize block".into(),
                })?;
                let spec = ResizeSpec::from_json(value)?;
                spec.validate()?;
                Ok(Operation::from(spec))
            }
            Op::DepthToSpace | Op::SpaceToDepth => {
                let (Some(b), Some(order)) = (case.block_size, case.order) else {
                    return Err(Error::Corpus {
                        location: case.id.clone(),
                        reason: "no block_size / order".into(),
                    });
                };
                let spec = BlockSpec::new(b, order)?;
                Ok(if case.op == Op::DepthToSpace {
                    Operation::DepthToSpace(spec)
                } else {
                    Operation::SpaceToDepth(spec)
                })
            }
        },
    }
}

/// A case's data: the input as the type the file stores, the expected output (as f32, exact
/// for every stored type) and the expected output's element type.
struct Loaded {
    input: Tensor4,
    expected: ArrayD<f32>,
    expected_type: ElementType,
}

/// The element type a corpus file may store (`f4`, `u1`, `u2`), or why not.
fn corpus_type(dtype: NpyDtype, case: &Case, which: &str) -> Result<ElementType> {
    match dtype {
        NpyDtype::F32 => Ok(ElementType::F32),
        NpyDtype::U8 => Ok(ElementType::U8),
        NpyDtype::U16 => Ok(ElementType::U16),
        other => Err(Error::Corpus {
            location: format!("{} ({which})", case.id),
            reason: format!(
                "dtype {} is not a corpus type (float32, uint8 or uint16)",
                other.code()
            ),
        }),
    }
}

fn load(corpus: &Corpus, case: &Case) -> Result<Loaded> {
    let input = read_npy(&corpus.path_of(&case.input))?;
    let input_type = corpus_type(input.dtype, case, "input")?;
    let input = input.into_array4()?;
    // The file's integers were read into f32 exactly; this gives them their type back.
    let input = match input_type {
        ElementType::U8 => Tensor4::U8(input.mapv(|v| v as u8)),
        ElementType::U16 => Tensor4::U16(input.mapv(|v| v as u16)),
        _ => Tensor4::F32(input),
    };
    let expected = read_npy(&corpus.path_of(&case.expected))?;
    let expected_type = corpus_type(expected.dtype, case, "expected")?;
    Ok(Loaded {
        input,
        expected: expected.into_arrayd()?,
        expected_type,
    })
}

/// The paths of `case` that `options` select.
fn case_paths(case: &Case, options: &RunOptions<'_>) -> Vec<CheckPath> {
    let mut paths = vec![CheckPath::Call];
    if case.has_portable() {
        paths.push(CheckPath::Portable);
    }
    paths.retain(|p| options.paths.includes(*p));
    paths
}

fn run_case(
    corpus: &Corpus,
    case: &Case,
    backend: &dyn Backend,
    backend_name: &str,
    options: &RunOptions<'_>,
) -> Vec<CheckResult> {
    let paths = case_paths(case, options);
    if paths.is_empty() {
        return Vec::new();
    }
    let loaded = load(corpus, case);
    paths
        .into_iter()
        .map(|path| {
            let mut result = CheckResult {
                case_id: case.id.clone(),
                framework: case.call.framework.clone(),
                function: case.call.function.clone(),
                op: case.op,
                layout: case.layout,
                path,
                backend: backend_name.to_string(),
                tolerance: case.tolerance.max_abs,
                operation: None,
                status: Status::Error {
                    reason: String::new(),
                },
                max_ulp: None,
                reference_max_ulp: None,
            };
            let Loaded {
                input,
                expected,
                expected_type,
            } = match &loaded {
                Ok(loaded) => loaded,
                Err(e) => {
                    result.status = Status::Error {
                        reason: e.to_string(),
                    };
                    return result;
                }
            };
            let op = match guarded(|| build(case, path)) {
                Ok(op) => op,
                Err(status) => {
                    result.status = status;
                    return result;
                }
            };
            result.operation = Some(op.describe());
            let got = match guarded(|| backend.run(&op, input.view(), case.layout)) {
                Ok(got) => got,
                Err(status) => {
                    result.status = status;
                    return result;
                }
            };
            if got.element_type() != *expected_type {
                result.status = Status::TypeMismatch {
                    expected: expected_type.name().to_string(),
                    got: got.element_type().name().to_string(),
                };
                return result;
            }
            let got = got.to_f32().into_dyn();
            if let Some(reference) = options.reference {
                if let Ok(r) = guarded(|| reference.run(&op, input.view(), case.layout)) {
                    let r = r.to_f32().into_dyn();
                    if r.shape() == got.shape() {
                        result.reference_max_ulp = r
                            .iter()
                            .zip(got.iter())
                            .map(|(a, b)| ulp_distance(*a, *b))
                            .max()
                            .or(Some(0));
                    }
                }
            }
            result.status = match compare(expected.view(), got.view()) {
                None => Status::ShapeMismatch {
                    expected: expected.shape().to_vec(),
                    got: got.shape().to_vec(),
                },
                Some(c) => {
                    result.max_ulp = Some(c.max_ulp);
                    if c.max_abs_error <= case.tolerance.max_abs {
                        Status::Passed {
                            max_abs_error: c.max_abs_error,
                        }
                    } else {
                        Status::Failed {
                            max_abs_error: c.max_abs_error,
                            worst_index: c.worst_index,
                            expected_value: c.expected_value,
                            got_value: c.got_value,
                        }
                    }
                }
            };
            result
        })
        .collect()
}

impl Corpus {
    /// Runs every case through both paths (where it has them) on `backend`, in parallel.
    pub fn run(&self, backend: &dyn Backend) -> Report {
        self.run_with(backend, &RunOptions::default())
    }

    /// The number of checks [`run_with`](Self::run_with) will run with these options.
    pub fn planned_checks(&self, options: &RunOptions<'_>) -> usize {
        self.cases()
            .iter()
            .filter(|c| options.filter.is_none_or(|f| c.id.contains(f)))
            .map(|c| case_paths(c, options).len())
            .sum()
    }

    /// Runs the cases `options` select on `backend`, in parallel (one at a time on a backend
    /// that asks for it, [`Backend::serial`]); results keep manifest order.
    pub fn run_with(&self, backend: &dyn Backend, options: &RunOptions<'_>) -> Report {
        let name = backend.name();
        let one = |case: &Case| {
            let results = run_case(self, case, backend, &name, options);
            if let Some(progress) = options.progress {
                progress(results.len());
            }
            results
        };
        let selected = |c: &&Case| options.filter.is_none_or(|f| c.id.contains(f));
        let results: Vec<CheckResult> = if backend.serial() {
            self.cases().iter().filter(selected).flat_map(one).collect()
        } else {
            self.cases()
                .par_iter()
                .filter(selected)
                .flat_map_iter(one)
                .collect()
        };
        Report {
            backend: name,
            corpus: self.root.display().to_string(),
            generated_by: self.manifest.generated_by.clone(),
            results,
        }
    }
}
