//! Tensor shapes through a Core ML graph, from the input shapes.
//!
//! ML Programs declare the type of every op output; those are used as they are, and only where
//! a dimension is unknown (a flexible input) is it worked out for the ops whose rule is simple
//! (element-wise ops, casts, the resize and pixel ops). NeuralNetwork models declare nothing
//! between the inputs and the outputs, so the shapes are propagated layer by layer with the
//! output-shape rules of `NeuralNetwork.proto` (convolution and pooling padding, reshapes,
//! permutes, slices, concatenations, gathers, …). A tensor whose shape cannot be worked out
//! carries the reason, so that a layer can say why its shape is unknown.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::model::{Attr, Dim, Graph, Node};

mod mil_rules;
mod nn_rules;

/// The highest rank followed through a graph (Core ML itself stops at 5); a tensor of higher
/// rank gets an unknown shape, which also bounds the work on a crafted file.
pub const MAX_RANK: usize = 64;

/// A shape given for a graph input (`--input-shape [NAME=]DIMS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputShape {
    /// The input it is for; `None` for the model's first input.
    pub name: Option<String>,
    /// The dimensions.
    pub dims: Vec<usize>,
}

/// The shapes worked out for a graph's tensors, and why the others are unknown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shapes {
    /// Tensors whose shape is known.
    pub known: BTreeMap<String, Vec<usize>>,
    /// Tensors whose shape is not known, with the reason.
    pub unknown: BTreeMap<String, String>,
}

impl Shapes {
    /// A tensor's shape, or why it is not known.
    pub fn get(&self, tensor: &str) -> std::result::Result<&Vec<usize>, String> {
        self.known.get(tensor).ok_or_else(|| {
            self.unknown
                .get(tensor)
                .cloned()
                .unwrap_or_else(|| format!("nothing in the model produces '{tensor}'"))
        })
    }
}

/// The input shapes to start from: the declared shapes, with the given ones filling symbolic
/// and unknown dimensions. A given shape that names no input, has another rank than the
/// declared one, or contradicts a fixed length is an error.
fn resolve_inputs(graph: &Graph, given: &[InputShape], shapes: &mut Shapes) -> Result<()> {
    let names: Vec<&str> = graph.inputs.iter().map(|(n, _)| n.as_str()).collect();
    let mut by_name: BTreeMap<&str, &[usize]> = BTreeMap::new();
    for g in given {
        let name = match &g.name {
            Some(n) => n.as_str(),
            None => names.first().copied().ok_or_else(|| {
                Error::invalid_argument("--input-shape", g.dims.len(), "the model has no inputs")
            })?,
        };
        if !names.contains(&name) {
            return Err(Error::invalid_argument(
                "--input-shape",
                name,
                format!("the model's inputs are: {}", names.join(", ")),
            ));
        }
        by_name.insert(name, &g.dims);
    }
    for (name, t) in &graph.inputs {
        let given = by_name.get(name.as_str()).copied();
        match (&t.shape, given) {
            (Some(decl), Some(g)) => {
                if decl.len() != g.len() {
                    return Err(Error::invalid_argument(
                        format!("--input-shape {name}"),
                        format!("{g:?}"),
                        format!("the model declares rank {} for '{name}'", decl.len()),
                    ));
                }
                for (axis, (d, &v)) in decl.iter().zip(g).enumerate() {
                    if let Dim::Known(k) = d {
                        if *k != v {
                            return Err(Error::invalid_argument(
                                format!("--input-shape {name}"),
                                format!("{g:?}"),
                                format!("the model fixes axis {axis} of '{name}' to {k}"),
                            ));
                        }
                    }
                }
                shapes.known.insert(name.clone(), g.to_vec());
            }
            (None, Some(g)) => {
                shapes.known.insert(name.clone(), g.to_vec());
            }
            (Some(decl), None) => match decl.iter().map(Dim::known).collect::<Option<Vec<_>>>() {
                Some(dims) => {
                    shapes.known.insert(name.clone(), dims);
                }
                None => {
                    let open: Vec<String> = decl
                        .iter()
                        .enumerate()
                        .filter(|(_, d)| d.known().is_none())
                        .map(|(k, d)| match d {
                            Dim::Symbol(s) => s.clone(),
                            _ => format!("axis {k}"),
                        })
                        .collect();
                    shapes.unknown.insert(
                        name.clone(),
                        format!(
                            "input '{name}' has flexible dimensions ({}): give --input-shape {name}=DIMS",
                            open.join(", ")
                        ),
                    );
                }
            },
            (None, None) => {
                shapes.unknown.insert(
                    name.clone(),
                    format!("input '{name}' declares no shape: give --input-shape {name}=DIMS"),
                );
            }
        }
    }
    Ok(())
}

/// Shapes of every tensor of a Core ML graph (NeuralNetwork or ML Program) for the given input
/// shapes (empty: the declared ones).
///
/// Errors: an [`InputShape`] that names no input, or whose rank or fixed lengths contradict the
/// model's declaration ([`Error::InvalidArgument`]).
pub fn tensor_shapes(graph: &Graph, inputs: &[InputShape]) -> Result<Shapes> {
    let mut shapes = Shapes::default();
    resolve_inputs(graph, inputs, &mut shapes)?;
    // Declared types of tensors the graph does not compute (pipeline stage inputs, constants).
    for (name, c) in &graph.constants {
        shapes.known.entry(name.clone()).or_insert(c.dims.clone());
    }
    for node in &graph.nodes {
        let result = if node.domain.is_empty() {
            input_shapes(node, &shapes).and_then(|ins| nn_rules::outputs(node, &ins, graph))
        } else {
            mil_outputs(node, graph, &shapes)
        };
        let result = result.and_then(|outs| match outs.iter().find(|s| s.len() > MAX_RANK) {
            Some(s) => Err(format!(
                "'{}' ({}) gives a shape of rank {}, above the {MAX_RANK} halfpixel follows",
                node.name,
                node.op,
                s.len()
            )),
            None => Ok(outs),
        });
        match result {
            Ok(outs) => {
                for (name, s) in node.outputs.iter().zip(outs) {
                    shapes.unknown.remove(name);
                    shapes.known.insert(name.clone(), s);
                }
            }
            Err(why) => {
                for name in &node.outputs {
                    shapes.known.remove(name);
                    shapes.unknown.insert(name.clone(), why.clone());
                }
            }
        }
    }
    Ok(shapes)
}

/// The shapes of a node's inputs, or why the first unknown one is unknown.
fn input_shapes<'a>(
    node: &Node,
    shapes: &'a Shapes,
) -> std::result::Result<Vec<&'a Vec<usize>>, String> {
    node.inputs
        .iter()
        .filter(|i| !i.is_empty())
        .map(|i| shapes.get(i))
        .collect()
}

/// An ML Program op's output shapes: the declared ones where fully known, else the op's rule.
fn mil_outputs(
    node: &Node,
    graph: &Graph,
    shapes: &Shapes,
) -> std::result::Result<Vec<Vec<usize>>, String> {
    let declared: Option<Vec<Vec<usize>>> = node
        .outputs
        .iter()
        .map(|o| {
            graph
                .types
                .get(o)
                .and_then(|t| t.shape.as_ref())
                .and_then(|s| s.iter().map(Dim::known).collect())
        })
        .collect();
    if let Some(d) = declared {
        return Ok(d);
    }
    mil_rules::outputs(node, graph, shapes)
}

/// An integer-list attribute.
pub(super) fn ints(node: &Node, key: &str) -> Vec<i64> {
    match node.attr(key) {
        Some(Attr::Ints(v)) => v.clone(),
        Some(Attr::Int(v)) => vec![*v],
        _ => Vec::new(),
    }
}

/// An integer attribute.
pub(super) fn int(node: &Node, key: &str) -> Option<i64> {
    match node.attr(key) {
        Some(Attr::Int(v)) => Some(*v),
        Some(Attr::Bool(b)) => Some(*b as i64),
        _ => None,
    }
}

/// A text attribute (an enum by name).
pub(super) fn text<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    match node.attr(key) {
        Some(Attr::Text(s)) => Some(s),
        _ => None,
    }
}

/// A boolean attribute (false when absent).
pub(super) fn flag(node: &Node, key: &str) -> bool {
    matches!(node.attr(key), Some(Attr::Bool(true)) | Some(Attr::Int(1)))
}

/// Normalises a possibly negative axis for a rank.
pub(super) fn axis(a: i64, rank: usize) -> std::result::Result<usize, String> {
    let r = rank as i64;
    let k = if a < 0 { a + r } else { a };
    if (0..r).contains(&k) {
        Ok(k as usize)
    } else {
        Err(format!("axis {a} is out of range for rank {rank}"))
    }
}

/// Numpy broadcasting of several shapes.
pub(super) fn broadcast(shapes: &[&Vec<usize>]) -> std::result::Result<Vec<usize>, String> {
    let rank = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1usize; rank];
    for s in shapes {
        let off = rank - s.len();
        for (k, &d) in s.iter().enumerate() {
            let o = &mut out[off + k];
            if *o == 1 {
                *o = d;
            } else if d != 1 && d != *o {
                return Err(format!("shapes {shapes:?} do not broadcast"));
            }
        }
    }
    Ok(out)
}

/// Length of a Python slice `begin:end:stride` of an axis of length `n` (`None`: omitted).
pub(super) fn slice_len(
    n: usize,
    begin: Option<i64>,
    end: Option<i64>,
    stride: i64,
) -> std::result::Result<usize, String> {
    if stride == 0 {
        return Err("slice stride 0".into());
    }
    // In i128 every sum below is exact.
    let (n, stride) = (n as i128, stride as i128);
    let norm = |v: i64, lo: i128, hi: i128| {
        let v = v as i128;
        let v = if v < 0 { v + n } else { v };
        v.clamp(lo, hi)
    };
    let (b, e) = if stride > 0 {
        (
            begin.map(|b| norm(b, 0, n)).unwrap_or(0),
            end.map(|e| norm(e, 0, n)).unwrap_or(n),
        )
    } else {
        (
            begin.map(|b| norm(b, -1, n - 1)).unwrap_or(n - 1),
            end.map(|e| norm(e, -1, n - 1)).unwrap_or(-1),
        )
    };
    let len = if stride > 0 && e > b {
        (e - b + stride - 1) / stride
    } else if stride < 0 && b > e {
        (b - e - stride - 1) / -stride
    } else {
        0
    };
    usize::try_from(len).map_err(|_| "slice length overflows".to_string())
}

/// A product of lengths that must not overflow.
pub(super) fn product(dims: &[usize]) -> std::result::Result<usize, String> {
    dims.iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| format!("the element count of {dims:?} overflows"))
}

/// A reshape target with at most one `-1` (inferred) and, where `keep_zero`, `0` copying the
/// input's length at that position.
pub(super) fn reshape(
    input: &[usize],
    target: &[i64],
    keep_zero: bool,
) -> std::result::Result<Vec<usize>, String> {
    let total = product(input)?;
    let mut out = Vec::with_capacity(target.len());
    let mut infer = None;
    for (k, &t) in target.iter().enumerate() {
        match t {
            -1 if infer.is_none() => {
                infer = Some(k);
                out.push(1);
            }
            0 if keep_zero => out.push(
                *input
                    .get(k)
                    .ok_or_else(|| format!("target {target:?}: 0 at axis {k} has no input axis"))?,
            ),
            t if t > 0 => out.push(t as usize),
            _ => return Err(format!("reshape target {target:?} is not valid")),
        }
    }
    let known = product(&out)?;
    if let Some(k) = infer {
        if known == 0 || !total.is_multiple_of(known) {
            return Err(format!("cannot reshape {input:?} to {target:?}"));
        }
        out[k] = total / known;
    } else if known != total {
        return Err(format!(
            "cannot reshape {input:?} ({total} elements) to {target:?}"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ModelFormat, TensorType};

    fn node(op: &str, inputs: &[&str], attrs: &[(&str, Attr)]) -> Node {
        let mut n = Node::new(format!("{op}_0"), op);
        n.inputs = inputs.iter().map(|s| s.to_string()).collect();
        n.outputs = vec![format!("{op}_out")];
        for (k, v) in attrs {
            n.attrs.insert(k.to_string(), v.clone());
        }
        n
    }

    fn run(input: &[usize], n: Node) -> std::result::Result<Vec<usize>, String> {
        let mut g = Graph::new(ModelFormat::CoreMlNeuralNetwork);
        g.inputs.push((
            "x".into(),
            TensorType {
                element: None,
                shape: Some(input.iter().map(|&d| Dim::Known(d)).collect()),
            },
        ));
        let out = n.outputs[0].clone();
        g.nodes.push(n);
        tensor_shapes(&g, &[]).unwrap().get(&out).cloned()
    }

    #[test]
    fn convolution_and_pooling_follow_the_proto() {
        let conv = |pad: &str, extra: Vec<(&str, Attr)>| {
            let mut a = vec![
                ("outputChannels", Attr::Int(8)),
                ("kernelSize", Attr::Ints(vec![3, 3])),
                ("stride", Attr::Ints(vec![2, 2])),
                ("padding", Attr::Text(pad.into())),
            ];
            a.extend(extra);
            node("convolution", &["x"], &a)
        };
        // valid: floor((17 + 2 - 3) / 2) + 1 = 9; (23 + 2 - 3) / 2 + 1 = 12.
        let v = conv(
            "valid",
            vec![("paddingAmounts", Attr::Ints(vec![1, 1, 1, 1]))],
        );
        assert_eq!(run(&[1, 3, 17, 23], v), Ok(vec![1, 8, 9, 12]));
        // same: ceil(17 / 2) = 9, ceil(23 / 2) = 12; dilation does not matter.
        assert_eq!(
            run(&[1, 3, 17, 23], conv("same", vec![])),
            Ok(vec![1, 8, 9, 12])
        );
        // deconvolution, valid: (x - 1)·stride + kernel.
        let d = conv("valid", vec![("isDeconvolution", Attr::Bool(true))]);
        assert_eq!(run(&[1, 3, 4, 5], d), Ok(vec![1, 8, 9, 11]));
        let pool = node(
            "pooling",
            &["x"],
            &[
                ("kernelSize", Attr::Ints(vec![3, 3])),
                ("stride", Attr::Ints(vec![2, 2])),
                ("padding", Attr::Text("includeLastPixel".into())),
                ("paddingAmounts", Attr::Ints(vec![1, 1])),
            ],
        );
        // ceil((8 + 2 - 3) / 2) + 1 = 5, and (5 - 1)·2 = 8 >= 8 + 1? no: stays 5.
        assert_eq!(run(&[1, 2, 8, 9], pool), Ok(vec![1, 2, 5, 5]));
    }

    #[test]
    fn data_movement_layers() {
        let permute = node("permute", &["x"], &[("axis", Attr::Ints(vec![0, 3, 1, 2]))]);
        assert_eq!(run(&[1, 2, 3, 4], permute), Ok(vec![1, 4, 2, 3]));
        let transpose = node(
            "transpose",
            &["x"],
            &[("axes", Attr::Ints(vec![0, 2, 3, 1]))],
        );
        assert_eq!(run(&[1, 2, 3, 4], transpose), Ok(vec![1, 3, 4, 2]));
        let reshape = node(
            "reshapeStatic",
            &["x"],
            &[("targetShape", Attr::Ints(vec![1, 2, -1, 2, 4]))],
        );
        assert_eq!(run(&[1, 2, 6, 4], reshape), Ok(vec![1, 2, 3, 2, 4]));
        // The proto's example: (5, 5, 5)[:3:2, 2::2, ::2] -> (2, 2, 3).
        let slice = node(
            "sliceStatic",
            &["x"],
            &[
                ("beginIds", Attr::Ints(vec![1, 2, 3])),
                ("beginMasks", Attr::Ints(vec![1, 0, 1])),
                ("endIds", Attr::Ints(vec![3, -3, 2])),
                ("endMasks", Attr::Ints(vec![0, 1, 1])),
                ("strides", Attr::Ints(vec![2, 2, 2])),
            ],
        );
        assert_eq!(run(&[5, 5, 5], slice), Ok(vec![2, 2, 3]));
        let expand = node("expandDims", &["x"], &[("axes", Attr::Ints(vec![0, -1]))]);
        assert_eq!(run(&[2, 3], expand), Ok(vec![1, 2, 3, 1]));
        let tile = node("tile", &["x"], &[("reps", Attr::Ints(vec![6]))]);
        assert_eq!(run(&[2, 4, 2], tile), Ok(vec![2, 4, 12]));
        let up = node(
            "upsample",
            &["x"],
            &[(
                "fractionalScalingFactor",
                Attr::Floats(vec![2.1000099182128906, 1.5]),
            )],
        );
        assert_eq!(run(&[1, 8, 10, 12], up), Ok(vec![1, 8, 21, 18]));
        let unknown = node("batchedMatmul", &["x"], &[]);
        assert!(run(&[2, 3], unknown).unwrap_err().contains("batchedMatmul"));
    }

    #[test]
    fn slices_follow_python() {
        assert_eq!(slice_len(10, Some(2), None, 3), Ok(3));
        assert_eq!(slice_len(10, Some(-1), None, -1), Ok(10));
        assert_eq!(slice_len(10, Some(-3), Some(-1), 1), Ok(2));
        assert_eq!(slice_len(4, Some(7), None, 1), Ok(0));
    }
}
