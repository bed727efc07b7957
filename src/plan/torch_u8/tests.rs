//! Unit tests of PyTorch's uint8 plans. Expected values were produced by torch 2.15.0 on an
//! AVX-512 x86 CPU (one intra-op thread).

use ndarray::Array4;

use super::*;
use crate::tensor::Tensor4;

fn axis(in_len: usize, out_len: usize) -> TorchAxis {
    TorchAxis {
        in_len,
        out_len,
        scale_factor: None,
        align_corners: false,
    }
}

fn call(mode: U8Mode, dims: [usize; 4], out: [usize; 2]) -> U8Call {
    U8Call {
        mode,
        height: axis(dims[2], out[0]),
        width: axis(dims[3], out[1]),
        dims,
        layout: Layout::Nchw,
        capability: CpuCapability::Avx2,
    }
}

const BILINEAR: U8Mode = U8Mode::Separable {
    filter: Filter::Bilinear,
    antialias: false,
};

/// `mode='lanczos', antialias=True` (no preset yet; the tables are ready).
const LANCZOS: U8Mode = U8Mode::Separable {
    filter: Filter::Lanczos3,
    antialias: true,
};

fn run(c: &U8Call, x: &Array4<u8>) -> Array4<u8> {
    let plan = c.exact_plan().unwrap();
    match crate::cpu::separable::run(&plan, x.view(), c.layout).unwrap() {
        Tensor4::U8(y) => y,
        other => panic!("u8 plan gave {:?}", other.element_type()),
    }
}

fn passes(c: &U8Call) -> Vec<Pass> {
    match c.exact_plan().unwrap().arithmetic {
        ArithmeticPlan::Separable(p) => p.passes,
        other => panic!("not separable: {other:?}"),
    }
}

fn row(values: &[u8]) -> Array4<u8> {
    Array4::from_shape_vec((1, 1, 1, values.len()), values.to_vec()).unwrap()
}

#[test]
fn one_row_matches_torch() {
    let x = row(&[0, 255, 0, 255, 10, 200, 3]);
    let cases: [(U8Mode, bool, usize, &[u8]); 7] = [
        (
            U8Mode::Separable {
                filter: Filter::Bicubic,
                antialias: false,
            },
            false,
            3,
            &[203, 255, 159],
        ),
        (
            U8Mode::Separable {
                filter: Filter::Bicubic,
                antialias: false,
            },
            false,
            10,
            &[0, 168, 215, 2, 182, 190, 10, 169, 132, 0],
        ),
        (
            U8Mode::Separable {
                filter: Filter::Bicubic,
                antialias: true,
            },
            false,
            3,
            &[111, 130, 90],
        ),
        (
            U8Mode::Separable {
                filter: Filter::Bilinear,
                antialias: true,
            },
            false,
            2,
            &[119, 105],
        ),
        (BILINEAR, true, 4, &[0, 0, 10, 3]),
        (LANCZOS, false, 3, &[109, 136, 88]),
        (
            LANCZOS,
            false,
            10,
            &[0, 163, 217, 2, 183, 195, 9, 169, 129, 0],
        ),
    ];
    for (mode, align_corners, out_w, expected) in cases {
        let mut c = call(mode, [1, 1, 1, 7], [1, out_w]);
        c.width.align_corners = align_corners;
        c.height.align_corners = align_corners;
        let y = run(&c, &x);
        assert_eq!(y.as_slice().unwrap(), expected, "{mode:?} 7 → {out_w}");
    }
}

#[test]
fn each_pass_has_its_own_precision_and_half_bias() {
    // Antialias shrinking 2500 → 2: weights near 1/1250 need the largest precision, 22.
    let c = call(
        U8Mode::Separable {
            filter: Filter::Bilinear,
            antialias: true,
        },
        [1, 1, 10, 2500],
        [5, 2],
    );
    let p = passes(&c);
    assert_eq!(p.len(), 2);
    assert_eq!(p[0].axis, PassAxis::Width);
    assert_eq!(p[0].rule, shift_rule(22));
    assert_eq!(p[1].axis, PassAxis::Height);
    // 10 → 5: the largest normalised weight is 0.75 / 1.75, so p = 16.
    assert_eq!(p[1].rule, shift_rule(16));
    assert_eq!(
        shift_rule(22).store,
        Store::Shift {
            bias: 1 << 21,
            shift: 22,
            lo: 0,
            hi: 255
        }
    );
}

#[test]
fn unchanged_axes_have_no_pass_even_with_a_forwarded_scale() {
    // scale_factor 1.004 on 100 pixels gives 100: PyTorch skips the pass (bilinear) although
    // the forwarded scale would move the samples.
    let mut c = call(BILINEAR, [1, 2, 100, 50], [100, 80]);
    c.height.scale_factor = Some(1.004);
    let p = passes(&c);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].axis, PassAxis::Width);
    let same = call(BILINEAR, [1, 2, 100, 50], [100, 50]);
    assert!(passes(&same).is_empty());
    // Nearest's generic kernel does use the forwarded scale on an unchanged axis:
    // floor(i · f32(1/1.004)) is not the identity.
    let mut n = call(U8Mode::Nearest, [1, 1, 100, 300], [100, 300]);
    n.height.scale_factor = Some(1.004);
    assert_eq!(n.nearest_kernel(), KernelPath::Generic);
    let p = passes(&n);
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].axis, PassAxis::Height);
    assert_eq!(p[0].table.indices(99), &[98]);
}

fn planes(c: usize) -> Array4<u8> {
    Array4::from_shape_fn((1, c, 6, 7), |(_, ch, y, x)| {
        (((ch * 42 + y * 7 + x) * 37) % 256) as u8
    })
}

#[test]
fn generic_kernel_repeats_row_0_at_output_width_1() {
    // torch: 5 channels (generic kernel on AVX2 builds), NCHW, 6×7 → 4×1 bilinear.
    let c = call(BILINEAR, [1, 5, 6, 7], [4, 1]);
    assert!(c.repeats_first_row());
    let y = run(&c, &planes(5));
    assert_eq!(y.slice(ndarray::s![0, 0, .., 0]).to_vec(), [112; 4]);
    assert_eq!(y.slice(ndarray::s![0, 1, .., 0]).to_vec(), [130; 4]);
    // channels_last with more than one channel iterates channels innermost: correct.
    let mut cl = c;
    cl.layout = Layout::Nhwc;
    assert!(!cl.repeats_first_row());
    let x = planes(5)
        .permuted_axes([0, 2, 3, 1])
        .as_standard_layout()
        .into_owned();
    let y = run(&cl, &x);
    assert_eq!(
        y.slice(ndarray::s![0, .., 0, 0]).to_vec(),
        [112, 116, 121, 125]
    );
    assert_eq!(
        y.slice(ndarray::s![0, .., 0, 1]).to_vec(),
        [130, 134, 139, 143]
    );
    // One channel: repeated whatever the layout.
    let mut one = call(BILINEAR, [1, 1, 6, 7], [4, 1]);
    one.capability = CpuCapability::Default;
    one.layout = Layout::Nhwc;
    assert!(one.repeats_first_row());
    // 1–4 channels run the AVX2 kernel on AVX2 builds, without the bug; DEFAULT builds have it.
    let mut avx = call(BILINEAR, [1, 4, 6, 7], [4, 1]);
    assert!(!avx.repeats_first_row());
    avx.capability = CpuCapability::Default;
    assert!(avx.repeats_first_row());
    // No vertical pass, no repetition.
    assert!(!call(BILINEAR, [1, 5, 6, 7], [6, 1]).repeats_first_row());
}

#[test]
fn avx_kernel_raises_for_3_channel_nchw_to_1x1() {
    let c = call(BILINEAR, [2, 3, 2, 3], [1, 1]);
    match c.exact_plan() {
        Err(Error::FrameworkRaises { exception, .. }) => assert_eq!(exception, "RuntimeError"),
        other => panic!("expected PyTorch's RuntimeError, got {other:?}"),
    }
    let fine = |f: &dyn Fn(&mut U8Call)| {
        let mut d = c;
        f(&mut d);
        assert!(d.exact_plan().is_ok(), "{d:?}");
    };
    fine(&|d| d.layout = Layout::Nhwc);
    fine(&|d| d.capability = CpuCapability::Default);
    fine(&|d| d.dims[1] = 4);
    fine(&|d| d.mode = U8Mode::Nearest);
    // A horizontal pass only (in_h = 1): PyTorch computes it.
    fine(&|d| {
        d.dims[2] = 1;
        d.height.in_len = 1;
    });
}

#[test]
fn nearest_exact_follows_the_avx2_builds_fused_rounding() {
    // 2 → 41 along the width (generic kernel: out_h + out_w > 128): output 20 reads pixel 1 on
    // AVX2/AVX-512 builds (one rounding), pixel 0 on DEFAULT builds.
    let x = Array4::from_shape_fn((1, 1, 200, 2), |(_, _, _, w)| w as u8);
    let c = call(U8Mode::NearestExact, [1, 1, 200, 2], [200, 41]);
    assert_eq!(c.nearest_kernel(), KernelPath::Generic);
    let y = run(&c, &x);
    assert_eq!(y[[0, 0, 0, 20]], 1);
    let mut d = c;
    d.capability = CpuCapability::Default;
    assert_eq!(run(&d, &x)[[0, 0, 0, 20]], 0);
    let note = c.other_builds_differ().expect("the builds differ here");
    assert!(note.contains("DEFAULT"), "{note}");
    // Where every build agrees, no note.
    assert_eq!(
        call(U8Mode::NearestExact, [1, 1, 200, 2], [200, 40]).other_builds_differ(),
        None
    );
}

#[test]
fn build_notes_for_the_bugs() {
    let avx = call(BILINEAR, [1, 3, 6, 7], [4, 1]);
    let note = avx.other_builds_differ().expect("DEFAULT repeats row 0");
    assert!(note.contains("row 0"), "{note}");
    // 5 channels run the generic kernel on every x86 build: nothing differs.
    assert_eq!(
        call(BILINEAR, [1, 5, 6, 7], [4, 1]).other_builds_differ(),
        None
    );
    assert_eq!(
        call(BILINEAR, [1, 3, 60, 70], [40, 30]).other_builds_differ(),
        None
    );
}

#[test]
fn nearest_channels_last_kernel_shortcuts() {
    // Small outputs take the channels-last kernel: out == 2·in → i >> 1 even with a forwarded
    // scale of 2.3.
    let mut c = call(U8Mode::Nearest, [1, 1, 3, 3], [6, 3]);
    c.height.scale_factor = Some(2.3);
    assert_eq!(c.nearest_kernel(), KernelPath::ChannelsLast);
    let p = passes(&c);
    assert_eq!(p.len(), 1);
    let idx: Vec<u32> = (0..6).map(|o| p[0].table.indices(o)[0]).collect();
    assert_eq!(idx, [0, 0, 1, 1, 2, 2]);
    assert_eq!(p[0].rule, shift_rule(0));
}
