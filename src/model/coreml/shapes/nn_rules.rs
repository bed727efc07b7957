//! Output shapes of NeuralNetwork layers (`NeuralNetwork.proto` layer descriptions). Layers
//! that work on `[C, H, W]` (convolution, pooling, upsample, …) treat every leading axis as a
//! batch axis, as the proto says for inputs of rank above 3.

use super::{axis, broadcast, flag, int, ints, product, reshape, slice_len, text};
use crate::model::{Graph, Node};

type Out = std::result::Result<Vec<Vec<usize>>, String>;

/// An overflow-checked result of arithmetic on lengths the file declares.
fn ck(v: Option<usize>) -> std::result::Result<usize, String> {
    v.ok_or_else(|| "a length overflows".to_string())
}

/// Layer kinds whose output has the shape of their first input.
const SAME_SHAPE: &[&str] = &[
    "activation",
    "batchnorm",
    "mvn",
    "l2normalize",
    "softmax",
    "lrn",
    "unary",
    "bias",
    "scale",
    "copy",
    "clip",
    "ceil",
    "floor",
    "sign",
    "round",
    "exp2",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "tanh",
    "asinh",
    "acosh",
    "atanh",
    "erf",
    "gelu",
    "logicalNot",
    "softmaxND",
    "reverse",
    "reverseSeq",
    "cumSum",
    "clampedReLU",
    "argSort",
    "layerNormalization",
    "matrixBandPart",
    "lowerTriangular",
    "upperTriangular",
    "randomNormalLike",
    "randomUniformLike",
    "randomBernoulliLike",
    "fillLike",
];

/// Layer kinds that broadcast their inputs element-wise.
const BROADCAST: &[&str] = &[
    "add",
    "multiply",
    "average",
    "max",
    "min",
    "equal",
    "notEqual",
    "lessThan",
    "lessEqual",
    "greaterThan",
    "greaterEqual",
    "logicalOr",
    "logicalXor",
    "logicalAnd",
    "modBroadcastable",
    "minBroadcastable",
    "maxBroadcastable",
    "addBroadcastable",
    "powBroadcastable",
    "divideBroadcastable",
    "floorDivBroadcastable",
    "multiplyBroadcastable",
    "subtractBroadcastable",
    "whereBroadcastable",
];

fn first<'a>(node: &Node, ins: &[&'a Vec<usize>]) -> std::result::Result<&'a Vec<usize>, String> {
    ins.first()
        .copied()
        .ok_or_else(|| format!("layer '{}' ({}) has no input", node.name, node.op))
}

/// The last three axes `[C, H, W]` of a shape, and the leading batch axes.
fn chw(s: &[usize]) -> std::result::Result<(&[usize], [usize; 3]), String> {
    if s.len() < 3 {
        return Err(format!("expected a rank of 3 or more, got shape {s:?}"));
    }
    let r = s.len();
    Ok((&s[..r - 3], [s[r - 3], s[r - 2], s[r - 1]]))
}

fn with_chw(batch: &[usize], c: usize, h: usize, w: usize) -> Vec<usize> {
    let mut v = batch.to_vec();
    v.extend([c, h, w]);
    v
}

/// `[H, W]` pair of an attribute, with a default.
fn pair(node: &Node, key: &str, default: u64) -> [usize; 2] {
    let v = ints(node, key);
    let get = |k: usize| {
        v.get(k)
            .copied()
            .filter(|&x| x > 0)
            .unwrap_or(default as i64) as usize
    };
    [get(0), get(1)]
}

/// `[top, bottom, left, right]` of a border attribute.
fn borders(node: &Node, key: &str) -> [usize; 4] {
    let v = ints(node, key);
    let g = |k: usize| v.get(k).copied().unwrap_or(0).max(0) as usize;
    [g(0), g(1), g(2), g(3)]
}

fn convolution(node: &Node, s: &[usize]) -> std::result::Result<Vec<usize>, String> {
    let (batch, [_, h, w]) = chw(s)?;
    let out_c = int(node, "outputChannels").unwrap_or(0).max(0) as usize;
    let k = pair(node, "kernelSize", 3);
    let st = pair(node, "stride", 1);
    let d = pair(node, "dilationFactor", 1);
    let deconv = flag(node, "isDeconvolution");
    let same = text(node, "padding") == Some("same");
    let [t, b, l, r] = borders(node, "paddingAmounts");
    let hw = [
        (h, ck(t.checked_add(b))?, 0usize),
        (w, ck(l.checked_add(r))?, 1usize),
    ];
    let mut out = [0usize; 2];
    if deconv {
        let os = ints(node, "outputShape");
        for (x, pad, i) in hw {
            out[i] = match os.get(i) {
                Some(&v) if v > 0 && os.len() == 2 => v as usize,
                _ if same => ck(x.checked_mul(st[i]))?,
                _ => ck((x - 1).checked_mul(st[i]).and_then(|v| v.checked_add(k[i])))?
                    .checked_sub(pad)
                    .ok_or("deconvolution padding larger than its output")?,
            };
        }
    } else {
        for (x, pad, i) in hw {
            let kd = ck((k[i] - 1).checked_mul(d[i]).and_then(|v| v.checked_add(1)))?;
            out[i] = if same {
                x.div_ceil(st[i])
            } else {
                let padded = ck(x.checked_add(pad))?;
                padded
                    .checked_sub(kd)
                    .ok_or_else(|| format!("kernel {kd} larger than the padded input {padded}"))?
                    / st[i]
                    + 1
            };
        }
    }
    Ok(with_chw(batch, out_c, out[0], out[1]))
}

fn pooling(node: &Node, s: &[usize]) -> std::result::Result<Vec<usize>, String> {
    let (batch, [c, h, w]) = chw(s)?;
    if flag(node, "globalPooling") {
        return Ok(with_chw(batch, c, 1, 1));
    }
    let k = pair(node, "kernelSize", 3);
    let st = pair(node, "stride", 1);
    let mut out = [0usize; 2];
    match text(node, "padding") {
        Some("same") => {
            out = [h.div_ceil(st[0]), w.div_ceil(st[1])];
        }
        Some("includeLastPixel") => {
            let p = ints(node, "paddingAmounts");
            let p = [
                p.first().copied().unwrap_or(0).max(0) as usize,
                p.get(1).copied().unwrap_or(0).max(0) as usize,
            ];
            for (i, x) in [h, w].into_iter().enumerate() {
                let padded = ck(p[i].checked_mul(2).and_then(|v| v.checked_add(x)))?;
                let span = padded
                    .checked_sub(k[i])
                    .ok_or("pooling kernel larger than its padded input")?;
                let mut o = span.div_ceil(st[i]) + 1;
                if (p[0] > 0 || p[1] > 0) && (o - 1).checked_mul(st[i]) >= x.checked_add(p[i]) {
                    o -= 1;
                }
                out[i] = o;
            }
        }
        _ => {
            let [t, b, l, r] = borders(node, "paddingAmounts");
            for (i, (x, pad)) in [(h, t.checked_add(b)), (w, l.checked_add(r))]
                .into_iter()
                .enumerate()
            {
                out[i] = ck(pad.and_then(|p| p.checked_add(x)))?
                    .checked_sub(k[i])
                    .ok_or("pooling kernel larger than its padded input")?
                    / st[i]
                    + 1;
            }
        }
    }
    Ok(with_chw(batch, c, out[0], out[1]))
}

/// `Upsample` output: `H·scalingFactor` or `floor(H·fractionalScalingFactor)`.
fn upsample(node: &Node, s: &[usize]) -> std::result::Result<Vec<usize>, String> {
    let (batch, [c, h, w]) = chw(s)?;
    let [fh, fw] = match node.attr("fractionalScalingFactor") {
        Some(crate::model::Attr::Floats(f)) if f.len() == 2 => [f[0], f[1]],
        _ => {
            let p = pair(node, "scalingFactor", 1);
            [p[0] as f64, p[1] as f64]
        }
    };
    let scaled = |x: usize, f: f64| -> std::result::Result<usize, String> {
        let v = (x as f64 * f).floor();
        if (1.0..1e15).contains(&v) {
            Ok(v as usize)
        } else {
            Err(format!("upsample of {x} by {f} gives no valid length"))
        }
    };
    Ok(with_chw(batch, c, scaled(h, fh)?, scaled(w, fw)?))
}

fn reorganize(node: &Node, s: &[usize]) -> std::result::Result<Vec<usize>, String> {
    let (batch, [c, h, w]) = chw(s)?;
    let b = int(node, "blockSize").unwrap_or(0);
    if b < 1 {
        return Err(format!("blockSize {b}"));
    }
    let b = usize::try_from(b).map_err(|_| format!("blockSize {b}"))?;
    let bb = ck(b.checked_mul(b))?;
    match text(node, "mode") {
        Some("DEPTH_TO_SPACE") | Some("PIXEL_SHUFFLE") if c.is_multiple_of(bb) => Ok(with_chw(
            batch,
            c / bb,
            ck(h.checked_mul(b))?,
            ck(w.checked_mul(b))?,
        )),
        Some("SPACE_TO_DEPTH") if h.is_multiple_of(b) && w.is_multiple_of(b) => {
            Ok(with_chw(batch, ck(c.checked_mul(bb))?, h / b, w / b))
        }
        mode => Err(format!(
            "reorganizeData {} with blockSize {b} does not fit shape {s:?}",
            mode.unwrap_or("?")
        )),
    }
}

/// `CropResize`: `[1, B, C, H, W]` and RoIs `[N, 1, 4|5, 1, 1]` → `[N, B|1, C, h, w]`.
fn crop_resize(node: &Node, ins: &[&Vec<usize>]) -> std::result::Result<Vec<usize>, String> {
    let x = first(node, ins)?;
    let roi = ins.get(1).ok_or("cropResize needs a second (RoI) input")?;
    let (batch, [c, _, _]) = chw(x)?;
    let b = batch.last().copied().unwrap_or(1);
    let [th, tw] = pair(node, "targetSize", 1);
    let n = roi.first().copied().unwrap_or(1);
    let with_index = roi.len() >= 3 && roi[roi.len() - 3] == 5;
    Ok(vec![n, if with_index { 1 } else { b }, c, th, tw])
}

/// Rank-5 `Permute` of `[Seq, C, H, W]` (batch at axis 1 stays), applied to a shape padded with
/// leading ones to rank 5 and trimmed back.
fn permute(node: &Node, s: &[usize]) -> std::result::Result<Vec<usize>, String> {
    let a = ints(node, "axis");
    let a: Vec<usize> = if a.is_empty() {
        vec![0, 1, 2, 3]
    } else {
        a.iter().map(|&v| v.max(0) as usize).collect()
    };
    let mut sorted = a.clone();
    sorted.sort_unstable();
    if sorted != [0, 1, 2, 3] {
        return Err(format!(
            "permute axis {a:?} is not a permutation of [0, 1, 2, 3]"
        ));
    }
    if s.len() > 5 {
        return Err(format!("permute of rank {} input", s.len()));
    }
    let mut p = vec![1usize; 5 - s.len()];
    p.extend_from_slice(s);
    let seq_chw = [p[0], p[2], p[3], p[4]];
    let o: Vec<usize> = a.iter().map(|&k| seq_chw[k]).collect();
    let full = [o[0], p[1], o[1], o[2], o[3]];
    let drop = 5 - s.len();
    if full[..drop].iter().all(|&d| d == 1) {
        Ok(full[drop..].to_vec())
    } else {
        Ok(full.to_vec())
    }
}

fn transpose(node: &Node, s: &[usize]) -> std::result::Result<Vec<usize>, String> {
    let a = ints(node, "axes");
    if a.len() != s.len() {
        return Err(format!("transpose axes {a:?} for rank {}", s.len()));
    }
    let mut seen = vec![false; s.len()];
    a.iter()
        .map(|&k| {
            let k = axis(k, s.len())?;
            if std::mem::replace(&mut seen[k], true) {
                return Err(format!("transpose axes {a:?} repeat an axis"));
            }
            Ok(s[k])
        })
        .collect()
}

/// Old rank-5 `Reshape`: `[C, H, W]` keeps the leading axes; `[Seq, C, H, W]` only when the
/// sequence length stays 1.
fn reshape_rank5(node: &Node, s: &[usize]) -> std::result::Result<Vec<usize>, String> {
    let t = ints(node, "targetShape");
    let r = s.len();
    match t.len() {
        3 if r >= 3 => {
            let mut out = s[..r - 3].to_vec();
            let tail = reshape(&s[r - 3..], &t, false)?;
            out.extend(tail);
            Ok(out)
        }
        4 if t[0] == 1 && r >= 3 => {
            let mut out = s[..r - 3].to_vec();
            out.extend(reshape(&s[r - 3..], &t[1..], false)?);
            Ok(out)
        }
        _ => Err(format!("rank-5 reshape to {t:?} of shape {s:?}")),
    }
}

fn concat_along(ins: &[&Vec<usize>], ax: usize) -> std::result::Result<Vec<usize>, String> {
    let mut out = ins.first().map(|s| s.to_vec()).ok_or("concat of nothing")?;
    for s in &ins[1..] {
        if s.len() != out.len() {
            return Err(format!("concat of shapes of different ranks {ins:?}"));
        }
        out[ax] = ck(out[ax].checked_add(s[ax]))?;
    }
    Ok(out)
}

fn slice_static(
    node: &Node,
    s: &[usize],
    dynamic: bool,
) -> std::result::Result<Vec<usize>, String> {
    if dynamic {
        return Err("sliceDynamic takes its begin ids from a tensor".into());
    }
    let r = s.len();
    let begin = ints(node, "beginIds");
    let end = ints(node, "endIds");
    let strides = ints(node, "strides");
    let bm = ints(node, "beginMasks");
    let em = ints(node, "endMasks");
    let sq = ints(node, "squeezeMasks");
    if begin.len() != r || end.len() != r || strides.len() != r {
        return Err(format!("sliceStatic parameters for rank {r}"));
    }
    let mut out = Vec::with_capacity(r);
    for k in 0..r {
        if sq.get(k) == Some(&1) {
            continue;
        }
        let b = (bm.get(k) != Some(&1)).then_some(begin[k]);
        let e = (em.get(k) != Some(&1)).then_some(end[k]);
        out.push(slice_len(s[k], b, e, strides[k])?);
    }
    Ok(out)
}

fn tile(node: &Node, s: &[usize], ins: usize) -> std::result::Result<Vec<usize>, String> {
    if ins > 1 {
        return Err("tile takes its repetitions from a tensor".into());
    }
    let reps = ints(node, "reps");
    if reps.len() > s.len() {
        return Err(format!("tile reps {reps:?} for rank {}", s.len()));
    }
    let off = s.len() - reps.len();
    let mut out = s.to_vec();
    for (k, &rep) in reps.iter().enumerate() {
        out[off + k] = out[off + k]
            .checked_mul(rep.max(0) as usize)
            .ok_or("tile overflows")?;
    }
    Ok(out)
}

/// Which axes of a rank a list of (possibly negative) axes names.
fn axis_mask(list: &[i64], rank: usize) -> std::result::Result<Vec<bool>, String> {
    let mut mask = vec![false; rank];
    for &a in list {
        mask[axis(a, rank)?] = true;
    }
    Ok(mask)
}

fn squeeze(node: &Node, s: &[usize]) -> std::result::Result<Vec<usize>, String> {
    if flag(node, "squeezeAll") {
        return Ok(s.iter().copied().filter(|&d| d != 1).collect());
    }
    let axes = axis_mask(&ints(node, "axes"), s.len())?;
    Ok(s.iter()
        .zip(axes)
        .filter(|(_, squeezed)| !squeezed)
        .map(|(&d, _)| d)
        .collect())
}

fn expand_dims(node: &Node, s: &[usize]) -> std::result::Result<Vec<usize>, String> {
    let a = ints(node, "axes");
    let rank = s.len() + a.len();
    let axes = axis_mask(&a, rank)?;
    let mut rest = s.iter();
    axes.into_iter()
        .map(|inserted| {
            if inserted {
                Ok(1)
            } else {
                rest.next()
                    .copied()
                    .ok_or_else(|| format!("expandDims axes {a:?}"))
            }
        })
        .collect()
}

fn reduce_nd(node: &Node, s: &[usize]) -> std::result::Result<Vec<usize>, String> {
    let keep = flag(node, "keepDims");
    let axes = if flag(node, "reduceAll") {
        vec![true; s.len()]
    } else {
        axis_mask(&ints(node, "axes"), s.len())?
    };
    Ok(s.iter()
        .zip(axes)
        .filter_map(|(&d, reduced)| match (reduced, keep) {
            (false, _) => Some(d),
            (true, true) => Some(1),
            (true, false) => None,
        })
        .collect())
}

/// The output shapes of a NeuralNetwork layer for its input shapes.
pub(super) fn outputs(node: &Node, ins: &[&Vec<usize>], graph: &Graph) -> Out {
    let kind = node.op.as_str();
    let one = |s: Vec<usize>| Ok(vec![s]);
    if SAME_SHAPE.contains(&kind) {
        return one(first(node, ins)?.clone());
    }
    if BROADCAST.contains(&kind) {
        return one(broadcast(ins)?);
    }
    match kind {
        "convolution" => one(convolution(node, first(node, ins)?)?),
        "pooling" => one(pooling(node, first(node, ins)?)?),
        "innerProduct" => {
            let s = first(node, ins)?;
            let out_c = int(node, "outputChannels").unwrap_or(0).max(0) as usize;
            let mut o = s.clone();
            let r = o.len();
            if r >= 3 && o[r - 1] == 1 && o[r - 2] == 1 {
                o[r - 3] = out_c;
            } else if let Some(last) = o.last_mut() {
                *last = out_c;
            }
            one(o)
        }
        "padding" => {
            let (batch, [c, h, w]) = chw(first(node, ins)?)?;
            let [t, b, l, r] = borders(node, "paddingAmounts");
            let h = ck(h.checked_add(t).and_then(|v| v.checked_add(b)))?;
            let w = ck(w.checked_add(l).and_then(|v| v.checked_add(r)))?;
            one(with_chw(batch, c, h, w))
        }
        "crop" => {
            let (batch, [c, h, w]) = chw(first(node, ins)?)?;
            if let Some(reference) = ins.get(1) {
                let (_, [_, rh, rw]) = chw(reference)?;
                return one(with_chw(batch, c, rh, rw));
            }
            let [t, b, l, r] = borders(node, "cropAmounts");
            let h = h
                .checked_sub(ck(t.checked_add(b))?)
                .ok_or("crop larger than the input")?;
            let w = w
                .checked_sub(ck(l.checked_add(r))?)
                .ok_or("crop larger than the input")?;
            one(with_chw(batch, c, h, w))
        }
        "upsample" => one(upsample(node, first(node, ins)?)?),
        "resizeBilinear" => {
            let (batch, [c, _, _]) = chw(first(node, ins)?)?;
            let [h, w] = pair(node, "targetSize", 1);
            one(with_chw(batch, c, h, w))
        }
        "cropResize" => one(crop_resize(node, ins)?),
        "reorganizeData" => one(reorganize(node, first(node, ins)?)?),
        "loadConstant" | "loadConstantND" => one(ints(node, "shape")
            .iter()
            .map(|&d| d.max(0) as usize)
            .collect()),
        "reshape" => one(reshape_rank5(node, first(node, ins)?)?),
        "reshapeStatic" => one(reshape(
            first(node, ins)?,
            &ints(node, "targetShape"),
            false,
        )?),
        "rankPreservingReshape" => one(reshape(
            first(node, ins)?,
            &ints(node, "targetShape"),
            true,
        )?),
        "reshapeDynamic" => {
            let target = node
                .inputs
                .get(1)
                .and_then(|t| graph.constants.get(t))
                .and_then(|c| c.values.as_i64())
                .ok_or("reshapeDynamic takes its shape from a tensor that is not a constant")?;
            one(reshape(first(node, ins)?, &target, false)?)
        }
        "reshapeLike" | "broadcastToLike" => {
            let r = ins.get(1).ok_or("needs a second input")?;
            if kind == "reshapeLike" {
                if product(first(node, ins)?)? != product(r)? {
                    return Err(format!("reshapeLike of {:?} to {r:?}", ins[0]));
                }
                one(r.to_vec())
            } else {
                one(broadcast(&[ins[0], r])?)
            }
        }
        "flatten" => {
            let (batch, [c, h, w]) = chw(first(node, ins)?)?;
            one(with_chw(batch, product(&[c, h, w])?, 1, 1))
        }
        "flattenTo2D" => {
            let s = first(node, ins)?;
            let a = int(node, "axis").unwrap_or(1);
            let a = if a < 0 { a + s.len() as i64 } else { a };
            if !(0..=s.len() as i64).contains(&a) {
                return Err(format!("flattenTo2D axis {a} for rank {}", s.len()));
            }
            let a = a as usize;
            one(vec![product(&s[..a])?, product(&s[a..])?])
        }
        "permute" => one(permute(node, first(node, ins)?)?),
        "transpose" => one(transpose(node, first(node, ins)?)?),
        "concat" => {
            let r = first(node, ins)?.len();
            let back = if flag(node, "sequenceConcat") { 5 } else { 3 };
            let ax = r
                .checked_sub(back)
                .ok_or_else(|| format!("concat along axis -{back} of rank {r}"))?;
            one(concat_along(ins, ax)?)
        }
        "concatND" => {
            let r = first(node, ins)?.len();
            one(concat_along(ins, axis(int(node, "axis").unwrap_or(0), r)?)?)
        }
        "split" => {
            let s = first(node, ins)?;
            let n = node.outputs.len().max(1);
            let r = s.len();
            let ax = r.checked_sub(3).ok_or("split of rank below 3")?;
            if !s[ax].is_multiple_of(n) {
                return Err(format!("split of {} channels into {n}", s[ax]));
            }
            let mut o = s.clone();
            o[ax] /= n;
            Ok(vec![o; n])
        }
        "splitND" => {
            let s = first(node, ins)?;
            let ax = axis(int(node, "axis").unwrap_or(0), s.len())?;
            let sizes = ints(node, "splitSizes");
            let n = node.outputs.len().max(1);
            let parts: Vec<usize> = if sizes.len() == n {
                sizes.iter().map(|&v| v.max(0) as usize).collect()
            } else if s[ax].is_multiple_of(n) {
                vec![s[ax] / n; n]
            } else {
                return Err(format!("splitND of {} into {n}", s[ax]));
            };
            Ok(parts
                .into_iter()
                .map(|p| {
                    let mut o = s.clone();
                    o[ax] = p;
                    o
                })
                .collect())
        }
        "slice" => {
            let s = first(node, ins)?;
            let r = s.len();
            let back = match text(node, "axis") {
                Some("CHANNEL_AXIS") => 3,
                Some("HEIGHT_AXIS") => 2,
                Some("WIDTH_AXIS") => 1,
                other => return Err(format!("slice axis {other:?}")),
            };
            let ax = r.checked_sub(back).ok_or("slice axis beyond the rank")?;
            let mut o = s.clone();
            o[ax] = slice_len(
                s[ax],
                int(node, "startIndex"),
                int(node, "endIndex"),
                int(node, "stride").unwrap_or(1).max(1),
            )?;
            one(o)
        }
        "sliceStatic" => one(slice_static(node, first(node, ins)?, false)?),
        "sliceDynamic" => one(slice_static(node, first(node, ins)?, true)?),
        "sliceBySize" => {
            let s = first(node, ins)?;
            let ax = axis(int(node, "axis").unwrap_or(0), s.len())?;
            let mut o = s.clone();
            o[ax] = int(node, "size").unwrap_or(0).max(0) as usize;
            one(o)
        }
        "tile" => one(tile(node, first(node, ins)?, ins.len())?),
        "gather" => {
            let p = first(node, ins)?;
            let idx = ins.get(1).ok_or("gather needs indices")?;
            let ax = axis(int(node, "axis").unwrap_or(0), p.len())?;
            let mut o = p[..ax].to_vec();
            o.extend(idx.iter());
            o.extend(&p[ax + 1..]);
            one(o)
        }
        "gatherND" => {
            let p = first(node, ins)?;
            let idx = ins.get(1).ok_or("gatherND needs indices")?;
            let k = *idx.last().ok_or("gatherND indices of rank 0")?;
            if k > p.len() {
                return Err(format!("gatherND indices {idx:?} for shape {p:?}"));
            }
            let mut o = idx[..idx.len() - 1].to_vec();
            o.extend(&p[k..]);
            one(o)
        }
        "gatherAlongAxis" => one(ins.get(1).ok_or("needs indices")?.to_vec()),
        "squeeze" => one(squeeze(node, first(node, ins)?)?),
        "expandDims" => one(expand_dims(node, first(node, ins)?)?),
        "broadcastToStatic" => {
            let t: Vec<usize> = ints(node, "targetShape")
                .iter()
                .map(|&d| d.max(0) as usize)
                .collect();
            one(broadcast(&[first(node, ins)?, &t])?)
        }
        "stack" => {
            let s = first(node, ins)?;
            let ax = axis(int(node, "axis").unwrap_or(0), s.len() + 1)?;
            let mut o = s.clone();
            o.insert(ax, ins.len());
            one(o)
        }
        "constantPad" => {
            let s = first(node, ins)?;
            let p = ints(node, "padAmounts");
            if flag(node, "padToGivenOutputSizeMode")
                || !p.len().is_multiple_of(2)
                || p.len() / 2 > s.len()
            {
                return Err(format!("constantPad {p:?} of shape {s:?}"));
            }
            let off = s.len() - p.len() / 2;
            let mut o = s.clone();
            for k in 0..p.len() / 2 {
                let pad = (p[2 * k].max(0) as usize).checked_add(p[2 * k + 1].max(0) as usize);
                o[off + k] = ck(pad.and_then(|v| v.checked_add(o[off + k])))?;
            }
            one(o)
        }
        "reduce" => {
            let s = first(node, ins)?;
            let (batch, [c, h, w]) = chw(s)?;
            one(match text(node, "axis") {
                Some("CHW") => with_chw(batch, 1, 1, 1),
                Some("HW") => with_chw(batch, c, 1, 1),
                Some("C") => with_chw(batch, 1, h, w),
                Some("H") => with_chw(batch, c, 1, w),
                Some("W") => with_chw(batch, c, h, 1),
                other => return Err(format!("reduce axis {other:?}")),
            })
        }
        k if k.starts_with("reduce") => one(reduce_nd(node, first(node, ins)?)?),
        "getShape" => one(vec![first(node, ins)?.len()]),
        other => Err(format!(
            "halfpixel does not follow shapes through NeuralNetwork '{other}' layers (layer '{}')",
            node.name
        )),
    }
}
