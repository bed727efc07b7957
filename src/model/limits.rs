//! The bounds the readers and the folding step keep to, so that no file can make them allocate
//! more than its own size suggests or loop without end.

use super::graph::ElementKind;

/// Floating-point constants with more elements than this are weights: the readers keep their
/// dims and type, not their values ([`super::Values::Absent`]). Scales, rois and sizes have at
/// most a few dozen.
pub const MAX_FLOAT_VALUES: usize = 1 << 16;

/// Integer constants with more elements than this keep no values either. Indices of a gather
/// that spells out a nearest resize have two per output pixel, so this is larger.
pub const MAX_INT_VALUES: usize = 1 << 22;

/// The most elements a folded value (shape arithmetic, constant indices) may have.
pub const MAX_FOLD_ELEMENTS: usize = 1 << 22;

/// The most elements of the index-coded probe a data-movement pattern is run on (and of any
/// tensor the evaluation builds).
pub const MAX_PROBE_ELEMENTS: usize = 1 << 22;

/// The largest rank a shape may have.
pub const MAX_RANK: usize = 16;

/// Names and strings longer than this are cut (for display only).
pub const MAX_NAME_BYTES: usize = 4096;

/// The largest `config.json` read from a Keras archive.
pub const MAX_KERAS_CONFIG_BYTES: u64 = 64 << 20;

/// Whether a constant of this type and element count keeps its values.
pub fn keeps_values(element: ElementKind, count: usize) -> bool {
    match element {
        ElementKind::F32 | ElementKind::F16 | ElementKind::F64 | ElementKind::Bf16 => {
            count <= MAX_FLOAT_VALUES
        }
        ElementKind::Int(_) | ElementKind::UInt(_) | ElementKind::Bool => count <= MAX_INT_VALUES,
        ElementKind::String => count <= 1024,
        _ => false,
    }
}
