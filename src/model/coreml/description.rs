//! The model description (`ModelDescription` of `Model.proto`): input types with their shapes
//! and flexibility, output names, and who made the file.

use super::proto::model::{
    ArrayFeatureType, ArrayFlexibility, FeatureDescription, FeatureKind, ImageFeatureType,
    ImageFlexibility, ModelDescription, SizeRange,
};
use crate::model::{Dim, ElementKind, TensorType};

/// `ArrayFeatureType.ArrayDataType` → element kind.
fn array_element(data_type: i32) -> Option<ElementKind> {
    match data_type {
        65568 => Some(ElementKind::F32),
        65600 => Some(ElementKind::F64),
        65552 => Some(ElementKind::F16),
        131104 => Some(ElementKind::Int(32)),
        131080 => Some(ElementKind::Int(8)),
        _ => None,
    }
}

/// One axis of a flexible shape: known when every allowed length is the same, else a symbol
/// named after the input and axis.
fn flexible_dim(values: impl IntoIterator<Item = i64>, symbol: impl FnOnce() -> String) -> Dim {
    let mut values = values.into_iter();
    match values.next() {
        Some(first) if first >= 0 && values.all(|v| v == first) => Dim::Known(first as usize),
        _ => Dim::Symbol(symbol()),
    }
}

/// A fixed length from a declared value (negative or zero: unknown).
fn fixed_dim(v: i64) -> Dim {
    if v > 0 {
        Dim::Known(v as usize)
    } else {
        Dim::Unknown
    }
}

/// The one length a `SizeRange` allows, when it allows only one.
fn range_values(r: &SizeRange) -> Vec<i64> {
    let lower = r.lower_bound.min(i64::MAX as u64) as i64;
    if r.upper_bound == lower {
        vec![lower]
    } else {
        vec![lower, -1]
    }
}

fn array_type(name: &str, a: &ArrayFeatureType) -> TensorType {
    let symbol = |k: usize| format!("{name}_dim{k}");
    let shape = match &a.flexibility {
        None => (!a.shape.is_empty()).then(|| a.shape.iter().map(|&v| fixed_dim(v)).collect()),
        Some(ArrayFlexibility::ShapeRange(r)) => Some(
            r.size_ranges
                .iter()
                .enumerate()
                .map(|(k, r)| flexible_dim(range_values(r), || symbol(k)))
                .collect(),
        ),
        Some(ArrayFlexibility::EnumeratedShapes(e)) => {
            let rank = e.shapes.first().map(|s| s.shape.len());
            match rank {
                Some(rank) if e.shapes.iter().all(|s| s.shape.len() == rank) => Some(
                    (0..rank)
                        .map(|k| flexible_dim(e.shapes.iter().map(|s| s.shape[k]), || symbol(k)))
                        .collect(),
                ),
                // Enumerated shapes of different ranks: the rank itself is open.
                _ => None,
            }
        }
    };
    TensorType {
        element: array_element(a.data_type),
        shape,
    }
}

fn image_type(name: &str, im: &ImageFeatureType) -> TensorType {
    // GRAYSCALE (10) and GRAYSCALE_FLOAT16 (40) have one channel; RGB (20) and BGR (30) three.
    let channels = match im.color_space {
        10 | 40 => Dim::Known(1),
        20 | 30 => Dim::Known(3),
        _ => Dim::Unknown,
    };
    let (height, width) = match &im.flexibility {
        None => (fixed_dim(im.height), fixed_dim(im.width)),
        Some(ImageFlexibility::ImageSizeRange(r)) => (
            flexible_dim(
                r.height_range
                    .as_ref()
                    .map(range_values)
                    .unwrap_or_default(),
                || format!("{name}_height"),
            ),
            flexible_dim(
                r.width_range.as_ref().map(range_values).unwrap_or_default(),
                || format!("{name}_width"),
            ),
        ),
        Some(ImageFlexibility::EnumeratedSizes(e)) => (
            flexible_dim(
                e.sizes.iter().map(|s| s.height.min(i64::MAX as u64) as i64),
                || format!("{name}_height"),
            ),
            flexible_dim(
                e.sizes.iter().map(|s| s.width.min(i64::MAX as u64) as i64),
                || format!("{name}_width"),
            ),
        ),
    };
    TensorType {
        element: Some(ElementKind::F32),
        shape: Some(vec![Dim::Known(1), channels, height, width]),
    }
}

/// The declared type of a feature: a multi-array's shape, an image as `[1, C, H, W]`, scalars
/// and other kinds without a shape.
pub(crate) fn feature_type(f: &FeatureDescription) -> TensorType {
    match f.r#type.as_ref().and_then(|t| t.kind.as_ref()) {
        Some(FeatureKind::MultiArray(a)) => array_type(&f.name, a),
        Some(FeatureKind::State(s)) => s
            .array_type
            .as_ref()
            .map(|a| array_type(&f.name, a))
            .unwrap_or_default(),
        Some(FeatureKind::Image(im)) => image_type(&f.name, im),
        Some(FeatureKind::Int64(_)) => TensorType {
            element: Some(ElementKind::Int(64)),
            shape: Some(Vec::new()),
        },
        Some(FeatureKind::Double(_)) => TensorType {
            element: Some(ElementKind::F64),
            shape: Some(Vec::new()),
        },
        Some(FeatureKind::String(_)) => TensorType {
            element: Some(ElementKind::String),
            shape: Some(Vec::new()),
        },
        _ => TensorType::default(),
    }
}

/// The inputs of a description (the model-level list, or the default function's for a
/// multi-function model).
pub(crate) fn inputs(d: &ModelDescription) -> Vec<(String, TensorType)> {
    features(d, true)
        .iter()
        .map(|f| (f.name.clone(), feature_type(f)))
        .collect()
}

/// The output names of a description.
pub(crate) fn outputs(d: &ModelDescription) -> Vec<String> {
    features(d, false).iter().map(|f| f.name.clone()).collect()
}

fn features(d: &ModelDescription, input: bool) -> &[FeatureDescription] {
    let top = if input { &d.input } else { &d.output };
    let Some(first) = d.functions.first() else {
        return top;
    };
    if !top.is_empty() {
        return top;
    }
    let f = d
        .functions
        .iter()
        .find(|f| f.name == d.default_function_name)
        .unwrap_or(first);
    if input {
        &f.input
    } else {
        &f.output
    }
}

/// Who made the file: coremltools' version and source framework from the metadata, else the
/// author field.
pub(crate) fn producer(d: &ModelDescription) -> String {
    let Some(meta) = &d.metadata else {
        return String::new();
    };
    let get = |key: &str| {
        meta.user_defined
            .iter()
            .rev()
            .find(|e| e.key == key)
            .map(|e| e.value.as_str())
    };
    match get("com.github.apple.coremltools.version") {
        Some(v) => match get("com.github.apple.coremltools.source") {
            Some(src) => format!("coremltools {v} ({src})"),
            None => format!("coremltools {v}"),
        },
        None => meta.author.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::coreml::proto::model::{
        ArrayShape, EnumeratedShapes, FeatureType, ImageSizeRange, ShapeRange,
    };

    fn feature(name: &str, kind: FeatureKind) -> FeatureDescription {
        FeatureDescription {
            name: name.into(),
            r#type: Some(FeatureType {
                kind: Some(kind),
                is_optional: false,
            }),
        }
    }

    #[test]
    fn flexible_axes_become_symbols() {
        let enumerated = ArrayFeatureType {
            shape: vec![1, 2, 4, 4],
            data_type: 65568,
            flexibility: Some(ArrayFlexibility::EnumeratedShapes(EnumeratedShapes {
                shapes: vec![
                    ArrayShape {
                        shape: vec![1, 2, 4, 4],
                    },
                    ArrayShape {
                        shape: vec![1, 2, 8, 4],
                    },
                ],
            })),
        };
        let t = feature_type(&feature("x", FeatureKind::MultiArray(enumerated)));
        assert_eq!(t.element, Some(ElementKind::F32));
        assert_eq!(
            t.shape,
            Some(vec![
                Dim::Known(1),
                Dim::Known(2),
                Dim::Symbol("x_dim2".into()),
                Dim::Known(4)
            ])
        );
        let range = |lower: u64, upper: i64| SizeRange {
            lower_bound: lower,
            upper_bound: upper,
        };
        let ranged = ArrayFeatureType {
            shape: vec![1, 3, 10],
            data_type: 65552,
            flexibility: Some(ArrayFlexibility::ShapeRange(ShapeRange {
                size_ranges: vec![range(1, 1), range(3, 3), range(4, -1)],
            })),
        };
        let t = feature_type(&feature("y", FeatureKind::MultiArray(ranged)));
        assert_eq!(t.element, Some(ElementKind::F16));
        assert_eq!(
            t.shape,
            Some(vec![
                Dim::Known(1),
                Dim::Known(3),
                Dim::Symbol("y_dim2".into())
            ])
        );
        let image = ImageFeatureType {
            width: 10,
            height: 8,
            color_space: 10,
            flexibility: Some(ImageFlexibility::ImageSizeRange(ImageSizeRange {
                width_range: Some(range(10, 10)),
                height_range: Some(range(8, 64)),
            })),
        };
        let t = feature_type(&feature("im", FeatureKind::Image(image)));
        assert_eq!(
            t.shape,
            Some(vec![
                Dim::Known(1),
                Dim::Known(1),
                Dim::Symbol("im_height".into()),
                Dim::Known(10)
            ])
        );
    }
}
