//! The folding step on hand-built graphs: the shape arithmetic exporters emit, symbolic dims
//! resolved by `--input-shape` or reported with the reason, and data-movement patterns.

#![cfg(feature = "audit")]

use std::collections::BTreeMap;

use halfpixel::model::audit::{audit_graph, AuditOptions};
use halfpixel::model::fold::{infer, InputShape};
use halfpixel::model::{Attr, Constant, Dim, ElementKind, Graph, ModelFormat, Node, TensorType};

fn node(op: &str, inputs: &[&str], output: &str, attrs: &[(&str, Attr)]) -> Node {
    let mut n = Node::new(output, op);
    n.inputs = inputs.iter().map(|s| s.to_string()).collect();
    n.outputs = vec![output.to_string()];
    n.attrs = attrs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect::<BTreeMap<_, _>>();
    n
}

/// x [1, 3, h, w] → Resize to (2h + 1, w / 2) computed with Shape, Gather, Mul, Add, Div,
/// Unsqueeze, Concat and Cast, as the TorchScript exporter writes `size=(x.shape[2]*2+1, ...)`.
fn dynamic_graph() -> Graph {
    let mut g = Graph::new(ModelFormat::Onnx);
    g.version = Some(13);
    g.inputs.push((
        "x".into(),
        TensorType {
            element: Some(ElementKind::F32),
            shape: Some(vec![
                Dim::Known(1),
                Dim::Known(3),
                Dim::Symbol("h".into()),
                Dim::Symbol("w".into()),
            ]),
        },
    ));
    for (name, v) in [("two", 2), ("three", 3), ("one", 1), ("zero", 0)] {
        g.constants
            .insert(name.into(), Constant::i64(vec![], vec![v]));
    }
    g.constants
        .insert("axes0".into(), Constant::i64(vec![1], vec![0]));
    g.constants
        .insert("nc".into(), Constant::i64(vec![2], vec![1, 3]));
    g.nodes = vec![
        node("Shape", &["x"], "s", &[]),
        node("Gather", &["s", "two"], "h", &[("axis", Attr::Int(0))]),
        node("Gather", &["s", "three"], "w", &[("axis", Attr::Int(0))]),
        node("Mul", &["h", "two"], "h2", &[]),
        node("Add", &["h2", "one"], "h3", &[]),
        node("Cast", &["w"], "wf", &[("to", Attr::Int(1))]),
        node("Div", &["wf", "two"], "wh", &[]),
        node("Floor", &["wh"], "wfl", &[]),
        node("Cast", &["wfl"], "w2", &[("to", Attr::Int(7))]),
        node("Unsqueeze", &["h3", "axes0"], "h4", &[]),
        node("Unsqueeze", &["w2", "axes0"], "w4", &[]),
        node(
            "Concat",
            &["nc", "h4", "w4"],
            "sizes",
            &[("axis", Attr::Int(0))],
        ),
        node(
            "Resize",
            &["x", "", "", "sizes"],
            "y",
            &[("mode", Attr::Text("linear".into()))],
        ),
    ];
    g.outputs = vec!["y".into()];
    g
}

#[test]
fn exporter_shape_arithmetic_folds_from_the_given_input_shape() {
    let g = dynamic_graph();
    let facts = infer(
        &g,
        &[InputShape {
            name: Some("x".into()),
            dims: vec![1, 3, 10, 13],
        }],
    )
    .unwrap();
    assert_eq!(
        facts.value("sizes").unwrap().ints(),
        Some(vec![1, 3, 21, 6])
    );
    assert!(facts.value("sizes").unwrap().computed);
    assert_eq!(facts.known_shape("y"), Some(vec![1, 3, 21, 6]));
    let a = audit_graph(
        &g,
        "g",
        None,
        &AuditOptions {
            input_shapes: vec!["1,3,10,13".parse().unwrap()],
            ..AuditOptions::default()
        },
    )
    .unwrap();
    let l = &a.layers[0].found.layer;
    assert_eq!(l.computed_inputs, ["sizes"]);
    assert_eq!(l.output_shape, Some(vec![1, 3, 21, 6]));
    assert_eq!(
        l.call.as_ref().unwrap().args["inputs"]["sizes"],
        serde_json::json!([1, 3, 21, 6])
    );
}

#[test]
fn symbolic_dims_leave_the_call_unknown_and_say_why() {
    let g = dynamic_graph();
    let a = audit_graph(&g, "g", None, &AuditOptions::default()).unwrap();
    let l = &a.layers[0].found.layer;
    assert!(l.call.is_none());
    let why = l.unknowns.join("; ");
    assert!(
        why.contains("sizes") && why.contains("--input-shape") && why.contains("[1, 3, h, w]"),
        "{why}"
    );
    assert!(
        a.layers[0]
            .warnings
            .iter()
            .any(|w| w.starts_with("not folded")),
        "{:?}",
        a.layers[0].warnings
    );
}

#[test]
fn input_shapes_that_do_not_fit_are_refused() {
    let g = dynamic_graph();
    for bad in ["x=1,3,10", "x=2,3,10,13", "z=1,3,10,13"] {
        let shape: InputShape = bad.parse().unwrap();
        assert!(infer(&g, &[shape]).is_err(), "{bad}");
    }
    assert!("x=1,0,3".parse::<InputShape>().is_err());
    assert!("x=a,b".parse::<InputShape>().is_err());
    assert_eq!("1x3x4x5".parse::<InputShape>().unwrap().dims, [1, 3, 4, 5]);
}

/// `x[:, :, idx, :][..., idx2]` with constant indices: a nearest resize spelled with Gather.
#[test]
fn a_gather_with_constant_indices_is_explained_as_nearest() {
    let mut g = Graph::new(ModelFormat::Onnx);
    g.version = Some(13);
    g.inputs.push((
        "x".into(),
        TensorType {
            element: Some(ElementKind::F32),
            shape: Some(vec![
                Dim::Known(1),
                Dim::Known(2),
                Dim::Known(4),
                Dim::Known(5),
            ]),
        },
    ));
    // 4 → 12 rows, 5 → 15 columns, each pixel three times: floor(i / 3).
    g.constants.insert(
        "rows".into(),
        Constant::i64(vec![12], (0..12).map(|i| i / 3).collect()),
    );
    g.constants.insert(
        "cols".into(),
        Constant::i64(vec![15], (0..15).map(|i| i / 3).collect()),
    );
    g.nodes = vec![
        node("Gather", &["x", "rows"], "t", &[("axis", Attr::Int(2))]),
        node("Gather", &["t", "cols"], "y", &[("axis", Attr::Int(3))]),
    ];
    g.outputs = vec!["y".into()];
    let a = audit_graph(&g, "g", None, &AuditOptions::default()).unwrap();
    assert_eq!(a.layers.len(), 1);
    let l = &a.layers[0].found.layer;
    assert_eq!(
        l.pattern.as_deref(),
        Some(&["Gather".to_string(), "Gather".to_string()][..])
    );
    assert_eq!(l.name, "y");
    assert_eq!(l.output_shape, Some(vec![1, 2, 12, 15]));
    assert_eq!(l.call.as_ref().unwrap().framework, "onnx");
    assert!(
        a.layers[0].sentence.contains("each pixel repeated 3×3"),
        "{}",
        a.layers[0].sentence
    );
    // A crop (rows 1..3) is no resize.
    g.constants
        .insert("rows".into(), Constant::i64(vec![2], vec![1, 2]));
    g.constants
        .insert("cols".into(), Constant::i64(vec![3], vec![1, 2, 3]));
    let a = audit_graph(&g, "g", None, &AuditOptions::default()).unwrap();
    assert!(
        a.layers.is_empty(),
        "{:?}",
        a.layers.iter().map(|l| &l.sentence).collect::<Vec<_>>()
    );
}
