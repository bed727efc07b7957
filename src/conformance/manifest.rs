//! The manifest of a corpus and its validation.

use std::collections::HashSet;
use std::fmt;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::presets::Call;
use crate::spec::{BlockOrder, Layout};

/// The format string a manifest must carry.
pub const FORMAT: &str = "resize-conformance/1";

/// The operation a case exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Op {
    /// `resize`.
    #[serde(rename = "resize")]
    Resize,
    /// `depth_to_space` (pixel shuffle).
    #[serde(rename = "depth_to_space")]
    DepthToSpace,
    /// `space_to_depth` (pixel unshuffle).
    #[serde(rename = "space_to_depth")]
    SpaceToDepth,
}

impl Op {
    /// The name used in the format.
    pub fn name(self) -> &'static str {
        match self {
            Op::Resize => "resize",
            Op::DepthToSpace => "depth_to_space",
            Op::SpaceToDepth => "space_to_depth",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How close an output must be to its golden reference.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tolerance {
    /// The largest accepted `|got − expected|`; 0 means bit-exact (up to the sign of zero).
    pub max_abs: f64,
}

/// One case of the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Unique dotted id, e.g. `torch.bilinear.ac0.scale2.n1c3h9w10`.
    pub id: String,
    /// The exact call that produced `expected`, as text, with library and version.
    #[serde(default)]
    pub reference: String,
    /// The operation.
    pub op: Op,
    /// The layout of both input and expected.
    pub layout: Layout,
    /// Path of the input `.npy`, relative to the corpus root.
    pub input: String,
    /// Path of the expected `.npy`, relative to the corpus root.
    pub expected: String,
    /// The accepted error.
    pub tolerance: Tolerance,
    /// The framework call, structured.
    pub call: Call,
    /// The portable spec (a `ResizeSpec` as JSON), where it reproduces the call. Kept as raw JSON:
    /// parsing it is part of what a run checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resize: Option<serde_json::Value>,
    /// Block size for depth_to_space / space_to_depth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub block_size: Option<usize>,
    /// Channel order for depth_to_space / space_to_depth (for space_to_depth: of its inverse).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<BlockOrder>,
    /// Free text: quirks, disagreements between frameworks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Case {
    /// Whether the case has a portable path (a `resize` block, or `block_size` and `order`).
    pub fn has_portable(&self) -> bool {
        match self.op {
            Op::Resize => self.resize.is_some(),
            Op::DepthToSpace | Op::SpaceToDepth => {
                self.block_size.is_some() && self.order.is_some()
            }
        }
    }
}

/// The parsed `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// Free text: the tool versions that produced the corpus.
    #[serde(default)]
    pub generated_by: String,
    /// The cases, in file order.
    pub cases: Vec<Case>,
}

/// The manifest as first read: cases stay raw so a bad one can be named in the error.
#[derive(Deserialize)]
struct RawManifest {
    format: serde_json::Value,
    #[serde(default)]
    generated_by: Option<serde_json::Value>,
    cases: Vec<serde_json::Value>,
}

/// A loaded, validated corpus: its root folder and manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Corpus {
    /// The corpus folder; case paths are relative to it.
    pub root: PathBuf,
    /// The manifest.
    pub manifest: Manifest,
}

fn corpus_error(location: impl Into<String>, reason: impl Into<String>) -> Error {
    Error::Corpus {
        location: location.into(),
        reason: reason.into(),
    }
}

/// Checks that a case path stays inside the corpus: relative, no `..`, no root or drive prefix.
fn check_relative(path: &str) -> std::result::Result<(), String> {
    if path.is_empty() {
        return Err("is empty".into());
    }
    if path.contains('\\') || path.contains('\0') {
        return Err(format!(
            "{path:?} contains a backslash or NUL; use '/' separators"
        ));
    }
    let p = Path::new(path);
    if p.is_absolute() || path.starts_with('/') {
        return Err(format!(
            "{path:?} is absolute; paths must be relative to the corpus root"
        ));
    }
    for c in p.components() {
        match c {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => {
                return Err(format!(
                    "{path:?} contains '..'; paths must stay inside the corpus"
                ))
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!(
                    "{path:?} is absolute; paths must be relative to the corpus root"
                ))
            }
        }
    }
    Ok(())
}

impl Corpus {
    /// Loads `dir/manifest.json` and validates it: the format string, every case's fields, unique
    /// ids, tolerances, safe relative paths to files that exist, and the op-specific fields.
    ///
    /// A manifest that cannot be read is [`Error::Io`]; anything malformed is [`Error::Corpus`]
    /// naming the case. The `.npy` files themselves are read when the corpus runs, so one bad file
    /// fails its case instead of the whole run.
    pub fn load(dir: impl AsRef<Path>) -> Result<Corpus> {
        let root = dir.as_ref().to_path_buf();
        let manifest_path = root.join("manifest.json");
        let text = std::fs::read_to_string(&manifest_path).map_err(|e| Error::Io {
            action: "read".into(),
            path: manifest_path.display().to_string(),
            reason: e.to_string(),
        })?;
        Corpus::from_manifest_str(root, &text)
    }

    /// Validates a manifest given as text, for a corpus rooted at `root` (the data files must
    /// exist under it).
    pub fn from_manifest_str(root: impl Into<PathBuf>, text: &str) -> Result<Corpus> {
        let root = root.into();
        let location = root.join("manifest.json").display().to_string();
        let raw: RawManifest = serde_json::from_str(text)
            .map_err(|e| corpus_error(&location, format!("not a valid manifest: {e}")))?;
        match raw.format.as_str() {
            Some(FORMAT) => {}
            _ => {
                return Err(corpus_error(
                    &location,
                    format!("format is {}, expected \"{FORMAT}\"", raw.format),
                ))
            }
        }
        let generated_by = match raw.generated_by {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s,
            Some(other) => other.to_string(),
        };
        if raw.cases.is_empty() {
            return Err(corpus_error(&location, "the manifest has no cases"));
        }
        let mut ids = HashSet::new();
        let mut cases = Vec::with_capacity(raw.cases.len());
        for (i, value) in raw.cases.into_iter().enumerate() {
            let id_hint = value
                .get("id")
                .and_then(|v| v.as_str())
                .map(|s| format!("case {i} ({s})"))
                .unwrap_or_else(|| format!("case {i}"));
            let case: Case = serde_json::from_value(value.clone()).map_err(|e| {
                let reason = match diagnose_field(&value) {
                    Some(field_reason) => field_reason,
                    None => e.to_string(),
                };
                corpus_error(format!("{location}: {id_hint}"), reason)
            })?;
            let at = format!("{location}: case {}", case.id);
            if case.id.trim().is_empty() {
                return Err(corpus_error(format!("{location}: {id_hint}"), "empty id"));
            }
            if !ids.insert(case.id.clone()) {
                return Err(corpus_error(&at, "duplicate id"));
            }
            validate_case(&case, &root).map_err(|reason| corpus_error(&at, reason))?;
            cases.push(case);
        }
        Ok(Corpus {
            root,
            manifest: Manifest {
                format: FORMAT.to_string(),
                generated_by,
                cases,
            },
        })
    }

    /// The cases, in manifest order.
    pub fn cases(&self) -> &[Case] {
        &self.manifest.cases
    }

    /// The full path of a case file (`input` or `expected`).
    pub fn path_of(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }
}

/// Names the field of a case that does not deserialize, with serde's message (serde's own error
/// for the whole case does not say which field).
fn diagnose_field(value: &serde_json::Value) -> Option<String> {
    use serde::de::DeserializeOwned;
    use serde_json::Value;
    fn check<T: DeserializeOwned>(v: &Value, key: &str, optional: bool) -> Option<String> {
        match v.get(key) {
            None | Some(Value::Null) if optional => None,
            None => Some(format!("missing field `{key}`")),
            Some(field) => serde_json::from_value::<T>(field.clone())
                .err()
                .map(|e| format!("field `{key}`: {e}")),
        }
    }
    if !value.is_object() {
        return Some(format!("a case must be an object, got {value}"));
    }
    check::<String>(value, "id", false)
        .or_else(|| check::<String>(value, "reference", true))
        .or_else(|| check::<Op>(value, "op", false))
        .or_else(|| check::<Layout>(value, "layout", false))
        .or_else(|| check::<String>(value, "input", false))
        .or_else(|| check::<String>(value, "expected", false))
        .or_else(|| check::<Tolerance>(value, "tolerance", false))
        .or_else(|| check::<Call>(value, "call", false))
        .or_else(|| check::<usize>(value, "block_size", true))
        .or_else(|| check::<BlockOrder>(value, "order", true))
        .or_else(|| check::<String>(value, "note", true))
}

fn validate_case(case: &Case, root: &Path) -> std::result::Result<(), String> {
    let tol = case.tolerance.max_abs;
    if !(tol.is_finite() && tol >= 0.0) {
        return Err(format!(
            "tolerance.max_abs must be a finite number ≥ 0, got {tol}"
        ));
    }
    for (field, path) in [("input", &case.input), ("expected", &case.expected)] {
        check_relative(path).map_err(|r| format!("{field} path {r}"))?;
        let full = root.join(path);
        if !full.is_file() {
            return Err(format!("{field} file {} does not exist", full.display()));
        }
    }
    match case.op {
        Op::Resize => {
            if case.block_size.is_some() || case.order.is_some() {
                return Err(
                    "block_size / order belong to depth_to_space and space_to_depth, not resize"
                        .into(),
                );
            }
            if let Some(r) = &case.resize {
                if !r.is_object() {
                    return Err(format!("resize must be an object, got {r}"));
                }
            }
        }
        Op::DepthToSpace | Op::SpaceToDepth => {
            if case.resize.is_some() {
                return Err(format!("a resize block does not belong to {}", case.op));
            }
            match (case.block_size, case.order) {
                (Some(0), _) => return Err("block_size must be at least 1".into()),
                (Some(_), None) | (None, Some(_)) => {
                    return Err("block_size and order must be given together".into())
                }
                _ => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert!(check_relative("data/a.npy").is_ok());
        assert!(check_relative("./data/a.npy").is_ok());
        assert!(check_relative("").is_err());
        assert!(check_relative("/etc/passwd").is_err());
        assert!(check_relative("data/../../x.npy").is_err());
        assert!(check_relative("..").is_err());
        assert!(check_relative("data\\a.npy").is_err());
    }
}
