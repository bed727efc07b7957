//! Pillow 13.0.0 `Image.resize` against Pillow's own outputs: the `pillow.*` cases of
//! tests/corpus-images (L, RGB, RGBA uint8 and F float32, every filter) and the fixtures of
//! tests/data/pillow (portrait images, where Pillow runs the vertical pass first, one-axis
//! resizes, RGBA with alpha 0 and 255, F with infinities and NaN; `tools/gen_pillow_fixtures.py`).
//!
//! On the CPU every output is bit-exact, F included. On every GPU adapter the 8-bit outputs are
//! bit-exact (and bit-identical to the CPU's); F runs Pillow's weights in float32 (WGSL has no
//! float64) within the corpus tolerance. Without an adapter the GPU test prints why and passes,
//! unless `HALFPIXEL_REQUIRE_GPU=1`.

mod common;

use std::path::PathBuf;

use common::gpu_required;
use halfpixel::conformance::{BackendRun, Corpus, CpuBackend, Report, RunOptions};
use halfpixel::gpu::GpuContext;
use halfpixel::plan::pillow::{exact_plan, Filter, Path};
use halfpixel::plan::separable::ArithmeticPlan;
use halfpixel::presets::pillow::{ImageMode, Resize};
use halfpixel::tensor::{Tensor4, TensorView4};
use halfpixel::{Error, Layout};
use ndarray::Array4;

fn corpus(dir: &str) -> Corpus {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    Corpus::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const CORPORA: [(&str, &str, usize); 2] = [
    ("tests/corpus-images", "pillow.", 30),
    ("tests/data/pillow", "pillow.", 9),
];

fn is_float_case(id: &str) -> bool {
    id.contains("f32") || id.contains(".f.")
}

fn failures(report: &Report) -> Vec<String> {
    report
        .failures()
        .map(|r| format!("{} [{}] {:?}", r.case_id, r.path, r.status))
        .collect()
}

#[test]
fn pillow_cases_are_bit_exact_on_the_cpu() {
    for (dir, filter, count) in CORPORA {
        let corpus = corpus(dir);
        let options = RunOptions {
            filter: Some(filter),
            ..RunOptions::default()
        };
        let report = corpus.run_with(&CpuBackend, &options);
        assert_eq!(report.results.len(), count, "{dir}");
        assert!(
            report.failures().next().is_none(),
            "{dir}: {:#?}",
            failures(&report)
        );
        for r in &report.results {
            // 0 ULP: the float32 bit patterns of F agree too (NaN meets NaN).
            assert_eq!(r.max_ulp, Some(0), "{dir}: {} is not bit-exact", r.case_id);
        }
    }
}

#[test]
fn pillow_cases_pass_on_every_adapter() {
    let adapters = common::adapters();
    if adapters.is_empty() {
        let why = common::no_adapter_reason();
        assert!(!gpu_required(), "HALFPIXEL_REQUIRE_GPU=1 but {why}");
        eprintln!("SKIPPED pillow_cases_pass_on_every_adapter: {why}");
        return;
    }
    for (dir, filter, count) in CORPORA {
        let corpus = corpus(dir);
        let options = RunOptions {
            filter: Some(filter),
            reference: Some(&CpuBackend),
            ..RunOptions::default()
        };
        for adapter in &adapters {
            let gpu = GpuContext::from_adapter(adapter).expect("the adapter opens");
            let run = BackendRun::new(&corpus, &gpu, &options);
            let name = run.report.backend.clone();
            assert_eq!(run.report.results.len(), count, "{name} {dir}");
            assert!(
                run.report.failures().next().is_none(),
                "{name} {dir}: {:#?}",
                failures(&run.report)
            );
            for r in &run.report.results {
                if is_float_case(&r.case_id) {
                    continue;
                }
                // 8-bit: Pillow's integer arithmetic, bit-identical to the CPU.
                assert_eq!(r.max_ulp, Some(0), "{name}: {}", r.case_id);
                assert_eq!(r.reference_max_ulp, Some(0), "{name}: {}", r.case_id);
            }
            println!(
                "{name}: {dir}: {} passed, max {} ulp from the CPU",
                run.passed(),
                run.max_reference_ulp()
                    .map_or("-".to_string(), |u| u.to_string())
            );
        }
    }
}

/// The portrait fixture needs the vertical pass first: the other order gives other bytes.
#[test]
fn the_other_pass_order_would_fail_the_portrait_fixture() {
    if common::corpora_absent("the_other_pass_order_would_fail_the_portrait_fixture") {
        return;
    }
    let corpus = corpus("tests/data/pillow");
    let case = corpus
        .cases()
        .iter()
        .find(|c| c.id == "pillow.portrait.rgb.bicubic")
        .expect("the portrait case");
    let input = halfpixel::npy::read_npy(&corpus.path_of(&case.input))
        .unwrap()
        .into_array4()
        .unwrap()
        .mapv(|v| v as u8);
    let expected = halfpixel::npy::read_npy(&corpus.path_of(&case.expected))
        .unwrap()
        .into_array4()
        .unwrap()
        .mapv(|v| v as u8);
    let path = Path::EightBit {
        premultiplied_alpha: false,
    };
    let mut plan = exact_plan(Filter::Bicubic, [96, 64], [48, 56], path)
        .unwrap()
        .unwrap();
    let run = |plan: &halfpixel::plan::separable::ExactPlan| match halfpixel::cpu::separable::run(
        plan,
        input.view(),
        Layout::Nhwc,
    )
    .unwrap()
    {
        Tensor4::U8(y) => y,
        other => panic!("{:?}", other.element_type()),
    };
    assert_eq!(run(&plan), expected);
    let ArithmeticPlan::Separable(s) = &mut plan.arithmetic else {
        panic!("separable")
    };
    s.passes.reverse();
    let swapped = run(&plan);
    let differ = swapped
        .iter()
        .zip(expected.iter())
        .filter(|(a, b)| a != b)
        .count();
    assert!(differ > 100, "only {differ} values differ");
}

#[test]
fn modes_and_element_types_must_agree() {
    let rgba = Resize::new(5, 4, Filter::Hamming)
        .mode(ImageMode::Rgba)
        .build()
        .unwrap();
    // A float32 RGBA tensor: RGBA is 8-bit.
    let x = Array4::<f32>::zeros((1, 6, 7, 4));
    let e = rgba.run_cpu(x.view(), Layout::Nhwc).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { .. }), "{e}");
    assert!(e.to_string().contains("uint8"), "{e}");
    // A 3-channel uint8 tensor: RGBA has 4.
    let y = Array4::<u8>::zeros((1, 6, 7, 3));
    let e = rgba.run_cpu_u8(y.view(), Layout::Nhwc).unwrap_err();
    assert!(e.to_string().contains("4 channels"), "{e}");
    // 16-bit data: Pillow's I;16 is not reproduced.
    let z = Array4::<u16>::zeros((1, 6, 7, 1));
    let gray = Resize::new(5, 4, Filter::Box).build().unwrap();
    assert!(matches!(
        gray.run_cpu_tensor(TensorView4::U16(z.view()), Layout::Nhwc),
        Err(Error::Unsupported { .. })
    ));
    // Mode F on uint8 data.
    let f = Resize::new(5, 4, Filter::Box)
        .mode(ImageMode::F)
        .build()
        .unwrap();
    let g = Array4::<u8>::zeros((1, 6, 7, 1));
    assert!(f.run_cpu_u8(g.view(), Layout::Nhwc).is_err());
    // The GPU refuses what the CPU refuses.
    if let Some(adapter) = common::adapters().first() {
        let gpu = GpuContext::from_adapter(adapter).expect("the adapter opens");
        assert!(gpu.run(&rgba, x.view(), Layout::Nhwc).is_err());
        assert!(gpu
            .run_tensor(&f, TensorView4::U8(g.view()), Layout::Nhwc)
            .is_err());
    }
}

/// F on the GPU runs the float32 kernel; the float64 exact plan is refused by the exact kernel,
/// never computed approximately under its name.
#[test]
fn the_gpu_refuses_float64_plans() {
    let Some(adapter) = common::adapters().into_iter().next() else {
        assert!(
            !gpu_required(),
            "HALFPIXEL_REQUIRE_GPU=1 but no GPU adapter found"
        );
        return;
    };
    let gpu = GpuContext::from_adapter(&adapter).expect("the adapter opens");
    let plan = exact_plan(Filter::Lanczos, [6, 7], [4, 5], Path::Float)
        .unwrap()
        .unwrap();
    let x = Array4::<f32>::zeros((1, 6, 7, 1));
    let e = gpu
        .run_exact(&plan, TensorView4::F32(x.view()), Layout::Nhwc)
        .unwrap_err();
    assert!(matches!(e, Error::Unsupported { .. }), "{e}");
    assert!(e.to_string().contains("float64"), "{e}");
}

/// `identify` runs Pillow's candidates with Pillow's float64 arithmetic: an F-mode output is
/// reproduced exactly by the filter that made it, not only within float32 rounding.
#[test]
fn identify_names_the_pillow_filter_of_an_f_image_exactly() {
    use halfpixel::identify::{identify, IdentifyOptions, Verdict};
    let a = Array4::from_shape_fn((1, 9, 11, 1), |(_, y, x, _)| {
        ((y * 37 + x * 11) % 17) as f32 * 0.37 - 2.0
    });
    let op = Resize::new(7, 5, Filter::Lanczos)
        .mode(ImageMode::F)
        .build()
        .unwrap();
    let b = op.run_cpu(a.view(), Layout::Nhwc).unwrap();
    let report = identify(
        a.view(),
        b.view(),
        Layout::Nhwc,
        &IdentifyOptions::default(),
    )
    .unwrap();
    let group = report
        .groups
        .iter()
        .find(|g| {
            g.members
                .iter()
                .any(|m| m.preset.as_deref() == Some("pillow.lanczos"))
        })
        .expect("pillow.lanczos is a candidate");
    assert_eq!(group.verdict, Verdict::Exact, "{:?}", group.max_abs_error);
}
