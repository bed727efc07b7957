//! Turning computed [`Figures`] into files: PNG heat maps, difference maps, GIF animations and the
//! `figures.md` index.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use image::codecs::gif::{GifEncoder, Repeat};
use image::codecs::png::PngEncoder;
use image::{Delay, DynamicImage, ExtendedColorType, Frame, ImageEncoder, RgbImage};
use ndarray::Array2;

use super::compute::{mean_offset, DiffStats, Difference, Figures};
use super::draw::heatmap;
use super::draw::{format_value, grid, pad, Legend, Panel, Plot};
use crate::error::{Error, Result};

/// How long each frame of an animation shows, in milliseconds.
pub const FRAME_DELAY_MS: u32 = 600;

/// The index file written beside the pictures.
pub const INDEX_FILE: &str = "figures.md";

/// What a written file shows.
#[derive(Debug, Clone, PartialEq)]
pub enum FigureKind {
    /// The input map (`input.png`).
    Input,
    /// One method's output (`output.<method>.png`).
    Output {
        /// The method's preset name.
        method: String,
    },
    /// The difference of two methods' outputs (`diff.<a>--<b>.png`, `a − b`).
    Difference {
        /// The first method.
        a: String,
        /// The second method.
        b: String,
        /// The largest `|a − b|`.
        max_abs: f64,
    },
    /// An animation flipping between the first method and another (`flip.<first>--<method>.gif`).
    Flip {
        /// The first method (nearest by default).
        reference: String,
        /// The other method.
        method: String,
    },
    /// An animation through every method's output (`cycle.gif`).
    Cycle,
    /// The input and every output side by side on one colour bar (`overview.png`).
    Overview,
    /// Every difference side by side on one colour bar (`differences.png`).
    Differences,
    /// The index, `figures.md`.
    Index,
}

/// A file written by [`Figures::write`].
#[derive(Debug, Clone, PartialEq)]
pub struct FigureFile {
    /// Where it is.
    pub path: PathBuf,
    /// What it shows.
    pub kind: FigureKind,
    /// One line on what it shows.
    pub description: String,
    /// Where the heat maps lie in the picture (one per panel, or one per animation frame; none
    /// for the index).
    pub plots: Vec<Plot>,
}

fn io_error(action: &str, path: &Path, e: &std::io::Error) -> Error {
    Error::Io {
        action: action.into(),
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

fn encode_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Image {
        action: "encode".into(),
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Writes `image` as an 8-bit RGB PNG.
pub fn write_png(path: &Path, image: &RgbImage) -> Result<()> {
    let mut bytes = Vec::new();
    PngEncoder::new(&mut bytes)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgb8,
        )
        .map_err(|e| encode_error(path, e))?;
    std::fs::write(path, bytes).map_err(|e| io_error("write", path, &e))
}

/// Writes `frames` as a looping GIF animation, each frame shown for `delay_ms` milliseconds.
/// Frames of different sizes are placed on a white page of the largest size. A frame of at most
/// 256 colours keeps its exact colours (the figures' frames all do).
pub fn write_gif(path: &Path, frames: &[RgbImage], delay_ms: u32) -> Result<()> {
    if frames.is_empty() {
        return Err(encode_error(path, "an animation needs at least one frame"));
    }
    let w = frames.iter().map(RgbImage::width).max().unwrap_or(0);
    let h = frames.iter().map(RgbImage::height).max().unwrap_or(0);
    if w > u32::from(u16::MAX) || h > u32::from(u16::MAX) {
        return Err(encode_error(
            path,
            format!("{w}×{h} is larger than a GIF can hold (65535 on a side)"),
        ));
    }
    let mut bytes = Vec::new();
    {
        let mut encoder = GifEncoder::new_with_speed(&mut bytes, 10);
        encoder
            .set_repeat(Repeat::Infinite)
            .map_err(|e| encode_error(path, e))?;
        for f in frames {
            let rgba = DynamicImage::ImageRgb8(pad(f, w, h)).to_rgba8();
            let frame = Frame::from_parts(rgba, 0, 0, Delay::from_numer_denom_ms(delay_ms, 1));
            encoder
                .encode_frame(frame)
                .map_err(|e| encode_error(path, e))?;
        }
    }
    std::fs::write(path, bytes).map_err(|e| io_error("write", path, &e))
}

fn has_nan(a: &Array2<f32>) -> bool {
    a.iter().any(|v| v.is_nan())
}

fn dims(a: &Array2<f32>) -> String {
    format!("{}x{}", a.nrows(), a.ncols())
}

fn stats_text(s: &DiffStats) -> String {
    let mut t = match s.at {
        None => "identical".to_string(),
        Some([r, c]) => format!("max |diff| {} at row {r}, col {c}", format_value(s.max_abs)),
    };
    if s.nan > 0 {
        let _ = write!(t, ", {} nan", s.nan);
    }
    t
}

/// A value computed in `f32`, as the shortest decimal that reads back as the same `f32`
/// (scientific notation below 1e-4 and from 1e7).
fn number(v: f64) -> String {
    let f = v as f32;
    if f == 0.0 || !f.is_finite() {
        format!("{f}")
    } else if f.abs() < 1e-4 || f.abs() >= 1e7 {
        format!("{f:e}")
    } else {
        format!("{f}")
    }
}

/// A sample position, at most 4 decimals.
fn position(p: Option<f64>) -> String {
    match p {
        None => "(extrapolated)".into(),
        Some(p) => {
            let t = format!("{p:.4}");
            let t = t.trim_end_matches('0').trim_end_matches('.');
            if t == "-0" {
                "0".into()
            } else {
                t.into()
            }
        }
    }
}

fn positions(list: &[Option<f64>]) -> String {
    let all: Vec<String> = list.iter().map(|&p| position(p)).collect();
    if all.len() <= 24 {
        all.join(", ")
    } else {
        format!(
            "{}, …, {}",
            all[..10].join(", "),
            all[all.len() - 2..].join(", ")
        )
    }
}

/// `0.1234567 (row 3, col 4; 312 of 360 differ)` for the index.
fn stats_line(s: &DiffStats, total: usize) -> String {
    let mut t = match s.at {
        None => "0 (identical)".to_string(),
        Some([r, c]) => format!(
            "{} (at row {r}, column {c}; {} of {total} elements differ)",
            number(s.max_abs),
            s.differing
        ),
    };
    if s.nan > 0 {
        let _ = write!(t, "; {} NaN differences", s.nan);
    }
    t
}

impl Figures {
    fn value_legend(&self, nan: bool) -> Legend {
        Legend {
            scale: self.values,
            nan,
        }
    }

    fn input_panel(&self, legend: bool) -> Result<Panel> {
        let map = &self.input.map;
        Ok(Panel {
            title: format!("input {}", dims(map)),
            subtitle: self.input.name.clone(),
            heat: heatmap(map.view(), &self.values, self.input_cell)?,
            cell: self.input_cell,
            legend: legend.then(|| self.value_legend(has_nan(map))),
        })
    }

    fn output_panel(&self, i: usize, legend: bool) -> Result<Panel> {
        let o = &self.outputs[i];
        let subtitle = if o.method.caption.is_empty() {
            dims(&o.values)
        } else {
            o.method.caption.to_string()
        };
        Ok(Panel {
            title: o.method.name().to_string(),
            subtitle,
            heat: heatmap(o.values.view(), &self.values, self.cell)?,
            cell: self.cell,
            legend: legend.then(|| self.value_legend(has_nan(&o.values))),
        })
    }

    fn diff_panel(&self, d: &Difference, legend: bool) -> Result<Panel> {
        Ok(Panel {
            title: format!(
                "{} - {}",
                self.outputs[d.a].method.name(),
                self.outputs[d.b].method.name()
            ),
            subtitle: stats_text(&d.stats),
            heat: heatmap(d.values.view(), &self.diff_scale, self.cell)?,
            cell: self.cell,
            legend: legend.then_some(Legend {
                scale: self.diff_scale,
                nan: d.stats.nan > 0,
            }),
        })
    }

    /// Writes every picture and the index into `out_dir` (created if needed), and returns the
    /// files written, in order: `input.png`, `output.<method>.png` for each method,
    /// `diff.<a>--<b>.png` for each pair of outputs of one shape, `flip.<first>--<method>.gif`
    /// for each method after the first, `cycle.gif` (two methods or more), `overview.png`,
    /// `differences.png` (when there is a difference), and `figures.md`.
    pub fn write(&self, out_dir: &Path) -> Result<Vec<FigureFile>> {
        std::fs::create_dir_all(out_dir).map_err(|e| io_error("create folder", out_dir, &e))?;
        let mut files = Vec::new();
        let mut save = |name: String, image: &RgbImage, kind, description, plots| -> Result<()> {
            let path = out_dir.join(name);
            write_png(&path, image)?;
            files.push(FigureFile {
                path,
                kind,
                description,
                plots,
            });
            Ok(())
        };

        let (image, plot) = self.input_panel(true)?.render()?;
        save(
            "input.png".into(),
            &image,
            FigureKind::Input,
            format!(
                "the input, {} ({} pixels per value, so it covers the area of an output)",
                dims(&self.input.map),
                self.input_cell
            ),
            vec![plot],
        )?;

        let mut frames = Vec::with_capacity(self.outputs.len());
        for (i, o) in self.outputs.iter().enumerate() {
            let (image, plot) = self.output_panel(i, true)?.render()?;
            save(
                format!("output.{}.png", o.method.name()),
                &image,
                FigureKind::Output {
                    method: o.method.name().into(),
                },
                format!("{} {}: {}", o.method.name(), dims(&o.values), o.method.note),
                vec![plot],
            )?;
            frames.push((image, plot));
        }

        for d in &self.differences {
            let (a, b) = (
                self.outputs[d.a].method.name(),
                self.outputs[d.b].method.name(),
            );
            let (image, plot) = self.diff_panel(d, true)?.render()?;
            save(
                format!("diff.{a}--{b}.png"),
                &image,
                FigureKind::Difference {
                    a: a.into(),
                    b: b.into(),
                    max_abs: d.stats.max_abs,
                },
                format!("{a} − {b}: {}", stats_line(&d.stats, d.values.len())),
                vec![plot],
            )?;
        }

        let mut gifs = Vec::new();
        if let Some((first, rest)) = frames.split_first() {
            let reference = self.outputs[0].method.name();
            for (k, (image, plot)) in rest.iter().enumerate() {
                let method = self.outputs[k + 1].method.name();
                gifs.push((
                    format!("flip.{reference}--{method}.gif"),
                    vec![first.0.clone(), image.clone()],
                    FigureKind::Flip {
                        reference: reference.into(),
                        method: method.into(),
                    },
                    format!(
                        "animation, {FRAME_DELAY_MS} ms a frame: {reference} ↔ {method} (what moves \
                         is the shift of {method} relative to {reference})"
                    ),
                    vec![first.1, *plot],
                ));
            }
            if frames.len() > 1 {
                gifs.push((
                    "cycle.gif".into(),
                    frames.iter().map(|(i, _)| i.clone()).collect(),
                    FigureKind::Cycle,
                    format!(
                        "animation, {FRAME_DELAY_MS} ms a frame, through every output: {}",
                        self.outputs
                            .iter()
                            .map(|o| o.method.name())
                            .collect::<Vec<_>>()
                            .join(" → ")
                    ),
                    frames.iter().map(|(_, p)| *p).collect(),
                ));
            }
        }
        for (name, images, kind, description, plots) in gifs {
            let path = out_dir.join(name);
            write_gif(&path, &images, FRAME_DELAY_MS)?;
            files.push(FigureFile {
                path,
                kind,
                description,
                plots,
            });
        }

        let mut panels = vec![self.input_panel(false)?];
        for i in 0..self.outputs.len() {
            panels.push(self.output_panel(i, false)?);
        }
        let any_nan = has_nan(&self.input.map) || self.outputs.iter().any(|o| has_nan(&o.values));
        let (image, plots) = grid(
            &panels,
            columns(panels.len()),
            Some(&self.value_legend(any_nan)),
        )?;
        let path = out_dir.join("overview.png");
        write_png(&path, &image)?;
        files.push(FigureFile {
            path,
            kind: FigureKind::Overview,
            description: "the input and every output side by side, on the one colour scale".into(),
            plots,
        });

        if !self.differences.is_empty() {
            let panels: Vec<Panel> = self
                .differences
                .iter()
                .map(|d| self.diff_panel(d, false))
                .collect::<Result<_>>()?;
            let legend = Legend {
                scale: self.diff_scale,
                nan: self.differences.iter().any(|d| d.stats.nan > 0),
            };
            let (image, plots) = grid(&panels, columns(panels.len()), Some(&legend))?;
            let path = out_dir.join("differences.png");
            write_png(&path, &image)?;
            files.push(FigureFile {
                path,
                kind: FigureKind::Differences,
                description: "every difference side by side, on the one diverging scale".into(),
                plots,
            });
        }

        let path = out_dir.join(INDEX_FILE);
        let index = self.index(&files);
        std::fs::write(&path, index).map_err(|e| io_error("write", &path, &e))?;
        files.push(FigureFile {
            path,
            kind: FigureKind::Index,
            description: "this list, with the numbers".into(),
            plots: Vec::new(),
        });
        Ok(files)
    }

    /// The text of `figures.md` for the `files` written.
    pub fn index(&self, files: &[FigureFile]) -> String {
        let mut md = String::new();
        let [h, w] = self.input.dims();
        let _ = writeln!(md, "# Figures: {}\n", self.input.name);
        let _ = writeln!(
            md,
            "Made by `halfpixel figures` (halfpixel {}), on the CPU reference.\n",
            env!("CARGO_PKG_VERSION")
        );
        let _ = writeln!(md, "- Input: {}, {h}×{w}.", self.input.description);
        let _ = writeln!(md, "- Scale: {}× on both axes.", self.scale);
        let _ = writeln!(
            md,
            "- Values (input and every output) share one colour scale, {}: {} → {} (the \
             smallest and largest finite value among all of them). One scale, not one per \
             picture: normalising each picture on its own would make different values look \
             alike.",
            self.values.map.name(),
            number(self.values.low),
            number(self.values.high)
        );
        let _ = writeln!(
            md,
            "- Differences share one symmetric scale, {}: −{m} → +{m}; zero is near-white.",
            self.diff_scale.map.name(),
            m = number(self.diff_scale.high)
        );
        let nan_in: Vec<String> = std::iter::once(("input", &self.input.map))
            .chain(self.outputs.iter().map(|o| (o.method.name(), &o.values)))
            .filter_map(|(n, a)| {
                let k = a.iter().filter(|v| v.is_nan()).count();
                (k > 0).then(|| format!("{n} ({k})"))
            })
            .collect();
        if nan_in.is_empty() {
            let _ = writeln!(md, "- No NaN values.");
        } else {
            let _ = writeln!(
                md,
                "- NaN values are drawn magenta (a colour neither map uses): {}.",
                nan_in.join(", ")
            );
        }
        let _ = writeln!(
            md,
            "- Each value is a {c}×{c}-pixel square in the outputs and differences, {i}×{i} in \
             the input.\n",
            c = self.cell,
            i = self.input_cell
        );

        let _ = writeln!(md, "## Methods\n");
        let _ = writeln!(md, "| method | output | call |\n|---|---|---|");
        for o in &self.outputs {
            let _ = writeln!(
                md,
                "| `{}` | {} | `{}` |",
                o.method.name(),
                dims(&o.values),
                o.call.replace('|', "\\|")
            );
        }

        let _ = writeln!(md, "\n## Files\n");
        let _ = writeln!(md, "| file | what it shows |\n|---|---|");
        for f in files {
            let name = f
                .path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let _ = writeln!(
                md,
                "| [{name}]({name}) | {} |",
                f.description.replace('|', "\\|")
            );
        }
        let _ = writeln!(
            md,
            "| [{INDEX_FILE}]({INDEX_FILE}) | this list, with the numbers |"
        );

        if !self.differences.is_empty() || !self.not_compared.is_empty() {
            let _ = writeln!(md, "\n## Max |difference| between methods\n");
            let _ = writeln!(
                md,
                "| a | b | max \\|a − b\\| | where | elements that differ |\n|---|---|---|---|---|"
            );
            for d in &self.differences {
                let s = &d.stats;
                let _ = writeln!(
                    md,
                    "| `{}` | `{}` | {} | {} | {} of {}{} |",
                    self.outputs[d.a].method.name(),
                    self.outputs[d.b].method.name(),
                    number(s.max_abs),
                    s.at.map_or("—".into(), |[r, c]| format!("row {r}, column {c}")),
                    s.differing,
                    d.values.len(),
                    if s.nan > 0 {
                        format!(" ({} NaN)", s.nan)
                    } else {
                        String::new()
                    }
                );
            }
            for &(a, b) in &self.not_compared {
                let _ = writeln!(
                    md,
                    "| `{}` | `{}` | not compared: {} vs {} | | |",
                    self.outputs[a].method.name(),
                    self.outputs[b].method.name(),
                    dims(&self.outputs[a].values),
                    dims(&self.outputs[b].values)
                );
            }
        }

        if !self.equivalences.is_empty() {
            let _ = writeln!(md, "\n## Equivalent calls, checked\n");
            let _ = writeln!(
                md,
                "Each method's output against the calls of other frameworks said to compute the \
                 same thing, on this input.\n"
            );
            let _ = writeln!(
                md,
                "| method | equivalent | max \\|difference\\| |\n|---|---|---|"
            );
            for e in &self.equivalences {
                let o = &self.outputs[e.method];
                let text = match &e.result {
                    Ok(s) => stats_line(s, o.values.len()),
                    Err(reason) => format!("not compared: {reason}"),
                };
                let _ = writeln!(
                    md,
                    "| `{}` | `{}` | {} |",
                    o.method.name(),
                    e.preset,
                    text.replace('|', "\\|")
                );
            }
        }

        if self.outputs.iter().any(|o| !o.samples[1].is_empty()) {
            let _ = writeln!(md, "\n## Where each method samples\n");
            let _ = writeln!(
                md,
                "The source position each output column reads (the weighted mean of its taps in \
                 the library's tap tables: for bilinear the sample coordinate after clamping to \
                 the edges, for nearest the pixel picked); rows follow the same rule. The mean \
                 offset is measured from the half-pixel centres (i + 0.5)·in/out − 0.5 (clamped), \
                 in input pixels: positive means the method reads further down / right, so the \
                 picture moves up / left.\n"
            );
            let _ = writeln!(
                md,
                "| method | columns read | mean offset, rows | mean offset, columns |\n\
                 |---|---|---|---|"
            );
            for o in self.outputs.iter().filter(|o| !o.samples[1].is_empty()) {
                let offset = |axis: usize, len: usize| {
                    mean_offset(&o.samples[axis], len).map_or("—".into(), |m| {
                        if m.abs() < 5e-5 {
                            "0".into()
                        } else {
                            format!("{m:+.4}")
                        }
                    })
                };
                let _ = writeln!(
                    md,
                    "| `{}` | {} | {} | {} |",
                    o.method.name(),
                    positions(&o.samples[1]),
                    offset(0, h),
                    offset(1, w)
                );
            }
        }

        let _ = writeln!(md, "\n## What each method does\n");
        for o in &self.outputs {
            let _ = writeln!(md, "- `{}`: {}", o.method.name(), o.method.note);
        }
        md
    }
}

/// Grid columns for `n` panels: about square.
fn columns(n: usize) -> usize {
    (1..=n.max(1)).find(|c| c * c >= n).unwrap_or(1)
}
