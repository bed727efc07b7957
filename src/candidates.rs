//! Every explanation halfpixel can offer for an input shape and an output shape: each named preset
//! ([`crate::presets::named`]) with each target it can take, and each combination of the portable
//! vocabulary (ONNX Resize's attributes and halfpixel's extensions). `identify` runs them all on
//! an input and compares with an output; `matrix` compares presets with each other.

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
    let [h, w] = input;
    let [oh, ow] = output;
    let ratio = [oh as f64 / h as f64, ow as f64 / w as f64];
    let integer = oh % h == 0 && ow % w == 0;
    let mut scales: Vec<[f64; 2]> = Vec::new();
    if let Some(s) = scale_hint {
        scales.push(s);
    }
    if !scales.contains(&ratio) {
        scales.push(ratio);
    }
    let mut targets = Vec::new();
    match accepts {
        Accepts::SizeOrScale => {
            targets.push(Target::Size(output));
            targets.extend(scales.into_iter().map(Target::Scale));
        }
        Accepts::Size => targets.push(Target::Size(output)),
        Accepts::Scale => targets.extend(scales.into_iter().map(Target::Scale)),
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
    let kinds = kinds_for(input, output);
    let mut out = Vec::new();
    for preset in named::all() {
        for &(kind, block) in &kinds {
            if preset.kind != kind {
                continue;
            }
            let targets = match block {
                Some(b) => vec![Target::Block(b)],
                None => resize_targets(
                    preset.accepts,
                    [input[2], input[3]],
                    [output[2], output[3]],
                    scale_hint,
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
    if input[0] != output[0] || input[1] != output[1] {
        return Vec::new();
    }
    let size = [output[2], output[3]];
    let shrinking = output[2] < input[2] || output[3] < input[3];
    let mut scales = vec![None];
    if let Some(s) = scale_hint {
        scales.push(Some(s));
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
                CUBIC_A.iter().copied().map(Some).collect()
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
    let mut all = named_candidates(input, output, layout, scale_hint);
    all.extend(portable_candidates(input, output, layout, scale_hint));
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
    fn shrinking_tries_antialias_and_integer_only_presets_need_multiples() {
        let all = all_candidates([1, 1, 20, 20], [1, 1, 7, 9], Layout::Nchw, None);
        let labels: Vec<String> = all.iter().map(Candidate::label).collect();
        assert!(labels
            .iter()
            .any(|l| l.starts_with("torch.bilinear.antialias")));
        assert!(!labels.iter().any(|l| l.starts_with("mps.upsampling")));
        assert!(!labels.iter().any(|l| l.starts_with("keras.")));
    }
}
