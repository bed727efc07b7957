//! What a figure is made of: one 2-D map, from the article's feature map, a `.npy` file or an
//! image.

use std::path::{Path, PathBuf};

use ndarray::{s, Array2};

use crate::conformance::default_corpus_dir;
use crate::error::{Error, Result};
use crate::spec::Layout;
use crate::tensor_io::{read_tensor, FileFormat};

/// The article's 9×10 feature map, relative to the corpus folder (`np.random.seed(12345);
/// np.random.randn(9, 10).astype(np.float32)`).
pub const ARTICLE_FEATURE_MAP: &str = "data/article.feature_map_9x10.npy";

/// The path of the article's feature map in the corpus shipped with the sources.
pub fn article_feature_map_path() -> PathBuf {
    default_corpus_dir().join(ARTICLE_FEATURE_MAP)
}

/// A 2-D map to draw and resize.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureInput {
    /// A short name (the file's stem), used in titles.
    pub name: String,
    /// Where it came from and which part of the file it is, for the index.
    pub description: String,
    /// The values, H×W.
    pub map: Array2<f32>,
}

impl FigureInput {
    /// A map given directly; refuses an empty one.
    pub fn new(
        name: impl Into<String>,
        description: impl Into<String>,
        map: Array2<f32>,
    ) -> Result<Self> {
        let (h, w) = map.dim();
        for (what, n) in [("input height", h), ("input width", w)] {
            if n == 0 {
                return Err(Error::ZeroOrNegativeSize {
                    what: what.into(),
                    value: 0,
                });
            }
        }
        Ok(FigureInput {
            name: name.into(),
            description: description.into(),
            map,
        })
    }

    /// The article's 9×10 feature map from the corpus shipped with the sources
    /// ([`article_feature_map_path`]); a clear [`Error::Io`] when it is not there.
    pub fn article() -> Result<Self> {
        let path = article_feature_map_path();
        if !path.is_file() {
            return Err(Error::Io {
                action: "read".into(),
                path: path.display().to_string(),
                reason: "the article's feature map is not there (it ships with halfpixel's \
                         sources in tests/corpus); give an input file instead"
                    .into(),
            });
        }
        let mut input = Self::from_file(&path, None)?;
        input.description = format!(
            "the article's 9×10 feature map (np.random.seed(12345); np.random.randn(9, 10) as \
             float32), tests/corpus/{ARTICLE_FEATURE_MAP} in halfpixel's sources"
        );
        Ok(input)
    }

    /// One map from a `.npy`, PNG or JPEG file ([`read_tensor`], NCHW: a 2-D `.npy` is H×W, a
    /// 3-D one C×H×W, a 4-D one N×C×H×W; the first batch item is used).
    ///
    /// `channel` picks a channel. Without one, an RGB or RGBA image is drawn as its luminance
    /// (`0.299·R + 0.587·G + 0.114·B`, ITU-R BT.601, as PIL's `convert('L')` and OpenCV's
    /// `COLOR_RGB2GRAY`; alpha is ignored), anything else as its channel 0. A channel the file
    /// does not have is [`Error::InvalidArgument`].
    pub fn from_file(path: &Path, channel: Option<usize>) -> Result<Self> {
        let t = read_tensor(path, Layout::Nchw)?;
        let [n, c, h, w] = t.dims_nchw();
        for (what, len) in [("batch", n), ("channels", c), ("height", h), ("width", w)] {
            if len == 0 {
                return Err(Error::ZeroOrNegativeSize {
                    what: format!(
                        "the {what} of {} (shape {:?})",
                        path.display(),
                        t.file_shape
                    ),
                    value: 0,
                });
            }
        }
        if let Some(k) = channel {
            if k >= c {
                return Err(Error::invalid_argument(
                    "channel",
                    k,
                    format!(
                        "{} has {c} channel{} (0..={}); its shape is {:?}",
                        path.display(),
                        if c == 1 { "" } else { "s" },
                        c.saturating_sub(1),
                        t.file_shape
                    ),
                ));
            }
        }
        let batch = t.array.slice(s![0, .., .., ..]);
        let luminance = channel.is_none() && t.format != FileFormat::Npy && c >= 3;
        let (map, which) = if luminance {
            let map = Array2::from_shape_fn((h, w), |(y, x)| {
                0.299 * batch[[0, y, x]] + 0.587 * batch[[1, y, x]] + 0.114 * batch[[2, y, x]]
            });
            (map, "luminance 0.299·R + 0.587·G + 0.114·B".to_string())
        } else {
            let k = channel.unwrap_or(0);
            (
                batch.slice(s![k, .., ..]).to_owned(),
                if c > 1 {
                    format!("channel {k} of {c}")
                } else {
                    "its only channel".to_string()
                },
            )
        };
        let batch_note = if n > 1 {
            format!(", batch item 0 of {n}")
        } else {
            String::new()
        };
        let name = path
            .file_stem()
            .map_or_else(|| "input".to_string(), |s| s.to_string_lossy().into_owned());
        Self::new(
            name,
            format!(
                "{} ({} {:?}, {}{batch_note})",
                path.display(),
                t.format,
                t.file_shape,
                which
            ),
            map,
        )
    }

    /// `[height, width]`.
    pub fn dims(&self) -> [usize; 2] {
        let (h, w) = self.map.dim();
        [h, w]
    }
}
