//! `halfpixel figures` and `halfpixel::figures`: the files exist and decode, heat maps are the
//! shared colour scale's colours block for block, a method minus itself is all the zero colour,
//! the animations have their frames and delays, NaN and constant inputs draw without panicking,
//! sample positions are the article's, and the command line fails with one line.

mod common;

use std::collections::BTreeSet;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use halfpixel::figures::{
    compute, mean_offset, render_all, ColorMap, FigureFile, FigureInput, FigureKind, FigureOptions,
    Figures, Method, Plot, FRAME_DELAY_MS, NAN_COLOR,
};
use halfpixel::tensor_io::{write_tensor, ElementType};
use halfpixel::{Error, Layout};
use image::codecs::gif::GifDecoder;
use image::{AnimationDecoder, Rgb, RgbImage};
use ndarray::{array, Array2, Array4, ArrayView2};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("halfpixel-figures-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn png(path: &Path) -> RgbImage {
    image::open(path)
        .unwrap_or_else(|e| panic!("{} decodes: {e}", path.display()))
        .to_rgb8()
}

fn gif_frames(path: &Path) -> Vec<(RgbImage, (u32, u32))> {
    let decoder = GifDecoder::new(BufReader::new(File::open(path).unwrap())).unwrap();
    decoder
        .into_frames()
        .collect_frames()
        .unwrap()
        .into_iter()
        .map(|f| {
            let delay = f.delay().numer_denom_ms();
            (
                image::DynamicImage::ImageRgba8(f.into_buffer()).to_rgb8(),
                delay,
            )
        })
        .collect()
}

fn file<'a>(files: &'a [FigureFile], name: &str) -> &'a FigureFile {
    files
        .iter()
        .find(|f| f.path.file_name().unwrap() == name)
        .unwrap_or_else(|| panic!("{name} is listed"))
}

/// Every pixel of every block of `plot` in `img` is `color(value)`.
fn assert_blocks(
    img: &RgbImage,
    plot: &Plot,
    values: ArrayView2<f32>,
    color: impl Fn(f32) -> Rgb<u8>,
) {
    assert_eq!((plot.rows, plot.cols), values.dim());
    assert!(plot.x + plot.cols as u32 * plot.cell <= img.width());
    assert!(plot.y + plot.rows as u32 * plot.cell <= img.height());
    for ((r, c), &v) in values.indexed_iter() {
        let want = color(v);
        let (x0, y0) = (plot.x + c as u32 * plot.cell, plot.y + r as u32 * plot.cell);
        for (dx, dy) in [
            (0, 0),
            (plot.cell - 1, 0),
            (0, plot.cell - 1),
            (plot.cell - 1, plot.cell - 1),
        ] {
            assert_eq!(
                *img.get_pixel(x0 + dx, y0 + dy),
                want,
                "block ({r}, {c}) of value {v}"
            );
        }
        let (cx, cy) = plot.center(r, c);
        assert_eq!(
            *img.get_pixel(cx, cy),
            want,
            "block ({r}, {c}) of value {v}"
        );
    }
}

fn plot_colors(img: &RgbImage, plot: &Plot) -> BTreeSet<[u8; 3]> {
    let mut set = BTreeSet::new();
    for y in plot.y..plot.y + plot.rows as u32 * plot.cell {
        for x in plot.x..plot.x + plot.cols as u32 * plot.cell {
            set.insert(img.get_pixel(x, y).0);
        }
    }
    set
}

fn article() -> (FigureInput, Figures, TempDir, Vec<FigureFile>) {
    let input = FigureInput::article().expect("the corpus ships the article's map");
    let options = FigureOptions::default();
    let figures = compute(&input, &Method::defaults(), &options).unwrap();
    let dir = TempDir::new();
    let files = render_all(&input, &Method::defaults(), &dir.0, &options).unwrap();
    (input, figures, dir, files)
}

#[test]
fn the_default_figures_are_written_decode_and_have_the_expected_sizes() {
    if common::corpora_absent("the_default_figures_are_written_decode_and_have_the_expected_sizes")
    {
        return;
    }
    let (input, figures, dir, files) = article();
    assert_eq!(input.dims(), [9, 10]);
    let names: Vec<String> = files
        .iter()
        .map(|f| f.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let mut want = vec!["input.png".to_string()];
    for m in halfpixel::figures::DEFAULT_METHODS {
        want.push(format!("output.{m}.png"));
    }
    let d = halfpixel::figures::DEFAULT_METHODS;
    for a in 0..d.len() {
        for b in a + 1..d.len() {
            want.push(format!("diff.{}--{}.png", d[a], d[b]));
        }
    }
    for m in &d[1..] {
        want.push(format!("flip.torch.nearest--{m}.gif"));
    }
    want.extend(["cycle.gif", "overview.png", "differences.png", "figures.md"].map(String::from));
    assert_eq!(names, want);
    for f in &files {
        assert!(f.path.is_file(), "{}", f.path.display());
        assert!(f.path.starts_with(&dir.0));
    }

    // Outputs: 18×20, 20 pixels a value (about 400 across); the input 9×10 at 40.
    assert_eq!((figures.cell, figures.input_cell), (20, 40));
    let inp = file(&files, "input.png");
    let img = png(&inp.path);
    assert_blocks(&img, &inp.plots[0], input.map.view(), |v| {
        figures.values.color(v)
    });
    for o in &figures.outputs {
        assert_eq!(o.values.dim(), (18, 20));
        let f = file(&files, &format!("output.{}.png", o.method.name()));
        let img = png(&f.path);
        assert_eq!(
            img.dimensions(),
            png(&file(&files, "output.torch.nearest.png").path).dimensions()
        );
        assert!(img.width() > 400 && img.width() < 700, "{}", img.width());
        assert_blocks(&img, &f.plots[0], o.values.view(), |v| {
            figures.values.color(v)
        });
    }
    for d in &figures.differences {
        let (a, b) = (
            figures.outputs[d.a].method.name(),
            figures.outputs[d.b].method.name(),
        );
        let f = file(&files, &format!("diff.{a}--{b}.png"));
        assert_eq!(
            f.kind,
            FigureKind::Difference {
                a: a.into(),
                b: b.into(),
                max_abs: d.stats.max_abs
            }
        );
        assert_blocks(&png(&f.path), &f.plots[0], d.values.view(), |v| {
            figures.diff_scale.color(v)
        });
    }
    let overview = file(&files, "overview.png");
    assert_eq!(overview.plots.len(), 1 + figures.outputs.len());
    let img = png(&overview.path);
    assert_blocks(&img, &overview.plots[0], input.map.view(), |v| {
        figures.values.color(v)
    });
    for (k, o) in figures.outputs.iter().enumerate() {
        assert_blocks(&img, &overview.plots[k + 1], o.values.view(), |v| {
            figures.values.color(v)
        });
    }
    let diffs = file(&files, "differences.png");
    assert_eq!(diffs.plots.len(), 6);
    png(&diffs.path);

    let md = std::fs::read_to_string(&file(&files, "figures.md").path).unwrap();
    for name in &want[..want.len() - 1] {
        assert!(
            md.contains(&format!("[{name}]({name})")),
            "figures.md lists {name}"
        );
    }
    for d in &figures.differences {
        assert!(md.contains(&format!("{}", d.stats.max_abs as f32)), "{md}");
    }
}

#[test]
fn one_colour_scale_is_shared_by_the_input_and_every_output() {
    if common::corpora_absent("one_colour_scale_is_shared_by_the_input_and_every_output") {
        return;
    }
    let (input, figures, _dir, files) = article();
    let lo = input.map.iter().cloned().fold(f32::INFINITY, f32::min);
    let hi = input.map.iter().cloned().fold(f32::NEG_INFINITY, f32::max);
    // Bilinear interpolation stays within the input's range, so the input sets the scale.
    assert_eq!(
        (figures.values.low, figures.values.high),
        (f64::from(lo), f64::from(hi))
    );

    // Every method reads input[0, 0] for output (0, 0): the same value, the same colour in every file.
    let corner = input.map[[0, 0]];
    let mut seen = BTreeSet::new();
    let inp = file(&files, "input.png");
    let (x, y) = inp.plots[0].center(0, 0);
    seen.insert(png(&inp.path).get_pixel(x, y).0);
    for o in &figures.outputs {
        assert_eq!(o.values[[0, 0]], corner, "{}", o.method.name());
        let f = file(&files, &format!("output.{}.png", o.method.name()));
        let (x, y) = f.plots[0].center(0, 0);
        seen.insert(png(&f.path).get_pixel(x, y).0);
    }
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_ne!(corner, lo);
    assert_ne!(corner, hi);

    // The darkest colour is the global minimum's: present where the minimum is (the input,
    // nearest), absent from the half-pixel output, whose minimum is larger. A scale per picture
    // would paint every picture's own minimum in it.
    let darkest = figures.values.color(lo).0;
    assert_eq!(darkest, ColorMap::Viridis.at(0.0).0);
    let colors = |name: &str| {
        let f = file(&files, name);
        plot_colors(&png(&f.path), &f.plots[0])
    };
    assert!(colors("input.png").contains(&darkest));
    assert!(colors("output.torch.nearest.png").contains(&darkest));
    let half_pixel = &figures.outputs[3];
    assert_eq!(half_pixel.method.name(), "torch.bilinear");
    let own_min = half_pixel
        .values
        .iter()
        .cloned()
        .fold(f32::INFINITY, f32::min);
    assert!(own_min > lo);
    assert!(!colors("output.torch.bilinear.png").contains(&darkest));

    // Nearest at 2× repeats each value in a 2×2 block, and the input is drawn at twice the cell:
    // the two heat maps are the same picture.
    let (a, b) = (
        file(&files, "input.png"),
        file(&files, "output.torch.nearest.png"),
    );
    let (ia, ib) = (png(&a.path), png(&b.path));
    let (pa, pb) = (a.plots[0], b.plots[0]);
    for y in 0..9 * 40 {
        for x in 0..10 * 40 {
            assert_eq!(
                ia.get_pixel(pa.x + x, pa.y + y),
                ib.get_pixel(pb.x + x, pb.y + y)
            );
        }
    }
}

#[test]
fn a_method_minus_itself_and_minus_an_equivalent_is_all_the_zero_colour() {
    if common::corpora_absent(
        "a_method_minus_itself_and_minus_an_equivalent_is_all_the_zero_colour",
    ) {
        return;
    }
    let input = FigureInput::article().unwrap();
    let methods = vec![
        Method::named("torch.bilinear").unwrap(),
        Method::named("torch.bilinear").unwrap(),
        Method::named("tf.bilinear").unwrap(),
        Method::named("tf1.bilinear").unwrap(),
    ];
    let dir = TempDir::new();
    let files = render_all(&input, &methods, &dir.0, &FigureOptions::default()).unwrap();
    let zero = ColorMap::Diverging.at(0.5).0;
    for name in [
        "diff.torch.bilinear--torch.bilinear.png",
        "diff.torch.bilinear--tf.bilinear.png",
    ] {
        let f = file(&files, name);
        assert!(matches!(f.kind, FigureKind::Difference { max_abs, .. } if max_abs == 0.0));
        let colors = plot_colors(&png(&f.path), &f.plots[0]);
        assert_eq!(colors, BTreeSet::from([zero]), "{name}");
    }
    // A real difference is not all zero.
    let f = file(&files, "diff.torch.bilinear--tf1.bilinear.png");
    assert!(plot_colors(&png(&f.path), &f.plots[0]).len() > 10);
}

#[test]
fn the_animations_flip_at_600_ms_loop_and_keep_the_exact_colours() {
    if common::corpora_absent("the_animations_flip_at_600_ms_loop_and_keep_the_exact_colours") {
        return;
    }
    let (_input, figures, _dir, files) = article();
    assert_eq!(FRAME_DELAY_MS, 600);
    for m in &figures.outputs[1..] {
        let name = format!("flip.torch.nearest--{}.gif", m.method.name());
        let f = file(&files, &name);
        let frames = gif_frames(&f.path);
        assert_eq!(frames.len(), 2, "{name}");
        assert_eq!(f.plots.len(), 2);
        let bytes = std::fs::read(&f.path).unwrap();
        assert!(
            bytes.windows(11).any(|w| w == b"NETSCAPE2.0"),
            "{name} loops"
        );
        for ((frame, delay), (plot, o)) in frames
            .iter()
            .zip(f.plots.iter().zip([&figures.outputs[0], m]))
        {
            assert_eq!(*delay, (600, 1));
            assert_blocks(frame, plot, o.values.view(), |v| figures.values.color(v));
        }
        assert_eq!(frames[0].0.dimensions(), frames[1].0.dimensions());
    }
    let cycle = file(&files, "cycle.gif");
    let frames = gif_frames(&cycle.path);
    assert_eq!(frames.len(), figures.outputs.len());
    for ((frame, _), (plot, o)) in frames.iter().zip(cycle.plots.iter().zip(&figures.outputs)) {
        assert_blocks(frame, plot, o.values.view(), |v| figures.values.color(v));
    }
}

#[test]
fn nan_constant_and_tiny_inputs_draw_without_panicking() {
    let dir = TempDir::new();
    let mut map = Array2::from_shape_fn((5, 6), |(r, c)| (r * 6 + c) as f32);
    map[[2, 3]] = f32::NAN;
    map[[0, 5]] = f32::INFINITY;
    let input = FigureInput::new("nan", "a map with NaN and +inf", map).unwrap();
    let files = render_all(
        &input,
        &Method::defaults(),
        &dir.path("nan"),
        &FigureOptions::default(),
    )
    .unwrap();
    let inp = file(&files, "input.png");
    let (x, y) = inp.plots[0].center(2, 3);
    assert_eq!(*png(&inp.path).get_pixel(x, y), NAN_COLOR);
    let (x, y) = inp.plots[0].center(0, 5);
    assert_eq!(
        *png(&inp.path).get_pixel(x, y),
        ColorMap::Viridis.at(1.0),
        "+inf clamps to the top"
    );
    let md = std::fs::read_to_string(&file(&files, "figures.md").path).unwrap();
    assert!(md.contains("NaN values are drawn magenta"), "{md}");

    let constant = FigureInput::new("c", "constant", Array2::from_elem((3, 4), 7.5)).unwrap();
    let files = render_all(
        &constant,
        &Method::defaults(),
        &dir.path("c"),
        &FigureOptions::default(),
    )
    .unwrap();
    let f = file(&files, "output.torch.bilinear.png");
    let colors = plot_colors(&png(&f.path), &f.plots[0]);
    assert_eq!(colors, BTreeSet::from([ColorMap::Viridis.at(0.5).0]));

    let all_nan = FigureInput::new("n", "all NaN", Array2::from_elem((2, 2), f32::NAN)).unwrap();
    render_all(
        &all_nan,
        &Method::defaults(),
        &dir.path("n"),
        &FigureOptions::default(),
    )
    .unwrap();

    let one = FigureInput::new("one", "1×1", array![[1.0f32]]).unwrap();
    let files = render_all(
        &one,
        &Method::defaults(),
        &dir.path("one"),
        &FigureOptions::default(),
    )
    .unwrap();
    assert!(files.iter().all(|f| f.path.is_file()));

    assert!(FigureInput::new("e", "empty", Array2::zeros((0, 3))).is_err());
}

#[test]
fn sizes_and_cells_that_do_not_fit_are_refused() {
    if common::corpora_absent("sizes_and_cells_that_do_not_fit_are_refused") {
        return;
    }
    let input = FigureInput::article().unwrap();
    let m = Method::defaults();
    let bad = |scale: f64, cell: Option<u32>| compute(&input, &m, &FigureOptions { scale, cell });
    assert!(matches!(bad(0.0, None), Err(Error::InvalidScale { .. })));
    assert!(matches!(
        bad(f64::NAN, None),
        Err(Error::InvalidScale { .. })
    ));
    assert!(matches!(bad(1e9, None), Err(Error::SizeTooLarge { .. })));
    assert!(matches!(
        bad(2.0, Some(5000)),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(matches!(
        bad(2.0, Some(0)),
        Err(Error::InvalidArgument { .. })
    ));
    assert!(compute(&input, &[], &FigureOptions::default()).is_err());
    // A non-integer scale: the integer-only presets of Keras and MPS cannot take it, and say so.
    let f = bad(1.5, None).unwrap();
    assert_eq!(f.outputs[1].values.dim(), (13, 15));
    assert!(f
        .equivalences
        .iter()
        .any(|e| e.preset == "mps.upsampling_bilinear" && e.result.is_err()));
}

#[test]
fn the_sample_positions_are_the_articles() {
    if common::corpora_absent("the_sample_positions_are_the_articles") {
        return;
    }
    let (_input, figures, _dir, _files) = article();
    let columns = |name: &str| -> Vec<f64> {
        let o = figures
            .outputs
            .iter()
            .find(|o| o.method.name() == name)
            .unwrap();
        o.samples[1]
            .iter()
            .map(|p| p.expect("inside the input"))
            .collect()
    };
    // The article's lists for a width of 10 upsampled to 20.
    let tf1: Vec<f64> = (0..20).map(|i| (f64::from(i) * 0.5).min(9.0)).collect();
    let aligned: Vec<f64> = (0..20).map(|i| f64::from(i) * 9.0 / 19.0).collect();
    let half: Vec<f64> = (0..20)
        .map(|i| ((f64::from(i) + 0.5) * 0.5 - 0.5).clamp(0.0, 9.0))
        .collect();
    let nearest: Vec<f64> = (0..20).map(|i| f64::from(i / 2)).collect();
    for (name, want) in [
        ("tf1.bilinear", tf1),
        ("torch.bilinear.align_corners", aligned),
        ("torch.bilinear", half),
        ("torch.nearest", nearest),
    ] {
        let got = columns(name);
        assert_eq!(got.len(), 20);
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-6, "{name}: {got:?}");
        }
    }
    // TF1's grid reads further right and down: the picture moves up and left.
    let tf1 = &figures.outputs[1];
    assert!(mean_offset(&tf1.samples[0], 9).unwrap() > 0.2);
    assert!(mean_offset(&tf1.samples[1], 10).unwrap() > 0.2);
    for o in [&figures.outputs[2], &figures.outputs[3]] {
        assert!(
            mean_offset(&o.samples[1], 10).unwrap().abs() < 1e-6,
            "{}",
            o.method.name()
        );
    }
    // Every claimed equivalent computes the same output, within float rounding.
    assert!(figures.equivalences.len() >= 20);
    for e in &figures.equivalences {
        let s = e
            .result
            .as_ref()
            .unwrap_or_else(|r| panic!("{}: {r}", e.preset));
        assert!(
            s.max_abs <= 1e-6,
            "{} vs {}: {}",
            figures.outputs[e.method].method.name(),
            e.preset,
            s.max_abs
        );
    }
}

#[test]
fn channels_and_images_are_picked_as_documented() {
    let dir = TempDir::new();
    let chw = Array4::from_shape_fn((1, 3, 4, 5), |(_, c, h, w)| (c * 100 + h * 10 + w) as f32);
    let npy = dir.path("chw.npy");
    let three = chw.clone().into_shape_with_order((3, 4, 5)).unwrap();
    write_tensor(&npy, three.view(), Layout::Nchw, ElementType::F32).unwrap();
    let first = FigureInput::from_file(&npy, None).unwrap();
    assert_eq!(first.map[[1, 2]], 12.0);
    let third = FigureInput::from_file(&npy, Some(2)).unwrap();
    assert_eq!(third.map[[1, 2]], 212.0);
    assert!(
        third.description.contains("channel 2 of 3"),
        "{}",
        third.description
    );
    assert!(matches!(
        FigureInput::from_file(&npy, Some(3)),
        Err(Error::InvalidArgument { .. })
    ));

    let rgb = Array4::from_shape_fn((1, 3, 2, 2), |(_, c, _, _)| [200.0, 100.0, 50.0][c]);
    let image = dir.path("rgb.png");
    write_tensor(&image, rgb.view(), Layout::Nchw, ElementType::U8).unwrap();
    let lum = FigureInput::from_file(&image, None).unwrap();
    let want = 0.299 * 200.0 + 0.587 * 100.0 + 0.114 * 50.0;
    assert!((lum.map[[0, 0]] - want).abs() < 1e-3, "{}", lum.map[[0, 0]]);
    assert_eq!(
        FigureInput::from_file(&image, Some(1)).unwrap().map[[1, 1]],
        100.0
    );

    assert!(matches!(
        FigureInput::from_file(&dir.path("missing.npy"), None),
        Err(Error::Io { .. })
    ));
}

// ---- the command line ------------------------------------------------------------------------

fn halfpixel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_halfpixel"))
        .args(args)
        .output()
        .expect("the halfpixel binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| !l.contains("XDG_RUNTIME_DIR"))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn assert_fatal(o: &Output, mentions: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line expected: {err:?}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        err.contains(mentions),
        "{err:?} should mention {mentions:?}"
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn the_command_writes_the_figures_and_lists_them() {
    let dir = TempDir::new();
    let out = dir.path("figs");
    let o = halfpixel(&["figures", "--out", out.to_str().unwrap(), "--cell", "8"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(stdout.lines().count(), 18, "{stdout}");
    for line in stdout.lines() {
        let path = line.split("  ").next().unwrap();
        assert!(Path::new(path).is_file(), "{line}");
    }
    let f = png(&out.join("output.tf1.bilinear.png"));
    assert!(
        f.width() >= 20 * 8 && f.width() < 20 * 8 + 300,
        "{}",
        f.width()
    );

    let npy = dir.path("map.npy");
    let map = Array4::from_shape_fn((1, 2, 3, 4), |(_, c, h, w)| (c * 12 + h * 4 + w) as f32);
    write_tensor(&npy, map.view(), Layout::Nchw, ElementType::F32).unwrap();
    let out2 = dir.path("mine");
    let o = halfpixel(&[
        "figures",
        "--out",
        out2.to_str().unwrap(),
        "--input",
        npy.to_str().unwrap(),
        "--channel",
        "1",
        "--scale",
        "3",
        "--methods",
        "torch.nearest, onnx.linear.half_pixel",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for name in [
        "input.png",
        "output.onnx.linear.half_pixel.png",
        "flip.torch.nearest--onnx.linear.half_pixel.gif",
        "cycle.gif",
        "figures.md",
    ] {
        assert!(out2.join(name).is_file(), "{name}");
    }
    let md = std::fs::read_to_string(out2.join("figures.md")).unwrap();
    assert!(md.contains("channel 1 of 2") && md.contains("9x12"), "{md}");

    let nan = dir.path("nan.npy");
    let mut map = Array2::from_elem((4, 4), 1.0f32);
    map[[1, 2]] = f32::NAN;
    write_tensor(&nan, map.view(), Layout::Nchw, ElementType::F32).unwrap();
    let out3 = dir.path("nan");
    let o = halfpixel(&[
        "figures",
        "--out",
        out3.to_str().unwrap(),
        "--input",
        nan.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = std::fs::read_to_string(out3.join("figures.md")).unwrap();
    assert!(md.contains("NaN values are drawn magenta"), "{md}");
}

#[test]
fn command_line_errors_are_one_line_and_exit_2() {
    let dir = TempDir::new();
    let blocker = dir.path("a-file");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let under_file = blocker.join("figs");
    assert_fatal(
        &halfpixel(&["figures", "--out", under_file.to_str().unwrap()]),
        "cannot create folder",
    );
    let out = dir.path("out");
    let out = out.to_str().unwrap();
    assert_fatal(
        &halfpixel(&["figures", "--out", out, "--input", "/nonexistent/map.npy"]),
        "cannot read",
    );
    let txt = dir.path("notes.txt");
    std::fs::write(&txt, b"hello").unwrap();
    assert_fatal(
        &halfpixel(&["figures", "--out", out, "--input", txt.to_str().unwrap()]),
        "extension",
    );
    let broken = dir.path("broken.png");
    std::fs::write(&broken, b"not a png").unwrap();
    assert_fatal(
        &halfpixel(&["figures", "--out", out, "--input", broken.to_str().unwrap()]),
        "decode",
    );
    assert_fatal(
        &halfpixel(&["figures", "--out", out, "--methods", "torch.bilnear"]),
        "unknown preset",
    );
    assert_fatal(
        &halfpixel(&["figures", "--out", out, "--methods", "torch.pixel_shuffle"]),
        "not a resize",
    );
    assert_fatal(
        &halfpixel(&["figures", "--out", out, "--channel", "2"]),
        "--channel",
    );
    assert_fatal(
        &halfpixel(&["figures", "--out", out, "--scale", "0"]),
        "scale",
    );
    assert_fatal(
        &halfpixel(&["figures", "--out", out, "--cell", "100000"]),
        "cell",
    );
    assert!(!Path::new(out).join("figures.md").exists());
}
