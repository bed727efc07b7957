//! `halfpixel audit`: every resize-like layer of a model file, named and explained.
//!
//! [`audit`] reads a file ([`super::load`]), folds its shapes ([`super::fold`]), finds its
//! resize-like layers ([`super::layers`]) and the resizes spelled with other operators
//! ([`super::pattern`]), and describes each ([`super::describe`]): a sentence, the equivalent
//! calls of other frameworks, warnings. [`ModelAudit::to_json`] writes the `models[]` entry of
//! the `halfpixel-audit/1` format.

use std::path::Path;

use serde_json::{json, Value};

use super::describe::{
    equivalents, probe_call, probe_dims, real_dims, runs, sentence, warnings, Equivalent,
};
use super::fold::{infer, InputShape};
use super::graph::{Graph, ModelFormat};
use super::layers::{extract, known, Found};
use super::{load, pattern};
use crate::error::Result;
use crate::spec::ResizeSpec;

/// The format name of the JSON report.
pub const FORMAT: &str = "halfpixel-audit/1";

/// What [`audit`] needs besides the file.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// Shapes for graph inputs whose dims are symbolic (`--input-shape [NAME=]DIMS`).
    pub input_shapes: Vec<InputShape>,
    /// Leave the equivalent calls of other frameworks out of the report (the layer's grid is
    /// still described).
    pub no_equivalents: bool,
    /// Ignore named input shapes for inputs the model does not have (when one set of shapes
    /// serves two files whose inputs are named differently).
    pub lenient_names: bool,
}

/// One layer, described.
#[derive(Debug, Clone)]
pub struct LayerAudit {
    /// The layer, its tensors and shapes.
    pub found: Found,
    /// The plain sentence.
    pub sentence: String,
    /// The calls of other frameworks that compute the same function.
    pub equivalents: Vec<Equivalent>,
    /// What a user should be warned about.
    pub warnings: Vec<String>,
    /// The portable spec that describes the layer's grid and filter, where one reproduces it
    /// (found with the equivalents).
    pub portable: Option<ResizeSpec>,
}

/// A model file, audited.
#[derive(Debug, Clone)]
pub struct ModelAudit {
    /// The file as given.
    pub path: String,
    /// Its format.
    pub format: ModelFormat,
    /// What wrote it, where it says.
    pub producer: String,
    /// Its opset or schema version, where it has one.
    pub version: Option<i64>,
    /// When its name claims another format than its content.
    pub mislabelled: Option<String>,
    /// Its resize-like layers, in execution order.
    pub layers: Vec<LayerAudit>,
}

/// Audits a model file.
///
/// Errors: [`crate::Error::Model`] when the file cannot be read, and
/// [`crate::Error::InvalidArgument`] when an `--input-shape` does not fit the model.
pub fn audit(path: &Path, options: &AuditOptions) -> Result<ModelAudit> {
    let loaded = load(path)?;
    audit_graph(
        &loaded.graph,
        &path.display().to_string(),
        loaded.mislabelled,
        options,
    )
}

/// Audits a graph already read (`path` names it in the report; `mislabelled` is what
/// [`super::load`] noticed about its name).
///
/// Errors: [`crate::Error::InvalidArgument`] when an input shape does not fit the graph.
pub fn audit_graph(
    graph: &Graph,
    path: &str,
    mislabelled: Option<String>,
    options: &AuditOptions,
) -> Result<ModelAudit> {
    let shapes: Vec<InputShape> = options
        .input_shapes
        .iter()
        .filter(|s| {
            !options.lenient_names
                || s.name
                    .as_ref()
                    .is_none_or(|n| graph.inputs.iter().any(|(i, _)| i == n))
        })
        .cloned()
        .collect();
    let facts = infer(graph, &shapes)?;
    let mut found = extract(graph, &facts, &shapes)?;
    found.extend(pattern::find(graph, &facts));
    found.sort_by_key(|f| f.node);
    let layers = found
        .into_iter()
        .map(|f| {
            let (mut eq, portable) = match (&f.layer.call, probe_dims(&f)) {
                (Some(call), Some(dims)) if runs(&f) => equivalents(
                    &probe_call(call, f.layer.layout, dims),
                    dims,
                    real_dims(&f, dims),
                    f.scale_hint,
                ),
                _ => (Vec::new(), None),
            };
            let searched = runs(&f) && !options.no_equivalents;
            if options.no_equivalents {
                eq.clear();
            }
            LayerAudit {
                sentence: sentence(&f, &eq, portable.as_ref(), searched),
                warnings: warnings(&f, portable.as_ref(), mislabelled.as_deref()),
                equivalents: eq,
                found: f,
                portable,
            }
        })
        .collect();
    Ok(ModelAudit {
        path: path.to_string(),
        format: graph.format,
        producer: graph.producer.clone(),
        version: graph.version,
        mislabelled,
        layers,
    })
}

impl LayerAudit {
    /// The `LAYER` object of `halfpixel-audit/1`: `name`, `op`, `layout`, `input_shape`,
    /// `output_shape`, `call`, `pattern`, `precision`, `equivalents`, `warnings`.
    pub fn to_json(&self) -> Value {
        let l = &self.found.layer;
        json!({
            "name": l.name,
            "op": l.op.name(),
            "layout": l.layout.name(),
            "input_shape": known(&self.found.input),
            "output_shape": known(&self.found.output),
            "call": l.call,
            "pattern": l.pattern,
            "precision": l.precision,
            "equivalents": self.equivalents.iter().map(|e| json!({
                "framework": e.family,
                "preset": e.preset,
                "call": e.call,
                "text": e.text,
                "exact": e.exact,
                "inferred": e.inferred,
            })).collect::<Vec<_>>(),
            "warnings": self.warnings,
        })
    }
}

impl ModelAudit {
    /// The `models[]` entry of `halfpixel-audit/1`: `path`, `format`, `layers`.
    pub fn to_json(&self) -> Value {
        json!({
            "path": self.path,
            "format": self.format.family(),
            "layers": self.layers.iter().map(LayerAudit::to_json).collect::<Vec<_>>(),
        })
    }
}
