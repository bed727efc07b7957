//! The fast exact CPU executor (`cpu::separable`'s fast path) computes the same bits as the
//! reference executor (`cpu::separable::run_reference`) for every kind of exact plan: OpenCV's
//! 8- and 16-bit `INTER_LINEAR`, `INTER_LINEAR_EXACT`, `INTER_CUBIC`, `INTER_AREA` and
//! `INTER_LANCZOS4`, PyTorch's uint8 separable kernels (AVX2 and generic builds, with and
//! without antialias, `align_corners`, forwarded scale factors), and Pillow's fixed-point
//! filters (modes `L`, `RGB`, and `RGBA` with its premultiplied alpha).
//!
//! Seeded loops over random shapes (shrinking and enlarging, 1 to 9 channels, both layouts,
//! batches of 1 and 2) and random or extreme images; each case also checks that the fast path
//! was taken where it should be, so the comparison is not vacuous. The W7 benchmark plans are
//! checked at their real size.

use halfpixel::cpu::separable::{has_fast_path, run, run_reference, ExactElement};
use halfpixel::plan::opencv::CvInterpolation;
use halfpixel::plan::pillow::Filter as PilFilter;
use halfpixel::plan::separable::ExactPlan;
use halfpixel::plan::torch::TorchAxis;
use halfpixel::plan::torch_u8::{CpuCapability, Filter as TorchFilter, U8Call, U8Mode};
use halfpixel::presets::{opencv, pillow};
use halfpixel::tensor::{ElementType, Tensor4};
use halfpixel::{InputDesc, IntegerPath, Layout, Operation};
use ndarray::Array4;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.range(0, items.len() - 1)]
    }
}

/// An image of `shape` (in its layout): random values, or one of the extreme patterns (a
/// checkerboard of 0 and max, all max, stripes) that drive sums to their bounds and the clamps.
fn image<T: Copy>(
    rng: &mut Rng,
    shape: [usize; 4],
    max: u64,
    from: impl Fn(u64) -> T,
) -> Array4<T> {
    let kind = rng.range(0, 5);
    let seed = rng.next();
    let mut local = Rng(seed | 1);
    Array4::from_shape_fn((shape[0], shape[1], shape[2], shape[3]), |(a, b, y, x)| {
        let v = match kind {
            0 => max * (((y ^ x ^ a ^ b) & 1) as u64),
            1 => max,
            2 => max * ((x / 2 + y) % 2) as u64,
            _ => local.next() % (max + 1),
        };
        from(v)
    })
}

/// Sizes: a shrink, an enlargement, or an unchanged length, 1..=48.
fn lengths(rng: &mut Rng) -> (usize, usize) {
    let a = rng.range(1, 48);
    match rng.range(0, 3) {
        0 => (a, rng.range(1, a)),
        1 => (a, rng.range(a, 48)),
        2 => (a, a),
        _ => (a, rng.range(1, 48)),
    }
}

/// Runs both paths on `plan` and compares them bit for bit; returns whether the fast path ran.
fn compare<T: ExactElement + PartialEq + std::fmt::Debug>(
    what: &str,
    plan: &ExactPlan,
    x: &Array4<T>,
    layout: Layout,
) -> bool {
    let c = layout.nchw(x.dim().into())[1];
    let fast = has_fast_path::<T>(plan, c, layout);
    let got = run(plan, x.view(), layout).unwrap_or_else(|e| panic!("{what}: run: {e}"));
    let want =
        run_reference(plan, x.view(), layout).unwrap_or_else(|e| panic!("{what}: reference: {e}"));
    match (got, want) {
        (Tensor4::U8(a), Tensor4::U8(b)) => assert_same(what, &a, &b),
        (Tensor4::U16(a), Tensor4::U16(b)) => assert_same(what, &a, &b),
        (Tensor4::F32(a), Tensor4::F32(b)) => {
            let a: Vec<u32> = a.iter().map(|v| v.to_bits()).collect();
            let b: Vec<u32> = b.iter().map(|v| v.to_bits()).collect();
            assert!(a == b, "{what}: float outputs differ");
        }
        (a, b) => panic!(
            "{what}: types differ: {} vs {}",
            a.element_type(),
            b.element_type()
        ),
    }
    fast
}

fn assert_same<T: PartialEq + std::fmt::Debug>(what: &str, a: &Array4<T>, b: &Array4<T>) {
    assert_eq!(a.dim(), b.dim(), "{what}: shapes differ");
    if let Some((k, (p, q))) = a
        .iter()
        .zip(b.iter())
        .enumerate()
        .find(|(_, (p, q))| p != q)
    {
        let diffs = a.iter().zip(b.iter()).filter(|(p, q)| p != q).count();
        panic!(
            "{what}: {diffs} of {} elements differ; first at flat index {k}: fast {p:?}, \
             reference {q:?}",
            a.len()
        );
    }
}

fn exact_plan(
    op: &Operation,
    dims: [usize; 4],
    layout: Layout,
    ty: ElementType,
) -> Option<ExactPlan> {
    match op.integer_path(&InputDesc { dims, layout }, ty).ok()?? {
        IntegerPath::Exact(plan) => Some((*plan).clone()),
        _ => None,
    }
}

/// Counts of cases compared, and of those the fast path ran.
#[derive(Default, Debug)]
struct Tally {
    compared: usize,
    fast: usize,
}

impl Tally {
    fn add(&mut self, fast: bool) {
        self.compared += 1;
        self.fast += fast as usize;
    }
    /// Most cases must have run the fast path: a comparison with the reference alone proves
    /// nothing.
    fn check(&self, what: &str, min_share: f64) {
        assert!(self.compared > 0, "{what}: no case compared");
        eprintln!(
            "{what}: fast path in {} of {} cases",
            self.fast, self.compared
        );
        let share = self.fast as f64 / self.compared as f64;
        assert!(
            share >= min_share,
            "{what}: the fast path ran in {} of {} cases",
            self.fast,
            self.compared
        );
    }
}

fn random_dims(rng: &mut Rng, channels: &[usize]) -> ([usize; 4], [usize; 2], Layout) {
    let (h, oh) = lengths(rng);
    let (w, ow) = lengths(rng);
    let n = rng.range(1, 2);
    let c = rng.pick(channels);
    let layout = rng.pick(&[Layout::Nchw, Layout::Nhwc]);
    ([n, c, h, w], [oh, ow], layout)
}

#[test]
fn opencv_8_and_16_bit_fast_equals_reference() {
    let mut rng = Rng(0x0c0f_fee0_1234_5678);
    let interps = [
        CvInterpolation::Linear,
        CvInterpolation::LinearExact,
        CvInterpolation::Cubic,
        CvInterpolation::Area,
        CvInterpolation::Lanczos4,
    ];
    for interp in interps {
        let (mut t8, mut t16) = (Tally::default(), Tally::default());
        for case in 0..150 {
            let (dims, [oh, ow], layout) = random_dims(&mut rng, &[1, 2, 3, 4, 5, 7, 9]);
            let op = if rng.range(0, 3) == 0 {
                // `fx, fy`: the inverse scales are the factors, not the size ratio.
                let fx = rng.range(1, 40) as f64 / 8.0;
                let fy = rng.range(1, 40) as f64 / 8.0;
                match opencv::Resize::factors(fx, fy, interp) {
                    Ok(op) => op,
                    Err(_) => continue,
                }
            } else {
                opencv::Resize::dsize(ow, oh, interp).unwrap()
            };
            let shape = layout.shape(dims);
            let what = format!("cv2 {interp:?} case {case} {dims:?} -> {oh}x{ow} {layout:?}");
            if let Some(plan) = exact_plan(&op, dims, layout, ElementType::U8) {
                let x = image(&mut rng, shape, 255, |v| v as u8);
                t8.add(compare(&format!("{what} u8"), &plan, &x, layout));
            }
            if let Some(plan) = exact_plan(&op, dims, layout, ElementType::U16) {
                let x = image(&mut rng, shape, 65535, |v| v as u16);
                t16.add(compare(&format!("{what} u16"), &plan, &x, layout));
            }
        }
        // Integer-factor INTER_AREA is a block average, which has no fast kernel; 16-bit
        // INTER_LINEAR_EXACT sums in 64 bits past i32's range, and many INTER_LANCZOS4 tables
        // (negative lobes: a large Σ|c|) cannot be proven to stay inside i32, so those take the
        // generic path (the comparison still runs on them).
        let (min8, min16) = match interp {
            CvInterpolation::LinearExact => (0.5, 0.0),
            CvInterpolation::Lanczos4 => (0.2, 0.2),
            _ => (0.5, 0.5),
        };
        t8.check(&format!("cv2 {interp:?} u8"), min8);
        t16.check(&format!("cv2 {interp:?} u16"), min16);
    }
}

#[test]
fn torch_uint8_fast_equals_reference() {
    let mut rng = Rng(0x7047_c400_dead_beef);
    let modes = [
        (TorchFilter::Bilinear, false),
        (TorchFilter::Bilinear, true),
        (TorchFilter::Bicubic, false),
        (TorchFilter::Bicubic, true),
        (TorchFilter::Lanczos3, true),
    ];
    for (filter, antialias) in modes {
        let mut tally = Tally::default();
        for case in 0..120 {
            let (dims, [oh, ow], layout) = random_dims(&mut rng, &[1, 2, 3, 4, 5, 8]);
            let align_corners = !antialias && rng.range(0, 3) == 0;
            let axis = |in_len: usize, out_len: usize, rng: &mut Rng| TorchAxis {
                in_len,
                out_len,
                // A forwarded scale factor, sometimes (the size follows from it in PyTorch;
                // here the plan only needs the kernel's value).
                scale_factor: (rng.range(0, 3) == 0).then(|| out_len as f64 / in_len as f64),
                align_corners,
            };
            let call = U8Call {
                mode: U8Mode::Separable { filter, antialias },
                height: axis(dims[2], oh, &mut rng),
                width: axis(dims[3], ow, &mut rng),
                dims,
                layout,
                capability: rng.pick(&[CpuCapability::Avx2, CpuCapability::Default]),
            };
            let Ok(plan) = call.exact_plan() else {
                continue;
            };
            let x = image(&mut rng, layout.shape(dims), 255, |v| v as u8);
            let what = format!(
                "torch {filter:?} aa={antialias} ac={align_corners} {:?} case {case} {dims:?} \
                 -> {oh}x{ow} {layout:?}",
                call.capability
            );
            tally.add(compare(&what, &plan, &x, layout));
        }
        // A few bicubic tables (negative lobes, small outputs) bound their sums past i32 and
        // take the generic path.
        tally.check(&format!("torch {filter:?} antialias={antialias}"), 0.8);
    }
}

#[test]
fn pillow_fixed_point_fast_equals_reference() {
    let mut rng = Rng(0x9111_0e00_f00d_cafe);
    let filters = [
        PilFilter::Box,
        PilFilter::Bilinear,
        PilFilter::Hamming,
        PilFilter::Bicubic,
        PilFilter::Lanczos,
    ];
    let modes = [
        pillow::ImageMode::L,
        pillow::ImageMode::Rgb,
        pillow::ImageMode::Rgba,
    ];
    for filter in filters {
        for mode in modes {
            let mut tally = Tally::default();
            for case in 0..60 {
                let (h, oh) = lengths(&mut rng);
                let (w, ow) = lengths(&mut rng);
                let dims = [rng.range(1, 2), mode.channels(), h, w];
                let op = pillow::Resize::new(ow, oh, filter)
                    .mode(mode)
                    .build()
                    .unwrap();
                // Pillow images are interleaved (H×W×C); NCHW runs the same arithmetic on
                // planes (RGBA's alpha rule needs interleaved pixels and stays generic there).
                let layout = rng.pick(&[Layout::Nhwc, Layout::Nhwc, Layout::Nchw]);
                let Some(plan) = exact_plan(&op, dims, layout, ElementType::U8) else {
                    continue;
                };
                let x = image(&mut rng, layout.shape(dims), 255, |v| v as u8);
                let what = format!(
                    "Pillow {filter:?} {} case {case} {dims:?} -> {oh}x{ow} {layout:?}",
                    mode.name()
                );
                let fast = compare(&what, &plan, &x, layout);
                if layout == Layout::Nhwc {
                    tally.add(fast);
                }
            }
            tally.check(&format!("Pillow {filter:?} {}", mode.name()), 0.9);
        }
    }
}

/// The W7 benchmark's three plans at their real size (1080×1920 RGB → 224×224) take the fast
/// path and give the reference's bytes.
#[test]
fn w7_plans_take_the_fast_path_and_match() {
    let mut rng = Rng(0x0007_0007_0007_0007);
    for w in halfpixel::workloads::select("W7") {
        let op = w.operation().unwrap();
        let plan = exact_plan(&op, w.input, w.layout, ElementType::U8)
            .unwrap_or_else(|| panic!("{}: no exact plan", w.name));
        let shape = w.input_shape();
        // Random bytes: every tap sees unrelated values.
        let x = Array4::from_shape_fn((shape[0], shape[1], shape[2], shape[3]), |_| {
            rng.next() as u8
        });
        assert!(
            compare(w.name, &plan, &x, w.layout),
            "{}: the fast path did not run",
            w.name
        );
    }
}
