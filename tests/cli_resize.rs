//! `halfpixel resize` and `halfpixel presets`: corpus cases through named presets, image round
//! trips, the preset listing, and one-line errors (exit 2, no panic) for everything a user can
//! get wrong.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use halfpixel::npy::read_npy;
use halfpixel::presets::named::{all, by_name, Request, Target, ALIASES};
use halfpixel::tensor_io::{read_tensor, write_tensor, ElementType};
use halfpixel::Layout;
use ndarray::{Array2, Array4};
use serde_json::Value;

fn halfpixel(args: &[&str]) -> Output {
    halfpixel_env(args, &[])
}

fn halfpixel_env(args: &[&str], set: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_halfpixel"));
    command.args(args);
    for (k, v) in set {
        command.env(k, v);
    }
    command.output().expect("the halfpixel binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr without what graphics drivers print while wgpu looks for adapters (Mesa's EGL says
/// `error: XDG_RUNTIME_DIR is invalid or not set in the environment.` when that is unset).
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| !l.contains("XDG_RUNTIME_DIR"))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// A run that succeeded: exit 0, one line on stdout, no error.
fn assert_ok(o: &Output) -> String {
    let (out, err) = (stdout(o), stderr(o));
    assert_eq!(o.status.code(), Some(0), "stdout: {out}\nstderr: {err}");
    assert_eq!(out.lines().count(), 1, "one line expected: {out:?}");
    assert!(!err.contains("error"), "{err}");
    out
}

/// A run that could not happen: exit 2, one `error:` line, nothing on stdout, no panic.
fn assert_fatal(o: &Output, mentions: &str) {
    let err = stderr(o);
    assert_eq!(
        o.status.code(),
        Some(2),
        "stderr: {err}\nstdout: {}",
        stdout(o)
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.lines().count(), 1, "one line expected: {err:?}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(
        err.contains(mentions),
        "{err:?} should mention {mentions:?}"
    );
    assert!(stdout(o).is_empty(), "{}", stdout(o));
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let p =
            std::env::temp_dir().join(format!("halfpixel-cli-resize-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
    fn path(&self, name: &str) -> String {
        self.0
            .join(name)
            .to_str()
            .expect("UTF-8 temp path")
            .to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
        .to_str()
        .expect("UTF-8 path")
        .to_string()
}

fn case(id: &str) -> Value {
    let text = std::fs::read_to_string(corpus_dir().join("manifest.json")).expect("manifest");
    let manifest: Value = serde_json::from_str(&text).expect("manifest JSON");
    manifest["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("case {id} is not in the shipped corpus"))
        .clone()
}

/// One corpus case, run through a named preset.
struct CorpusRun {
    id: &'static str,
    preset: &'static str,
    target: Target,
    /// --size / --scale / --block and its value, as typed.
    flag: [&'static str; 2],
    attributes: &'static [(&'static str, &'static str)],
}

const CASES: &[CorpusRun] = &[
    CorpusRun {
        id: "torch.bilinear.ac0.scale1p5x1p5.n1c4h7w9",
        preset: "torch.bilinear",
        target: Target::Scale([1.5, 1.5]),
        flag: ["--scale", "1.5"],
        attributes: &[],
    },
    CorpusRun {
        id: "torch.bilinear.ac1.size9x12.n1c3h5w7",
        preset: "torch.bilinear.align_corners",
        target: Target::Size([9, 12]),
        flag: ["--size", "9x12"],
        attributes: &[],
    },
    CorpusRun {
        id: "tf.v1.bilinear.ac1hp0.size9x12.n1c5h7w3",
        preset: "tf1.bilinear.align_corners",
        target: Target::Size([9, 12]),
        flag: ["--size", "9x12"],
        attributes: &[],
    },
    CorpusRun {
        id: "keras.upsampling2d.bilinear.size3x2.n2c2h3w5",
        preset: "keras.upsampling2d.bilinear",
        target: Target::Scale([3.0, 2.0]),
        flag: ["--scale", "3,2"],
        attributes: &[],
    },
    CorpusRun {
        id: "torch.pixel_shuffle.b3.n2c18h2w3",
        preset: "torch.pixel_shuffle",
        target: Target::Block(3),
        flag: ["--block", "3"],
        attributes: &[],
    },
    CorpusRun {
        id: "onnx.ref.nearest.half_pixel.round_prefer_floor.size8x9.n1c2h5w6",
        preset: "onnx",
        target: Target::Size([8, 9]),
        flag: ["--size", "8x9"],
        attributes: &[
            ("mode", "nearest"),
            ("coordinate_transformation_mode", "half_pixel"),
            ("nearest_mode", "round_prefer_floor"),
            ("exclude_outside", "0"),
            ("antialias", "0"),
        ],
    },
    CorpusRun {
        id: "onnx.suite.resize_upsample_scales_cubic_align_corners",
        preset: "onnx",
        target: Target::Scale([2.0, 2.0]),
        flag: ["--scale", "2"],
        attributes: &[
            ("coordinate_transformation_mode", "align_corners"),
            ("mode", "cubic"),
        ],
    },
];

/// max |a − b| (a NaN must meet a NaN), or None when the shapes differ.
fn max_error(got: &Path, expected: &Path) -> Option<f32> {
    let (g, e) = (
        read_npy(got).expect("output"),
        read_npy(expected).expect("expected"),
    );
    if g.shape != e.shape {
        return None;
    }
    Some(g.data.iter().zip(&e.data).fold(0.0f32, |m, (a, b)| {
        if a.is_nan() && b.is_nan() {
            m
        } else if a.is_nan() || b.is_nan() {
            f32::INFINITY
        } else {
            m.max((a - b).abs())
        }
    }))
}

fn run_case(run: &CorpusRun, backend: &str, dir: &TempDir) -> (f32, String) {
    let c = case(run.id);
    let layout = c["layout"].as_str().expect("layout");
    let input = corpus_dir().join(c["input"].as_str().expect("input"));
    let expected = corpus_dir().join(c["expected"].as_str().expect("expected"));
    let tolerance = c["tolerance"]["max_abs"].as_f64().expect("tolerance") as f32;

    // The preset, given this target, is exactly the recorded call.
    let loaded = read_tensor(&input, layout.parse().expect("layout")).expect("input");
    let attributes: Vec<(String, String)> = run
        .attributes
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let call = by_name(run.preset)
        .expect("preset")
        .call(&Request {
            target: run.target,
            input: loaded.dims_nchw(),
            attributes: &attributes,
        })
        .expect("call");
    let mut want_args = c["call"]["args"].clone();
    let mut got_args = call.args.clone();
    // Our ONNX presets are opset 19; the suite's cases may record a later opset with the same
    // Resize semantics.
    if c["call"]["framework"] == "onnx" {
        for args in [&mut want_args, &mut got_args] {
            if let Some(o) = args.as_object_mut() {
                o.remove("opset");
            }
        }
    }
    assert_eq!(
        (call.framework.as_str(), call.function.as_str(), &got_args),
        (
            c["call"]["framework"].as_str().unwrap(),
            c["call"]["function"].as_str().unwrap(),
            &want_args
        ),
        "{}: {} does not express the recorded call",
        run.id,
        run.preset
    );

    let out = dir.path(&format!("{}.{backend}.npy", run.id));
    let mut args = vec![
        "resize",
        input.to_str().unwrap(),
        out.as_str(),
        "--preset",
        run.preset,
        run.flag[0],
        run.flag[1],
        "--layout",
        layout,
        "--backend",
        backend,
    ];
    let attrs: Vec<String> = run
        .attributes
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for a in &attrs {
        args.push("--attr");
        args.push(a);
    }
    let line = assert_ok(&halfpixel(&args));
    let err = max_error(Path::new(&out), &expected)
        .unwrap_or_else(|| panic!("{}: output shape differs from expected", run.id));
    assert!(
        err <= tolerance,
        "{}: max error {err} above the case's tolerance {tolerance}",
        run.id
    );
    (err, line)
}

#[test]
fn corpus_cases_through_named_presets_match_the_frameworks() {
    if common::corpora_absent("corpus_cases_through_named_presets_match_the_frameworks") {
        return;
    }
    let dir = TempDir::new();
    for run in CASES {
        let (_, line) = run_case(run, "cpu", &dir);
        assert!(line.contains(" | cpu | "), "{line}");
        assert!(line.contains(" → "), "{line}");
    }
    let (_, line) = run_case(&CASES[1], "cpu", &dir);
    assert!(
        line.starts_with("torch.nn.functional.interpolate("),
        "{line}"
    );
    assert!(line.contains("align_corners=True"), "{line}");
    assert!(line.contains("[1, 3, 5, 7] NCHW f32 → "), "{line}");
    assert!(line.contains("[1, 3, 9, 12] NCHW f32"), "{line}");
}

#[test]
fn auto_backend_says_which_ran_and_matches_too() {
    if common::corpora_absent("auto_backend_says_which_ran_and_matches_too") {
        return;
    }
    let dir = TempDir::new();
    for run in &CASES[..3] {
        let (_, line) = run_case(run, "auto", &dir);
        assert!(
            line.contains(" | gpu: ")
                || line.contains(" | cpu (fell back: ")
                || line.contains(" | cpu (no hardware GPU; software rasteriser"),
            "{line}"
        );
    }
}

/// `--backend auto` takes a hardware GPU, else the CPU; a software rasteriser only with
/// `HALFPIXEL_ALLOW_SOFTWARE_GPU=1`. `--backend gpu` takes one when it is all there is.
#[test]
fn auto_takes_a_software_rasteriser_only_when_asked() {
    if common::corpora_absent("auto_takes_a_software_rasteriser_only_when_asked") {
        return;
    }
    use halfpixel::gpu::{enumerate_adapters, AdapterDescription};
    let found: Vec<AdapterDescription> = enumerate_adapters()
        .iter()
        .map(|a| AdapterDescription::from_info(&a.get_info()))
        .collect();
    let hardware = found.iter().any(|d| !d.is_software());
    if hardware || found.is_empty() {
        eprintln!("not a software-only machine: nothing to check");
        return;
    }
    let dir = TempDir::new();
    let input = fixture("rgb_5x6.png");
    let out = dir.path("o.png");
    let args = [
        "resize",
        input.as_str(),
        out.as_str(),
        "--preset",
        "torch.nearest",
        "--scale",
        "2",
    ];
    let line = assert_ok(&halfpixel_env(
        &args,
        &[("HALFPIXEL_ALLOW_SOFTWARE_GPU", "0")],
    ));
    assert!(
        line.contains(" | cpu (no hardware GPU; software rasteriser"),
        "{line}"
    );
    assert!(line.contains("HALFPIXEL_ALLOW_SOFTWARE_GPU=1"), "{line}");
    let line = assert_ok(&halfpixel_env(
        &args,
        &[("HALFPIXEL_ALLOW_SOFTWARE_GPU", "1")],
    ));
    assert!(
        line.contains(" | gpu: ") && line.contains("a software rasteriser"),
        "{line}"
    );
    let mut gpu = args.to_vec();
    gpu.extend(["--backend", "gpu"]);
    let line = assert_ok(&halfpixel_env(
        &gpu,
        &[("HALFPIXEL_ALLOW_SOFTWARE_GPU", "0")],
    ));
    assert!(
        line.contains(" | gpu: ") && line.contains("a software rasteriser"),
        "{line}"
    );
}

#[test]
fn without_a_gpu_auto_falls_back_and_gpu_is_an_error() {
    if common::corpora_absent("without_a_gpu_auto_falls_back_and_gpu_is_an_error") {
        return;
    }
    // A wgpu backend this platform does not have leaves no adapter.
    let absent = if cfg!(target_os = "macos") {
        "dx12"
    } else {
        "metal"
    };
    let dir = TempDir::new();
    let input = fixture("rgb_5x6.png");
    let out = dir.path("o.png");
    let args = [
        "resize",
        input.as_str(),
        out.as_str(),
        "--preset",
        "torch.nearest",
        "--scale",
        "2",
    ];
    let o = halfpixel_env(&args, &[("WGPU_BACKEND", absent)]);
    let line = assert_ok(&o);
    assert!(line.contains(" | cpu (fell back: "), "{line}");
    let mut gpu = args.to_vec();
    gpu.extend(["--backend", "gpu"]);
    let o = halfpixel_env(&gpu, &[("WGPU_BACKEND", absent)]);
    assert_fatal(&o, "--backend cpu");
}

#[test]
fn an_image_round_trip_stays_an_image() {
    if common::corpora_absent("an_image_round_trip_stays_an_image") {
        return;
    }
    let dir = TempDir::new();
    let input = fixture("rgb_5x6.png");
    let out = dir.path("big.png");
    let line = assert_ok(&halfpixel(&[
        "resize",
        &input,
        &out,
        "--preset",
        "torch.nearest",
        "--scale",
        "2",
        "--backend",
        "cpu",
    ]));
    assert!(line.contains("[1, 3, 5, 6] NCHW u8 → "), "{line}");
    assert!(line.contains("[1, 3, 10, 12] NCHW u8"), "{line}");
    assert!(!line.contains("warning"), "{line}");
    let src = read_tensor(Path::new(&input), Layout::Nhwc).unwrap();
    let big = read_tensor(Path::new(&out), Layout::Nhwc).unwrap();
    assert_eq!(big.element_type, ElementType::U8);
    assert_eq!(big.array.dim(), (1, 10, 12, 3));
    // Nearest at exactly 2×: every pixel becomes a 2×2 block.
    for ((_, y, x, c), &v) in big.array.indexed_iter() {
        assert_eq!(v, src.array[[0, y / 2, x / 2, c]], "({y}, {x}, {c})");
    }

    // 16-bit PNG in, 16-bit PNG out.
    let out16 = dir.path("big16.png");
    let line = assert_ok(&halfpixel(&[
        "resize",
        &fixture("gray16_3x4.png"),
        &out16,
        "--preset",
        "opencv.inter_nearest",
        "--size",
        "6x8",
        "--backend",
        "cpu",
    ]));
    assert!(line.contains("u16 → ") && line.ends_with("u16\n"), "{line}");
    let big = read_tensor(Path::new(&out16), Layout::Nchw).unwrap();
    assert_eq!(big.element_type, ElementType::U16);
    assert_eq!(big.array[[0, 0, 5, 7]], 55535.0);
}

#[test]
fn clamped_values_are_counted_in_a_warning() {
    let dir = TempDir::new();
    // A 0/255 checkerboard: bicubic overshoots both ends. float32 input: PyTorch's float
    // arithmetic, whose result is clamped when written to an 8-bit PNG (a uint8 input would run
    // PyTorch's own uint8 arithmetic, which clamps each pass itself).
    let board = Array4::from_shape_fn(
        (1, 1, 6, 6),
        |(_, _, y, x)| {
            if (x + y) % 2 == 0 {
                0.0
            } else {
                255.0
            }
        },
    );
    let input = dir.path("board.npy");
    write_tensor(
        Path::new(&input),
        board.view(),
        Layout::Nchw,
        ElementType::F32,
    )
    .unwrap();
    let floats = dir.path("big.npy");
    let common = [
        "--preset",
        "torch.bicubic",
        "--scale",
        "2",
        "--backend",
        "cpu",
    ];
    let mut args = vec!["resize", input.as_str(), floats.as_str(), "--dtype", "f32"];
    args.extend(common);
    let line = assert_ok(&halfpixel(&args));
    assert!(
        line.contains("NCHW f32") && !line.contains("warning"),
        "{line}"
    );
    let f = read_npy(Path::new(&floats)).unwrap();
    let outside = f
        .data
        .iter()
        .filter(|v| !(0.0..=255.0).contains(&v.round_ties_even()))
        .count();
    assert!(outside > 0);

    let png = dir.path("big.png");
    let mut args = vec!["resize", input.as_str(), png.as_str()];
    args.extend(common);
    let line = assert_ok(&halfpixel(&args));
    assert!(
        line.ends_with(&format!(
            " | warning: {outside} of 144 values clamped to [0, 255]\n"
        )),
        "{line}"
    );
    let img = read_tensor(Path::new(&png), Layout::Nchw).unwrap();
    let want: Vec<f32> = f
        .data
        .iter()
        .map(|v| v.round_ties_even().clamp(0.0, 255.0))
        .collect();
    assert_eq!(img.array.iter().copied().collect::<Vec<_>>(), want);
}

/// Without `--layout` a .npy is read in the layout of the preset's framework: NHWC for
/// TensorFlow, Keras, OpenCV and Pillow, NCHW for PyTorch, ONNX, Core ML and MPS. The line says
/// which was used, and a note says where it came from; `--layout` overrides it.
#[test]
fn the_layout_comes_from_the_presets_framework() {
    if common::corpora_absent("the_layout_comes_from_the_presets_framework") {
        return;
    }
    let dir = TempDir::new();
    let x = Array4::from_shape_fn((1, 5, 6, 3), |(_, y, x, c)| (y * 18 + x * 3 + c) as f32);
    let input = dir.path("nhwc.npy");
    write_tensor(Path::new(&input), x.view(), Layout::Nchw, ElementType::F32).unwrap();
    let out = dir.path("out.npy");
    let run = |preset: &str, extra: &[&str]| {
        // Keras UpSampling2D takes integer factors; the others a size.
        let target = if preset.starts_with("keras") {
            ["--scale", "2"]
        } else {
            ["--size", "10x12"]
        };
        let mut args = vec![
            "resize",
            &input,
            &out,
            "--preset",
            preset,
            "--backend",
            "cpu",
        ];
        args.extend_from_slice(&target);
        args.extend_from_slice(extra);
        halfpixel(&args)
    };
    for preset in [
        "tf.bilinear",
        "keras.upsampling2d.bilinear",
        "opencv.inter_linear",
        "pillow.bilinear",
    ] {
        let o = run(preset, &[]);
        let line = assert_ok(&o);
        assert!(
            line.contains("[1, 5, 6, 3] NHWC f32 → "),
            "{preset}: {line}"
        );
        assert!(line.contains(" NHWC f32"), "{preset}: {line}");
        assert!(
            stderr(&o).contains("note: layout NHWC") && stderr(&o).contains("--layout NCHW"),
            "{preset}: {}",
            stderr(&o)
        );
        let got = read_tensor(Path::new(&out), Layout::Nhwc).unwrap().array;
        let op = by_name(preset)
            .unwrap()
            .build(&Request {
                target: if preset.starts_with("keras") {
                    Target::Scale([2.0, 2.0])
                } else {
                    Target::Size([10, 12])
                },
                input: [1, 3, 5, 6],
                attributes: &[],
            })
            .unwrap();
        let want = op.run_cpu(x.view(), Layout::Nhwc).unwrap();
        assert_eq!(got, want, "{preset}: the channels-last answer");
    }
    for preset in [
        "torch.bilinear",
        "onnx.linear.half_pixel",
        "coreml.resize_bilinear.default",
        "mps.resize_bilinear",
    ] {
        let o = run(preset, &[]);
        let line = assert_ok(&o);
        assert!(
            line.contains("[1, 5, 6, 3] NCHW f32 → "),
            "{preset}: {line}"
        );
        assert!(line.contains("[1, 5, 10, 12] NCHW f32"), "{preset}: {line}");
        assert!(stderr(&o).contains("note: layout NCHW"), "{preset}");
    }
    // --layout says otherwise: no note.
    let o = run("tf.bilinear", &["--layout", "NCHW"]);
    let line = assert_ok(&o);
    assert!(line.contains("[1, 5, 10, 12] NCHW f32"), "{line}");
    assert!(!stderr(&o).contains("note: layout"), "{}", stderr(&o));
    // An image reads the same either way: no note.
    let o = halfpixel(&[
        "resize",
        &fixture("rgb_5x6.png"),
        &dir.path("o.png"),
        "--preset",
        "tf.nearest",
        "--size",
        "10x12",
        "--backend",
        "cpu",
    ]);
    assert_ok(&o);
    assert!(!stderr(&o).contains("note: layout"), "{}", stderr(&o));
}

#[test]
fn a_2d_npy_keeps_its_rank_and_f16_stays_f16() {
    let dir = TempDir::new();
    let hw = Array2::from_shape_fn((4, 5), |(y, x)| (y * 5 + x) as f32 * 0.5);
    let input = dir.path("hw.npy");
    write_tensor(Path::new(&input), hw.view(), Layout::Nchw, ElementType::F16).unwrap();
    let out = dir.path("out.npy");
    let line = assert_ok(&halfpixel(&[
        "resize",
        &input,
        &out,
        "--preset",
        "tf.nearest",
        "--size",
        "8x10",
        "--layout",
        "nhwc",
        "--backend",
        "cpu",
    ]));
    assert!(line.contains("[1, 4, 5, 1] NHWC f16 → "), "{line}");
    assert!(line.contains("(written as [8, 10])"), "{line}");
    let back = read_npy(Path::new(&out)).unwrap();
    assert_eq!(back.shape, vec![8, 10]);
    assert_eq!(back.dtype, halfpixel::npy::NpyDtype::F16);
    for (i, &v) in back.data.iter().enumerate() {
        let (y, x) = (i / 10, i % 10);
        assert_eq!(v, hw[[y / 2, x / 2]]);
    }
}

#[test]
fn presets_lists_every_name_and_alias_in_every_format() {
    let text = assert_presets(&["presets"]);
    let md = assert_presets(&["presets", "--format", "md"]);
    let json: Value =
        serde_json::from_str(&assert_presets(&["presets", "--format", "json"])).unwrap();
    let listed: Vec<&str> = json["presets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(listed, all().iter().map(|p| p.name).collect::<Vec<_>>());
    for p in all() {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().next() == Some(p.name))
            .unwrap_or_else(|| panic!("{} missing from the text listing", p.name));
        assert!(line.contains(p.accepts.usage()), "{line}");
        assert!(line.ends_with(p.mirrors), "{line}");
        assert!(md.contains(&format!("| `{}` |", p.name)), "{}", p.name);
    }
    for (alias, name) in ALIASES {
        assert!(text.contains(alias) && md.contains(&format!("| `{alias}` | `{name}` |")));
    }
    assert_eq!(json["aliases"].as_array().unwrap().len(), ALIASES.len());
    // Every Markdown table row has the header's number of cells (pipes inside calls escaped).
    for row in md.lines().filter(|l| l.starts_with('|')) {
        let cells = row.replace("\\|", "").matches('|').count();
        assert!(cells == 4 || cells == 3, "{row}");
    }
    assert!(text.ends_with(&format!(
        "{} presets, {} aliases\n",
        all().len(),
        ALIASES.len()
    )));
}

fn assert_presets(args: &[&str]) -> String {
    let o = halfpixel(args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    stdout(&o)
}

#[test]
fn presets_filters_by_framework_or_prefix() {
    let tf1 = assert_presets(&["presets", "--framework", "tf1", "--format", "json"]);
    let json: Value = serde_json::from_str(&tf1).unwrap();
    let names: Vec<&str> = json["presets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = all()
        .iter()
        .map(|p| p.name)
        .filter(|n| n.starts_with("tf1."))
        .collect();
    assert!(!want.is_empty());
    assert_eq!(names, want);
    let coreml = assert_presets(&["presets", "--framework", "CoreML"]);
    for p in all() {
        assert_eq!(
            coreml
                .lines()
                .any(|l| l.split_whitespace().next() == Some(p.name)),
            p.framework == "coreml",
            "{}",
            p.name
        );
    }
    // Only the aliases of listed presets.
    assert!(coreml.contains("coreml.resize_bilinear.roi_align"));
    assert!(!coreml.contains("torch.nearest-exact"));
    assert_fatal(
        &halfpixel(&["presets", "--framework", "caffe"]),
        "the frameworks are torch, tf",
    );
}

#[test]
fn every_user_error_is_one_line_and_exit_2() {
    if common::corpora_absent("every_user_error_is_one_line_and_exit_2") {
        return;
    }
    let dir = TempDir::new();
    let npy = corpus_dir()
        .join("data/torch.bilinear.ac0.scale1p5x1p5.n1c4h7w9.input.npy")
        .to_str()
        .unwrap()
        .to_string();
    let png = fixture("rgb_5x6.png");
    let out = dir.path("out.npy");
    let resize = |extra: &[&str], input: &str, output: &str| {
        let mut args = vec!["resize", input, output, "--backend", "cpu"];
        args.extend_from_slice(extra);
        halfpixel(&args)
    };

    // Unknown preset: suggestions.
    assert_fatal(
        &resize(&["--preset", "torch.bilnear", "--scale", "2"], &npy, &out),
        "did you mean torch.bilinear",
    );
    // A target the preset cannot take: the flag to use.
    assert_fatal(
        &resize(&["--preset", "tf.bilinear", "--scale", "2"], &npy, &out),
        "give --size HxW",
    );
    assert_fatal(
        &resize(
            &["--preset", "torch.pixel_shuffle", "--size", "9x9"],
            &npy,
            &out,
        ),
        "--block",
    );
    assert_fatal(
        &resize(
            &["--preset", "mps.upsampling_nearest", "--scale", "1.5"],
            &npy,
            &out,
        ),
        "integer scale factors",
    );
    // No target, two targets, malformed targets.
    assert_fatal(
        &resize(&["--preset", "tf.bilinear"], &npy, &out),
        "give one of --size HxW, --scale S[,S] or --block B; tf.bilinear takes --size HxW",
    );
    assert_fatal(
        &resize(
            &[
                "--preset",
                "torch.bilinear",
                "--size",
                "4x4",
                "--scale",
                "2",
            ],
            &npy,
            &out,
        ),
        "give only one of",
    );
    for (flag, value) in [
        ("--size", "12"),
        ("--size", "0x4"),
        ("--size", "axb"),
        ("--scale", "0"),
        ("--scale", "nan"),
        ("--scale", "1,2,3"),
        ("--block", "-1"),
    ] {
        let flagged = format!("{flag}={value}");
        assert_fatal(
            &resize(&["--preset", "torch.bilinear", &flagged], &npy, &out),
            flag,
        );
    }
    // An axis past MAX_AXIS_LEN is refused before anything is planned; an addressable output
    // larger than this machine's memory when it is allocated (nothing is written either way).
    assert_fatal(
        &resize(
            &[
                "--preset",
                "torch.nearest",
                "--size",
                "2000000000x2000000000",
            ],
            &npy,
            &out,
        ),
        "output height is too large: 2000000000",
    );
    assert_fatal(
        &resize(
            &["--preset", "torch.nearest", "--size", "300000x300000"],
            &npy,
            &out,
        ),
        "cannot allocate",
    );
    // A shape that does not fit: 3 channels do not pixel-shuffle by 2, 5 rows do not unshuffle.
    assert_fatal(
        &resize(
            &["--preset", "torch.pixel_shuffle", "--block", "2"],
            &png,
            &out,
        ),
        "does not fit channels = ",
    );
    assert_fatal(
        &resize(
            &["--preset", "torch.pixel_unshuffle", "--block", "2"],
            &png,
            &out,
        ),
        "does not fit height = 5",
    );
    // --attr on a non-onnx preset, and a malformed --attr.
    assert_fatal(
        &resize(
            &[
                "--preset",
                "torch.bilinear",
                "--scale",
                "2",
                "--attr",
                "mode=cubic",
            ],
            &npy,
            &out,
        ),
        "only onnx",
    );
    assert_fatal(
        &resize(
            &["--preset", "onnx", "--scale", "2", "--attr", "mode"],
            &npy,
            &out,
        ),
        "NAME=VALUE",
    );
    // Unreadable and malformed files.
    assert_fatal(
        &resize(
            &["--preset", "torch.bilinear", "--scale", "2"],
            &dir.path("missing.npy"),
            &out,
        ),
        "cannot read",
    );
    let bad_npy = dir.path("bad.npy");
    std::fs::write(&bad_npy, b"\x93NUMPY\x01\x00garbage").unwrap();
    assert_fatal(
        &resize(
            &["--preset", "torch.bilinear", "--scale", "2"],
            &bad_npy,
            &out,
        ),
        "malformed .npy",
    );
    let bad_png = dir.path("bad.png");
    std::fs::write(&bad_png, b"\x89PNG\r\n\x1a\nnot really").unwrap();
    assert_fatal(
        &resize(
            &["--preset", "torch.bilinear", "--scale", "2"],
            &bad_png,
            &out,
        ),
        "cannot decode image",
    );
    assert_fatal(
        &resize(
            &["--preset", "torch.bilinear", "--scale", "2"],
            &npy,
            &dir.path("out.tiff"),
        ),
        "supported: .npy, .png, .jpg, .jpeg",
    );
    // Outputs the format cannot hold: nothing is written.
    let png_out = dir.path("out.png");
    assert_fatal(
        &resize(
            &[
                "--preset",
                "torch.bilinear",
                "--scale",
                "2",
                "--dtype",
                "f32",
            ],
            &png,
            &png_out,
        ),
        "PNG holds u8 or u16",
    );
    let c16 = corpus_dir()
        .join("data/torch.bilinear.ac0.scale3x3.n1c16h3w4.input.npy")
        .to_str()
        .unwrap()
        .to_string();
    assert_fatal(
        &resize(
            &["--preset", "torch.bilinear", "--scale", "2"],
            &c16,
            &png_out,
        ),
        "this tensor has 16",
    );
    let batch2 = corpus_dir()
        .join("data/torch.pixel_shuffle.b3.n2c18h2w3.input.npy")
        .to_str()
        .unwrap()
        .to_string();
    assert_fatal(
        &resize(
            &["--preset", "torch.pixel_shuffle", "--block", "3"],
            &batch2,
            &png_out,
        ),
        "holds one image, this tensor holds 2",
    );
    let nan_input = dir.path("nan.npy");
    let mut nan = Array4::<f32>::zeros((1, 1, 2, 2));
    nan[[0, 0, 1, 1]] = f32::NAN;
    write_tensor(
        Path::new(&nan_input),
        nan.view(),
        Layout::Nchw,
        ElementType::F32,
    )
    .unwrap();
    assert_fatal(
        &resize(
            &["--preset", "torch.nearest", "--scale", "2", "--dtype", "u8"],
            &nan_input,
            &out,
        ),
        "4 NaN of 16",
    );
    assert!(!Path::new(&out).exists());
    assert!(!Path::new(&png_out).exists());
}
