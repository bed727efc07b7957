//! Drawing: a 2-D array as a heat map of `cell`×`cell` blocks, a colour bar with its labels, a
//! panel (title, heat map, colour bar) and a grid of panels.
//!
//! Every primitive here is an axis-aligned filled rectangle or a one-pixel frame on an
//! `image::RgbImage`, so no drawing crate is used: plotters would bring its chart layout and
//! font stack (see [`super::font`]) to draw rectangles, and imageproc brings nalgebra and rand
//! for the same two calls (`draw_filled_rect_mut`, `draw_hollow_rect_mut`).

use image::{imageops, Rgb, RgbImage};
use ndarray::ArrayView2;

use super::colormap::{ColorScale, NAN_COLOR};
use super::font::{draw_text, fill, text_height, text_width};
use crate::error::{Error, Result};

/// The largest width or height of any picture drawn, in pixels.
pub const MAX_SIDE: u32 = 8192;

/// The page colour.
pub const BACKGROUND: Rgb<u8> = Rgb([255, 255, 255]);
/// The colour of titles and labels.
pub const INK: Rgb<u8> = Rgb([0, 0, 0]);
/// The colour of subtitles.
pub const GREY_INK: Rgb<u8> = Rgb([90, 90, 90]);
/// The colour of the frame drawn around heat maps and colour bars.
pub const FRAME: Rgb<u8> = Rgb([190, 190, 190]);

/// Space around a panel's contents.
pub const MARGIN: u32 = 10;
/// Font pixels are drawn as `TEXT_SCALE`×`TEXT_SCALE` squares.
pub const TEXT_SCALE: u32 = 2;
const LINE_GAP: u32 = 5;
const HEADER_GAP: u32 = 8;
const BAR_GAP: u32 = 12;
const BAR_WIDTH: u32 = 18;
const TICK: u32 = 4;
const LABEL_GAP: u32 = 4;
const MIN_BAR_HEIGHT: u32 = 120;
const SWATCH_GAP: u32 = 8;

/// Where a heat map lies in a picture: tensor pixel (`r`, `c`) is the square of side `cell`
/// whose top-left corner is (`x + c·cell`, `y + r·cell`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plot {
    /// Left edge of the heat map, in pixels.
    pub x: u32,
    /// Top edge of the heat map, in pixels.
    pub y: u32,
    /// Side of one tensor pixel's square, in pixels.
    pub cell: u32,
    /// Tensor rows drawn.
    pub rows: usize,
    /// Tensor columns drawn.
    pub cols: usize,
}

impl Plot {
    /// The picture pixel at the centre of tensor pixel (`r`, `c`).
    pub fn center(&self, r: usize, c: usize) -> (u32, u32) {
        (
            self.x + c as u32 * self.cell + self.cell / 2,
            self.y + r as u32 * self.cell + self.cell / 2,
        )
    }

    fn offset(self, dx: u32, dy: u32) -> Plot {
        Plot {
            x: self.x + dx,
            y: self.y + dy,
            ..self
        }
    }
}

/// The side in pixels of `n` cells of `cell` pixels, or an error when it exceeds [`MAX_SIDE`].
pub fn drawn_side(what: &str, n: usize, cell: u32) -> Result<u32> {
    let side = (n as u64).saturating_mul(u64::from(cell));
    if cell == 0 {
        return Err(Error::invalid_argument(
            "cell",
            cell,
            "a tensor pixel must be drawn at least 1 pixel wide",
        ));
    }
    if n == 0 {
        return Err(Error::ZeroOrNegativeSize {
            what: what.to_string(),
            value: 0,
        });
    }
    if side > u64::from(MAX_SIDE) {
        return Err(Error::invalid_argument(
            "cell",
            cell,
            format!(
                "{what} {n} drawn at {cell} pixels per tensor pixel is {side} pixels, more than \
                 {MAX_SIDE}; choose a smaller --cell or --scale, or a smaller input"
            ),
        ));
    }
    Ok(side as u32)
}

/// The heat map of `values`: each element a `cell`×`cell` square in `scale`'s colour of it (NaN
/// in [`NAN_COLOR`]). Refuses an empty array, `cell == 0` and pictures wider or taller than
/// [`MAX_SIDE`].
pub fn heatmap(values: ArrayView2<f32>, scale: &ColorScale, cell: u32) -> Result<RgbImage> {
    let (rows, cols) = values.dim();
    let w = drawn_side("width", cols, cell)?;
    let h = drawn_side("height", rows, cell)?;
    let mut image = RgbImage::new(w, h);
    for ((r, c), &v) in values.indexed_iter() {
        fill(
            &mut image,
            i64::from(c as u32 * cell),
            i64::from(r as u32 * cell),
            cell,
            cell,
            scale.color(v),
        );
    }
    Ok(image)
}

/// A colour bar's scale and whether to add a swatch for NaN.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Legend {
    /// The scale the bar shows.
    pub scale: ColorScale,
    /// Whether the data holds NaN (a magenta swatch labelled `nan` is added under the bar).
    pub nan: bool,
}

/// A number as a colour-bar label: four significant digits, scientific notation outside
/// `[1e-3, 1e5)`.
pub fn format_value(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        return format!("{v:.3e}");
    }
    let decimals = (3 - a.log10().floor() as i32).clamp(0, 6) as usize;
    format!("{v:.decimals$}")
}

impl Legend {
    /// The labels, top to bottom: high, middle, low (one label when the scale is a single value).
    fn labels(&self) -> Vec<String> {
        let s = &self.scale;
        if s.low == s.high {
            return vec![format_value(s.low)];
        }
        let mid = (s.low + s.high) / 2.0;
        let signed = |v: f64| {
            let t = format_value(v);
            if s.low == -s.high && v > 0.0 {
                format!("+{t}")
            } else {
                t
            }
        };
        vec![signed(s.high), signed(mid), signed(s.low)]
    }

    /// Width in pixels.
    fn width(&self) -> u32 {
        let label = self
            .labels()
            .iter()
            .map(|l| text_width(l, TEXT_SCALE))
            .chain([text_width("nan", TEXT_SCALE)])
            .max()
            .unwrap_or(0);
        BAR_WIDTH + TICK + LABEL_GAP + label
    }

    /// Height in pixels for a bar of `bar` pixels.
    fn height(&self, bar: u32) -> u32 {
        bar + if self.nan { SWATCH_GAP + BAR_WIDTH } else { 0 }
    }

    /// Draws the bar (top = high) of height `bar` with its top-left corner at (`x`, `y`).
    fn draw(&self, image: &mut RgbImage, x: u32, y: u32, bar: u32) {
        frame(image, x, y, BAR_WIDTH, bar);
        let (x, y) = (i64::from(x), i64::from(y));
        for row in 0..bar {
            let t = if bar > 1 {
                1.0 - f64::from(row) / f64::from(bar - 1)
            } else {
                0.5
            };
            fill(
                image,
                x,
                y + i64::from(row),
                BAR_WIDTH,
                1,
                self.scale.map.at(t),
            );
        }
        let th = i64::from(text_height(TEXT_SCALE));
        let lx = x + i64::from(BAR_WIDTH + TICK + LABEL_GAP);
        let labels = self.labels();
        let bar = i64::from(bar);
        let spots: Vec<(i64, i64)> = if labels.len() == 1 {
            vec![(y + bar / 2, y + bar / 2 - th / 2)]
        } else {
            vec![
                (y, y),
                (y + bar / 2, y + bar / 2 - th / 2),
                (y + bar - 1, y + bar - th),
            ]
        };
        for (label, (tick_y, text_y)) in labels.iter().zip(spots) {
            fill(image, x + i64::from(BAR_WIDTH), tick_y, TICK, 1, INK);
            draw_text(image, lx, text_y, label, TEXT_SCALE, INK);
        }
        if self.nan {
            let sy = y + bar + i64::from(SWATCH_GAP);
            fill(image, x, sy, BAR_WIDTH, BAR_WIDTH, NAN_COLOR);
            let ty = sy + (i64::from(BAR_WIDTH) - th) / 2;
            draw_text(image, lx, ty, "nan", TEXT_SCALE, INK);
        }
    }
}

/// A titled heat map with an optional colour bar.
#[derive(Debug, Clone)]
pub struct Panel {
    /// The first line, in black.
    pub title: String,
    /// The second line, in grey (none when empty).
    pub subtitle: String,
    /// The heat map (see [`heatmap`]).
    pub heat: RgbImage,
    /// Side of one tensor pixel in `heat`.
    pub cell: u32,
    /// The colour bar drawn to the right of the heat map, if any.
    pub legend: Option<Legend>,
}

impl Panel {
    fn header_height(&self) -> u32 {
        let line = text_height(TEXT_SCALE);
        let lines = if self.subtitle.is_empty() {
            line
        } else {
            2 * line + LINE_GAP
        };
        lines + HEADER_GAP
    }

    fn bar_height(&self) -> u32 {
        self.heat.height().max(MIN_BAR_HEIGHT)
    }

    /// Draws the panel; returns the picture and where its heat map lies.
    pub fn render(&self) -> Result<(RgbImage, Plot)> {
        let legend_w = self.legend.map_or(0, |l| BAR_GAP + l.width());
        let legend_h = self.legend.map_or(0, |l| l.height(self.bar_height()));
        let content_w = (self.heat.width() + legend_w)
            .max(text_width(&self.title, TEXT_SCALE))
            .max(text_width(&self.subtitle, TEXT_SCALE));
        let header = self.header_height();
        let content_h = self.heat.height().max(legend_h);
        let (w, h) = (content_w + 2 * MARGIN, header + content_h + 2 * MARGIN);
        check_picture(w, h)?;
        let mut image = RgbImage::from_pixel(w, h, BACKGROUND);
        let m = i64::from(MARGIN);
        draw_text(&mut image, m, m, &self.title, TEXT_SCALE, INK);
        if !self.subtitle.is_empty() {
            let y = m + i64::from(text_height(TEXT_SCALE) + LINE_GAP);
            draw_text(&mut image, m, y, &self.subtitle, TEXT_SCALE, GREY_INK);
        }
        let top = MARGIN + header;
        frame(
            &mut image,
            MARGIN,
            top,
            self.heat.width(),
            self.heat.height(),
        );
        imageops::replace(&mut image, &self.heat, i64::from(MARGIN), i64::from(top));
        if let Some(legend) = &self.legend {
            let x = MARGIN + self.heat.width() + BAR_GAP;
            legend.draw(&mut image, x, top, self.bar_height());
        }
        let plot = Plot {
            x: MARGIN,
            y: top,
            cell: self.cell,
            rows: (self.heat.height() / self.cell.max(1)) as usize,
            cols: (self.heat.width() / self.cell.max(1)) as usize,
        };
        Ok((image, plot))
    }
}

/// A 1-pixel frame just outside the `w`×`h` rectangle at (`x`, `y`).
fn frame(image: &mut RgbImage, x: u32, y: u32, w: u32, h: u32) {
    let (x, y) = (i64::from(x) - 1, i64::from(y) - 1);
    let (w, h) = (w + 2, h + 2);
    fill(image, x, y, w, 1, FRAME);
    fill(image, x, y + i64::from(h) - 1, w, 1, FRAME);
    fill(image, x, y, 1, h, FRAME);
    fill(image, x + i64::from(w) - 1, y, 1, h, FRAME);
}

fn check_picture(w: u32, h: u32) -> Result<()> {
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(Error::invalid_argument(
            "picture",
            format!("{w}×{h}"),
            format!(
                "more than {MAX_SIDE} pixels on a side; choose a smaller --cell or --scale, or a \
                 smaller input"
            ),
        ));
    }
    Ok(())
}

/// `image` on a `w`×`h` page (top-left aligned), so that frames of an animation share one size.
pub fn pad(image: &RgbImage, w: u32, h: u32) -> RgbImage {
    if image.dimensions() == (w, h) {
        return image.clone();
    }
    let mut page = RgbImage::from_pixel(w.max(image.width()), h.max(image.height()), BACKGROUND);
    imageops::replace(&mut page, image, 0, 0);
    page
}

/// Panels in a grid of `columns` columns (each cell as large as the largest panel), with an
/// optional shared colour bar to the right, level with the first panel's heat map. Returns the
/// picture and where each panel's heat map lies in it.
pub fn grid(
    panels: &[Panel],
    columns: usize,
    legend: Option<&Legend>,
) -> Result<(RgbImage, Vec<Plot>)> {
    let rendered: Vec<(RgbImage, Plot)> =
        panels.iter().map(Panel::render).collect::<Result<_>>()?;
    let columns = columns.clamp(1, rendered.len().max(1));
    let rows = rendered.len().div_ceil(columns);
    let cw = rendered.iter().map(|(i, _)| i.width()).max().unwrap_or(0);
    let ch = rendered.iter().map(|(i, _)| i.height()).max().unwrap_or(0);
    let first = rendered.first().map(|(_, p)| *p);
    let bar = panels.first().map_or(MIN_BAR_HEIGHT, Panel::bar_height);
    let legend_w = legend.map_or(0, |l| l.width() + MARGIN);
    let legend_h = legend.map_or(0, |l| l.height(bar) + first.map_or(0, |p| p.y) + MARGIN);
    let w = (cw as u64 * columns as u64 + u64::from(legend_w)).min(u64::from(u32::MAX)) as u32;
    let h = (ch as u64 * rows as u64)
        .max(u64::from(legend_h))
        .min(u64::from(u32::MAX)) as u32;
    check_picture(w, h)?;
    let mut image = RgbImage::from_pixel(w, h, BACKGROUND);
    let mut plots = Vec::with_capacity(rendered.len());
    for (k, (panel, plot)) in rendered.iter().enumerate() {
        let (x, y) = ((k % columns) as u32 * cw, (k / columns) as u32 * ch);
        imageops::replace(&mut image, panel, i64::from(x), i64::from(y));
        plots.push(plot.offset(x, y));
    }
    if let (Some(legend), Some(first)) = (legend, first) {
        legend.draw(&mut image, cw * columns as u32, first.y, bar);
    }
    Ok((image, plots))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::colormap::ColorMap;
    use ndarray::array;

    #[test]
    fn a_heat_map_is_blocks_of_the_scales_colours() {
        let v = array![[0.0f32, 1.0], [f32::NAN, 0.5]];
        let s = ColorScale::spanning(v.iter());
        let img = heatmap(v.view(), &s, 3).unwrap();
        assert_eq!(img.dimensions(), (6, 6));
        assert_eq!(*img.get_pixel(0, 0), ColorMap::Viridis.at(0.0));
        assert_eq!(*img.get_pixel(5, 2), ColorMap::Viridis.at(1.0));
        assert_eq!(*img.get_pixel(1, 4), NAN_COLOR);
        assert_eq!(*img.get_pixel(4, 4), ColorMap::Viridis.at(0.5));
        assert!(heatmap(v.view(), &s, 0).is_err());
        assert!(heatmap(v.view(), &s, MAX_SIDE).is_err());
        let empty = ndarray::Array2::<f32>::zeros((0, 3));
        assert!(heatmap(empty.view(), &s, 2).is_err());
    }

    #[test]
    fn labels_are_short_and_signed_on_a_symmetric_scale() {
        assert_eq!(format_value(-2.370_231_6), "-2.370");
        assert_eq!(format_value(0.004_567), "0.004567");
        assert_eq!(format_value(65535.0), "65535");
        assert_eq!(format_value(123_456.0), "1.235e5");
        let l = Legend {
            scale: ColorScale::symmetric(1.5),
            nan: false,
        };
        assert_eq!(l.labels(), ["+1.500", "0", "-1.500"]);
        let c = Legend {
            scale: ColorScale::spanning(&[2.0f32]),
            nan: true,
        };
        assert_eq!(c.labels(), ["2.000"]);
    }

    #[test]
    fn a_panel_places_its_heat_map_where_it_says() {
        let v = array![[0.0f32, 1.0, 2.0]];
        let s = ColorScale::spanning(v.iter());
        let panel = Panel {
            title: "a title wider than the plot".into(),
            subtitle: "sub".into(),
            heat: heatmap(v.view(), &s, 7).unwrap(),
            cell: 7,
            legend: Some(Legend {
                scale: s,
                nan: true,
            }),
        };
        let (img, plot) = panel.render().unwrap();
        assert_eq!((plot.rows, plot.cols, plot.cell), (1, 3, 7));
        for c in 0..3 {
            let (x, y) = plot.center(0, c);
            assert_eq!(*img.get_pixel(x, y), s.color(v[[0, c]]));
        }
        let (g, plots) = grid(
            &[panel.clone(), panel],
            2,
            Some(&Legend {
                scale: s,
                nan: false,
            }),
        )
        .unwrap();
        assert_eq!(plots.len(), 2);
        let (x, y) = plots[1].center(0, 2);
        assert_eq!(*g.get_pixel(x, y), s.color(2.0));
        assert!(g.width() >= 2 * img.width());
    }
}
