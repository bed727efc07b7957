//! The methods a figure compares: named resize presets, with a caption for the pictures and, for
//! the article's four, the other framework calls that should give the same picture.

use crate::error::{check_scale, Error, Result};
use crate::op::Operation;
use crate::presets::named::{by_name, Accepts, Kind, NamedPreset, Request, Target};

/// The methods drawn by default: the article's four — nearest, TF1's shifted bilinear
/// (align_corners=False), align_corners=True, and the half-pixel bilinear of PyTorch / TF2 /
/// ONNX / OpenCV.
pub const DEFAULT_METHODS: [&str; 4] = [
    "torch.nearest",
    "tf1.bilinear",
    "torch.bilinear.align_corners",
    "torch.bilinear",
];

struct Known {
    name: &'static str,
    caption: &'static str,
    note: &'static str,
    equivalents: &'static [&'static str],
}

const KNOWN: &[Known] = &[
    Known {
        name: "torch.nearest",
        caption: "nearest",
        note: "nearest neighbour: every output pixel copies one source pixel (floor(i/2) at 2×); \
               blocky, nothing moves",
        equivalents: &[
            "tf1.nearest",
            "keras.upsampling2d.nearest",
            "onnx.nearest.asymmetric.floor",
            "opencv.inter_nearest",
            "coreml.nn.upsample",
            "coreml.upsample_nearest_neighbor",
            "mps.upsampling_nearest",
        ],
    },
    Known {
        name: "tf1.bilinear",
        caption: "tf1 (shifted up-left)",
        note: "the article's \"bad\" method, TF1 resize_bilinear(align_corners=False): source x = \
               i·in/out (0, 0.5, …, 9.5 → 9), the last row and column repeat and the picture \
               shifts up and left",
        equivalents: &[
            "coreml.nn.upsample.bilinear",
            "coreml.nn.resize_bilinear.upsample",
            "onnx.linear.asymmetric",
            "mps.upsampling_bilinear",
            "mps.resize_bilinear",
        ],
    },
    Known {
        name: "torch.bilinear.align_corners",
        caption: "align_corners=true",
        note: "the article's \"so-so\" method, align_corners=True: the corner pixels stay, source \
               x = i·(in−1)/(out−1) (0, 0.4737, …, 9), a step that depends on the size",
        equivalents: &[
            "tf1.bilinear.align_corners",
            "coreml.nn.resize_bilinear.strict_align_endpoints",
            "coreml.nn.resize_bilinear.align_endpoints",
            "coreml.upsample_bilinear.align_corners",
            "coreml.resize_bilinear.strict_align_corners",
            "onnx.linear.align_corners",
            "mps.upsampling_bilinear.align_corners",
            "mps.resize_bilinear.align_corners",
        ],
    },
    Known {
        name: "torch.bilinear",
        caption: "half-pixel",
        note:
            "the article's \"good\" method, PyTorch align_corners=False: source x = (i+0.5)·in/out \
               − 0.5 (−0.25, 0.25, …, 9.25, clamped at the edges); the picture stays in place",
        equivalents: &[
            "tf.bilinear",
            "tf1.bilinear.half_pixel_centers",
            "keras.upsampling2d.bilinear",
            "coreml.upsample_bilinear",
            "onnx.linear.half_pixel",
            "opencv.inter_linear",
        ],
    },
];

/// One method: a named resize preset.
#[derive(Debug, Clone, Copy)]
pub struct Method {
    /// The preset.
    pub preset: &'static NamedPreset,
    /// A short caption for the pictures (empty for presets without one).
    pub caption: &'static str,
    /// What it does, one line for the index (the call it mirrors when there is no note).
    pub note: &'static str,
    /// Presets of other frameworks that should give the same output (checked, not assumed: the
    /// index reports the measured difference of each).
    pub equivalents: &'static [&'static str],
}

impl Method {
    /// The resize preset called `name` (or an alias); [`Error::UnknownPreset`] for an unknown
    /// name, [`Error::InvalidArgument`] for a preset that is not a resize (a pixel shuffle).
    pub fn named(name: &str) -> Result<Method> {
        let preset = by_name(name)?;
        if preset.kind != Kind::Resize {
            return Err(Error::invalid_argument(
                "method",
                name,
                "is a depth_to_space / space_to_depth, not a resize: it changes the channel \
                 count, so its output cannot be drawn beside a resize of the same map",
            ));
        }
        let known = KNOWN.iter().find(|k| k.name == preset.name);
        Ok(Method {
            preset,
            caption: known.map_or("", |k| k.caption),
            note: known.map_or(preset.mirrors, |k| k.note),
            equivalents: known.map_or(&[], |k| k.equivalents),
        })
    }

    /// [`DEFAULT_METHODS`].
    pub fn defaults() -> Vec<Method> {
        DEFAULT_METHODS
            .iter()
            .map(|n| Method::named(n))
            .collect::<Result<_>>()
            .unwrap_or_default()
    }

    /// A comma-separated list of preset names (`torch.nearest,tf1.bilinear`); refuses an empty
    /// list and a method listed twice.
    pub fn parse_list(text: &str) -> Result<Vec<Method>> {
        let mut methods: Vec<Method> = Vec::new();
        for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let m = Method::named(name)?;
            if methods.iter().any(|o| o.name() == m.name()) {
                return Err(Error::invalid_argument(
                    "methods",
                    text,
                    format!("{} is listed twice", m.name()),
                ));
            }
            methods.push(m);
        }
        if methods.is_empty() {
            return Err(Error::invalid_argument(
                "methods",
                text,
                "name at least one preset, e.g. torch.nearest,torch.bilinear",
            ));
        }
        Ok(methods)
    }

    /// The preset's name.
    pub fn name(&self) -> &'static str {
        self.preset.name
    }

    /// The operation resizing an `[h, w]` map by `scale` on both axes: presets that take scale
    /// factors get `scale`; presets that take an output size get `floor(h·scale)×floor(w·scale)`
    /// (the size PyTorch derives from a scale factor).
    pub fn operation(&self, [h, w]: [usize; 2], scale: f64) -> Result<Operation> {
        operation_for(self.preset, [h, w], scale)
    }
}

/// [`Method::operation`] for any preset.
pub(crate) fn operation_for(
    preset: &NamedPreset,
    [h, w]: [usize; 2],
    scale: f64,
) -> Result<Operation> {
    let scale = check_scale("scale", scale)?;
    let target = match preset.accepts {
        Accepts::Size => Target::Size([
            (h as f64 * scale).floor() as usize,
            (w as f64 * scale).floor() as usize,
        ]),
        Accepts::SizeOrScale | Accepts::Scale | Accepts::IntegerScale => {
            Target::Scale([scale, scale])
        }
        Accepts::Block => {
            return Err(Error::unsupported(format!(
                "{} is not a resize (it takes a block size)",
                preset.name
            )))
        }
    };
    preset.build(&Request {
        target,
        input: [1, 1, h, w],
        attributes: &[],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_name_and_equivalent_is_a_resize_preset() {
        for k in KNOWN {
            let m = Method::named(k.name).unwrap();
            assert_eq!(m.name(), k.name);
            for e in k.equivalents {
                assert!(Method::named(e).is_ok(), "{e}");
            }
        }
        assert_eq!(Method::defaults().len(), DEFAULT_METHODS.len());
    }

    #[test]
    fn lists_refuse_unknown_names_shuffles_duplicates_and_nothing() {
        assert!(matches!(
            Method::parse_list("torch.bilnear"),
            Err(Error::UnknownPreset { .. })
        ));
        assert!(Method::parse_list("torch.pixel_shuffle").is_err());
        assert!(Method::parse_list("torch.bilinear, torch.bilinear").is_err());
        assert!(Method::parse_list(" , ").is_err());
        let l = Method::parse_list("torch.nearest, tf1.bilinear").unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l[1].caption, "tf1 (shifted up-left)");
    }
}
