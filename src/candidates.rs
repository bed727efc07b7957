//! Every explanation halfpixel can offer for an input shape and an output shape: each named preset
//! ([`crate::presets::named`]) with each target it can take, and each combination of the portable
//! vocabulary (ONNX Resize's attributes and halfpixel's extensions). `identify` runs them all on
//! an input and compares with an output; `matrix` compares presets with each other.
//!
//! What is enumerated beyond the shapes themselves is a [`Search`]: the scale factors to try
//! besides the one the sizes imply (`out / in`), and cubic coefficients besides −0.75 and −0.5.
//! [`round_scales`] lists the scale factors a user plausibly wrote for a pair of sizes.

use crate::op::{InputDesc, Operation};
use crate::presets::named::{self, Accepts, Kind, NamedPreset, Request, Target};
use crate::spec::{CoordinateTransform, Layout, Mode, NearestMode, ResizeSpec};

/// Where a candidate comes from.
#[derive(Debug, Clone)]
pub enum Origin {
    /// A named preset with a target.
    Named {
        /// The preset.
        preset: &'static NamedPreset,
        /// The output size, scales or block it was given.
        target: Target,
    },
    /// A combination of the portable vocabulary.
    Portable(ResizeSpec),
}

/// One way to produce the output shape from the input shape.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Where it comes from.
    pub origin: Origin,
    /// The operation, ready to run.
    pub op: Operation,
}

impl Candidate {
    /// A short name: the preset name and its target, or `portable` and the spec.
    pub fn label(&self) -> String {
        match &self.origin {
            Origin::Named { preset, target } => format!("{} {}", preset.name, target_text(target)),
            Origin::Portable(_) => format!("portable {}", self.op.describe()),
        }
    }

    /// The call to write: the framework call the operation mirrors, with its values.
    pub fn call(&self) -> String {
        self.op.describe()
    }
}

/// What to enumerate besides the output size: the scale factors and cubic coefficients a caller
/// may have used.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Search {
    /// Scale factors `[height, width]` to try besides `out / in`, for the presets and portable
    /// specs that take scale factors (a preset whose output size rule does not give the output
    /// shape with a scale drops it).
    pub scales: Vec<[f64; 2]>,
    /// Keys cubic coefficients to try besides −0.75 and −0.5, for portable `cubic` specs.
    pub cubic_coeff_a: Vec<f64>,
}

impl Search {
    /// The search of the original API: only the user's scale hint, if any.
    pub fn from_hint(scale_hint: Option<[f64; 2]>) -> Self {
        Search {
            scales: scale_hint.into_iter().collect(),
            cubic_coeff_a: Vec::new(),
        }
    }
}

/// How each framework that takes a scale factor computes the output length from it, as
/// `(frameworks, rule, length)` for an input length and a scale:
///
/// - `floor(in · s)` in float64: PyTorch (`F.interpolate`: `math.floor(float(in) *
///   scale_factor)`), Core ML (`floor(H · scale_factor_height)`), Keras' integer factors;
/// - `floor(in · float32(s))`: ONNX (`scales` is a float32 tensor; the reference multiplies it
///   by the shape in float64), so `scales = 1.8` turns 5 into `floor(5 · 1.7999999523) = 8`, not 9;
/// - `round(in · s)`, ties to even: OpenCV `cv2.resize(fx, fy)` (`saturate_cast<int>`).
pub fn output_lengths(in_len: usize, scale: f64) -> [(&'static str, &'static str, f64); 3] {
    let i = in_len as f64;
    [
        ("torch, coreml", "floor(in·s)", (i * scale).floor()),
        (
            "onnx",
            "floor(in·float32(s))",
            (i * (scale as f32 as f64)).floor(),
        ),
        (
            "opencv",
            "round(in·s)",
            crate::plan::opencv::size_from_factor(in_len, scale),
        ),
    ]
}

/// Scale factors a user plausibly wrote to turn `input` (height, width) into `output`: factors
/// with two significant digits chosen per axis (`scale_factor=(2.0, 1.5)`, `(0.3, 0.45)`), and
/// factors with three significant digits shared by both axes (`scale_factor=1.25`, `0.667`),
/// that give the output length under some framework's own arithmetic ([`output_lengths`]:
/// `floor(in·s)` for PyTorch and Core ML, `floor(in·float32(s))` for ONNX, `round(in·s)` for
/// OpenCV `fx`, `fy`). Each preset then keeps only the factors its own rule accepts. Significant digits, not decimals, keep the list short where a small input
/// becomes a large output (nobody writes 128.3). The exact ratio `out / in` is not included
/// (every search tries it); anything finer (three digits that differ per axis, `2.3, 2.94`) has
/// to be given as a hint.
///
/// They come in the order a person is likely to have written them: fewest significant digits
/// first (a factor shared by both axes is written once: `0.6` counts 1, `(2.0, 1.5)` counts 3),
/// then nearest the ratio.
pub fn round_scales(input: [usize; 2], output: [usize; 2]) -> Vec<[f64; 2]> {
    // Scales whose output length under some framework's rule is out.
    let fits = |s: f64, axis: usize| {
        let o = output[axis] as f64;
        s > 0.0
            && output_lengths(input[axis], s)
                .iter()
                .any(|&(_, _, len)| len == o)
    };
    let grid = |axis: usize, digits: i32| -> Vec<f64> {
        let (i, o) = (input[axis] as f64, output[axis] as f64);
        if i == 0.0 || o == 0.0 {
            return Vec::new();
        }
        // Every rule's scales lie in [(out − 0.5)/in, (out + 1)/in], widened by float32's
        // rounding of `s` (ONNX) at the top.
        let (lo, hi) = ((o - 0.5).max(0.5) / i, (o + 1.0) / i * (1.0 + 1e-6));
        let mut out = Vec::new();
        for e in (lo.log10().floor() as i32)..=(hi.log10().floor() as i32) {
            // Multiples of 10^(e − digits + 1), written as k / 10^p or k · 10^−p so that each
            // value is the double nearest its decimal literal.
            let p = digits - 1 - e;
            let value = |k: f64| {
                if p >= 0 {
                    k / 10f64.powi(p)
                } else {
                    k * 10f64.powi(-p)
                }
            };
            let step = 10f64.powi(-p);
            // The mantissas with exactly `digits` digits in this decade.
            let (m0, m1) = (10i64.pow(digits as u32 - 1), 10i64.pow(digits as u32) - 1);
            let (k0, k1) = ((lo / step).floor() as i64, (hi / step).ceil() as i64);
            for k in k0.max(m0)..=k1.min(m1) {
                let s = value(k as f64);
                if fits(s, axis) && !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        out
    };
    let ratio = [
        output[0] as f64 / input[0] as f64,
        output[1] as f64 / input[1] as f64,
    ];
    let mut out: Vec<[f64; 2]> = Vec::new();
    let mut push = |pair: [f64; 2]| {
        if pair != ratio && !out.contains(&pair) {
            out.push(pair);
        }
    };
    let (hs, ws) = (grid(0, 2), grid(1, 2));
    for &sh in &hs {
        for &sw in &ws {
            push([sh, sw]);
        }
    }
    for s in grid(0, 3) {
        if fits(s, 1) {
            push([s, s]);
        }
    }
    let digits = |[sh, sw]: [f64; 2]| {
        if sh == sw {
            significant_digits(sh)
        } else {
            significant_digits(sh) + significant_digits(sw)
        }
    };
    let distance = |[sh, sw]: [f64; 2]| (sh / ratio[0]).ln().abs() + (sw / ratio[1]).ln().abs();
    out.sort_by(|&a, &b| {
        digits(a)
            .cmp(&digits(b))
            .then(distance(a).total_cmp(&distance(b)))
    });
    out
}

/// How many significant digits the shortest decimal form of `v` has (`0.45` → 2, `2.0` → 1).
fn significant_digits(v: f64) -> usize {
    let text = format!("{v}");
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .trim_start_matches('0')
        .trim_end_matches('0')
        .len()
        .max(1)
}

/// `size=[h, w]`, `scale=[sh, sw]` or `block=b`.
pub fn target_text(target: &Target) -> String {
    match target {
        Target::Size([h, w]) => format!("size={h}x{w}"),
        Target::Scale([sh, sw]) => format!("scale={sh},{sw}"),
        Target::Block(b) => format!("block={b}"),
    }
}

/// What turns `input` into `output`: a resize (same batch and channels), a depth_to_space or a
/// space_to_depth with a block size, or nothing halfpixel knows.
pub fn kinds_for(input: [usize; 4], output: [usize; 4]) -> Vec<(Kind, Option<usize>)> {
    let [n, c, h, w] = input;
    let [on, oc, oh, ow] = output;
    let mut kinds = Vec::new();
    if n == on && c == oc {
        kinds.push((Kind::Resize, None));
    }
    if n == on && oh > h && h > 0 && w > 0 && oh % h == 0 && ow % w == 0 && oh / h == ow / w {
        let b = oh / h;
        if oc.checked_mul(b * b) == Some(c) {
            kinds.push((Kind::DepthToSpace, Some(b)));
        }
    }
    if n == on && oh < h && oh > 0 && ow > 0 && h % oh == 0 && w % ow == 0 && h / oh == w / ow {
        let b = h / oh;
        if c.checked_mul(b * b) == Some(oc) {
            kinds.push((Kind::SpaceToDepth, Some(b)));
        }
    }
    kinds
}

/// The targets worth trying for a resize preset that takes `accepts`, from `input` to `output`
/// (height and width). `scale_hint` adds scale factors the user knows were used.
pub fn resize_targets(
    accepts: Accepts,
    input: [usize; 2],
    output: [usize; 2],
    scale_hint: Option<[f64; 2]>,
) -> Vec<Target> {
    targets_with_scales(
        accepts,
        input,
        output,
        &Search::from_hint(scale_hint).scales,
    )
}

/// The targets worth trying for a resize preset that takes `accepts`: the output size, and the
/// scale factors `scales` (in order, then the ratio `out / in` if it is not among them).
pub fn targets_with_scales(
    accepts: Accepts,
    input: [usize; 2],
    output: [usize; 2],
    scales: &[[f64; 2]],
) -> Vec<Target> {
    let [h, w] = input;
    let [oh, ow] = output;
    let ratio = [oh as f64 / h as f64, ow as f64 / w as f64];
    let integer = h > 0 && w > 0 && oh % h == 0 && ow % w == 0;
    let mut all: Vec<[f64; 2]> = Vec::new();
    for &s in scales {
        if !all.contains(&s) {
            all.push(s);
        }
    }
    if !all.contains(&ratio) {
        all.push(ratio);
    }
    let mut targets = Vec::new();
    match accepts {
        Accepts::SizeOrScale => {
            targets.push(Target::Size(output));
            targets.extend(all.into_iter().map(Target::Scale));
        }
        Accepts::Size => targets.push(Target::Size(output)),
        Accepts::Scale => targets.extend(all.into_iter().map(Target::Scale)),
        Accepts::IntegerScale => {
            if integer {
                targets.push(Target::Scale(ratio));
            }
        }
        Accepts::Block => {}
    }
    targets
}

/// Every named preset, with every target it can take, whose operation maps `input` to `output`.
pub fn named_candidates(
    input: [usize; 4],
    output: [usize; 4],
    layout: Layout,
    scale_hint: Option<[f64; 2]>,
) -> Vec<Candidate> {
    named_candidates_in(input, output, layout, &Search::from_hint(scale_hint))
}

/// [`named_candidates`] with the scale factors of `search`.
pub fn named_candidates_in(
    input: [usize; 4],
    output: [usize; 4],
    layout: Layout,
    search: &Search,
) -> Vec<Candidate> {
    let kinds = kinds_for(input, output);
    let mut out = Vec::new();
    for preset in named::all() {
        for &(kind, block) in &kinds {
            if preset.kind != kind {
                continue;
            }
            let targets = match block {
                Some(b) => vec![Target::Block(b)],
                None => targets_with_scales(
                    preset.accepts,
                    [input[2], input[3]],
                    [output[2], output[3]],
                    &search.scales,
                ),
            };
            for target in targets {
                let request = Request {
                    target,
                    input,
                    attributes: &[],
                };
                if let Ok(op) = preset.build(&request) {
                    if produces(&op, input, output, layout) {
                        out.push(Candidate {
                            origin: Origin::Named { preset, target },
                            op,
                        });
                    }
                }
            }
        }
    }
    out
}

/// The coordinate mappings worth trying without extra parameters (no roi).
const MAPPINGS: [CoordinateTransform; 7] = [
    CoordinateTransform::HalfPixel,
    CoordinateTransform::HalfPixelSymmetric,
    CoordinateTransform::PytorchHalfPixel,
    CoordinateTransform::AlignCorners,
    CoordinateTransform::Asymmetric,
    CoordinateTransform::TfHalfPixelForNearest,
    CoordinateTransform::AlignCornersCentered,
];

/// Cubic coefficients worth trying: PyTorch/ONNX/OpenCV's −0.75 and TF/PIL's −0.5.
const CUBIC_A: [f64; 2] = [-0.75, -0.5];

/// Every valid combination of the portable vocabulary that maps `input` to `output` (a resize:
/// same batch and channels): each mode with each mapping, nearest rounding, cubic coefficient,
/// `exclude_outside` and `antialias` where they mean something, with the scale derived from the
/// sizes and, when given, `scale_hint`.
pub fn portable_candidates(
    input: [usize; 4],
    output: [usize; 4],
    layout: Layout,
    scale_hint: Option<[f64; 2]>,
) -> Vec<Candidate> {
    portable_candidates_in(input, output, layout, &Search::from_hint(scale_hint))
}

/// [`portable_candidates`] with the scale factors and extra cubic coefficients of `search`.
pub fn portable_candidates_in(
    input: [usize; 4],
    output: [usize; 4],
    layout: Layout,
    search: &Search,
) -> Vec<Candidate> {
    if input[0] != output[0] || input[1] != output[1] {
        return Vec::new();
    }
    let size = [output[2], output[3]];
    let shrinking = output[2] < input[2] || output[3] < input[3];
    let mut scales = vec![None];
    for &s in &search.scales {
        if !scales.contains(&Some(s)) {
            scales.push(Some(s));
        }
    }
    let mut cubic_a: Vec<f64> = CUBIC_A.to_vec();
    for &a in &search.cubic_coeff_a {
        if a.is_finite() && !cubic_a.contains(&a) {
            cubic_a.push(a);
        }
    }
    let mut specs = Vec::new();
    for mode in Mode::ALL {
        let mappings: &[CoordinateTransform] = if matches!(mode, Mode::Area | Mode::AdaptiveAvgPool)
        {
            &[CoordinateTransform::HalfPixel]
        } else {
            &MAPPINGS
        };
        for &ctm in mappings {
            let nearest_modes: Vec<Option<NearestMode>> = if mode == Mode::Nearest {
                NearestMode::ALL.iter().copied().map(Some).collect()
            } else {
                vec![None]
            };
            let cubic: Vec<Option<f64>> = if mode == Mode::Cubic {
                cubic_a.iter().copied().map(Some).collect()
            } else {
                vec![None]
            };
            let excludes: &[bool] = if mode.has_window() && mode != Mode::Nearest {
                &[false, true]
            } else {
                &[false]
            };
            let antialias: &[bool] = if mode.supports_antialias() && shrinking {
                &[false, true]
            } else {
                &[false]
            };
            for &nm in &nearest_modes {
                for &a in &cubic {
                    for &ex in excludes {
                        for &aa in antialias {
                            for &scale in &scales {
                                let mut s = ResizeSpec::new(mode, ctm, size);
                                s.nearest_mode = nm;
                                s.cubic_coeff_a = a;
                                s.exclude_outside = ex;
                                s.antialias = aa;
                                s.scale = scale;
                                specs.push(s);
                            }
                        }
                    }
                }
            }
        }
    }
    specs
        .into_iter()
        .filter(|s| s.validate().is_ok())
        .filter_map(|s| {
            let op = Operation::from(s.clone());
            produces(&op, input, output, layout).then_some(Candidate {
                origin: Origin::Portable(s),
                op,
            })
        })
        .collect()
}

/// Named candidates, then portable ones.
pub fn all_candidates(
    input: [usize; 4],
    output: [usize; 4],
    layout: Layout,
    scale_hint: Option<[f64; 2]>,
) -> Vec<Candidate> {
    search_candidates(input, output, layout, &Search::from_hint(scale_hint))
}

/// Named candidates, then portable ones, for everything `search` asks to try.
pub fn search_candidates(
    input: [usize; 4],
    output: [usize; 4],
    layout: Layout,
    search: &Search,
) -> Vec<Candidate> {
    let mut all = named_candidates_in(input, output, layout, search);
    all.extend(portable_candidates_in(input, output, layout, search));
    all
}

/// Whether `op` turns an input of `input` into an output of `output`.
fn produces(op: &Operation, input: [usize; 4], output: [usize; 4], layout: Layout) -> bool {
    op.output_dims(&InputDesc {
        dims: input,
        layout,
    })
    .is_ok_and(|d| d == output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_2x_upsample_has_named_and_portable_candidates() {
        let all = all_candidates([1, 3, 5, 6], [1, 3, 10, 12], Layout::Nchw, None);
        let labels: Vec<String> = all.iter().map(Candidate::label).collect();
        for want in [
            "torch.bilinear size=10x12",
            "torch.bilinear scale=2,2",
            "tf1.bilinear.align_corners size=10x12",
            "mps.upsampling_bilinear scale=2,2",
            "coreml.nn.upsample scale=2,2",
        ] {
            assert!(
                labels.iter().any(|l| l == want),
                "{want} missing: {labels:?}"
            );
        }
        assert!(labels
            .iter()
            .any(|l| l.starts_with("portable resize(mode=cubic")));
        // The portable antialias flag is only tried when shrinking (it changes nothing otherwise).
        assert!(!labels
            .iter()
            .any(|l| l.starts_with("portable") && l.contains("antialias")));
    }

    #[test]
    fn pixel_shuffle_shapes_get_block_candidates_only_where_they_fit() {
        let d2s = all_candidates([1, 12, 4, 5], [1, 3, 8, 10], Layout::Nchw, None);
        assert!(!d2s.is_empty());
        assert!(d2s.iter().all(|c| matches!(
            c.origin,
            Origin::Named {
                target: Target::Block(2),
                ..
            }
        )));
        let s2d = named_candidates([1, 3, 8, 10], [1, 12, 4, 5], Layout::Nchw, None);
        assert!(s2d
            .iter()
            .any(|c| c.label() == "torch.pixel_unshuffle block=2"));
        assert!(all_candidates([1, 3, 8, 10], [1, 5, 4, 5], Layout::Nchw, None).is_empty());
    }

    #[test]
    fn round_scales_are_short_factors_that_give_the_output_size() {
        // PyTorch scale_factor=1.5 on 7×9 gives 10×13; so do 1.45 (both axes) and (1.4, 1.5).
        let s = round_scales([7, 9], [10, 13]);
        for want in [[1.5, 1.5], [1.45, 1.45], [1.4, 1.5]] {
            assert!(s.contains(&want), "{want:?} missing: {s:?}");
        }
        // Two significant digits per axis: (0.3, 0.45) for 10×10 → 3×4.
        assert!(round_scales([10, 10], [3, 4]).contains(&[0.3, 0.45]));
        // Three digits that differ per axis are left to the hint.
        assert!(!round_scales([2, 2], [4, 5]).contains(&[2.3, 2.94]));
        for [sh, sw] in s {
            for (s, i, o) in [(sh, 7, 10.0), (sw, 9, 13.0)] {
                assert!(
                    output_lengths(i, s).iter().any(|r| r.2 == o),
                    "{s} does not give {o} from {i}"
                );
            }
        }
        // ONNX's float32 scales: floor(5 · float32(1.8)) = 8, while floor(5 · 1.8) = 9.
        assert_eq!(
            output_lengths(5, 1.8).map(|r| r.2),
            [9.0, 8.0, 9.0],
            "torch/coreml, onnx, opencv"
        );
        assert!(round_scales([5, 5], [8, 8]).contains(&[1.8, 1.8]));
        assert!(!round_scales([5, 5], [9, 9]).is_empty());
        // The ratio is never listed, and a small input becoming a large output stays cheap.
        assert!(!round_scales([4, 4], [8, 8]).contains(&[2.0, 2.0]));
        assert!(round_scales([2, 2], [256, 256]).is_empty());
        assert!(round_scales([0, 2], [4, 4]).is_empty());
        // At most two significant digits per axis, three on both: 600 → 1 has ~40 per axis.
        let big = round_scales([600, 600], [1, 1]);
        assert!(big.len() < 2500, "{}", big.len());
        assert!(big.contains(&[0.0012, 0.0025]) && big.contains(&[0.00125, 0.00125]));
        // Simplest first: one shared digit, then nearest the ratio.
        let small = round_scales([2, 4], [1, 2]);
        // (0.4, 0.4) gives 1×2 by OpenCV's round(in·s) and lies nearer the ratio 0.5 than 0.7.
        assert_eq!(&small[..3], &[[0.6, 0.6], [0.4, 0.4], [0.7, 0.7]]);
        assert_eq!(significant_digits(0.45), 2);
        assert_eq!(significant_digits(120.0), 2);
        assert_eq!(significant_digits(0.00125), 3);
    }

    #[test]
    fn a_search_adds_scales_and_cubic_coefficients() {
        let search = Search {
            scales: vec![[1.5, 1.5]],
            cubic_coeff_a: vec![-0.6],
        };
        let all = search_candidates([1, 1, 7, 9], [1, 1, 10, 13], Layout::Nchw, &search);
        let labels: Vec<String> = all.iter().map(Candidate::label).collect();
        assert!(labels.contains(&"torch.bilinear scale=1.5,1.5".to_string()));
        assert!(labels
            .iter()
            .any(|l| l.contains("cubic_coeff_a=-0.6") && l.contains("scale=[1.5, 1.5]")));
        // The original API is the search of the hint alone.
        assert_eq!(
            all_candidates([1, 1, 7, 9], [1, 1, 10, 13], Layout::Nchw, Some([1.5, 1.5])).len(),
            search_candidates(
                [1, 1, 7, 9],
                [1, 1, 10, 13],
                Layout::Nchw,
                &Search::from_hint(Some([1.5, 1.5]))
            )
            .len()
        );
        assert_eq!(
            targets_with_scales(Accepts::Scale, [7, 9], [10, 13], &[[1.5, 1.5]]),
            vec![
                Target::Scale([1.5, 1.5]),
                Target::Scale([10.0 / 7.0, 13.0 / 9.0])
            ]
        );
    }

    #[test]
    fn shrinking_tries_antialias_and_integer_only_presets_need_multiples() {
        let all = all_candidates([1, 1, 20, 20], [1, 1, 7, 9], Layout::Nchw, None);
        let labels: Vec<String> = all.iter().map(Candidate::label).collect();
        assert!(labels
            .iter()
            .any(|l| l.starts_with("torch.bilinear.antialias")));
        assert!(!labels.iter().any(|l| l.starts_with("mps.upsampling")));
        assert!(!labels.iter().any(|l| l.starts_with("keras.upsampling2d")));
    }
}
