//! The computed cheatsheet (`halfpixel::matrix`) against what the literature documents — the
//! seed article "Upsampling in Core ML" (M. Hollemans, 2020; `shared/seeds/upsampling-in-core-ml.txt`)
//! and `shared/SEMANTICS.md` — plus pairs that must not match, and the `halfpixel matrix` command.
//!
//! Every expectation below is checked on the computed matrix; nothing is typed in. Where the
//! computation disagrees with the article, the test states what was measured and why.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;

use halfpixel::matrix::{
    self, Case, Matrix, Options, Outcome, PairResult, SourceRow, TargetGroup, Verdict,
};
use serde_json::Value;

/// The full matrix, computed once for every test of this file.
fn full() -> &'static Matrix {
    static MATRIX: OnceLock<Matrix> = OnceLock::new();
    MATRIX.get_or_init(|| matrix::compute(&Options::default(), &mut |_| {}).expect("computes"))
}

fn row(source: &str) -> &'static SourceRow {
    full()
        .row(source)
        .unwrap_or_else(|| panic!("no row for {source}"))
}

fn result(source: &str, target: &str) -> &'static PairResult {
    row(source)
        .result(target)
        .unwrap_or_else(|| panic!("{target} applies to no case of {source}"))
}

/// Exact or within float rounding on every case the target applies to.
fn assert_reproduces(source: &str, target: &str) {
    let r = result(source, target);
    assert!(
        matches!(r.verdict, Verdict::Exact | Verdict::WithinRounding),
        "{target} should reproduce {source}: {:?}, {} exact + {} rounding of {}, max |Δ| {:e}, \
         worst case {:?}",
        r.verdict,
        r.exact,
        r.rounding,
        r.applicable,
        r.max_error,
        r.worst_case.map(|c| &full().cases[c])
    );
}

fn assert_bit_exact(source: &str, target: &str) {
    let r = result(source, target);
    assert_eq!(
        r.verdict,
        Verdict::Exact,
        "{target} should reproduce {source} bit-exactly: {} exact + {} rounding of {}, max |Δ| {:e}",
        r.exact,
        r.rounding,
        r.applicable,
        r.max_error
    );
}

/// The cases of a source paired with the target's outcome on each.
fn outcomes(source: &str, target: &str) -> Vec<(&'static Case, Outcome)> {
    let row = row(source);
    let r = result(source, target);
    row.cases
        .iter()
        .map(|&c| &full().cases[c])
        .zip(r.outcomes.list.iter().copied())
        .collect()
}

fn matches(o: &Outcome) -> bool {
    matches!(o, Outcome::Exact { .. } | Outcome::Rounding { .. })
}

// ---- equivalences the article and SEMANTICS.md state ------------------------------------------

/// Article, "align_corners=True in Core ML": "you must use a ResizeBilinear layer in
/// STRICT_ALIGN_ENDPOINTS_MODE. That will give exactly the same results as TensorFlow's bilinear
/// resizing with align_corners=True", and "If your PyTorch model uses align_corners=True, you get
/// the same results as TensorFlow". SEMANTICS.md §4.2 maps MIL STRICT_ALIGN_CORNERS and
/// upsample_bilinear(align_corners=True) to the same grid; docs/matrix.md: MPS alignCorners=YES aligns
/// the corners. "Same" is within float32 rounding here: PyTorch and TF form the coordinates in
/// float32, Core ML's documented grid is evaluated in float64.
#[test]
fn align_corners_true_is_strict_align_endpoints() {
    for source in ["torch.bilinear.align_corners", "tf1.bilinear.align_corners"] {
        for target in [
            "coreml.nn.resize_bilinear.strict_align_endpoints",
            "coreml.nn.upsample.bilinear.align_corners_true",
            "coreml.resize_bilinear.strict_align_corners",
            "coreml.upsample_bilinear.align_corners",
            "mps.resize_bilinear.align_corners",
        ] {
            assert_reproduces(source, target);
        }
    }
}

/// SEMANTICS.md §3.2: with the `scales` input, ONNX's align_corners maps with the unrounded
/// output length `in·scale`, not the integer one — so ONNX reproduces align_corners=True calls
/// given a size, and a PyTorch `scale_factor` only where `in·scale` is an integer (or where the
/// mapping does not matter).
#[test]
fn onnx_align_corners_reproduces_sizes_not_unrounded_scales() {
    assert_reproduces("tf1.bilinear.align_corners", "onnx(linear, align_corners)");
    let source = "torch.bilinear.align_corners";
    let target = "onnx(linear, align_corners)";
    let all = outcomes(source, target);
    let mut failed = 0;
    for (case, o) in &all {
        if !case.features.by_scale {
            assert!(matches(o), "{case:?}: {o:?}");
        } else if !matches(o) {
            failed += 1;
            assert!(!case.features.exact_ratio, "{case:?}");
            assert!(o.error() > 0.01, "{case:?}: {o:?}");
        }
    }
    assert!(failed > 0);
}

/// Article, "Sampling modes": "there is no real difference between STRICT_ALIGN_ENDPOINTS_MODE
/// and ALIGN_ENDPOINTS_MODE, except when the output tensor is just one pixel wide (or tall)";
/// SEMANTICS.md look-alike trap 6 (Core ML ALIGN_CORNERS samples the centre for out = 1).
#[test]
fn align_endpoints_differs_only_where_an_axis_shrinks_to_one_pixel() {
    for (source, target) in [
        (
            "torch.bilinear.align_corners",
            "coreml.nn.resize_bilinear.align_endpoints",
        ),
        (
            "tf1.bilinear.align_corners",
            "coreml.resize_bilinear.align_corners",
        ),
    ] {
        let r = result(source, target);
        assert_eq!(r.verdict, Verdict::Partial, "{source} vs {target}");
        assert_eq!(
            r.matches_on.as_deref(),
            Some("only for no axis shrunk to length 1"),
            "{source} vs {target}"
        );
        let failing: Vec<_> = outcomes(source, target)
            .into_iter()
            .filter(|(_, o)| !matches(o))
            .collect();
        assert!(!failing.is_empty());
        for (case, o) in failing {
            assert!(case.features.output_len1, "{case:?}");
            assert!(o.error() > 0.1, "{case:?}: {o:?}");
        }
    }
}

/// Article, "The bad method": TF1 `resize_bilinear(align_corners=False)` "is also the result from
/// Core ML's Upsample layer when used in BILINEAR mode and of the ResizeBilinear layer in
/// UPSAMPLE_MODE". SEMANTICS.md trap 1: "TF v1 (False,False) == Core ML resize_bilinear DEFAULT ==
/// NN UpsampleLayer DEFAULT == ONNX asymmetric". docs/matrix.md: MPS alignCorners=NO is mapped to that
/// grid (inferred, not measured on Apple hardware).
#[test]
fn tf1_default_bilinear_is_upsample_mode() {
    for target in [
        "coreml.nn.resize_bilinear.upsample",
        "coreml.nn.upsample.bilinear",
        "coreml.resize_bilinear.default",
        "mps.resize_bilinear",
        "mps.upsampling_bilinear",
        "onnx(linear, asymmetric)",
    ] {
        assert_reproduces("tf1.bilinear", target);
    }
    // Article, "Sampling modes": "When you use UPSAMPLE_MODE with a ResizeBilinear layer, it
    // gives exactly the same results as the Upsample layer in bilinear mode": case by case.
    let layer = outcomes("tf1.bilinear", "coreml.nn.resize_bilinear.upsample");
    let upsample = outcomes("tf1.bilinear", "coreml.nn.upsample.bilinear");
    let mut compared = 0;
    for ((case, a), (_, b)) in layer.iter().zip(&upsample) {
        if *a != Outcome::NotApplicable && *b != Outcome::NotApplicable {
            compared += 1;
            assert_eq!((matches(a), a.error()), (matches(b), b.error()), "{case:?}");
        }
    }
    // Core ML's validator refuses a DEFAULT-mode Upsample with a fractional factor, so the
    // Upsample layer applies only to the integer-factor cases of the matrix.
    assert!(compared >= 8, "{compared}");
    // The integer-only MPS kernel applies to integer upsampling factors only.
    let r = result("tf1.bilinear", "mps.upsampling_bilinear");
    assert_eq!(
        r.applies_to.as_deref(),
        Some("only for integer upsampling factors")
    );
}

/// SEMANTICS.md §8 (equivalence table): PyTorch bilinear align_corners=False, TF1
/// half_pixel_centers=True, `tf.image.resize` bilinear and OpenCV INTER_LINEAR are all ONNX
/// `half_pixel`; the article ("The good method"): TF 2.x `tf.image.resize`, Keras on TF 2 and
/// OpenCV do the same as PyTorch align_corners=False.
#[test]
fn half_pixel_family_is_onnx_half_pixel() {
    for source in [
        "torch.bilinear",
        "tf1.bilinear.half_pixel_centers",
        "tf.bilinear",
        "keras.upsampling2d.bilinear",
        "opencv.inter_linear",
    ] {
        assert_reproduces(source, "onnx(linear, half_pixel)");
    }
}

/// SEMANTICS.md §11.2: "PyTorch align_corners=False with an output length of 1 samples the
/// centre (x = in/2 − 0.5). ONNX `pytorch_half_pixel` does not".
#[test]
fn pytorch_half_pixel_is_not_pytorch_for_an_output_of_length_1() {
    let r = result("torch.bilinear", "onnx(linear, pytorch_half_pixel)");
    assert_eq!(r.verdict, Verdict::Partial);
    let failing: Vec<_> = outcomes("torch.bilinear", "onnx(linear, pytorch_half_pixel)")
        .into_iter()
        .filter(|(_, o)| !matches(o))
        .collect();
    assert!(!failing.is_empty());
    assert!(failing.iter().all(|(c, _)| c.features.output_len1));
}

/// Article, "The best way": for PyTorch align_corners=False "there is no matching solution in
/// Core ML". Measured: true of every layer the article could use (NeuralNetwork Upsample with
/// the DEFAULT mode, ResizeBilinear in any mode) — none of them reproduces a single fractional
/// upsampling case. But Upsample with `linearUpsampleMode = ALIGN_CORNERS_FALSE` (and
/// `fractionalScalingFactor`), which coremltools counts as an iOS 14 feature
/// (`mlmodel/src/Utils.cpp`, `hasIOS14NeuralNetworkFeatures`) — after the article — is
/// half-pixel, and so are MIL `upsample_bilinear(align_corners=False)` and `resize_bilinear`
/// UNALIGN_CORNERS (SEMANTICS.md §4.1, §4.2). They reproduce PyTorch whenever PyTorch's scale
/// is out/in (a size, or a scale factor that divides exactly); what stays out of Core ML's reach
/// is a `scale_factor` with `floor(in·s)/in ≠ s`, which PyTorch maps with 1/s and every Core ML
/// layer with out/in.
#[test]
fn core_ml_reproduces_pytorch_align_corners_false_since_ios_14_when_the_scale_is_out_over_in() {
    let source = "torch.bilinear";
    for old in [
        "coreml.nn.upsample.bilinear",
        "coreml.nn.resize_bilinear.strict_align_endpoints",
        "coreml.nn.resize_bilinear.align_endpoints",
        "coreml.nn.resize_bilinear.upsample",
        "coreml.nn.resize_bilinear.roi_align",
    ] {
        for (case, o) in outcomes(source, old) {
            if case.features.upsampling && !case.features.integer {
                assert!(!matches(&o), "{old} on {case:?}: {o:?}");
            }
        }
    }
    for new in [
        "coreml.nn.upsample.bilinear.align_corners_false",
        "coreml.upsample_bilinear",
        "coreml.resize_bilinear.unalign_corners",
    ] {
        let r = result(source, new);
        assert_eq!(r.verdict, Verdict::Partial, "{new}");
        assert_eq!(
            r.matches_on.as_deref(),
            Some("only for scale = out/in exactly"),
            "{new}"
        );
    }
    // No Core ML target at all matches a case whose scale is not out/in.
    let coreml: Vec<&PairResult> = row(source)
        .results
        .iter()
        .filter(|r| matches!(r.group, TargetGroup::CoreMlNn | TargetGroup::CoreMlMil))
        .collect();
    assert!(coreml.len() >= 8);
    for r in coreml {
        for (case, o) in outcomes(source, &r.target) {
            if !case.features.exact_ratio {
                assert!(!matches(&o), "{} on {case:?}: {o:?}", r.target);
            }
        }
    }
    let cell = row(source).cell(TargetGroup::CoreMlNn);
    assert!(cell.matches.is_empty());
}

/// Article, "Nearest neighbors": "In Core ML you'll have to use the Upsample layer for this, in
/// mode NN" and "NN scaling usually doesn't give any problems"; SEMANTICS.md §2.3: TF1 legacy
/// nearest is `floor(i·in/out)`, "same as PyTorch 'nearest'" (float32 scale = in/out), §2.7: Keras
/// nearest repeats. With a user scale factor PyTorch maps with 1/s, so only integer upsampling
/// factors are guaranteed.
#[test]
fn nearest_is_the_upsample_layer_in_nn_mode() {
    assert_bit_exact("tf1.nearest", "coreml.nn.upsample");
    assert_bit_exact("keras.upsampling2d.nearest", "coreml.nn.upsample");
    assert_bit_exact("keras.upsampling2d.nearest", "mps.upsampling_nearest");
    for (case, o) in outcomes("torch.nearest", "coreml.nn.upsample") {
        if case.features.integer {
            assert!(matches!(o, Outcome::Exact { .. }), "{case:?}: {o:?}");
        }
    }
}

/// SEMANTICS.md §1.3 and §3.4: PyTorch nearest-exact is ONNX half_pixel + round_prefer_ceil;
/// trap 4: ONNX's default round_prefer_floor differs at exact halves (2× shrinking). §2.3: TF1
/// align_corners nearest rounds half away from zero (round_prefer_ceil).
#[test]
fn nearest_rounding_at_ties_is_told_apart() {
    assert_bit_exact(
        "torch.nearest_exact",
        "onnx(nearest, half_pixel, round_prefer_ceil)",
    );
    assert_bit_exact("tf.nearest", "onnx(nearest, half_pixel, round_prefer_ceil)");
    let floor = result(
        "torch.nearest_exact",
        "onnx(nearest, half_pixel, round_prefer_floor)",
    );
    assert!(!matches!(
        floor.verdict,
        Verdict::Exact | Verdict::WithinRounding
    ));
    assert!(floor.max_error > 0.1);
    let shrink_by_2 = outcomes(
        "torch.nearest_exact",
        "onnx(nearest, half_pixel, round_prefer_floor)",
    )
    .into_iter()
    .find(|(c, _)| c.pair.input[2] == 8 && c.pair.output[2] == 4 && c.target.starts_with("size"))
    .expect("the 8 → 4 case");
    assert!(!matches(&shrink_by_2.1), "{shrink_by_2:?}");

    assert_bit_exact(
        "tf1.nearest.align_corners",
        "onnx(nearest, align_corners, round_prefer_ceil)",
    );
    let r = result(
        "tf1.nearest.align_corners",
        "onnx(nearest, align_corners, round_prefer_floor)",
    );
    assert_eq!(r.verdict, Verdict::Partial);
}

/// SEMANTICS.md §1.9, §2.8, §4.1 and trap 8: PyTorch PixelShuffle, ONNX CRD and Core ML
/// PIXEL_SHUFFLE / MIL pixel_shuffle are CRD; TF depth_to_space, ONNX DCR and Core ML
/// DEPTH_TO_SPACE are DCR; the two orders coincide with one output channel only.
#[test]
fn pixel_shuffle_orders() {
    for target in [
        "coreml.pixel_shuffle",
        "coreml.nn.reorganize_data.pixel_shuffle",
        "onnx.depth_to_space.crd",
    ] {
        assert_bit_exact("torch.pixel_shuffle", target);
    }
    for target in [
        "coreml.depth_to_space",
        "coreml.nn.reorganize_data.depth_to_space",
        "onnx.depth_to_space.dcr",
    ] {
        assert_bit_exact("tf.depth_to_space", target);
        let r = result("torch.pixel_shuffle", target);
        assert_eq!(r.verdict, Verdict::Partial, "{target}");
        assert_eq!(r.matches_on.as_deref(), Some("only for one channel"));
        assert!(r.max_error > 0.1);
    }
    assert_bit_exact("torch.pixel_unshuffle", "coreml.pixel_unshuffle");
    assert_bit_exact(
        "tf.space_to_depth",
        "coreml.nn.reorganize_data.space_to_depth",
    );
}

/// SEMANTICS.md §2.4 and §11.1: TF's bicubic reads its weights from a table at 1/1024 steps, "up
/// to 2.5e-3 away from the exact cubic": no exact cubic reproduces it, but one comes that close.
#[test]
fn tf_bicubic_is_only_near_the_exact_cubic() {
    for (source, closest) in [
        ("tf1.bicubic", "onnx(cubic, asymmetric, a=-0.75)"),
        (
            "tf.bicubic",
            "onnx(cubic, half_pixel, a=-0.5, exclude_outside)",
        ),
    ] {
        let r = result(source, closest);
        assert!(
            !matches!(r.verdict, Verdict::Exact | Verdict::WithinRounding),
            "{source}"
        );
        assert!(
            r.max_error > 1e-5 && r.max_error <= 2.5e-3,
            "{source}: {:e}",
            r.max_error
        );
        let cell = row(source).cell(TargetGroup::Onnx);
        assert!(cell.matches.is_empty());
        assert_eq!(cell.closest.map(|c| c.target.as_str()), Some(closest));
    }
}

/// PyTorch's `area` is adaptive average pooling over integer bins (SEMANTICS.md §1.7), which only
/// halfpixel's portable `adaptive_avg_pool` expresses; TF's and OpenCV's area is the exact box
/// (§2.5, §6, §11.6).
#[test]
fn area_modes_part_ways() {
    assert_bit_exact("torch.area", "portable(adaptive_avg_pool)");
    assert_reproduces("tf.area", "portable(area)");
    assert_reproduces("opencv.inter_area", "portable(area)");
    assert!(row("torch.area").cell(TargetGroup::Onnx).matches.is_empty());
}

// ---- pairs that must not match, and the machinery ----------------------------------------------

/// Half-pixel against the asymmetric grid: a different formula, reported as such with a large
/// error on every case.
#[test]
fn a_different_pair_is_reported_as_different() {
    let r = result("torch.bilinear", "mps.resize_bilinear");
    assert_eq!(r.verdict, Verdict::Never);
    assert_eq!(r.exact + r.rounding, 0);
    assert!(r.max_error > 0.1, "{:e}", r.max_error);
    for (case, o) in outcomes("torch.bilinear", "mps.resize_bilinear") {
        match o {
            Outcome::Differs { error } => assert!(error > 0.0, "{case:?}"),
            other => panic!("{case:?}: {other:?}"),
        }
    }
    // The cheatsheet cell then names the closest MPS kernel with its error.
    let cell = row("torch.bilinear").cell(TargetGroup::Mps);
    assert!(cell.matches.is_empty());
    assert!(cell.closest.is_some_and(|c| c.max_error > 0.1));
}

/// Presets that make the same ONNX call as a portable combination are bit-identical to it (the
/// matrix compares like with like), and every "within rounding" outcome is within its bound.
#[test]
fn rounding_is_bounded_and_identical_calls_are_exact() {
    let m = full();
    assert!(m.bound_violations.is_empty(), "{:?}", m.bound_violations);
    for (source, target) in [
        ("onnx.linear.half_pixel", "onnx(linear, half_pixel)"),
        ("onnx.linear.asymmetric", "onnx(linear, asymmetric)"),
        ("onnx.cubic.half_pixel", "onnx(cubic, half_pixel, a=-0.75)"),
        (
            "onnx.nearest.asymmetric.floor",
            "onnx(nearest, asymmetric, floor)",
        ),
    ] {
        assert_bit_exact(source, target);
    }
    let mut rounding = 0;
    for row in &m.rows {
        for r in &row.results {
            for o in &r.outcomes.list {
                if let Outcome::Rounding { error, bound, .. } = *o {
                    rounding += 1;
                    assert!(
                        error > 0.0 && error <= bound,
                        "{} vs {}",
                        row.source,
                        r.target
                    );
                    // A few float32 ulps of the values (|x| < 1), nowhere near a real difference.
                    assert!(bound < 1e-4, "{} vs {}: {bound:e}", row.source, r.target);
                }
            }
        }
    }
    assert!(rounding > 0);
}

/// The sweep is fixed and the data seeded: the same options give the same matrix; the options
/// select rows and columns; unknown names are typed errors.
#[test]
fn deterministic_filtered_and_typed_errors() {
    let options = Options::from_names(&["keras".into()], &["mps".into()]).unwrap();
    let a = matrix::compute(&options, &mut |_| {}).unwrap();
    let mut lines = 0;
    let b = matrix::compute(&options, &mut |_| lines += 1).unwrap();
    assert_eq!(a.to_json(), b.to_json());
    assert_eq!(lines, a.pairs.len());
    assert!(a.rows.iter().all(|r| r.family == "keras"));
    assert_eq!(a.rows.len(), 3);
    assert_eq!(a.target_groups, vec![TargetGroup::Mps]);
    assert!(a
        .rows
        .iter()
        .flat_map(|r| &r.results)
        .all(|r| r.group == TargetGroup::Mps));

    let tf = Options::from_names(&["tf".into()], &[]).unwrap();
    assert_eq!(tf.sources, vec!["tf", "tf1"]);
    let coreml = Options::from_names(&[], &["coreml".into()]).unwrap();
    assert_eq!(
        coreml.targets,
        vec![TargetGroup::CoreMlNn, TargetGroup::CoreMlMil]
    );
    for (sources, targets) in [(vec!["caffe"], vec![]), (vec![], vec!["metal"])] {
        let s: Vec<String> = sources.into_iter().map(String::from).collect();
        let t: Vec<String> = targets.into_iter().map(String::from).collect();
        match Options::from_names(&s, &t) {
            Err(halfpixel::Error::InvalidArgument { .. }) => {}
            other => panic!("{other:?}"),
        }
    }
}

// ---- the command line -------------------------------------------------------------------------

fn halfpixel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_halfpixel"))
        .args(args)
        .env_remove("HALFPIXEL_PROGRESS")
        .output()
        .expect("the halfpixel binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("halfpixel-matrix-{}-{name}", std::process::id()))
}

#[test]
fn cli_markdown_is_a_well_formed_table_with_its_footnotes() {
    let out = halfpixel(&[
        "matrix",
        "--sources",
        "keras,torch",
        "--targets",
        "coreml,mps",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let md = text(&out.stdout);
    assert!(md.starts_with("## "), "{md}");
    let header = "| source | call | Core ML NeuralNetwork | Core ML MIL | MPS |";
    assert!(md.contains(header), "{md}");
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| `")).collect();
    let expected = full()
        .rows
        .iter()
        .filter(|r| r.family == "keras" || r.family == "torch")
        .count();
    assert_eq!(rows.len(), expected);
    // Every row has the header's number of cells (pipes inside cells are escaped).
    let cells = |l: &str| l.replace("\\|", "").matches('|').count();
    for l in &rows {
        assert_eq!(cells(l), cells(header), "{l}");
    }
    assert!(md.contains("| `torch.bilinear.align_corners` |"));
    // Every footnote mark has its footnote, numbered from 1.
    let notes: Vec<&str> = md
        .lines()
        .filter(|l| {
            l.split_once(". ")
                .is_some_and(|(n, _)| n.parse::<usize>().is_ok())
        })
        .collect();
    assert!(!notes.is_empty());
    for (k, n) in notes.iter().enumerate() {
        assert!(n.starts_with(&format!("{}. ", k + 1)), "{n}");
        assert!(
            md.contains(&format!("[{}]", k + 1)),
            "footnote {} is never referenced",
            k + 1
        );
    }
    // The progress bar is drawn only on a terminal: a piped stderr stays clean.
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn cli_json_is_everything_and_the_file_matches_stdout() {
    let path = temp_path("out.json");
    let out = halfpixel(&[
        "matrix",
        "--format",
        "json",
        "--sources",
        "keras",
        "--targets",
        "mps,onnx",
        "--json",
        path.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).expect("file is JSON");
    let _ = std::fs::remove_file(&path);
    assert_eq!(stdout, file);
    let rows = stdout["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for row in rows {
        assert!(row["source"].as_str().unwrap().starts_with("keras."));
        let cases = row["cases"].as_array().unwrap().len();
        assert!(cases > 0);
        for r in row["results"].as_array().unwrap() {
            assert!(["exact", "within_rounding", "partial", "never"]
                .contains(&r["verdict"].as_str().unwrap()));
            assert!(["mps", "onnx"].contains(&r["group"].as_str().unwrap()));
            if let Some(o) = r.get("outcomes") {
                assert_eq!(o.as_array().unwrap().len(), cases);
            }
        }
    }
    assert!(!stdout["cases"].as_array().unwrap().is_empty());
    assert!(stdout["sweep"]["scales"].as_array().unwrap().len() > 3);
    assert!(stdout["rounding"]["unit_roundoff"].as_f64().unwrap() > 0.0);
}

#[test]
fn cli_unknown_names_and_unwritable_files_exit_2_with_one_line() {
    let missing = temp_path("no-such-dir").join("m.json");
    for args in [
        vec!["matrix", "--sources", "caffe"],
        vec!["matrix", "--targets", "metal"],
        vec!["matrix", "--sources", "torch,"],
        vec![
            "matrix",
            "--sources",
            "keras",
            "--json",
            missing.to_str().unwrap(),
        ],
    ] {
        let out = halfpixel(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = text(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{err}");
    }
    let err = text(&halfpixel(&["matrix", "--sources", "caffe"]).stderr);
    assert!(err.contains("caffe") && err.contains("torch"), "{err}");
    let bad_format = halfpixel(&["matrix", "--format", "html"]);
    assert_eq!(bad_format.status.code(), Some(2));
}

/// docs/matrix.md carries the whole matrix (between its BEGIN/END markers) exactly as the current code
/// computes it: regenerate it with `halfpixel matrix --format md` when presets change.
#[test]
fn docs_matrix_carries_the_current_matrix() {
    let out = halfpixel(&["matrix", "--format", "md"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let generated = text(&out.stdout);
    let body = generated
        .split_once('\n')
        .map(|(_heading, rest)| rest.trim())
        .expect("a heading line");
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/matrix.md"))
        .expect("docs/matrix.md");
    let begin = "<!-- BEGIN halfpixel matrix -->";
    let end = "<!-- END halfpixel matrix -->";
    let start = readme
        .find(begin)
        .expect("docs/matrix.md has the BEGIN marker")
        + begin.len();
    let stop = readme.find(end).expect("docs/matrix.md has the END marker");
    assert!(
        readme[start..stop].trim() == body,
        "docs/matrix.md's matrix is out of date: paste the output of `halfpixel matrix --format md` \
         (without its heading) between the markers"
    );
}
