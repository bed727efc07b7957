//! The numbers behind the pictures: every method's output, the shared colour scales, the
//! differences between methods and the check of each method's claimed equivalents.

use ndarray::{Array2, ArrayView2, Zip};

use super::colormap::{finite_range, ColorScale};
use super::draw::{drawn_side, MAX_SIDE};
use super::input::FigureInput;
use super::methods::Method;
use crate::error::{check_scale, Error, Result};
use crate::op::InputDesc;
use crate::plan::AxisPlan;
use crate::spec::Layout;

/// How the figures are made.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FigureOptions {
    /// The scale factor of both axes (default 2).
    pub scale: f64,
    /// The side, in pixels, of the square each output pixel becomes; `None` picks one so an
    /// output is about [`AUTO_WIDTH`] pixels wide (and at most twice that tall).
    pub cell: Option<u32>,
}

impl Default for FigureOptions {
    fn default() -> Self {
        FigureOptions {
            scale: 2.0,
            cell: None,
        }
    }
}

/// The width an output's heat map gets when no cell size is given.
pub const AUTO_WIDTH: u32 = 400;
const AUTO_MAX_CELL: u32 = 48;

/// One method's output.
#[derive(Debug, Clone)]
pub struct MethodOutput {
    /// The method.
    pub method: Method,
    /// The call it ran, as the operation describes itself.
    pub call: String,
    /// The resized map.
    pub values: Array2<f32>,
    /// Where it samples the input: for each output row and each output column, the source
    /// position it reads ([`sample_positions`]).
    pub samples: [Vec<Option<f64>>; 2],
}

/// The source position each output index of an axis reads: the weighted mean of its taps (for
/// bilinear, the sample coordinate after clamping to the edges; for nearest, the index picked),
/// `None` where the output takes the extrapolation value.
pub fn sample_positions(plan: &AxisPlan) -> Vec<Option<f64>> {
    (0..plan.out_len())
        .map(|o| {
            if plan.is_extrapolated(o) {
                return None;
            }
            let (indices, weights) = plan.taps(o);
            let total: f64 = weights.iter().map(|&w| f64::from(w)).sum();
            let moment: f64 = indices
                .iter()
                .zip(weights)
                .map(|(&i, &w)| f64::from(i) * f64::from(w))
                .sum();
            (total != 0.0).then(|| moment / total)
        })
        .collect()
}

/// The half-pixel sample positions of an axis, `(i + 0.5)·in/out − 0.5` clamped to
/// `[0, in − 1]`: where a resize that keeps the picture in place reads.
pub fn half_pixel_positions(in_len: usize, out_len: usize) -> Vec<f64> {
    let ratio = in_len as f64 / out_len as f64;
    let last = in_len.saturating_sub(1) as f64;
    (0..out_len)
        .map(|i| ((i as f64 + 0.5) * ratio - 0.5).clamp(0.0, last))
        .collect()
}

/// The mean of `positions − half-pixel positions` over the outputs that sample the input: how
/// far, in input pixels, a method reads past where a centred resize reads (positive: it reads
/// further right or down, so the picture moves left or up).
pub fn mean_offset(positions: &[Option<f64>], in_len: usize) -> Option<f64> {
    let reference = half_pixel_positions(in_len, positions.len());
    let offsets: Vec<f64> = positions
        .iter()
        .zip(&reference)
        .filter_map(|(p, r)| p.map(|p| p - r))
        .collect();
    (!offsets.is_empty()).then(|| offsets.iter().sum::<f64>() / offsets.len() as f64)
}

/// How two arrays of one shape differ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiffStats {
    /// The largest `|a − b|` over the elements where it is not NaN (0 when there is none).
    pub max_abs: f64,
    /// Where it is, `[row, column]` (the first such element), if any element differs.
    pub at: Option<[usize; 2]>,
    /// How many elements differ (`a ≠ b`, NaN excluded).
    pub differing: usize,
    /// How many differences are NaN (a NaN in either array, or ∞ − ∞).
    pub nan: usize,
}

impl DiffStats {
    /// The statistics of `a − b`; the arrays must have the same shape.
    pub fn between(a: ArrayView2<f32>, b: ArrayView2<f32>) -> Result<DiffStats> {
        if a.dim() != b.dim() {
            return Err(Error::ShapeMismatch {
                what: "difference".into(),
                expected: vec![a.nrows(), a.ncols()],
                got: vec![b.nrows(), b.ncols()],
            });
        }
        let mut stats = DiffStats {
            max_abs: 0.0,
            at: None,
            differing: 0,
            nan: 0,
        };
        for ((r, c), &x) in a.indexed_iter() {
            let d = f64::from(x - b[[r, c]]).abs();
            if d.is_nan() {
                stats.nan += 1;
            } else if d > 0.0 {
                stats.differing += 1;
                if d > stats.max_abs {
                    stats.max_abs = d;
                    stats.at = Some([r, c]);
                }
            }
        }
        Ok(stats)
    }
}

/// The difference of two methods' outputs, `outputs[a] − outputs[b]`.
#[derive(Debug, Clone)]
pub struct Difference {
    /// Index of the first method in [`Figures::outputs`].
    pub a: usize,
    /// Index of the second.
    pub b: usize,
    /// `a − b`, element by element.
    pub values: Array2<f32>,
    /// Its statistics.
    pub stats: DiffStats,
}

/// A claimed equivalent of a method, checked.
#[derive(Debug, Clone)]
pub struct Equivalence {
    /// Index of the method in [`Figures::outputs`].
    pub method: usize,
    /// The equivalent preset's name.
    pub preset: &'static str,
    /// How its output differs from the method's, or why it could not be compared (it does not
    /// take this scale, or its output has another shape).
    pub result: std::result::Result<DiffStats, String>,
}

/// Everything the pictures show, computed.
#[derive(Debug, Clone)]
pub struct Figures {
    /// The input map.
    pub input: FigureInput,
    /// The scale factor.
    pub scale: f64,
    /// Each method's output, in the order given.
    pub outputs: Vec<MethodOutput>,
    /// The one colour scale of the input and every output: viridis from the smallest to the
    /// largest finite value among all of them.
    pub values: ColorScale,
    /// Every pair of outputs of one shape, `(a, b)` with `a < b`.
    pub differences: Vec<Difference>,
    /// Pairs whose outputs have different shapes (not compared).
    pub not_compared: Vec<(usize, usize)>,
    /// The one colour scale of every difference: diverging, symmetric about 0, ± the largest
    /// finite `|difference|`.
    pub diff_scale: ColorScale,
    /// The equivalents of each method, checked.
    pub equivalences: Vec<Equivalence>,
    /// Pixels per output pixel.
    pub cell: u32,
    /// Pixels per input pixel (the cell scaled by the resize factor, so the input covers about
    /// the area of an output).
    pub input_cell: u32,
}

/// Resizes `input` by every method and derives what the pictures show. Everything runs on the
/// CPU (the reference).
pub fn compute(
    input: &FigureInput,
    methods: &[Method],
    options: &FigureOptions,
) -> Result<Figures> {
    if methods.is_empty() {
        return Err(Error::invalid_argument(
            "methods",
            "(none)",
            "name at least one resize preset",
        ));
    }
    let scale = check_scale("scale", options.scale)?;
    let [h, w] = input.dims();
    for (what, n) in [("height", h), ("width", w)] {
        let out = n as f64 * scale;
        if out > f64::from(MAX_SIDE) {
            return Err(Error::SizeTooLarge {
                what: format!("output {what} ({n} × scale {scale})"),
                value: out as u128,
                limit: u128::from(MAX_SIDE),
            });
        }
    }
    let x = input
        .map
        .as_standard_layout()
        .into_owned()
        .into_shape_with_order((1, 1, h, w))
        .map_err(|e| Error::invalid_argument("input", &input.name, e.to_string()))?;
    let desc = InputDesc {
        dims: [1, 1, h, w],
        layout: Layout::Nchw,
    };
    let run = |method: &Method| -> Result<MethodOutput> {
        let op = method.operation([h, w], scale)?;
        let y = op.run_cpu(x.view(), Layout::Nchw)?;
        let (_, _, oh, ow) = y.dim();
        let values = y
            .into_shape_with_order((oh, ow))
            .map_err(|e| Error::invalid_argument("output", method.name(), e.to_string()))?;
        let samples = match op.plan(&desc)? {
            Some(plan) => [sample_positions(&plan.h), sample_positions(&plan.w)],
            None => [Vec::new(), Vec::new()],
        };
        Ok(MethodOutput {
            method: *method,
            call: op.describe(),
            values,
            samples,
        })
    };

    let outputs = methods.iter().map(run).collect::<Result<Vec<_>>>()?;

    let values = ColorScale::spanning(
        input
            .map
            .iter()
            .chain(outputs.iter().flat_map(|o| o.values.iter())),
    );

    let mut differences = Vec::new();
    let mut not_compared = Vec::new();
    for a in 0..outputs.len() {
        for b in a + 1..outputs.len() {
            let (va, vb) = (&outputs[a].values, &outputs[b].values);
            if va.dim() != vb.dim() {
                not_compared.push((a, b));
                continue;
            }
            let stats = DiffStats::between(va.view(), vb.view())?;
            let mut d = Array2::<f32>::zeros(va.dim());
            Zip::from(&mut d)
                .and(va)
                .and(vb)
                .for_each(|d, &p, &q| *d = p - q);
            differences.push(Difference {
                a,
                b,
                values: d,
                stats,
            });
        }
    }
    let max_abs = finite_range(differences.iter().flat_map(|d| d.values.iter()))
        .map_or(0.0, |(lo, hi)| lo.abs().max(hi.abs()));
    let diff_scale = ColorScale::symmetric(max_abs);

    let mut equivalences = Vec::new();
    for (i, o) in outputs.iter().enumerate() {
        for &name in o.method.equivalents {
            let result = Method::named(name)
                .and_then(|m| run(&m))
                .map_err(|e| e.to_string())
                .and_then(|MethodOutput { values: v, .. }| {
                    DiffStats::between(o.values.view(), v.view()).map_err(|_| {
                        format!(
                            "its output is {}×{}, not {}×{}",
                            v.nrows(),
                            v.ncols(),
                            o.values.nrows(),
                            o.values.ncols()
                        )
                    })
                });
            equivalences.push(Equivalence {
                method: i,
                preset: name,
                result,
            });
        }
    }

    let (oh, ow) = outputs[0].values.dim();
    let cell = match options.cell {
        Some(c) => c,
        None => {
            let by_width = (f64::from(AUTO_WIDTH) / ow as f64).round() as u32;
            let by_height = 2 * AUTO_WIDTH / oh.max(1) as u32;
            by_width.min(by_height).clamp(1, AUTO_MAX_CELL)
        }
    };
    let input_cell = ((f64::from(cell) * ow as f64 / w as f64).round() as u32).max(1);
    // Refuse pictures that cannot be drawn before anything is written.
    drawn_side("input height", h, input_cell)?;
    drawn_side("input width", w, input_cell)?;
    for o in &outputs {
        drawn_side("output height", o.values.nrows(), cell)?;
        drawn_side("output width", o.values.ncols(), cell)?;
    }

    Ok(Figures {
        input: input.clone(),
        scale,
        outputs,
        values,
        differences,
        not_compared,
        diff_scale,
        equivalences,
        cell,
        input_cell,
    })
}
