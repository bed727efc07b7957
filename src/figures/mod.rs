//! The article's pictures, made by the library: a map upsampled by nearest and by each bilinear
//! method, drawn as heat maps on one colour scale, the differences between the methods, and
//! animations that flip between nearest and each method so the shift of one against another is
//! visible.
//!
//! The default input is the article's 9×10 feature map ([`FigureInput::article`]), the default
//! methods its four ([`DEFAULT_METHODS`]): nearest, TF1's `align_corners=False` (≡ Core ML
//! `UPSAMPLE_MODE`, MPS `alignCorners=NO`), `align_corners=True` (≡ Core ML
//! `STRICT_ALIGN_ENDPOINTS_MODE`) and PyTorch's `align_corners=False` (≡ TF2, ONNX `half_pixel`,
//! OpenCV). Any `.npy` or image, and any resize preset, can be drawn the same way.
//!
//! - One colour scale for the input and every output ([`Figures::values`], viridis from the
//!   smallest to the largest finite value among all of them): a value looks the same in every
//!   picture. (Normalising each picture on its own would mislead: two different values would
//!   look alike.)
//! - One diverging scale, symmetric about zero, for every difference ([`Figures::diff_scale`]).
//! - NaN is drawn magenta ([`NAN_COLOR`]), which neither map uses, and the legend and index say
//!   so; a constant map takes the middle colour (nothing is divided by zero).
//!
//! ```no_run
//! use halfpixel::figures::{render_all, FigureInput, FigureOptions, Method};
//!
//! let input = FigureInput::article()?;
//! let files = render_all(&input, &Method::defaults(), "figures".as_ref(), &FigureOptions::default())?;
//! for f in &files {
//!     println!("{}  {}", f.path.display(), f.description);
//! }
//! # Ok::<(), halfpixel::Error>(())
//! ```

mod colormap;
mod compute;
mod draw;
mod font;
mod input;
mod methods;
mod write;

use std::path::Path;

pub use colormap::{finite_range, ColorMap, ColorScale, LEVELS, NAN_COLOR};
pub use compute::{
    compute, half_pixel_positions, mean_offset, sample_positions, DiffStats, Difference,
    Equivalence, FigureOptions, Figures, MethodOutput, AUTO_WIDTH,
};
pub use draw::{
    format_value, grid, heatmap, pad, Legend, Panel, Plot, BACKGROUND, MARGIN, MAX_SIDE, TEXT_SCALE,
};
pub use font::{draw_text, has_glyph, text_height, text_width};
pub use input::{article_feature_map_path, FigureInput, ARTICLE_FEATURE_MAP};
pub use methods::{Method, DEFAULT_METHODS};
pub use write::{write_gif, write_png, FigureFile, FigureKind, FRAME_DELAY_MS, INDEX_FILE};

use crate::error::Result;

/// Resizes `input` by every method ([`compute`]) and writes the pictures and `figures.md` into
/// `out_dir` ([`Figures::write`]); returns the files written.
pub fn render_all(
    input: &FigureInput,
    methods: &[Method],
    out_dir: &Path,
    options: &FigureOptions,
) -> Result<Vec<FigureFile>> {
    compute(input, methods, options)?.write(out_dir)
}
