//! `halfpixel::tensor_io`: `.npy` and image files in and out, checked against files NumPy and
//! OpenCV wrote (tests/data/, made by tests/data/make_fixtures.py).

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use halfpixel::npy::read_npy;
use halfpixel::tensor_io::{
    check_writable, read_tensor, write_tensor, ElementType, FileFormat, LoadedTensor, WriteReport,
};
use halfpixel::{Error, Layout};
use ndarray::{Array2, Array3, Array4, ArrayD, IxDyn};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("halfpixel-tio-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }
    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read(path: &Path, layout: Layout) -> LoadedTensor {
    read_tensor(path, layout).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn write<D: ndarray::Dimension>(
    path: &Path,
    a: ndarray::ArrayView<'_, f32, D>,
    layout: Layout,
    et: ElementType,
) -> WriteReport {
    write_tensor(path, a, layout, et).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// values_f32.npy as an n-dimensional array (2×3×4).
fn values() -> ArrayD<f32> {
    read_npy(&data("values_f32.npy"))
        .and_then(|a| a.into_arrayd())
        .expect("values_f32.npy")
}

#[test]
fn npy_bytes_equal_numpys_for_every_element_type() {
    if common::corpora_absent("npy_bytes_equal_numpys_for_every_element_type") {
        return;
    }
    let dir = TempDir::new();
    let x = values();
    assert_eq!(x.shape(), &[2, 3, 4]);
    // (element type, NumPy's file, values clamped, values overflowed to inf), counts from
    // make_fixtures.py.
    for (et, fixture, clamped, overflowed) in [
        (ElementType::F32, "values_f32.npy", 0, 0),
        (ElementType::F16, "values_f16.npy", 0, 4),
        (ElementType::U8, "values_u8.npy", 10, 0),
        (ElementType::U16, "values_u16.npy", 6, 0),
    ] {
        let out = dir.join(&format!("out_{et}.npy"));
        let report = write(&out, x.view(), Layout::Nchw, et);
        let ours = std::fs::read(&out).unwrap();
        let numpys = std::fs::read(data(fixture)).unwrap();
        assert_eq!(ours, numpys, "{et}: bytes differ from NumPy's {fixture}");
        assert_eq!(
            (report.format, report.element_type, report.shape.as_slice()),
            (FileFormat::Npy, et, &[2usize, 3, 4][..])
        );
        assert_eq!(report.values, 24);
        assert_eq!(
            (report.clamped, report.overflowed),
            (clamped, overflowed),
            "{et}"
        );
        assert_eq!(
            report.warnings().len(),
            usize::from(clamped + overflowed > 0)
        );
    }
}

#[test]
fn npy_round_trips_keep_the_element_type() {
    let dir = TempDir::new();
    let x = Array4::from_shape_fn((2, 3, 4, 5), |(n, c, h, w)| {
        (n * 60 + c * 20 + h * 5 + w) as f32 * 1.25 - 7.0
    });
    let f32_path = dir.join("a.npy");
    write(&f32_path, x.view(), Layout::Nhwc, ElementType::F32);
    let back = read(&f32_path, Layout::Nhwc);
    assert_eq!(back.array, x);
    assert_eq!(
        (back.format, back.element_type, back.layout),
        (FileFormat::Npy, ElementType::F32, Layout::Nhwc)
    );
    assert_eq!(back.file_shape, vec![2, 3, 4, 5]);
    assert_eq!(back.dims_nchw(), [2, 5, 3, 4]);

    // f16: every value here is a multiple of 0.25 below 2048, exact in f16.
    let f16_path = dir.join("h.npy");
    write(&f16_path, x.view(), Layout::Nchw, ElementType::F16);
    let back = read(&f16_path, Layout::Nchw);
    assert_eq!(back.element_type, ElementType::F16);
    assert_eq!(back.array, x);
    assert_eq!(std::fs::metadata(&f16_path).unwrap().len(), 128 + 2 * 120);

    // u8: rounded, clamped, and read back as u8.
    let u8_path = dir.join("b.npy");
    let report = write(&u8_path, x.view(), Layout::Nchw, ElementType::U8);
    let back = read(&u8_path, Layout::Nchw);
    assert_eq!(back.element_type, ElementType::U8);
    let want = x.mapv(|v| v.round_ties_even().clamp(0.0, 255.0));
    assert_eq!(back.array, want);
    let below_zero = x.iter().filter(|v| v.round_ties_even() < 0.0).count();
    assert!(below_zero > 0);
    assert_eq!(report.clamped, below_zero);
    assert_eq!(
        report.warnings(),
        vec![format!("{below_zero} of 120 values clamped to [0, 255]")]
    );
}

#[test]
fn low_rank_npy_is_promoted_by_layout_and_restored() {
    let dir = TempDir::new();
    let p2 = dir.join("hw.npy");
    let hw = Array2::from_shape_fn((3, 5), |(h, w)| (h * 5 + w) as f32);
    write(&p2, hw.view(), Layout::Nchw, ElementType::F32);
    let nchw = read(&p2, Layout::Nchw);
    assert_eq!(nchw.array.dim(), (1, 1, 3, 5));
    let nhwc = read(&p2, Layout::Nhwc);
    assert_eq!(nhwc.array.dim(), (1, 3, 5, 1));
    assert_eq!(nhwc.array[[0, 2, 4, 0]], 14.0);
    assert_eq!(nchw.file_shape, vec![3, 5]);
    let restored = nhwc.restore_rank(nhwc.array.clone()).unwrap();
    assert_eq!(restored, hw.clone().into_dyn());
    // A channel count that is no longer 1 keeps four axes.
    let four = Array4::<f32>::zeros((1, 4, 2, 2));
    assert_eq!(nchw.restore_rank(four).unwrap().ndim(), 4);

    let p3 = dir.join("chw.npy");
    let chw = Array3::from_shape_fn((2, 3, 4), |(c, h, w)| (c * 12 + h * 4 + w) as f32);
    write(&p3, chw.view(), Layout::Nchw, ElementType::F32);
    for layout in [Layout::Nchw, Layout::Nhwc] {
        let t = read(&p3, layout);
        assert_eq!(t.array.dim(), (1, 2, 3, 4));
        assert_eq!(
            t.restore_rank(t.array.clone()).unwrap(),
            chw.clone().into_dyn()
        );
    }

    for shape in [vec![], vec![7], vec![1, 1, 1, 1, 2]] {
        let p = dir.join("bad_rank.npy");
        let a = ArrayD::<f32>::zeros(IxDyn(&shape));
        write(&p, a.view(), Layout::Nchw, ElementType::F32);
        match read_tensor(&p, Layout::Nchw) {
            Err(Error::InvalidArgument { reason, .. }) => {
                assert!(reason.contains("2-D"), "{reason}")
            }
            other => panic!("{shape:?}: {other:?}"),
        }
    }
}

#[test]
fn other_npy_dtypes_read_as_f32() {
    let dir = TempDir::new();
    // An i2 array (NumPy bytes: descr '<i2', shape (2, 2)), as np.save writes it.
    let mut bytes =
        b"\x93NUMPY\x01\x00v\x00{'descr': '<i2', 'fortran_order': False, 'shape': (2, 2), }"
            .to_vec();
    bytes.resize(127, b' ');
    bytes.push(b'\n');
    for v in [-3i16, 0, 7, 30000] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    let p = dir.join("i2.npy");
    std::fs::write(&p, &bytes).unwrap();
    let t = read(&p, Layout::Nchw);
    assert_eq!(t.element_type, ElementType::F32);
    assert_eq!(
        t.array.iter().copied().collect::<Vec<_>>(),
        vec![-3.0, 0.0, 7.0, 30000.0]
    );
}

#[test]
fn images_written_by_opencv_read_in_their_own_range() {
    if common::corpora_absent("images_written_by_opencv_read_in_their_own_range") {
        return;
    }
    // rgb_5x6.png: channel c of pixel (y, x) = (y·18 + x·3 + c)·7 mod 256.
    let t = read(&data("rgb_5x6.png"), Layout::Nchw);
    assert_eq!(t.array.dim(), (1, 3, 5, 6));
    assert_eq!(
        (t.format, t.element_type, t.file_shape.clone()),
        (FileFormat::Png, ElementType::U8, vec![5, 6, 3])
    );
    for ((_, c, y, x), &v) in t.array.indexed_iter() {
        assert_eq!(
            v,
            ((y * 18 + x * 3 + c) * 7 % 256) as f32,
            "({c}, {y}, {x})"
        );
    }
    let nhwc = read(&data("rgb_5x6.png"), Layout::Nhwc);
    assert_eq!(nhwc.array.dim(), (1, 5, 6, 3));
    assert_eq!(
        nhwc.array,
        t.array.view().permuted_axes([0, 2, 3, 1]).to_owned()
    );

    // rgba_2x3.png: channel c of pixel (y, x) = 40·(y·3 + x) + c.
    let t = read(&data("rgba_2x3.png"), Layout::Nhwc);
    assert_eq!(t.array.dim(), (1, 2, 3, 4));
    for ((_, y, x, c), &v) in t.array.indexed_iter() {
        assert_eq!(v, (40 * (y * 3 + x) + c) as f32);
    }

    // gray16_3x4.png: 5000·(y·4 + x) + 535, 16 bits: values beyond 255 come back as they are.
    let t = read(&data("gray16_3x4.png"), Layout::Nchw);
    assert_eq!(t.array.dim(), (1, 1, 3, 4));
    assert_eq!(t.element_type, ElementType::U16);
    for ((_, _, y, x), &v) in t.array.indexed_iter() {
        assert_eq!(v, (5000 * (y * 4 + x) + 535) as f32);
    }

    // A flat grey JPEG.
    let t = read(&data("gray_8x16.jpg"), Layout::Nchw);
    assert_eq!(t.array.dim(), (1, 1, 8, 16));
    assert_eq!(
        (t.format, t.element_type),
        (FileFormat::Jpeg, ElementType::U8)
    );
    assert!(t.array.iter().all(|&v| v == 128.0));
}

#[test]
fn png_round_trips_every_channel_count_and_depth() {
    let dir = TempDir::new();
    for c in 1..=4usize {
        let x = Array4::from_shape_fn((1, c, 7, 9), |(_, ch, h, w)| {
            ((ch * 61 + h * 9 + w) * 3 % 256) as f32
        });
        for layout in [Layout::Nchw, Layout::Nhwc] {
            let view = if layout == Layout::Nchw {
                x.view()
            } else {
                x.view().permuted_axes([0, 2, 3, 1])
            };
            let p = dir.join(&format!("c{c}.png"));
            let report = write(&p, view, layout, ElementType::U8);
            assert_eq!(report.shape, vec![7, 9, c]);
            assert_eq!(report.clamped, 0);
            let back = read(&p, Layout::Nchw);
            assert_eq!(back.array, x, "{c} channels from {layout:?}");
            assert_eq!(back.element_type, ElementType::U8);
        }
        let x16 = x.mapv(|v| v * 257.0 + 0.25);
        let p = dir.join(&format!("c{c}_16.png"));
        write(&p, x16.view(), Layout::Nchw, ElementType::U16);
        let back = read(&p, Layout::Nchw);
        assert_eq!(back.element_type, ElementType::U16);
        assert_eq!(back.array, x16.mapv(f32::round_ties_even));
    }
    // A 2-D array is one grey image, a 3-D one C×H×W (NCHW) or H×W×C (NHWC).
    let hw = Array2::from_shape_fn((4, 6), |(h, w)| (h * 6 + w) as f32);
    let p = dir.join("hw.png");
    assert_eq!(
        write(&p, hw.view(), Layout::Nhwc, ElementType::U8).shape,
        vec![4, 6, 1]
    );
    let hwc = Array3::from_shape_fn((4, 6, 2), |(h, w, c)| (h * 12 + w * 2 + c) as f32);
    assert_eq!(
        write(&p, hwc.view(), Layout::Nhwc, ElementType::U8).shape,
        vec![4, 6, 2]
    );
    let back = read(&p, Layout::Nhwc);
    assert_eq!(back.array.into_shape_with_order((4, 6, 2)).unwrap(), hwc);
}

#[test]
fn u8_conversion_rounds_half_to_even_clamps_and_refuses_nan() {
    let dir = TempDir::new();
    let x = Array2::from_shape_vec(
        (2, 4),
        vec![0.5, 1.5, 2.5, 254.5, -0.7, 255.5, 300.0, 127.49],
    )
    .unwrap();
    let p = dir.join("r.png");
    let report = write(&p, x.view(), Layout::Nchw, ElementType::U8);
    assert_eq!(report.clamped, 3); // -0.7 → -1 → 0, 255.5 → 256 → 255, 300 → 255
    let back = read(&p, Layout::Nchw);
    assert_eq!(
        back.array.iter().copied().collect::<Vec<_>>(),
        vec![0.0, 2.0, 2.0, 254.0, 0.0, 255.0, 255.0, 127.0]
    );
    assert_eq!(report.warnings(), vec!["3 of 8 values clamped to [0, 255]"]);

    let mut nan = x.clone();
    nan[[0, 1]] = f32::NAN;
    nan[[1, 3]] = f32::NAN;
    for name in ["n.png", "n.npy", "n.jpg"] {
        let p = dir.join(name);
        match write_tensor(&p, nan.view(), Layout::Nchw, ElementType::U8) {
            Err(e @ Error::InvalidArgument { .. }) => {
                let m = e.to_string();
                assert!(m.contains("2 NaN of 8"), "{m}");
            }
            other => panic!("{name}: {other:?}"),
        }
        assert!(!p.exists(), "{name} was written despite the NaN");
    }
    // f16 and f32 keep NaN.
    let p = dir.join("n16.npy");
    write(&p, nan.view(), Layout::Nchw, ElementType::F16);
    let back = read(&p, Layout::Nchw);
    assert_eq!(back.array.iter().filter(|v| v.is_nan()).count(), 2);
}

#[test]
fn jpeg_round_trip_is_close_and_limited_to_grey_and_rgb() {
    let dir = TempDir::new();
    let x = Array4::from_shape_fn((1, 3, 16, 24), |(_, c, h, w)| {
        (40 + c * 60 + h * 4 + w * 2) as f32
    });
    let p = dir.join("smooth.jpeg");
    write(&p, x.view(), Layout::Nchw, ElementType::U8);
    let back = read(&p, Layout::Nchw);
    assert_eq!(back.array.dim(), (1, 3, 16, 24));
    let worst = back
        .array
        .iter()
        .zip(x.iter())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(worst <= 12.0, "JPEG at quality 95 is off by {worst}");

    for c in [2usize, 4] {
        let a = Array4::<f32>::zeros((1, c, 4, 4));
        let e = write_tensor(&dir.join("x.jpg"), a.view(), Layout::Nchw, ElementType::U8)
            .unwrap_err()
            .to_string();
        assert!(e.contains("1 (L) or 3 (RGB)"), "{e}");
    }
    let e = check_writable(
        &dir.join("x.jpg"),
        &[1, 3, 4, 4],
        Layout::Nchw,
        ElementType::U16,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("JPEG holds u8"), "{e}");
}

#[test]
fn shapes_and_types_an_image_cannot_hold_are_refused_before_writing() {
    let dir = TempDir::new();
    let p = dir.join("x.png");
    let cases: Vec<(Vec<usize>, Layout, ElementType, &str)> = vec![
        (
            vec![2, 3, 4, 4],
            Layout::Nchw,
            ElementType::U8,
            "holds one image",
        ),
        (
            vec![1, 5, 4, 4],
            Layout::Nchw,
            ElementType::U8,
            "this tensor has 5",
        ),
        (
            vec![1, 4, 4, 6],
            Layout::Nhwc,
            ElementType::U8,
            "this tensor has 6",
        ),
        (
            vec![1, 3, 0, 4],
            Layout::Nchw,
            ElementType::U8,
            "height must be",
        ),
        (vec![8], Layout::Nchw, ElementType::U8, "2-D, 3-D or 4-D"),
        (
            vec![1, 3, 4, 4],
            Layout::Nchw,
            ElementType::F32,
            "PNG holds u8 or u16",
        ),
        (
            vec![1, 3, 4, 4],
            Layout::Nchw,
            ElementType::F16,
            "write .npy",
        ),
    ];
    for (shape, layout, et, want) in cases {
        let a = ArrayD::<f32>::zeros(IxDyn(&shape));
        match write_tensor(&p, a.view(), layout, et) {
            Err(e @ Error::InvalidArgument { .. }) => {
                assert!(e.to_string().contains(want), "{shape:?}: {e}")
            }
            other => panic!("{shape:?} {et}: {other:?}"),
        }
        assert!(!p.exists());
    }
    // A channels-last tensor passed as NCHW gets a hint.
    let e = check_writable(&p, &[1, 32, 32, 3], Layout::Nchw, ElementType::U8)
        .unwrap_err()
        .to_string();
    assert!(e.contains("--layout NHWC"), "{e}");
}

#[test]
fn malformed_and_missing_files_are_typed_errors() {
    if common::corpora_absent("malformed_and_missing_files_are_typed_errors") {
        return;
    }
    let dir = TempDir::new();
    let garbage = dir.join("garbage.png");
    std::fs::write(&garbage, b"not a png at all").unwrap();
    assert!(matches!(
        read_tensor(&garbage, Layout::Nchw),
        Err(Error::Image { .. })
    ));
    // A PNG's bytes under a .jpg name.
    let png_as_jpg = dir.join("really_png.jpg");
    std::fs::copy(data("rgb_5x6.png"), &png_as_jpg).unwrap();
    let e = read_tensor(&png_as_jpg, Layout::Nchw).unwrap_err();
    assert!(matches!(e, Error::Image { .. }), "{e:?}");
    assert!(e.to_string().contains("JPEG"), "{e}");
    // A truncated PNG.
    let bytes = std::fs::read(data("rgb_5x6.png")).unwrap();
    let cut = dir.join("cut.png");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(
        read_tensor(&cut, Layout::Nchw),
        Err(Error::Image { .. })
    ));
    // A truncated .npy.
    let bytes = std::fs::read(data("values_f32.npy")).unwrap();
    let cut = dir.join("cut.npy");
    std::fs::write(&cut, &bytes[..bytes.len() - 3]).unwrap();
    assert!(matches!(
        read_tensor(&cut, Layout::Nchw),
        Err(Error::Npy { .. })
    ));
    // Missing, a directory, unknown extensions.
    assert!(matches!(
        read_tensor(&dir.join("missing.png"), Layout::Nchw),
        Err(Error::Io { .. })
    ));
    assert!(matches!(
        read_tensor(&dir.join("missing.npy"), Layout::Nchw),
        Err(Error::Io { .. })
    ));
    let sub = dir.join("sub.png");
    std::fs::create_dir_all(&sub).unwrap();
    assert!(read_tensor(&sub, Layout::Nchw).is_err());
    for name in ["x.tif", "x", "x.npz"] {
        let e = read_tensor(&dir.join(name), Layout::Nchw)
            .unwrap_err()
            .to_string();
        assert!(e.contains(".npy, .png, .jpg, .jpeg"), "{e}");
        let a = Array4::<f32>::zeros((1, 1, 2, 2));
        let e = write_tensor(&dir.join(name), a.view(), Layout::Nchw, ElementType::F32)
            .unwrap_err()
            .to_string();
        assert!(e.contains(".npy, .png, .jpg, .jpeg"), "{e}");
    }
    // An unwritable path.
    let a = Array4::<f32>::zeros((1, 1, 2, 2));
    for name in ["no/such/dir/x.png", "no/such/dir/x.npy"] {
        assert!(matches!(
            write_tensor(&dir.join(name), a.view(), Layout::Nchw, ElementType::U8),
            Err(Error::Io { .. })
        ));
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    #[test]
    fn random_and_mutated_files_never_panic(
        bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..400),
        pos in 0usize..400,
        byte in proptest::num::u8::ANY,
        ext in proptest::sample::select(vec!["png", "jpg", "npy"]),
    ) {
        let dir = TempDir::new();
        let p = dir.join(&format!("r.{ext}"));
        std::fs::write(&p, &bytes).unwrap();
        let _ = read_tensor(&p, Layout::Nchw);
        // A valid file with one byte changed.
        let source = match ext {
            "png" => data("rgb_5x6.png"),
            "jpg" => data("gray_8x16.jpg"),
            _ => data("values_u8.npy"),
        };
        let mut valid = std::fs::read(source).unwrap();
        let i = pos % valid.len();
        valid[i] = byte;
        std::fs::write(&p, &valid).unwrap();
        let _ = read_tensor(&p, Layout::Nhwc);
    }
}
