//! Shapes and constant values through a graph: the shape arithmetic exporters emit (`Shape`,
//! `Gather`, `Slice`, `Concat`, `Cast`, `Unsqueeze`, `Mul`, `Div`, `Floor`, …) folded from the
//! declared input shapes, and shapes propagated through the usual ops.
//!
//! Every node is read through its format's table ([`super::ops::normalise`]); what a table
//! does not know falls back to the shapes the file declares. Values and shapes that cannot be
//! known carry a reason ([`Facts::why`]): a symbolic dimension, a model input, an op that is not
//! folded. Nothing is guessed: a value is known exactly or not at all.
//!
//! Arithmetic follows the element type: float32 values are rounded to float32 after every op,
//! as the runtime computes them; integers are exact (an overflow leaves the value unknown).

use std::collections::{BTreeMap, HashMap};

use super::graph::{Constant, Dim, ElementKind, Graph, Values};
use super::limits::{MAX_FOLD_ELEMENTS, MAX_RANK};
use super::ops::{normalise, BinOp, Canon, Param, UnOp};
use super::tensor::{axis, broadcast_dims, count, onnx_range, Tensor, Why};
use crate::error::{Error, Result};

/// A shape whose dims may be unknown.
pub type Shape = Vec<Option<usize>>;

/// Folded values.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// Integers (and booleans).
    Int(Vec<i64>),
    /// Floats, held exactly as the element type rounds them.
    Float(Vec<f64>),
}

/// A value known at audit time.
#[derive(Debug, Clone, PartialEq)]
pub struct Folded {
    /// Its dims.
    pub dims: Vec<usize>,
    /// Its values.
    pub data: Data,
    /// Its element type.
    pub element: ElementKind,
    /// Whether it was computed from a tensor's shape (`Shape` somewhere upstream) rather than
    /// held as a constant.
    pub computed: bool,
}

impl Folded {
    /// The values as integers, when every one is integral.
    pub fn ints(&self) -> Option<Vec<i64>> {
        match &self.data {
            Data::Int(v) => Some(v.clone()),
            Data::Float(v) => v
                .iter()
                .map(|&x| (x.fract() == 0.0 && x.abs() < 9.0e15).then_some(x as i64))
                .collect(),
        }
    }

    /// The values as floats.
    pub fn floats(&self) -> Vec<f64> {
        match &self.data {
            Data::Int(v) => v.iter().map(|&x| x as f64).collect(),
            Data::Float(v) => v.clone(),
        }
    }

    /// Element count.
    pub fn len(&self) -> usize {
        match &self.data {
            Data::Int(v) => v.len(),
            Data::Float(v) => v.len(),
        }
    }

    /// Whether it holds no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn from_constant(c: &Constant) -> Option<Folded> {
        let data = match &c.values {
            Values::Float(v) => Data::Float(v.clone()),
            Values::Int(v) => Data::Int(v.clone()),
            _ => return None,
        };
        let f = Folded {
            dims: c.dims.clone(),
            data,
            element: c.element,
            computed: false,
        };
        (count(&f.dims).ok() == Some(f.len())).then_some(f)
    }
}

/// A shape given on the command line (`--input-shape [NAME=]DIMS`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputShape {
    /// The graph input it is for; `None`: the first input.
    pub name: Option<String>,
    /// The dims.
    pub dims: Vec<usize>,
}

impl std::str::FromStr for InputShape {
    type Err = String;

    /// `NAME=D,D,D,D`, `D,D,D,D` or `DxDxDxD`.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (name, dims) = match s.rsplit_once('=') {
            Some((n, d)) => (Some(n.trim().to_string()), d),
            None => (None, s),
        };
        let dims: Vec<usize> = dims
            .split([',', 'x', 'X', '×'])
            .map(|d| {
                d.trim()
                    .parse::<usize>()
                    .map_err(|_| format!("{d:?} is not a dimension (a whole number)"))
            })
            .collect::<std::result::Result<_, _>>()?;
        if dims.is_empty() || dims.len() > MAX_RANK {
            return Err(format!("give 1 to {MAX_RANK} dims, e.g. x=1,3,224,224"));
        }
        if dims.contains(&0) {
            return Err("dims must be at least 1".into());
        }
        Ok(InputShape { name, dims })
    }
}

/// What is known about every tensor of a graph.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    shapes: HashMap<String, Shape>,
    values: HashMap<String, Folded>,
    elements: HashMap<String, ElementKind>,
    why: HashMap<String, String>,
    canon: Vec<Option<Canon>>,
    symbols: BTreeMap<String, usize>,
    open_inputs: Vec<String>,
}

impl Facts {
    /// A tensor's shape, as far as known (`None`: not even its rank).
    pub fn shape(&self, tensor: &str) -> Option<&Shape> {
        self.shapes.get(tensor)
    }

    /// A tensor's shape when every dim is known.
    pub fn known_shape(&self, tensor: &str) -> Option<Vec<usize>> {
        self.shapes.get(tensor)?.iter().copied().collect()
    }

    /// A tensor's value, when it folds to a constant.
    pub fn value(&self, tensor: &str) -> Option<&Folded> {
        self.values.get(tensor)
    }

    /// A tensor's element type, where known.
    pub fn element(&self, tensor: &str) -> Option<ElementKind> {
        self.elements.get(tensor).copied()
    }

    /// Why a tensor's value (or shape) is not known.
    pub fn why(&self, tensor: &str) -> String {
        self.why
            .get(tensor)
            .cloned()
            .unwrap_or_else(|| format!("'{tensor}' is not produced by anything halfpixel reads"))
    }

    /// What node `k` computes, as its format's table read it.
    pub fn canon(&self, k: usize) -> Option<&Canon> {
        self.canon.get(k).and_then(Option::as_ref)
    }

    /// Why a tensor's shape is not fully known: the model inputs whose dims are open, or the op
    /// that produces it.
    pub fn shape_why(&self, tensor: &str) -> String {
        let shape = self.shapes.get(tensor).map(|s| {
            format!(
                "[{}]",
                s.iter()
                    .map(|d| d.map_or("?".into(), |d| d.to_string()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
        match (shape, self.open_inputs.is_empty()) {
            (Some(s), false) => format!("'{tensor}' is {s}: {}", self.open_inputs.join("; ")),
            (None, false) => format!(
                "the shape of '{tensor}' is not known: {}",
                self.open_inputs.join("; ")
            ),
            (Some(s), true) => format!("'{tensor}' is {s}: the ops before it do not fix the rest"),
            (None, true) => format!("the shape of '{tensor}' is not known: {}", self.why(tensor)),
        }
    }

    /// The values given to symbolic dims (from `--input-shape`).
    pub fn symbols(&self) -> &BTreeMap<String, usize> {
        &self.symbols
    }

    /// The integers of a parameter of `node`.
    pub fn param_ints(
        &self,
        node: &super::graph::Node,
        p: &Param,
    ) -> std::result::Result<Vec<i64>, Why> {
        match p {
            Param::Ints(v) => Ok(v.clone()),
            Param::Input(k) => {
                let name = node
                    .inputs
                    .get(*k)
                    .filter(|n| !n.is_empty())
                    .ok_or_else(|| format!("input {k} of '{}' is missing", node.name))?;
                let v = self.values.get(name).ok_or_else(|| self.why(name))?;
                v.ints()
                    .ok_or_else(|| format!("'{name}' holds non-integer values"))
            }
        }
    }

    fn set_unknown(&mut self, tensor: &str, why: String) {
        self.why.entry(tensor.to_string()).or_insert(why);
    }
}

/// The declared shape of a tensor, its symbols resolved.
fn declared(graph: &Graph, symbols: &BTreeMap<String, usize>, tensor: &str) -> Option<Shape> {
    let ty = graph.types.get(tensor)?;
    let shape = ty.shape.as_ref()?;
    Some(
        shape
            .iter()
            .map(|d| match d {
                Dim::Known(n) => Some(*n),
                Dim::Symbol(s) => symbols.get(s).copied(),
                Dim::Unknown => None,
            })
            .collect(),
    )
}

/// Each graph input's name, shape and why its shape is not fully known.
type ResolvedInputs = Vec<(String, Shape, Option<String>)>;

/// Resolves the graph inputs' shapes with what the user gave.
fn resolve_inputs(
    graph: &Graph,
    given: &[InputShape],
) -> Result<(ResolvedInputs, BTreeMap<String, usize>)> {
    let mut symbols = BTreeMap::new();
    let bad = |value: &InputShape, reason: String| {
        Error::invalid_argument(
            "--input-shape",
            format!(
                "{}{}",
                value
                    .name
                    .as_ref()
                    .map_or(String::new(), |n| format!("{n}=")),
                value
                    .dims
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            reason,
        )
    };
    let mut used = vec![false; given.len()];
    let mut out = Vec::new();
    for (k, (name, ty)) in graph.inputs.iter().enumerate() {
        let chosen = given.iter().enumerate().find(|(_, g)| match &g.name {
            Some(n) => n == name,
            None => k == 0,
        });
        let declared = ty.shape.clone();
        match chosen {
            Some((j, g)) => {
                used[j] = true;
                if let Some(decl) = &declared {
                    if decl.len() != g.dims.len() {
                        return Err(bad(
                            g,
                            format!(
                                "input '{name}' has rank {}, declared {:?}",
                                decl.len(),
                                display(decl)
                            ),
                        ));
                    }
                    for (i, (d, &v)) in decl.iter().zip(&g.dims).enumerate() {
                        match d {
                            Dim::Known(n) if *n != v => {
                                return Err(bad(
                                    g,
                                    format!("dim {i} of input '{name}' is declared {n}"),
                                ))
                            }
                            Dim::Symbol(s) => {
                                if let Some(&prev) = symbols.get(s) {
                                    if prev != v {
                                        return Err(bad(
                                            g,
                                            format!("symbol '{s}' is given both {prev} and {v}"),
                                        ));
                                    }
                                }
                                symbols.insert(s.clone(), v);
                            }
                            _ => {}
                        }
                    }
                }
                out.push((
                    name.clone(),
                    g.dims.iter().map(|&d| Some(d)).collect(),
                    None,
                ));
            }
            None => {
                let shape: Option<Shape> = declared
                    .as_ref()
                    .map(|d| d.iter().map(Dim::known).collect());
                let why = match &declared {
                    None => Some(format!(
                        "input '{name}' declares no shape; give --input-shape {name}=…"
                    )),
                    Some(d) if d.iter().any(|x| x.known().is_none()) => Some(format!(
                        "input '{name}' is declared {}; give --input-shape {name}=…",
                        display(d)
                    )),
                    _ => None,
                };
                out.push((name.clone(), shape.unwrap_or_default(), why));
            }
        }
    }
    if let Some(j) = used.iter().position(|u| !u) {
        let names: Vec<&str> = graph.inputs.iter().map(|(n, _)| n.as_str()).collect();
        return Err(bad(
            &given[j],
            format!(
                "the model has no such input (its inputs: {})",
                names.join(", ")
            ),
        ));
    }
    Ok((out, symbols))
}

/// `[1, 8, h, w]`.
pub fn display(dims: &[Dim]) -> String {
    format!(
        "[{}]",
        dims.iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Shapes and values of every tensor of `graph`, with the input shapes `given`.
pub fn infer(graph: &Graph, given: &[InputShape]) -> Result<Facts> {
    let (inputs, symbols) = resolve_inputs(graph, given)?;
    let mut facts = Facts {
        symbols,
        ..Facts::default()
    };
    for (name, c) in &graph.constants {
        facts
            .shapes
            .insert(name.clone(), c.dims.iter().map(|&d| Some(d)).collect());
        facts.elements.insert(name.clone(), c.element);
        match Folded::from_constant(c) {
            Some(f) => {
                facts.values.insert(name.clone(), f);
            }
            None => facts.set_unknown(name, format!("the values of constant '{name}' are not loaded (a large weight or external data)")),
        }
    }
    for (name, shape, why) in inputs {
        let declared_rank = graph
            .inputs
            .iter()
            .any(|(n, t)| n == &name && t.shape.is_some());
        if !shape.is_empty() || declared_rank {
            facts.shapes.insert(name.clone(), shape);
        }
        if let Some(e) = graph.types.get(&name).and_then(|t| t.element).or_else(|| {
            graph
                .inputs
                .iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, t)| t.element)
        }) {
            facts.elements.insert(name.clone(), e);
        }
        if let Some(w) = &why {
            facts.open_inputs.push(w.clone());
        }
        facts.set_unknown(
            &name,
            why.unwrap_or_else(|| {
                format!("'{name}' is a model input: its values are known only at run time")
            }),
        );
    }
    for node in &graph.nodes {
        let canon = normalise(graph, node, &facts);
        evaluate(graph, node, canon.as_ref(), &mut facts);
        facts.canon.push(canon);
    }
    Ok(facts)
}

fn evaluate(graph: &Graph, node: &super::graph::Node, canon: Option<&Canon>, facts: &mut Facts) {
    let outputs: Vec<&String> = node.outputs.iter().filter(|o| !o.is_empty()).collect();
    let mut shapes: Vec<Option<Shape>> = vec![None; node.outputs.len()];
    let mut why_not: Option<String> = None;
    match canon {
        Some(c) => {
            match fold_values(c, node, facts) {
                Ok(values) => {
                    for (k, v) in values.into_iter().enumerate() {
                        if let (Some(name), Some(v)) = (node.outputs.get(k), v) {
                            shapes[k] = Some(v.dims.iter().map(|&d| Some(d)).collect());
                            facts.elements.insert(name.clone(), v.element);
                            facts.values.insert(name.clone(), v);
                        }
                    }
                }
                Err(w) => why_not = Some(w),
            }
            let computed = shape_of(c, node, facts);
            for (k, s) in computed.into_iter().enumerate() {
                if k < shapes.len() && shapes[k].is_none() {
                    shapes[k] = s;
                }
            }
            if let Some(e) = element_of(c, node, facts) {
                for o in &outputs {
                    facts.elements.entry((*o).clone()).or_insert(e);
                }
            }
        }
        None => {
            why_not = Some(format!(
                "'{}' is computed by {} '{}', which halfpixel does not evaluate",
                outputs.first().map_or("?", |s| s.as_str()),
                node.op,
                node.name
            ));
        }
    }
    for (k, name) in node.outputs.iter().enumerate() {
        if name.is_empty() {
            continue;
        }
        let decl = declared(graph, &facts.symbols, name);
        let shape = match (shapes[k].take(), decl) {
            (Some(s), Some(d)) if s.len() == d.len() => {
                Some(s.iter().zip(&d).map(|(a, b)| a.or(*b)).collect())
            }
            (Some(s), _) => Some(s),
            (None, d) => d,
        };
        if let Some(s) = shape {
            facts.shapes.insert(name.clone(), s);
        }
        if let Some(e) = graph.types.get(name).and_then(|t| t.element) {
            facts.elements.entry(name.clone()).or_insert(e);
        }
        if !facts.values.contains_key(name) {
            let why = why_not.clone().unwrap_or_else(|| {
                format!(
                    "'{name}' depends on data known only at run time ({} '{}')",
                    node.op, node.name
                )
            });
            facts.set_unknown(name, why);
        }
    }
}

// ---- values -----------------------------------------------------------------------------------

enum T {
    I(Tensor<i64>),
    F(Tensor<f64>),
}

macro_rules! each {
    ($t:expr, $x:ident => $e:expr) => {
        match $t {
            T::I($x) => T::I($e?),
            T::F($x) => T::F($e?),
        }
    };
}

fn tensor_of(f: &Folded) -> std::result::Result<T, Why> {
    Ok(match &f.data {
        Data::Int(v) => T::I(Tensor::new(f.dims.clone(), v.clone())?),
        Data::Float(v) => T::F(Tensor::new(f.dims.clone(), v.clone())?),
    })
}

fn folded(t: T, element: ElementKind, computed: bool) -> Folded {
    match t {
        T::I(t) => Folded {
            dims: t.dims,
            data: Data::Int(t.data),
            element,
            computed,
        },
        T::F(t) => Folded {
            dims: t.dims,
            data: Data::Float(t.data.into_iter().map(|x| round_to(element, x)).collect()),
            element,
            computed,
        },
    }
}

/// A float rounded to what the element type holds.
fn round_to(element: ElementKind, x: f64) -> f64 {
    match element {
        ElementKind::F32 => x as f32 as f64,
        ElementKind::F16 => half::f16::from_f64(x).to_f64(),
        ElementKind::Bf16 => half::bf16::from_f64(x).to_f64(),
        _ => x,
    }
}

fn input<'a>(
    facts: &'a Facts,
    node: &super::graph::Node,
    k: usize,
) -> std::result::Result<&'a Folded, Why> {
    let name = node
        .inputs
        .get(k)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format!("input {k} of {} '{}' is missing", node.op, node.name))?;
    facts.values.get(name).ok_or_else(|| facts.why(name))
}

fn usizes(v: &[i64], what: &str) -> std::result::Result<Vec<usize>, Why> {
    v.iter()
        .map(|&x| usize::try_from(x).map_err(|_| format!("{what} {x} is negative")))
        .collect()
}

/// The values of a node's outputs, when its inputs are known.
fn fold_values(
    c: &Canon,
    node: &super::graph::Node,
    facts: &Facts,
) -> std::result::Result<Vec<Option<Folded>>, Why> {
    let one = |f: Folded| Ok(vec![Some(f)]);
    let data = || input(facts, node, 0);
    match c {
        Canon::Shape { start, end } => {
            let name = node.inputs.first().ok_or("Shape without an input")?;
            let shape = facts.shapes.get(name).ok_or_else(|| {
                format!("the rank of '{name}' is not known ({})", facts.why(name))
            })?;
            let rank = shape.len() as i64;
            let clamp = |v: i64| (if v < 0 { v + rank } else { v }).clamp(0, rank) as usize;
            let (s, e) = (clamp(*start), clamp(end.unwrap_or(rank)));
            let part: &[Option<usize>] = if s < e { &shape[s..e] } else { &[] };
            let dims: Vec<i64> = part
                .iter()
                .map(|d| d.map(|d| d as i64))
                .collect::<Option<_>>()
                .ok_or_else(|| {
                    format!(
                        "the shape of '{name}' is not fully known: {}",
                        facts.why(name)
                    )
                })?;
            let element = facts
                .element(node.outputs.first().map_or("", String::as_str))
                .unwrap_or(ElementKind::Int(64));
            one(Folded {
                dims: vec![dims.len()],
                data: Data::Int(dims),
                element,
                computed: true,
            })
        }
        Canon::ConstantOfShape { value, element } => {
            let dims = usizes(
                &input(facts, node, 0)?.ints().ok_or("non-integer shape")?,
                "dim",
            )?;
            let n = count(&dims)?;
            guard(n)?;
            let computed = input(facts, node, 0)?.computed;
            let data = if element.is_float() {
                Data::Float(vec![*value; n])
            } else {
                Data::Int(vec![*value as i64; n])
            };
            one(Folded {
                dims,
                data,
                element: *element,
                computed,
            })
        }
        Canon::Fill => {
            let shape = input(facts, node, 0)?;
            let dims = usizes(&shape.ints().ok_or("non-integer shape")?, "dim")?;
            let value = input(facts, node, 1)?;
            let n = count(&dims)?;
            guard(n)?;
            let data = match &value.data {
                Data::Int(v) => Data::Int(vec![*v.first().ok_or("empty fill value")?; n]),
                Data::Float(v) => Data::Float(vec![*v.first().ok_or("empty fill value")?; n]),
            };
            one(Folded {
                dims,
                data,
                element: value.element,
                computed: shape.computed || value.computed,
            })
        }
        Canon::Range => {
            let (a, b, d) = (
                input(facts, node, 0)?,
                input(facts, node, 1)?,
                input(facts, node, 2)?,
            );
            let computed = a.computed || b.computed || d.computed;
            match (a.ints(), b.ints(), d.ints(), a.element.is_float()) {
                (Some(s), Some(l), Some(st), false) => {
                    let (s, l, st) = (
                        *s.first().ok_or("empty")?,
                        *l.first().ok_or("empty")?,
                        *st.first().ok_or("empty")?,
                    );
                    if st == 0 {
                        return Err("Range with delta 0".into());
                    }
                    let span = l.checked_sub(s).ok_or("Range overflows")?;
                    let n = (span as f64 / st as f64).ceil().max(0.0) as usize;
                    guard(n)?;
                    let v: Vec<i64> = (0..n as i64)
                        .map(|i| {
                            i.checked_mul(st)
                                .and_then(|d| s.checked_add(d))
                                .ok_or("Range overflows")
                        })
                        .collect::<std::result::Result<_, _>>()?;
                    one(Folded {
                        dims: vec![n],
                        data: Data::Int(v),
                        element: a.element,
                        computed,
                    })
                }
                _ => Err("a float Range is not folded".into()),
            }
        }
        Canon::Binary(op) => {
            let (a, b) = (input(facts, node, 0)?, input(facts, node, 1)?);
            binary(*op, a, b).map(|f| vec![Some(f)])
        }
        Canon::Unary(op) => {
            let a = data()?;
            let element = a.element;
            let v = match (&a.data, op) {
                (Data::Int(v), UnOp::Neg) => Data::Int(
                    v.iter()
                        .map(|x| x.checked_neg().ok_or("overflow"))
                        .collect::<std::result::Result<_, _>>()?,
                ),
                (Data::Int(v), UnOp::Abs) => Data::Int(
                    v.iter()
                        .map(|x| x.checked_abs().ok_or("overflow"))
                        .collect::<std::result::Result<_, _>>()?,
                ),
                (Data::Int(v), UnOp::Floor | UnOp::Ceil | UnOp::Round) => Data::Int(v.clone()),
                (_, _) => {
                    let f = |x: f64| match op {
                        UnOp::Floor => x.floor(),
                        UnOp::Ceil => x.ceil(),
                        UnOp::Round => x.round_ties_even(),
                        UnOp::Neg => -x,
                        UnOp::Abs => x.abs(),
                        UnOp::Sqrt => x.sqrt(),
                        UnOp::Reciprocal => 1.0 / x,
                    };
                    Data::Float(
                        a.floats()
                            .into_iter()
                            .map(|x| round_to(element, f(x)))
                            .collect(),
                    )
                }
            };
            one(Folded {
                dims: a.dims.clone(),
                data: v,
                element,
                computed: a.computed,
            })
        }
        Canon::Cast { to } => {
            let a = data()?;
            let to = to.ok_or("a cast to an unknown type")?;
            let v = match (&a.data, to.is_float()) {
                (_, true) => Data::Float(a.floats().into_iter().map(|x| round_to(to, x)).collect()),
                (Data::Int(v), false) if to == ElementKind::Bool => {
                    Data::Int(v.iter().map(|&x| (x != 0) as i64).collect())
                }
                (Data::Int(v), false) => Data::Int(v.clone()),
                (Data::Float(v), false) => {
                    if to == ElementKind::Bool {
                        Data::Int(v.iter().map(|&x| (x != 0.0) as i64).collect())
                    } else {
                        Data::Int(
                            v.iter()
                                .map(|&x| {
                                    if x.is_finite() && x.abs() < 9.0e18 {
                                        Ok(x.trunc() as i64)
                                    } else {
                                        Err(format!("cast of {x} to an integer"))
                                    }
                                })
                                .collect::<std::result::Result<_, _>>()?,
                        )
                    }
                }
            };
            one(Folded {
                dims: a.dims.clone(),
                data: v,
                element: to,
                computed: a.computed,
            })
        }
        Canon::Elementwise { .. } | Canon::Shaped(_) => Err(format!(
            "'{}' is computed by {} '{}', whose values halfpixel does not fold",
            node.outputs.first().map_or("?", |s| s.as_str()),
            node.op,
            node.name
        )),
        Canon::Unpack { axis: ax } => {
            let a = data()?;
            let ax = axis(*ax, a.dims.len())?;
            let t = tensor_of(a)?;
            let n = a.dims[ax];
            let mut outs = Vec::new();
            for i in 0..n.min(node.outputs.len()) {
                let idx = Tensor::new(vec![], vec![i as i64])?;
                let part = each!(&t, x => x.gather(ax, &idx));
                outs.push(Some(folded(part, a.element, a.computed)));
            }
            Ok(outs)
        }
        Canon::Concat { axis: ax } | Canon::Pack { axis: ax } => {
            let parts: Vec<&Folded> = (0..node.inputs.len())
                .filter(|&k| !node.inputs[k].is_empty())
                .map(|k| input(facts, node, k))
                .collect::<std::result::Result<_, _>>()?;
            let first = parts.first().ok_or("Concat of nothing")?;
            let pack = matches!(c, Canon::Pack { .. });
            let rank = first.dims.len() + usize::from(pack);
            let ax = axis(*ax, rank)?;
            let computed = parts.iter().any(|p| p.computed);
            let float = parts.iter().any(|p| matches!(p.data, Data::Float(_)));
            let element = if float {
                parts
                    .iter()
                    .find(|p| p.element.is_float())
                    .map_or(ElementKind::F32, |p| p.element)
            } else {
                first.element
            };
            let reshaped = |p: &Folded| -> Vec<usize> {
                let mut d = p.dims.clone();
                if pack {
                    d.insert(ax.min(d.len()), 1);
                }
                d
            };
            let t = if float {
                let ts: Vec<Tensor<f64>> = parts
                    .iter()
                    .map(|p| Tensor::new(reshaped(p), p.floats()))
                    .collect::<std::result::Result<_, _>>()?;
                T::F(Tensor::concat(&ts.iter().collect::<Vec<_>>(), ax)?)
            } else {
                let ts: Vec<Tensor<i64>> = parts
                    .iter()
                    .map(|p| Tensor::new(reshaped(p), p.ints().unwrap_or_default()))
                    .collect::<std::result::Result<_, _>>()?;
                T::I(Tensor::concat(&ts.iter().collect::<Vec<_>>(), ax)?)
            };
            one(folded(t, element, computed))
        }
        _ => {
            // The data-movement ops: evaluated on the input's values.
            let a = data()?;
            guard(a.len())?;
            let t = tensor_of(a)?;
            let mut computed = a.computed;
            let shape = facts
                .shapes
                .get(node.inputs.first().map_or("", String::as_str))
                .cloned()
                .unwrap_or_default();
            let out = move_data(c, node, facts, t, &shape, &mut computed)?;
            one(folded(out, a.element, computed))
        }
    }
}

fn guard(n: usize) -> std::result::Result<(), Why> {
    if n > MAX_FOLD_ELEMENTS {
        Err(format!("{n} elements are more than halfpixel folds"))
    } else {
        Ok(())
    }
}

/// Runs a data-movement op on a tensor (the folding path; the probe uses [`run_movement`]).
fn move_data(
    c: &Canon,
    node: &super::graph::Node,
    facts: &Facts,
    t: T,
    _shape: &Shape,
    computed: &mut bool,
) -> std::result::Result<T, Why> {
    let dims = match &t {
        T::I(x) => x.dims.clone(),
        T::F(x) => x.dims.clone(),
    };
    let plan = movement_plan(c, node, facts, &dims)?;
    for k in plan.param_inputs.iter() {
        if let Some(v) = node.inputs.get(*k).and_then(|n| facts.values.get(n)) {
            *computed |= v.computed;
        }
    }
    Ok(match t {
        T::I(x) => T::I(plan.apply(x, facts, node)?),
        T::F(x) => T::F(plan.apply(x, facts, node)?),
    })
}

/// A data-movement op with its parameters resolved for an input of known dims.
#[derive(Debug, Clone)]
pub struct Movement {
    kind: MoveKind,
    /// The node inputs that hold parameters (their values were used).
    pub param_inputs: Vec<usize>,
    /// The output dims.
    pub out_dims: Vec<usize>,
}

#[derive(Debug, Clone)]
enum MoveKind {
    Reshape,
    Transpose(Vec<usize>),
    Gather(usize, Tensor<i64>),
    GatherNd(usize, Tensor<i64>),
    Tile(Vec<usize>),
    Broadcast(Vec<usize>),
    Slice(Vec<(i64, i64, usize)>, Vec<usize>),
    /// Several data inputs joined (after reshaping each to `part_dims`).
    Concat(usize),
}

impl Movement {
    /// Runs the op on one data input (all but Concat).
    pub fn apply<X: Copy>(
        &self,
        x: Tensor<X>,
        _facts: &Facts,
        _node: &super::graph::Node,
    ) -> std::result::Result<Tensor<X>, Why> {
        match &self.kind {
            MoveKind::Reshape => x.reshape(self.out_dims.clone()),
            MoveKind::Transpose(p) => x.transpose(p),
            MoveKind::Gather(ax, idx) => x.gather(*ax, idx),
            MoveKind::GatherNd(b, idx) => x.gather_nd(idx, *b),
            MoveKind::Tile(r) => x.tile(r),
            MoveKind::Broadcast(d) => x.broadcast_to(d),
            MoveKind::Slice(r, out) => x.slice(r)?.reshape(out.clone()),
            MoveKind::Concat(_) => Err("concat takes several inputs".into()),
        }
    }

    /// Joins several data inputs (Concat and Pack).
    pub fn join<X: Copy>(&self, parts: Vec<Tensor<X>>) -> std::result::Result<Tensor<X>, Why> {
        match &self.kind {
            MoveKind::Concat(ax) => Tensor::concat(&parts.iter().collect::<Vec<_>>(), *ax),
            _ => Err("not a concat".into()),
        }
    }

    /// Whether the op joins several inputs.
    pub fn is_join(&self) -> bool {
        matches!(self.kind, MoveKind::Concat(_))
    }
}

/// The parameters of a data-movement op for a data input of `dims` (for Concat/Pack: the
/// dims of every input, in `parts`).
pub fn movement_plan(
    c: &Canon,
    node: &super::graph::Node,
    facts: &Facts,
    dims: &[usize],
) -> std::result::Result<Movement, Why> {
    let ints = |p: &Param| facts.param_ints(node, p);
    let inputs_of = |p: &Param| match p {
        Param::Input(k) => vec![*k],
        Param::Ints(_) => vec![],
    };
    let rank = dims.len();
    let mv = |kind: MoveKind, params: Vec<usize>, out_dims: Vec<usize>| Movement {
        kind,
        param_inputs: params,
        out_dims,
    };
    match c {
        Canon::Identity | Canon::Cast { .. } => Ok(mv(MoveKind::Reshape, vec![], dims.to_vec())),
        Canon::Reshape { shape, allowzero } => {
            let target = ints(shape)?;
            let out = reshape_dims(dims, &target, *allowzero)?;
            Ok(mv(MoveKind::Reshape, inputs_of(shape), out))
        }
        Canon::Transpose { perm } => {
            let p = match perm {
                Some(p) => usizes(
                    &ints(p)?
                        .iter()
                        .map(|&a| axis(a, rank).map(|v| v as i64))
                        .collect::<std::result::Result<Vec<_>, _>>()?,
                    "perm",
                )?,
                None => (0..rank).rev().collect(),
            };
            let out = p
                .iter()
                .map(|&k| dims.get(k).copied().ok_or("bad perm"))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            Ok(mv(
                MoveKind::Transpose(p),
                perm.as_ref().map(inputs_of).unwrap_or_default(),
                out,
            ))
        }
        Canon::Squeeze { axes } => {
            let out: Vec<usize> = match axes {
                Some(a) => {
                    let ax: Vec<usize> = ints(a)?
                        .iter()
                        .map(|&x| axis(x, rank))
                        .collect::<std::result::Result<_, _>>()?;
                    if ax.iter().any(|&k| dims[k] != 1) {
                        return Err("squeeze of an axis that is not 1".into());
                    }
                    dims.iter()
                        .enumerate()
                        .filter(|(k, _)| !ax.contains(k))
                        .map(|(_, &d)| d)
                        .collect()
                }
                None => dims.iter().copied().filter(|&d| d != 1).collect(),
            };
            Ok(mv(
                MoveKind::Reshape,
                axes.as_ref().map(inputs_of).unwrap_or_default(),
                out,
            ))
        }
        Canon::Unsqueeze { axes } => {
            let a = ints(axes)?;
            let out_rank = rank + a.len();
            let mut ax: Vec<usize> = a
                .iter()
                .map(|&x| axis(x, out_rank))
                .collect::<std::result::Result<_, _>>()?;
            ax.sort_unstable();
            let mut out = Vec::with_capacity(out_rank);
            let mut it = dims.iter();
            for k in 0..out_rank {
                if ax.contains(&k) {
                    out.push(1);
                } else {
                    out.push(*it.next().ok_or("unsqueeze axes repeat")?);
                }
            }
            Ok(mv(MoveKind::Reshape, inputs_of(axes), out))
        }
        Canon::Gather { axis: a } => {
            let ax = axis(*a, rank)?;
            let idx = input(facts, node, 1)?;
            let t = Tensor::new(idx.dims.clone(), idx.ints().ok_or("non-integer indices")?)?;
            let mut out = dims[..ax].to_vec();
            out.extend_from_slice(&t.dims);
            out.extend_from_slice(&dims[ax + 1..]);
            Ok(mv(MoveKind::Gather(ax, t), vec![1], out))
        }
        Canon::GatherNd { batch_dims } => {
            let idx = input(facts, node, 1)?;
            let t = Tensor::new(idx.dims.clone(), idx.ints().ok_or("non-integer indices")?)?;
            let k = *t.dims.last().ok_or("scalar indices")?;
            let mut out = t.dims[..t.dims.len() - 1].to_vec();
            if batch_dims + k > rank {
                return Err("gather_nd index depth past the rank".into());
            }
            out.extend_from_slice(&dims[batch_dims + k..]);
            Ok(mv(MoveKind::GatherNd(*batch_dims, t), vec![1], out))
        }
        Canon::Tile { repeats } => {
            let r = usizes(&ints(repeats)?, "repeat")?;
            if r.len() != rank {
                return Err(format!("{} repeats for rank {rank}", r.len()));
            }
            let out = dims
                .iter()
                .zip(&r)
                .map(|(d, r)| d.checked_mul(*r).ok_or("overflow"))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            Ok(mv(MoveKind::Tile(r), inputs_of(repeats), out))
        }
        Canon::Expand { shape } => {
            let s = usizes(&ints(shape)?, "dim")?;
            let out = broadcast_dims(dims, &s)?;
            Ok(mv(MoveKind::Broadcast(out.clone()), inputs_of(shape), out))
        }
        Canon::Slice {
            starts,
            ends,
            axes,
            steps,
        } => {
            let (s, e) = (ints(starts)?, ints(ends)?);
            let a: Vec<usize> = match axes {
                Some(a) => ints(a)?
                    .iter()
                    .map(|&x| axis(x, rank))
                    .collect::<std::result::Result<_, _>>()?,
                None => (0..s.len()).collect(),
            };
            let st = match steps {
                Some(p) => ints(p)?,
                None => vec![1; s.len()],
            };
            if s.len() != e.len() || s.len() != a.len() || s.len() != st.len() {
                return Err("slice parameters of different lengths".into());
            }
            let mut ranges: Vec<(i64, i64, usize)> = dims.iter().map(|&d| (0, 1, d)).collect();
            for k in 0..a.len() {
                ranges[a[k]] = onnx_range(s[k], e[k], st[k], dims[a[k]])?;
            }
            let out: Vec<usize> = ranges.iter().map(|r| r.2).collect();
            let mut params = inputs_of(starts);
            params.extend(inputs_of(ends));
            for p in axes.iter().chain(steps.iter()) {
                params.extend(inputs_of(p));
            }
            Ok(mv(MoveKind::Slice(ranges, out.clone()), params, out))
        }
        Canon::TfSlice { begin, size } => {
            let (b, s) = (ints(begin)?, ints(size)?);
            if b.len() != rank || s.len() != rank {
                return Err("slice parameters do not match the rank".into());
            }
            let ranges: Vec<(i64, i64, usize)> = (0..rank)
                .map(|k| {
                    let end = if s[k] < 0 {
                        dims[k] as i64
                    } else {
                        b[k] + s[k]
                    };
                    if b[k] < 0 || end > dims[k] as i64 || end < b[k] {
                        return Err(format!("slice {}..{end} outside 0..{}", b[k], dims[k]));
                    }
                    Ok((b[k], 1, (end - b[k]) as usize))
                })
                .collect::<std::result::Result<_, _>>()?;
            let out: Vec<usize> = ranges.iter().map(|r| r.2).collect();
            let mut params = inputs_of(begin);
            params.extend(inputs_of(size));
            Ok(mv(MoveKind::Slice(ranges, out.clone()), params, out))
        }
        Canon::StridedSlice {
            begin,
            end,
            strides,
            begin_mask,
            end_mask,
            ellipsis_mask,
            new_axis_mask,
            shrink_axis_mask,
            offset,
        } => {
            if *ellipsis_mask != 0 || *new_axis_mask != 0 {
                return Err("strided slices with ellipsis or new-axis masks are not folded".into());
            }
            let (b, e) = (ints(begin)?, ints(end)?);
            let st = match strides {
                Some(p) => ints(p)?,
                None => vec![1; b.len()],
            };
            if b.len() != e.len() || b.len() != st.len() || b.len() > rank {
                return Err("strided slice parameters do not match".into());
            }
            let mut ranges: Vec<(i64, i64, usize)> = dims.iter().map(|&d| (0, 1, d)).collect();
            let mut out = Vec::new();
            for k in 0..rank {
                if k >= b.len() {
                    out.push(dims[k]);
                    continue;
                }
                let n = dims[k] as i64;
                if shrink_axis_mask >> k & 1 == 1 {
                    let i = if b[k] < 0 { b[k] + n } else { b[k] };
                    if !(0..n).contains(&i) {
                        return Err(format!("strided slice index {} outside 0..{n}", b[k]));
                    }
                    ranges[k] = (i, 1, 1);
                    continue;
                }
                let step = st[k];
                let start = if begin_mask >> k & 1 == 1 {
                    if step > 0 {
                        0
                    } else {
                        i64::MAX
                    }
                } else {
                    b[k]
                };
                let stop = if end_mask >> k & 1 == 1 {
                    if step > 0 {
                        i64::MAX
                    } else {
                        i64::MIN
                    }
                } else if *offset {
                    b[k].saturating_add(e[k])
                } else {
                    e[k]
                };
                ranges[k] = onnx_range(start, stop, step, dims[k])?;
                out.push(ranges[k].2);
            }
            let mut params = inputs_of(begin);
            params.extend(inputs_of(end));
            if let Some(s) = strides {
                params.extend(inputs_of(s));
            }
            Ok(mv(MoveKind::Slice(ranges, out.clone()), params, out))
        }
        Canon::Concat { axis: a } => {
            let ax = axis(*a, rank)?;
            Ok(mv(MoveKind::Concat(ax), vec![], vec![]))
        }
        Canon::Pack { axis: a } => {
            let ax = axis(*a, rank + 1)?;
            Ok(mv(MoveKind::Concat(ax), vec![], vec![]))
        }
        _ => Err(format!("{} '{}' is not data movement", node.op, node.name)),
    }
}

/// ONNX Reshape's target dims: `0` copies the input dim (unless `allowzero`), one `−1` is
/// inferred.
pub fn reshape_dims(
    input: &[usize],
    target: &[i64],
    allowzero: bool,
) -> std::result::Result<Vec<usize>, Why> {
    let total = count(input)?;
    let mut out = Vec::with_capacity(target.len());
    let mut infer = None;
    for (k, &t) in target.iter().enumerate() {
        match t {
            -1 if infer.is_none() => {
                infer = Some(k);
                out.push(1);
            }
            0 if !allowzero => out.push(*input.get(k).ok_or("reshape 0 past the input's rank")?),
            t if t >= 0 => out.push(t as usize),
            _ => return Err(format!("reshape target {target:?}")),
        }
    }
    if let Some(k) = infer {
        let known = out
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != k)
            .try_fold(1usize, |p, (_, &d)| p.checked_mul(d))
            .ok_or_else(|| format!("reshape target {target:?} overflows"))?;
        if known == 0 || total % known != 0 {
            return Err(format!("cannot reshape {input:?} to {target:?}"));
        }
        out[k] = total / known;
    }
    if count(&out)? != total {
        return Err(format!("cannot reshape {input:?} to {target:?}"));
    }
    Ok(out)
}

fn binary(op: BinOp, a: &Folded, b: &Folded) -> std::result::Result<Folded, Why> {
    let dims = broadcast_dims(&a.dims, &b.dims)?;
    let n = count(&dims)?;
    guard(n)?;
    let computed = a.computed || b.computed;
    let float = matches!(a.data, Data::Float(_)) || matches!(b.data, Data::Float(_));
    if float {
        let element = if a.element.is_float() {
            a.element
        } else {
            b.element
        };
        let ta = Tensor::new(a.dims.clone(), a.floats())?.broadcast_to(&dims)?;
        let tb = Tensor::new(b.dims.clone(), b.floats())?.broadcast_to(&dims)?;
        let f = |x: f64, y: f64| match op {
            BinOp::Add => x + y,
            BinOp::Sub => x - y,
            BinOp::Mul => x * y,
            BinOp::Div => x / y,
            BinOp::FloorDiv => (x / y).floor(),
            BinOp::Mod => x - y * (x / y).floor(),
            BinOp::Max => x.max(y),
            BinOp::Min => x.min(y),
            BinOp::Pow => x.powf(y),
        };
        let data = ta
            .data
            .iter()
            .zip(&tb.data)
            .map(|(&x, &y)| round_to(element, f(x, y)))
            .collect();
        return Ok(Folded {
            dims,
            data: Data::Float(data),
            element,
            computed,
        });
    }
    let (va, vb) = (a.ints().unwrap_or_default(), b.ints().unwrap_or_default());
    let ta = Tensor::new(a.dims.clone(), va)?.broadcast_to(&dims)?;
    let tb = Tensor::new(b.dims.clone(), vb)?.broadcast_to(&dims)?;
    let f = |x: i64, y: i64| -> Option<i64> {
        match op {
            BinOp::Add => x.checked_add(y),
            BinOp::Sub => x.checked_sub(y),
            BinOp::Mul => x.checked_mul(y),
            BinOp::Div => x.checked_div(y),
            BinOp::FloorDiv => floor_div(x, y),
            BinOp::Mod => x.checked_rem(y).map(|r| {
                if r != 0 && (r < 0) != (y < 0) {
                    r + y
                } else {
                    r
                }
            }),
            BinOp::Max => Some(x.max(y)),
            BinOp::Min => Some(x.min(y)),
            BinOp::Pow => u32::try_from(y).ok().and_then(|e| x.checked_pow(e)),
        }
    };
    let data = ta
        .data
        .iter()
        .zip(&tb.data)
        .map(|(&x, &y)| f(x, y).ok_or_else(|| format!("{x} {op:?} {y} overflows or divides by 0")))
        .collect::<std::result::Result<_, _>>()?;
    Ok(Folded {
        dims,
        data: Data::Int(data),
        element: a.element,
        computed,
    })
}

fn floor_div(x: i64, y: i64) -> Option<i64> {
    let q = x.checked_div(y)?;
    if (x % y != 0) && ((x < 0) != (y < 0)) {
        Some(q - 1)
    } else {
        Some(q)
    }
}

// ---- shapes -----------------------------------------------------------------------------------

fn partial(facts: &Facts, node: &super::graph::Node, k: usize) -> Option<Shape> {
    let name = node.inputs.get(k).filter(|n| !n.is_empty())?;
    facts.shapes.get(name).cloned()
}

fn broadcast_partial(a: &Shape, b: &Shape) -> Option<Shape> {
    let rank = a.len().max(b.len());
    let get = |s: &Shape, k: usize| {
        if k < rank - s.len() {
            Some(1)
        } else {
            s[k - (rank - s.len())]
        }
    };
    (0..rank)
        .map(|k| match (get(a, k), get(b, k)) {
            (Some(x), Some(y)) if x == y || y == 1 => Some(Some(x)),
            (Some(1), Some(y)) => Some(Some(y)),
            (Some(_), Some(_)) => None,
            (Some(1), None) | (None, Some(1)) | (None, None) => Some(None),
            (Some(x), None) | (None, Some(x)) => Some(Some(x)),
        })
        .collect()
}

/// Output shapes of a node from its inputs' shapes (values already folded take precedence).
fn shape_of(c: &Canon, node: &super::graph::Node, facts: &Facts) -> Vec<Option<Shape>> {
    let data = partial(facts, node, 0);
    let ints = |p: &Param| facts.param_ints(node, p).ok();
    let one = |s: Option<Shape>| vec![s];
    match c {
        Canon::Shaped(v) => v.clone(),
        Canon::Elementwise { inputs } => {
            let mut acc: Option<Shape> = None;
            for &k in inputs {
                let s = partial(facts, node, k);
                acc = match (acc, s) {
                    (None, s) => s,
                    (Some(a), Some(b)) => broadcast_partial(&a, &b),
                    (Some(_), None) => None,
                };
                if acc.is_none() {
                    break;
                }
            }
            one(acc)
        }
        Canon::Identity | Canon::Cast { .. } | Canon::Unary(_) => one(data),
        Canon::Binary(_) => match (data, partial(facts, node, 1)) {
            (Some(a), Some(b)) => one(broadcast_partial(&a, &b)),
            _ => one(None),
        },
        Canon::Shape { start, end } => one(data.map(|d| {
            let r = d.len() as i64;
            let clamp = |v: i64| (if v < 0 { v + r } else { v }).clamp(0, r);
            let n = (clamp(end.unwrap_or(r)) - clamp(*start)).max(0) as usize;
            vec![Some(n)]
        })),
        Canon::Transpose { perm } => one(data.and_then(|d| {
            let p: Vec<usize> = match perm {
                Some(p) => ints(p)?
                    .iter()
                    .map(|&a| axis(a, d.len()).ok())
                    .collect::<Option<_>>()?,
                None => (0..d.len()).rev().collect(),
            };
            p.iter().map(|&k| d.get(k).copied()).collect()
        })),
        Canon::Unsqueeze { axes } => one(data.and_then(|d| {
            let a = ints(axes)?;
            let out_rank = d.len() + a.len();
            let ax: Vec<usize> = a
                .iter()
                .map(|&x| axis(x, out_rank).ok())
                .collect::<Option<_>>()?;
            let mut it = d.iter();
            (0..out_rank)
                .map(|k| {
                    if ax.contains(&k) {
                        Some(Some(1))
                    } else {
                        it.next().copied()
                    }
                })
                .collect()
        })),
        Canon::Squeeze { axes } => one(data.and_then(|d| match axes {
            Some(a) => {
                let ax: Vec<usize> = ints(a)?
                    .iter()
                    .map(|&x| axis(x, d.len()).ok())
                    .collect::<Option<_>>()?;
                Some(
                    d.iter()
                        .enumerate()
                        .filter(|(k, _)| !ax.contains(k))
                        .map(|(_, &x)| x)
                        .collect(),
                )
            }
            None => {
                if d.iter().any(Option::is_none) {
                    None
                } else {
                    Some(d.iter().copied().filter(|&x| x != Some(1)).collect())
                }
            }
        })),
        Canon::Reshape { shape, allowzero } => one(ints(shape).and_then(|t| {
            if let Some(d) = data
                .as_ref()
                .and_then(|d| d.iter().copied().collect::<Option<Vec<usize>>>())
            {
                return reshape_dims(&d, &t, *allowzero)
                    .ok()
                    .map(|v| v.into_iter().map(Some).collect());
            }
            Some(
                t.iter()
                    .enumerate()
                    .map(|(k, &x)| match x {
                        0 if !allowzero => data.as_ref().and_then(|d| d.get(k).copied().flatten()),
                        x if x > 0 => Some(x as usize),
                        _ => None,
                    })
                    .collect(),
            )
        })),
        Canon::Concat { axis: a } | Canon::Pack { axis: a } => {
            let pack = matches!(c, Canon::Pack { .. });
            let parts: Option<Vec<Shape>> = (0..node.inputs.len())
                .filter(|&k| !node.inputs[k].is_empty())
                .map(|k| partial(facts, node, k))
                .collect();
            one(parts.and_then(|parts| {
                let first = parts.first()?.clone();
                let rank = first.len() + usize::from(pack);
                let ax = axis(*a, rank).ok()?;
                let mut out: Shape = first.clone();
                if pack {
                    out.insert(ax, Some(parts.len()));
                    return Some(out);
                }
                out[ax] = parts
                    .iter()
                    .map(|p| p.get(ax).copied().flatten())
                    .sum::<Option<usize>>();
                for p in &parts {
                    for (k, d) in out.iter_mut().enumerate().take(rank) {
                        if k != ax && d.is_none() {
                            *d = p.get(k).copied().flatten();
                        }
                    }
                }
                Some(out)
            }))
        }
        Canon::Unpack { axis: a } => {
            let s = data.and_then(|d| {
                let ax = axis(*a, d.len()).ok()?;
                let mut d = d.clone();
                d.remove(ax);
                Some(d)
            });
            vec![s; node.outputs.len()]
        }
        Canon::ConstantOfShape { .. } | Canon::Fill | Canon::Range => one(None),
        _ => {
            // Data movement: with the input's dims fully known, the plan gives the output dims.
            let dims = data.and_then(|d| d.into_iter().collect::<Option<Vec<usize>>>());
            one(dims.and_then(|d| {
                let m = movement_plan(c, node, facts, &d).ok()?;
                if m.is_join() {
                    return None;
                }
                Some(m.out_dims.into_iter().map(Some).collect())
            }))
        }
    }
}

fn element_of(c: &Canon, node: &super::graph::Node, facts: &Facts) -> Option<ElementKind> {
    match c {
        Canon::Cast { to } => *to,
        Canon::Shape { .. } => Some(ElementKind::Int(64)),
        Canon::ConstantOfShape { element, .. } => Some(*element),
        Canon::Shaped(_) => None,
        _ => node.inputs.first().and_then(|i| facts.element(i)),
    }
}
