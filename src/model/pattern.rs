//! Resizes spelled with other operators: data-movement subgraphs (Reshape, Transpose,
//! Gather/GatherND with constant indices, Tile/Expand, Slice, Concat, and Identity, Cast,
//! Squeeze, Unsqueeze) between two points of a graph, explained by what they compute.
//!
//! A region is a set of data-movement nodes (as their format's table reads them, [`Canon`])
//! with one data entry and one exit tensor; its other inputs must fold to constants. It is run
//! on an index-coded probe: a tensor of the entry's shape whose elements are their own flat
//! indices, moved by the region exactly as the runtime would move data. The output says where
//! each element came from, and is matched against halfpixel's plans:
//! - a resize: every output element reads the same batch and channel, and its row depends
//!   only on the output row, its column only on the output column; the two index maps are
//!   compared with the tap tables of every named nearest preset (and every portable nearest
//!   spec) for the two shapes;
//! - a depth_to_space / space_to_depth: the output is compared with each named block preset
//!   run on the probe.
//!
//! The call reported is the matching preset of the file's own framework where one matches,
//! else of the framework the file was likely converted from (PyTorch for ONNX and Core ML,
//! Keras and TF for TFLite), else any.

use std::collections::{BTreeSet, HashMap};

use ndarray::Array4;

use super::fold::{movement_plan, Facts};
use super::graph::{Graph, ModelFormat};
use super::layers::{new_layer, Found};
use super::limits::MAX_PROBE_ELEMENTS;
use super::ops::Canon;
use super::tensor::Tensor;
use crate::candidates::{self, Origin};
use crate::conformance::Op;
use crate::op::InputDesc;
use crate::presets::named::{Kind, Request};
use crate::presets::Call;
use crate::spec::{Layout, Mode};

/// The value a probe element takes where a region reads a constant instead of the entry.
const FROM_CONSTANT: u32 = u32::MAX;

/// The most nodes a region may have.
const MAX_REGION_NODES: usize = 64;

/// Frameworks whose calls name a pattern, most preferred first, by the graph's format.
fn preferred(format: ModelFormat) -> &'static [&'static str] {
    match format {
        ModelFormat::Onnx => &["onnx", "torch"],
        ModelFormat::TfLite => &["tflite", "keras", "tf"],
        ModelFormat::Keras => &["keras", "tf"],
        _ => &["coreml", "torch"],
    }
}

fn default_layout(format: ModelFormat) -> Layout {
    match format {
        ModelFormat::TfLite | ModelFormat::Keras => Layout::Nhwc,
        _ => Layout::Nchw,
    }
}

/// A candidate region.
struct Region {
    /// Node indices, in execution order.
    nodes: Vec<usize>,
    entry: String,
    exit: String,
}

/// Every data-movement region of the graph that computes a resize, depth_to_space or
/// space_to_depth, as layers.
pub fn find(graph: &Graph, facts: &Facts) -> Vec<Found> {
    let movement: Vec<Option<Vec<usize>>> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(k, n)| {
            facts
                .canon(k)
                .and_then(|c| c.movement_inputs(n.inputs.len()))
        })
        .collect();
    let mut producer: HashMap<&str, usize> = HashMap::new();
    for (k, n) in graph.nodes.iter().enumerate() {
        for o in &n.outputs {
            producer.insert(o.as_str(), k);
        }
    }
    let mut explained: Vec<(BTreeSet<usize>, Found)> = Vec::new();
    for (k, node) in graph.nodes.iter().enumerate() {
        if movement[k].is_none() {
            continue;
        }
        let Some(exit) = node.outputs.first() else {
            continue;
        };
        let Some(region) = region(graph, facts, &movement, &producer, k, exit) else {
            continue;
        };
        // A region of shape-only ops cannot move pixels.
        let moves = region.nodes.iter().any(|&n| {
            !matches!(
                facts.canon(n),
                Some(
                    Canon::Identity
                        | Canon::Cast { .. }
                        | Canon::Squeeze { .. }
                        | Canon::Unsqueeze { .. }
                )
            )
        });
        if !moves {
            continue;
        }
        if let Some(found) = explain(graph, facts, &region) {
            explained.push((region.nodes.iter().copied().collect(), found));
        }
    }
    // Keep the largest explanation of each stretch: drop regions inside another explained one.
    let keep: Vec<bool> = explained
        .iter()
        .map(|(set, _)| {
            !explained
                .iter()
                .any(|(other, _)| other.len() > set.len() && set.is_subset(other))
        })
        .collect();
    explained
        .into_iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|((_, f), _)| f)
        .collect()
}

/// The region that ends at node `last`'s output `exit`: every movement node upstream along data
/// inputs. `None` when it has other than one non-constant entry, or grows too large.
fn region(
    graph: &Graph,
    facts: &Facts,
    movement: &[Option<Vec<usize>>],
    producer: &HashMap<&str, usize>,
    last: usize,
    exit: &str,
) -> Option<Region> {
    let mut nodes = BTreeSet::new();
    let mut entries = BTreeSet::new();
    let mut stack = vec![last];
    while let Some(k) = stack.pop() {
        if !nodes.insert(k) {
            continue;
        }
        if nodes.len() > MAX_REGION_NODES {
            return None;
        }
        let node = &graph.nodes[k];
        for &i in movement[k].as_ref()? {
            let Some(t) = node.inputs.get(i).filter(|t| !t.is_empty()) else {
                continue;
            };
            let from_movement = producer
                .get(t.as_str())
                .is_some_and(|&p| movement[p].is_some());
            if graph.constants.contains_key(t) || (facts.value(t).is_some() && !from_movement) {
                continue;
            }
            match producer.get(t.as_str()) {
                Some(&p) if movement[p].is_some() => stack.push(p),
                _ => {
                    entries.insert(t.clone());
                }
            }
        }
    }
    if entries.len() != 1 {
        return None;
    }
    Some(Region {
        nodes: nodes.into_iter().collect(),
        entry: entries.into_iter().next()?,
        exit: exit.to_string(),
    })
}

/// Runs a region on the index-coded probe: the exit tensor, each element the flat index of the
/// entry element it holds ([`FROM_CONSTANT`] where it holds a constant).
fn run(graph: &Graph, facts: &Facts, region: &Region, entry_dims: &[usize]) -> Option<Tensor<u32>> {
    let n = super::tensor::count(entry_dims).ok()?;
    if n > MAX_PROBE_ELEMENTS {
        return None;
    }
    // A resize or a pixel shuffle never needs a tensor much larger than its ends.
    let exit = facts
        .known_shape(&region.exit)
        .and_then(|d| super::tensor::count(&d).ok())
        .unwrap_or(n);
    let limit = n.max(exit).saturating_mul(4).min(MAX_PROBE_ELEMENTS);
    let mut values: HashMap<&str, Tensor<u32>> = HashMap::new();
    values.insert(
        region.entry.as_str(),
        Tensor::new(entry_dims.to_vec(), (0..n as u32).collect()).ok()?,
    );
    for &k in &region.nodes {
        let node = &graph.nodes[k];
        let canon = facts.canon(k)?;
        let data_inputs = canon.movement_inputs(node.inputs.len())?;
        let mut parts = Vec::new();
        for &i in &data_inputs {
            let t = node.inputs.get(i)?;
            if t.is_empty() {
                continue;
            }
            let part = match values.get(t.as_str()) {
                Some(v) => v.clone(),
                None => {
                    let dims = facts.known_shape(t)?;
                    let c = super::tensor::count(&dims).ok()?;
                    Tensor::new(dims, vec![FROM_CONSTANT; c]).ok()?
                }
            };
            parts.push(part);
        }
        let first = parts.first()?;
        let plan = movement_plan(canon, node, facts, &first.dims).ok()?;
        if super::tensor::count(&plan.out_dims).ok()? > limit {
            return None;
        }
        let out = if plan.is_join() {
            if let Canon::Pack { axis } = canon {
                let rank = first.dims.len() + 1;
                let ax = super::tensor::axis(*axis, rank).ok()?;
                parts = parts
                    .into_iter()
                    .map(|p| {
                        let mut d = p.dims.clone();
                        d.insert(ax, 1);
                        p.reshape(d)
                    })
                    .collect::<Result<_, _>>()
                    .ok()?;
            }
            plan.join(parts).ok()?
        } else {
            plan.apply(parts.into_iter().next()?, facts, node).ok()?
        };
        values.insert(node.outputs.first()?.as_str(), out);
    }
    values.remove(region.exit.as_str())
}

/// The layer a region computes, if it matches a plan.
fn explain(graph: &Graph, facts: &Facts, region: &Region) -> Option<Found> {
    let entry_dims = facts.known_shape(&region.entry)?;
    let exit_dims = facts.known_shape(&region.exit)?;
    if entry_dims.len() != 4 || exit_dims.len() != 4 {
        return None;
    }
    let (in4, out4): ([usize; 4], [usize; 4]) = (
        entry_dims.clone().try_into().ok()?,
        exit_dims.clone().try_into().ok()?,
    );
    // Only shapes a resize or a pixel shuffle connects are worth a probe.
    let connected = [Layout::Nchw, Layout::Nhwc]
        .iter()
        .any(|l| !candidates::kinds_for(l.nchw(in4), l.nchw(out4)).is_empty());
    if !connected {
        return None;
    }
    let probe = run(graph, facts, region, &entry_dims)?;
    if probe.dims != exit_dims {
        return None;
    }
    let first = default_layout(graph.format);
    let other = if first == Layout::Nchw {
        Layout::Nhwc
    } else {
        Layout::Nchw
    };
    for layout in [first, other] {
        let (i, o) = (layout.nchw(in4), layout.nchw(out4));
        if i == o && probe.data.iter().enumerate().all(|(k, &v)| v as usize == k) {
            return None; // the identity
        }
        for (kind, block) in candidates::kinds_for(i, o) {
            let matched = match kind {
                Kind::Resize => match_resize(&probe, layout, i, o),
                _ => match_block(&probe, layout, i, o, kind, block?),
            };
            let Some(explained) = matched else {
                continue;
            };
            return Some(found(
                graph,
                region,
                layout,
                kind,
                explained,
                &entry_dims,
                &exit_dims,
            ));
        }
    }
    None
}

/// What matched: the calls (preset name, framework, call), best first; empty when the region is
/// a per-axis gather that no preset reproduces.
struct Explained {
    calls: Vec<(String, Call)>,
    note: Option<String>,
}

fn found(
    graph: &Graph,
    region: &Region,
    layout: Layout,
    kind: Kind,
    explained: Explained,
    entry: &[usize],
    exit: &[usize],
) -> Found {
    let prefs = preferred(graph.format);
    let rank = |fw: &str| prefs.iter().position(|p| *p == fw).unwrap_or(prefs.len());
    let mut calls = explained.calls;
    // The generic `onnx` preset (ONNX's defaults) only when no named one matches.
    calls.sort_by_key(|(name, c)| (rank(&c.framework), name == "onnx"));
    let call = calls.first().map(|(_, c)| c.clone());
    let op = match kind {
        Kind::Resize => Op::Resize,
        Kind::DepthToSpace => Op::DepthToSpace,
        Kind::SpaceToDepth => Op::SpaceToDepth,
    };
    let pattern: Vec<String> = region
        .nodes
        .iter()
        .map(|&k| graph.nodes[k].op.clone())
        .collect();
    let mut unknowns = Vec::new();
    if let Some(n) = explained.note {
        unknowns.push(n);
    }
    let input = Some(entry.iter().map(|&d| Some(d)).collect());
    let output = Some(exit.iter().map(|&d| Some(d)).collect());
    let mut layer = new_layer(
        &region.exit,
        &pattern.join("→"),
        op,
        layout,
        &input,
        &output,
        call,
        unknowns,
    );
    layer.pattern = Some(pattern);
    Found {
        layer,
        node: *region.nodes.last().unwrap_or(&0),
        input_tensor: region.entry.clone(),
        output_tensor: region.exit.clone(),
        input,
        output,
        scale_hint: None,
    }
}

/// The per-axis source index maps of a gather that keeps batch and channel, if the probe is one.
fn axis_maps(
    probe: &Tensor<u32>,
    layout: Layout,
    input: [usize; 4],
    output: [usize; 4],
) -> Option<(Vec<usize>, Vec<usize>)> {
    let [_, _, ih, iw] = input;
    let [on, oc, oh, ow] = output;
    let in_shape = layout.shape(input);
    if in_shape.contains(&0) {
        return None;
    }
    let decode = |v: u32| -> Option<[usize; 4]> {
        if v == FROM_CONSTANT {
            return None;
        }
        let mut rest = v as usize;
        let mut idx = [0usize; 4];
        for k in (0..4).rev() {
            idx[k] = rest % in_shape[k];
            rest /= in_shape[k];
        }
        Some(layout.nchw(idx))
    };
    let mut rows = vec![usize::MAX; oh];
    let mut cols = vec![usize::MAX; ow];
    let out_shape = layout.shape(output);
    let _ = (ih, iw);
    for (flat, &v) in probe.data.iter().enumerate() {
        let mut rest = flat;
        let mut idx = [0usize; 4];
        for k in (0..4).rev() {
            idx[k] = rest % out_shape[k];
            rest /= out_shape[k];
        }
        let [n, c, y, x] = layout.nchw(idx);
        let [sn, sc, sy, sx] = decode(v)?;
        if sn != n || sc != c || n >= on || c >= oc {
            return None;
        }
        for (map, at, src) in [(&mut rows, y, sy), (&mut cols, x, sx)] {
            if map[at] == usize::MAX {
                map[at] = src;
            } else if map[at] != src {
                return None;
            }
        }
    }
    Some((rows, cols))
}

fn is_gather(plan: &crate::plan::AxisPlan, map: &[usize]) -> bool {
    plan.out_len() == map.len()
        && (0..plan.out_len()).all(|o| {
            if plan.is_extrapolated(o) {
                return false;
            }
            let (idx, w) = plan.taps(o);
            idx.len() == 1 && w[0] == 1.0 && idx[0] as usize == map[o]
        })
}

fn match_resize(
    probe: &Tensor<u32>,
    layout: Layout,
    input: [usize; 4],
    output: [usize; 4],
) -> Option<Explained> {
    let (rows, cols) = axis_maps(probe, layout, input, output)?;
    let desc = InputDesc {
        dims: input,
        layout,
    };
    let mut calls = Vec::new();
    for c in candidates::named_candidates(input, output, layout, None) {
        let Origin::Named { preset, target } = &c.origin else {
            continue;
        };
        let Ok(Some(plan)) = c.op.plan(&desc) else {
            continue;
        };
        if plan.batch_index.is_none() && is_gather(&plan.h, &rows) && is_gather(&plan.w, &cols) {
            if let Ok(call) = preset.call(&Request {
                target: *target,
                input,
                attributes: &[],
            }) {
                calls.push((preset.name.to_string(), call));
            }
        }
    }
    if !calls.is_empty() {
        return Some(Explained { calls, note: None });
    }
    // A portable nearest spec, as an ONNX Resize-19 call.
    for c in candidates::portable_candidates(input, output, layout, None) {
        let Origin::Portable(spec) = &c.origin else {
            continue;
        };
        if spec.mode != Mode::Nearest {
            continue;
        }
        let Ok(Some(plan)) = c.op.plan(&desc) else {
            continue;
        };
        if is_gather(&plan.h, &rows) && is_gather(&plan.w, &cols) {
            let sizes = layout.shape(output);
            let call = Call {
                framework: "onnx".into(),
                function: "Resize".into(),
                args: serde_json::json!({
                    "opset": 19,
                    "attributes": {
                        "mode": "nearest",
                        "coordinate_transformation_mode": spec.coordinate_transformation_mode.name(),
                        "nearest_mode": spec.nearest_mode.map_or("round_prefer_floor", |m| m.name()),
                    },
                    "inputs": {"roi": null, "scales": null, "sizes": sizes},
                }),
            };
            return Some(Explained {
                calls: vec![("onnx".into(), call)],
                note: None,
            });
        }
    }
    // A per-axis gather that matches no grid: reported only when it enlarges an axis with
    // rows and columns in order (a crop, a flip or a subsampling is not a resize).
    let grows = output[2] > input[2] || output[3] > input[3];
    let ordered = rows.windows(2).all(|w| w[0] <= w[1]) && cols.windows(2).all(|w| w[0] <= w[1]);
    if !(grows && ordered) {
        return None;
    }
    Some(Explained {
        calls: Vec::new(),
        note: Some(format!(
            "the pattern gathers rows {rows:?} and columns {cols:?}; no framework's nearest resize reads those pixels"
        )),
    })
}

fn match_block(
    probe: &Tensor<u32>,
    layout: Layout,
    input: [usize; 4],
    output: [usize; 4],
    kind: Kind,
    block: usize,
) -> Option<Explained> {
    if probe.data.contains(&FROM_CONSTANT) {
        return None;
    }
    let in_shape = layout.shape(input);
    let x = Array4::from_shape_vec(
        (in_shape[0], in_shape[1], in_shape[2], in_shape[3]),
        (0..probe.data.len()).map(|v| v as f32).collect(),
    )
    .ok()?;
    let mut calls = Vec::new();
    for preset in crate::presets::named::all()
        .iter()
        .filter(|p| p.kind == kind)
    {
        let request = Request {
            target: crate::presets::named::Target::Block(block),
            input,
            attributes: &[],
        };
        let (Ok(op), Ok(call)) = (preset.build(&request), preset.call(&request)) else {
            continue;
        };
        let Ok(y) = op.run_cpu(x.view(), layout) else {
            continue;
        };
        if layout.nchw(y.dim().into()) == output
            && y.iter().zip(&probe.data).all(|(&a, &b)| a == b as f32)
        {
            calls.push((preset.name.to_string(), call));
        }
    }
    (!calls.is_empty()).then_some(Explained { calls, note: None })
}
