//! The portable spec from arbitrary fields: validation, plan building and (for small shapes) the
//! CPU kernel must return a result or a typed error, never panic, hang or abort; every plan that
//! is built keeps its invariants.

#![no_main]

use halfpixel::{CoordinateTransform, InputDesc, Layout, Mode, NearestMode, Operation, ResizeSpec};
use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use ndarray::Array4;

#[derive(Debug, Arbitrary)]
struct Input {
    mode: u8,
    mapping: u8,
    nearest: Option<u8>,
    cubic_a: Option<f64>,
    exclude_outside: bool,
    antialias: bool,
    extrapolation: Option<f64>,
    roi: Option<[f64; 4]>,
    out: [u64; 2],
    scale: Option<[f64; 2]>,
    /// Input height and width; masked so that plans stay within memory while building.
    input_hw: [u32; 2],
    channels: u8,
    nhwc: bool,
}

/// Shapes whose data the target allocates and runs.
const RUN_ELEMENTS: u64 = 1 << 14;

fuzz_target!(|x: Input| {
    let mode = Mode::ALL[x.mode as usize % Mode::ALL.len()];
    let mapping = CoordinateTransform::ALL[x.mapping as usize % CoordinateTransform::ALL.len()];
    // Lengths near the u64 range and small ones, both.
    let out = x.out.map(|v| {
        if v & 1 == 0 {
            (v >> 1) as usize
        } else {
            (v >> 1) as usize % 64
        }
    });
    let mut spec = ResizeSpec::new(mode, mapping, out);
    spec.nearest_mode = x
        .nearest
        .map(|n| NearestMode::ALL[n as usize % NearestMode::ALL.len()]);
    spec.cubic_coeff_a = x.cubic_a;
    spec.exclude_outside = x.exclude_outside;
    spec.antialias = x.antialias;
    spec.extrapolation_value = x.extrapolation;
    spec.roi = x.roi;
    spec.scale = x.scale;
    if spec.validate().is_err() {
        return;
    }
    // Mostly small inputs (fast runs); up to 2^11 when the top bit is set. Instrumented plan
    // building is some 50 times slower than a release build, so longer axes (legitimate work,
    // tested in tests/extremes.rs) would only slow the search down.
    let hw = x.input_hw.map(|v| {
        if v >> 31 == 1 {
            (v & 0x7ff) as usize
        } else {
            (v & 0xff) as usize
        }
    });
    // Output axes past 2^11 but within MAX_AXIS_LEN (2^25) likewise; lengths past the limit are
    // refused at once and stay in.
    let slow = |v: usize| v > 1 << 11 && v <= halfpixel::error::MAX_AXIS_LEN;
    if out.into_iter().any(slow) {
        return;
    }
    let plan = match spec.plan(hw) {
        Ok(plan) => plan,
        Err(_) => return,
    };
    for axis in [&plan.h, &plan.w] {
        assert!(axis.counts().iter().all(|&c| c as usize <= axis.width()));
        for o in 0..axis.out_len() {
            let (indices, weights) = axis.taps(o);
            assert!(indices.iter().all(|&i| (i as usize) < axis.in_len()));
            assert_eq!(indices.len(), weights.len());
        }
    }
    let channels = 1 + x.channels as usize % 4;
    let [h, w] = hw;
    let [oh, ow] = [plan.h.out_len(), plan.w.out_len()];
    let elements = (channels * h.max(oh)) as u64 * w.max(ow) as u64;
    if elements > RUN_ELEMENTS {
        return;
    }
    let layout = if x.nhwc { Layout::Nhwc } else { Layout::Nchw };
    let op = Operation::from(spec);
    let dims = [1, channels, h, w];
    let out_dims = op
        .output_dims(&InputDesc { dims, layout })
        .expect("planned above");
    let data = Array4::from_shape_fn(layout.shape(dims), |(n, c, y, x)| {
        (n + 3 * c + 5 * y + 7 * x) as f32 * 0.25 - 4.0
    });
    let y = op.run_cpu(data.view(), layout).expect("the plan was built");
    assert_eq!(y.shape(), layout.shape(out_dims));
});
