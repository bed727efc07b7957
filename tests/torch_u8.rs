//! PyTorch's uint8 `F.interpolate` against torch 2.15 itself, on the CPU and on every GPU
//! adapter, at tolerance 0 and bit-exact GPU vs CPU:
//!
//! - the `torch.*` cases of the real-data corpus `tests/corpus-images`;
//! - `tests/data/torch_u8_tiny.json` (`tools/gen_torch_u8_corpus.py --grid`): every
//!   (H, W, out_h, out_w) in {1,2,3}^4 for 1, 3, 4 and 5 channels, NCHW and channels-last,
//!   bilinear and antialiased bicubic, with torch's output or the RuntimeError it raises;
//! - with `HALFPIXEL_TORCH_RAISES=…/raises.json` (written by `tools/gen_torch_u8_corpus.py
//!   --out`), the calls torch raised for in an unseen corpus;
//! - the refusals torch makes (uint8 `area`, uint16) and the build notes.
//!
//! Without an adapter the GPU parts print why and pass, unless `HALFPIXEL_REQUIRE_GPU=1`.

mod common;

use std::path::{Path, PathBuf};

use halfpixel::conformance::{Corpus, CpuBackend, RunOptions};
use halfpixel::presets::{from_call, Call};
use halfpixel::tensor::{ElementType, Tensor4, TensorView4};
use halfpixel::{Error, InputDesc, Layout, Operation};
use ndarray::Array4;
use serde_json::{json, Value};

fn corpus_images() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus-images")
}

#[test]
fn corpus_torch_cases_pass_on_cpu_and_every_adapter() {
    if common::corpora_absent("corpus_torch_cases_pass_on_cpu_and_every_adapter") {
        return;
    }
    let corpus = Corpus::load(corpus_images()).expect("tests/corpus-images loads");
    let options = RunOptions {
        filter: Some("torch."),
        reference: Some(&CpuBackend),
        ..RunOptions::default()
    };
    let cpu = corpus.run_with(
        &CpuBackend,
        &RunOptions {
            filter: Some("torch."),
            ..RunOptions::default()
        },
    );
    let u8_cases = cpu
        .results
        .iter()
        .filter(|r| r.case_id.contains("_u8_"))
        .count();
    assert!(u8_cases >= 21, "only {u8_cases} uint8 torch cases");
    let mut problems: Vec<String> = cpu
        .failures()
        .map(|r| format!("cpu: {} {:?}", r.case_id, r.status))
        .collect();
    for context in common::contexts() {
        let report = corpus.run_with(context, &options);
        let name = halfpixel::conformance::Backend::name(context);
        problems.extend(
            report
                .failures()
                .map(|r| format!("{name}: {} {:?}", r.case_id, r.status)),
        );
        for r in report.results.iter().filter(|r| r.case_id.contains("_u8_")) {
            if r.reference_max_ulp != Some(0) {
                problems.push(format!(
                    "{name}: {} is {:?} ulp from the CPU",
                    r.case_id, r.reference_max_ulp
                ));
            }
        }
        println!("{name}: {} torch checks", report.results.len());
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `F.interpolate(x, size=…, mode=…, antialias=…)` as a recorded call.
fn interpolate(args: Value) -> Operation {
    from_call(&Call {
        framework: "torch".into(),
        function: "interpolate".into(),
        args,
    })
    .expect("a valid call")
}

/// The fixture's input in the given layout: `x[n,c,h,w] = (73·i + 29) mod 256` over the NCHW
/// flat index `i`.
fn grid_input(dims: [usize; 4], layout: Layout) -> Array4<u8> {
    let [n, c, h, w] = dims;
    let x = Array4::from_shape_fn((n, c, h, w), |(a, b, y, z)| {
        let i = ((a * c + b) * h + y) * w + z;
        ((i * 73 + 29) % 256) as u8
    });
    match layout {
        Layout::Nchw => x,
        Layout::Nhwc => x
            .permuted_axes([0, 2, 3, 1])
            .as_standard_layout()
            .into_owned(),
    }
}

/// An output as NCHW bytes.
fn nchw_bytes(y: &Tensor4, layout: Layout) -> Vec<u8> {
    let Tensor4::U8(y) = y else {
        panic!("uint8 in, {:?} out", y.element_type());
    };
    let y = match layout {
        Layout::Nchw => y.clone(),
        Layout::Nhwc => y.view().permuted_axes([0, 3, 1, 2]).to_owned(),
    };
    y.iter().copied().collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn tiny_shapes_match_torch_on_cpu_and_every_adapter() {
    if common::corpora_absent("tiny_shapes_match_torch_on_cpu_and_every_adapter") {
        return;
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/torch_u8_tiny.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1296);
    let mut problems = Vec::new();
    let mut raised = 0;
    for row in rows {
        let r = row.as_array().unwrap();
        let num = |k: usize| r[k].as_u64().unwrap() as usize;
        let (mode, aa, c) = (r[0].as_str().unwrap(), r[1].as_bool().unwrap(), num(2));
        let layout = if r[3] == "NHWC" {
            Layout::Nhwc
        } else {
            Layout::Nchw
        };
        let (h, w, oh, ow) = (num(4), num(5), num(6), num(7));
        let expected = r[8].as_str().unwrap();
        let op = interpolate(json!({
            "size": [oh, ow], "mode": mode, "align_corners": false, "antialias": aa,
        }));
        let x = grid_input([1, c, h, w], layout);
        let label = format!("{mode} aa={aa} C={c} {layout:?} {h}x{w} -> {oh}x{ow}");
        let mut check = |backend: &str, got: halfpixel::Result<Tensor4>| match (got, expected) {
            (Err(Error::FrameworkRaises { exception, .. }), e) if e.starts_with(&exception) => {}
            (Ok(y), e) if hex(&nchw_bytes(&y, layout)) == e => {}
            (got, e) => problems.push(format!(
                "{backend} {label}: torch {e}, halfpixel {:?}",
                got.map(|y| hex(&nchw_bytes(&y, layout)))
            )),
        };
        check("cpu", op.run_cpu_tensor(TensorView4::U8(x.view()), layout));
        for context in common::contexts() {
            let name = halfpixel::conformance::Backend::name(context);
            check(
                &name,
                context.run_tensor(&op, TensorView4::U8(x.view()), layout),
            );
        }
        raised += expected.starts_with("RuntimeError") as usize;
    }
    assert_eq!(raised, 12, "the fixture's RuntimeError rows");
    assert!(
        problems.is_empty(),
        "{} mismatches:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn unseen_raises_match_torch() {
    let Ok(path) = std::env::var("HALFPIXEL_TORCH_RAISES") else {
        eprintln!("HALFPIXEL_TORCH_RAISES not set: no unseen raise list to check");
        return;
    };
    let list: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let mut problems = Vec::new();
    for case in &list {
        let call: Call = serde_json::from_value(case["call"].clone()).unwrap();
        let layout: Layout = serde_json::from_value(case["layout"].clone()).unwrap();
        let dims: [usize; 4] = serde_json::from_value(case["dims"].clone()).unwrap();
        let exception = case["exception"].as_str().unwrap();
        let got = from_call(&call).and_then(|op| {
            op.integer_path(&InputDesc { dims, layout }, ElementType::U8)
                .map(|_| ())
        });
        match &got {
            Err(Error::FrameworkRaises { exception: e, .. }) if e == exception => {}
            // Argument errors torch raises as ValueError are refused as invalid arguments.
            Err(Error::InvalidArgument { .. } | Error::ZeroOrNegativeSize { .. })
                if exception == "ValueError" => {}
            _ => problems.push(format!(
                "{}: torch {exception}, halfpixel {got:?}",
                case["id"]
            )),
        }
    }
    println!("{} torch refusals checked", list.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn desc(dims: [usize; 4]) -> InputDesc {
    InputDesc {
        dims,
        layout: Layout::Nchw,
    }
}

#[test]
fn uint8_area_and_uint16_raise_as_in_torch() {
    let area = interpolate(json!({"size": [5, 5], "mode": "area"}));
    let d = desc([1, 3, 10, 10]);
    match area.integer_path(&d, ElementType::U8) {
        Err(Error::FrameworkRaises {
            exception, message, ..
        }) => {
            assert_eq!(exception, "NotImplementedError");
            assert!(message.contains("adaptive_avg_pool2d"), "{message}");
        }
        other => panic!("uint8 area: {other:?}"),
    }
    let x = Array4::<u8>::zeros((1, 3, 10, 10));
    assert!(matches!(
        area.run_cpu_u8(x.view(), Layout::Nchw),
        Err(Error::FrameworkRaises { .. })
    ));
    // float32 area is PyTorch's adaptive average pooling, unchanged.
    let y = area
        .run_cpu(Array4::<f32>::ones((1, 3, 10, 10)).view(), Layout::Nchw)
        .unwrap();
    assert_eq!(y.dim(), (1, 3, 5, 5));
    let bilinear = interpolate(json!({"size": [5, 5], "mode": "bilinear"}));
    let err = bilinear
        .integer_path(&d, ElementType::U16)
        .expect_err("torch has no uint16 resize");
    assert!(err.to_string().contains("UInt16"), "{err}");
}

#[test]
fn uint8_runs_torchs_arithmetic_and_notes_what_depends_on_the_build() {
    let op = interpolate(json!({"size": [200, 41], "mode": "nearest-exact"}));
    let d = desc([1, 1, 200, 2]);
    assert!(matches!(
        op.integer_path(&d, ElementType::U8),
        Ok(Some(halfpixel::IntegerPath::Exact(_)))
    ));
    let note = op
        .caveat(&d, ElementType::U8)
        .expect("a build-dependent size");
    assert!(note.contains("ATEN_CPU_CAPABILITY=default"), "{note}");
    assert_eq!(op.caveat(&d, ElementType::F32), None);
    let plain = interpolate(json!({"size": [224, 224], "mode": "bilinear"}));
    assert_eq!(plain.caveat(&desc([1, 3, 480, 640]), ElementType::U8), None);
    let column = interpolate(json!({"size": [7, 1], "mode": "bicubic"}));
    let note = column
        .caveat(&desc([1, 3, 9, 9]), ElementType::U8)
        .expect("DEFAULT builds repeat row 0");
    assert!(note.contains("row 0"), "{note}");
}

#[test]
fn cli_labels_uint8_torch_calls_and_refuses_uint8_area() {
    let dir = std::env::temp_dir().join(format!("halfpixel-torch-u8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("x.npy");
    let x = Array4::from_shape_fn((1, 3, 6, 8), |(_, c, y, z)| {
        ((c * 50 + y * 9 + z * 13) % 256) as f32
    });
    halfpixel::tensor_io::write_tensor(&input, x.view(), Layout::Nchw, ElementType::U8).unwrap();
    let out = dir.join("y.npy");
    let run = |preset: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_halfpixel"))
            .args(["resize"])
            .arg(&input)
            .arg(&out)
            .args(["--preset", preset, "--size", "4x5", "--backend", "cpu"])
            .output()
            .unwrap()
    };
    let ok = run("torch.bicubic.antialias");
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(
        stdout.contains("exact: the framework's own u8 arithmetic") && stdout.contains("u8 → "),
        "{stdout}"
    );
    let area = run("torch.area");
    let stderr = String::from_utf8_lossy(&area.stderr);
    assert_eq!(area.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("NotImplementedError"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
