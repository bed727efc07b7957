//! Integration tests for `halfpixel::npy`: files written by NumPy 2.4 (embedded below), the
//! byte-exact writer, and every file of the shipped conformance corpus.

mod common;

use std::path::PathBuf;

use halfpixel::npy::{parse_npy, read_npy, to_npy_bytes, write_npy_f32, NpyDtype};
use halfpixel::Error;
use ndarray::{Array3, ArrayView1, ArrayView2, ArrayView3};

// Generated with:
//   x = np.arange(6, dtype=np.float32).reshape(2, 3) * 0.5 - 1
//   np.save / np.lib.format.write_array(..., version=(2, 0) / (3, 0)) of x, x.astype(...), etc.
const F4_V1: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }                                                          \x0a\x00\x00\x80\xbf\x00\x00\x00\xbf\x00\x00\x00\x00\x00\x00\x00?\x00\x00\x80?\x00\x00\xc0?";
const F4_V2: &[u8] = b"\x93NUMPY\x02\x00t\x00\x00\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }                                                        \x0a\x00\x00\x80\xbf\x00\x00\x00\xbf\x00\x00\x00\x00\x00\x00\x00?\x00\x00\x80?\x00\x00\xc0?";
const F4_V3: &[u8] = b"\x93NUMPY\x03\x00t\x00\x00\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }                                                        \x0a\x00\x00\x80\xbf\x00\x00\x00\xbf\x00\x00\x00\x00\x00\x00\x00?\x00\x00\x80?\x00\x00\xc0?";
const F8: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }                                                          \x0a\x00\x00\x00\x00\x00\x00\xf0\xbf\x00\x00\x00\x00\x00\x00\xe0\xbf\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xe0?\x00\x00\x00\x00\x00\x00\xf0?\x00\x00\x00\x00\x00\x00\xf8?";
const F2: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3), }                                                          \x0a\x00<T\xb5\xff{\x01\x00\x00|\x00\xfc";
const U1: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }                                                          \x0a\x00\x01\x7f\x80\xc8\xff";
const I4: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }                                                          \x0a\x00\x00\x00\x80\xff\xff\xff\xff\x00\x00\x00\x00\x01\x00\x00\x00\x01\x00\x00\x01\xff\xff\xff\x7f";
const I8: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }                                                          \x0a\x00\x00\x00\x00\x00\x00\x00\xc0\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00@";
const F4_BE: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }                                                          \x0a\xbf\x80\x00\x00\xbf\x00\x00\x00\x00\x00\x00\x00?\x00\x00\x00?\x80\x00\x00?\xc0\x00\x00";
const F4_FORTRAN: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3, 4), }                                                        \x0a\x00\x00\x00\x00\x00\x00@A\x00\x00\x80@\x00\x00\x80A\x00\x00\x00A\x00\x00\xa0A\x00\x00\x80?\x00\x00PA\x00\x00\xa0@\x00\x00\x88A\x00\x00\x10A\x00\x00\xa8A\x00\x00\x00@\x00\x00`A\x00\x00\xc0@\x00\x00\x90A\x00\x00 A\x00\x00\xb0A\x00\x00@@\x00\x00pA\x00\x00\xe0@\x00\x00\x98A\x00\x000A\x00\x00\xb8A";
const F4_NAN: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }                                                            \x0a\x00\x00\xc0\x7f\x00\x00\x00\x80\x01\x00\x00\x00";
const BOOL: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }                                                            \x0a\x01\x00\x01";
const F4_4D: &[u8] = b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4, 5), }                                                    \x0a\x00\x00\x00\x00\x00\x00\x80?\x00\x00\x00@\x00\x00@@\x00\x00\x80@\x00\x00\xa0@\x00\x00\xc0@\x00\x00\xe0@\x00\x00\x00A\x00\x00\x10A\x00\x00 A\x00\x000A\x00\x00@A\x00\x00PA\x00\x00`A\x00\x00pA\x00\x00\x80A\x00\x00\x88A\x00\x00\x90A\x00\x00\x98A\x00\x00\xa0A\x00\x00\xa8A\x00\x00\xb0A\x00\x00\xb8A\x00\x00\xc0A\x00\x00\xc8A\x00\x00\xd0A\x00\x00\xd8A\x00\x00\xe0A\x00\x00\xe8A\x00\x00\xf0A\x00\x00\xf8A\x00\x00\x00B\x00\x00\x04B\x00\x00\x08B\x00\x00\x0cB\x00\x00\x10B\x00\x00\x14B\x00\x00\x18B\x00\x00\x1cB\x00\x00 B\x00\x00$B\x00\x00(B\x00\x00,B\x00\x000B\x00\x004B\x00\x008B\x00\x00<B\x00\x00@B\x00\x00DB\x00\x00HB\x00\x00LB\x00\x00PB\x00\x00TB\x00\x00XB\x00\x00\x5cB\x00\x00`B\x00\x00dB\x00\x00hB\x00\x00lB\x00\x00pB\x00\x00tB\x00\x00xB\x00\x00|B\x00\x00\x80B\x00\x00\x82B\x00\x00\x84B\x00\x00\x86B\x00\x00\x88B\x00\x00\x8aB\x00\x00\x8cB\x00\x00\x8eB\x00\x00\x90B\x00\x00\x92B\x00\x00\x94B\x00\x00\x96B\x00\x00\x98B\x00\x00\x9aB\x00\x00\x9cB\x00\x00\x9eB\x00\x00\xa0B\x00\x00\xa2B\x00\x00\xa4B\x00\x00\xa6B\x00\x00\xa8B\x00\x00\xaaB\x00\x00\xacB\x00\x00\xaeB\x00\x00\xb0B\x00\x00\xb2B\x00\x00\xb4B\x00\x00\xb6B\x00\x00\xb8B\x00\x00\xbaB\x00\x00\xbcB\x00\x00\xbeB\x00\x00\xc0B\x00\x00\xc2B\x00\x00\xc4B\x00\x00\xc6B\x00\x00\xc8B\x00\x00\xcaB\x00\x00\xccB\x00\x00\xceB\x00\x00\xd0B\x00\x00\xd2B\x00\x00\xd4B\x00\x00\xd6B\x00\x00\xd8B\x00\x00\xdaB\x00\x00\xdcB\x00\x00\xdeB\x00\x00\xe0B\x00\x00\xe2B\x00\x00\xe4B\x00\x00\xe6B\x00\x00\xe8B\x00\x00\xeaB\x00\x00\xecB\x00\x00\xeeB";

const X: [f32; 6] = [-1.0, -0.5, 0.0, 0.5, 1.0, 1.5];

fn ok(bytes: &[u8], name: &str) -> halfpixel::npy::NpyArray {
    match parse_npy(bytes, name) {
        Ok(a) => a,
        Err(e) => panic!("{name}: {e}"),
    }
}

#[test]
fn numpy_float32_all_versions() {
    for (name, bytes) in [("v1", F4_V1), ("v2", F4_V2), ("v3", F4_V3), ("be", F4_BE)] {
        let a = ok(bytes, name);
        assert_eq!(a.shape, vec![2, 3], "{name}");
        assert_eq!(a.dtype, NpyDtype::F32, "{name}");
        assert_eq!(a.data, X.to_vec(), "{name}");
    }
}

#[test]
fn numpy_other_dtypes() {
    let f8 = ok(F8, "f8");
    assert_eq!((f8.dtype, f8.data), (NpyDtype::F64, X.to_vec()));

    let f2 = ok(F2, "f2");
    assert_eq!(f2.dtype, NpyDtype::F16);
    assert_eq!(
        f2.data,
        vec![
            1.0,
            -0.333_007_8,
            65504.0,
            5.960_464_5e-8,
            f32::INFINITY,
            f32::NEG_INFINITY
        ]
    );

    let u1 = ok(U1, "u1");
    assert_eq!(
        (u1.dtype, u1.data),
        (NpyDtype::U8, vec![0.0, 1.0, 127.0, 128.0, 200.0, 255.0])
    );

    let i4 = ok(I4, "i4");
    assert_eq!(i4.dtype, NpyDtype::I32);
    assert_eq!(
        i4.data,
        vec![-2147483648.0, -1.0, 0.0, 1.0, 16777216.0, 2147483648.0],
        "i4 rounds to the nearest f32"
    );

    let i8 = ok(I8, "i8");
    assert_eq!(i8.dtype, NpyDtype::I64);
    assert_eq!(
        i8.data,
        vec![-(2f32.powi(62)), -1.0, 0.0, 1.0, 16777216.0, 2f32.powi(62)]
    );

    let b = ok(BOOL, "bool");
    assert_eq!(
        (b.dtype, b.shape, b.data),
        (NpyDtype::Bool, vec![3], vec![1.0, 0.0, 1.0])
    );
}

#[test]
fn numpy_special_values_are_bit_exact() {
    let a = ok(F4_NAN, "nan");
    assert!(a.data[0].is_nan());
    assert_eq!(a.data[1].to_bits(), (-0.0f32).to_bits());
    assert_eq!(a.data[2].to_bits(), 1); // the smallest subnormal
}

#[test]
fn numpy_fortran_order_becomes_c_order() {
    let a = ok(F4_FORTRAN, "fortran");
    assert_eq!(a.shape, vec![2, 3, 4]);
    assert_eq!(a.data, (0..24).map(|v| v as f32).collect::<Vec<_>>());
}

#[test]
fn into_array4() {
    let a = ok(F4_4D, "4d").into_array4().expect("rank 4");
    assert_eq!(a.dim(), (2, 3, 4, 5));
    assert_eq!(a[[1, 2, 3, 4]], 119.0);
    assert!(matches!(
        ok(F4_V1, "2d").into_array4(),
        Err(Error::Npy { .. })
    ));
    assert_eq!(
        ok(F4_V1, "2d").into_array4_padded().expect("rank 2").dim(),
        (1, 1, 2, 3)
    );
}

#[test]
fn writer_matches_numpy_bytes() {
    // np.save(np.zeros(shape, np.float32)) headers, byte for byte.
    let cases: [(&[u8], Vec<u8>); 3] = [
        (
            b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }                                                            \x0a",
            to_npy_bytes(ArrayView1::<f32>::from(&[])),
        ),
        (
            b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (12345678901, 0), }                                                \x0a",
            to_npy_bytes(ArrayView2::<f32>::from_shape((12_345_678_901, 0), &[]).expect("empty view")),
        ),
        (
            b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3, 1, 2), }                                                       \x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
            to_npy_bytes(ArrayView3::<f32>::from_shape((3, 1, 2), &[0.0; 6]).expect("view")),
        ),
    ];
    for (want, got) in cases {
        assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(want));
    }
    let x = ndarray::Array2::from_shape_vec((2, 3), X.to_vec()).expect("shape");
    assert_eq!(to_npy_bytes(x.view()), F4_V1);
}

fn corpus_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/data")
}

#[test]
fn every_corpus_file_reads_and_rewrites_byte_for_byte() {
    if common::corpora_absent("every_corpus_file_reads_and_rewrites_byte_for_byte") {
        return;
    }
    let mut n = 0;
    let entries = std::fs::read_dir(corpus_data()).expect("the shipped corpus has data/");
    for entry in entries {
        let path = entry.expect("dir entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("npy") {
            continue;
        }
        let original = std::fs::read(&path).expect("readable");
        let a = read_npy(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            a,
            parse_npy(&original, &path.display().to_string()).expect("parse")
        );
        let dims = a.shape.clone();
        let arr = a.into_arrayd().expect("array");
        assert_eq!(arr.shape(), dims.as_slice());
        assert!(
            to_npy_bytes(arr.view()) == original,
            "{} does not round-trip",
            path.display()
        );
        n += 1;
    }
    assert!(n > 100, "only {n} .npy files in the shipped corpus");
}

#[test]
fn file_roundtrip_and_errors() {
    let dir = std::env::temp_dir().join(format!("halfpixel-npy-it-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("x.npy");
    let a = Array3::from_shape_fn((3, 4, 5), |(i, j, k)| {
        (i as f32) - (j as f32) * 0.25 + k as f32
    });
    write_npy_f32(&path, a.view()).expect("write");
    assert_eq!(
        read_npy(&path).expect("read").into_arrayd().expect("arr"),
        a.clone().into_dyn()
    );

    // Truncated: every prefix of a valid file is an Npy error, never a panic.
    let bytes = std::fs::read(&path).expect("read back");
    for cut in 0..bytes.len() {
        std::fs::write(&path, &bytes[..cut]).expect("write prefix");
        match read_npy(&path) {
            Err(Error::Npy { source_name, .. }) => assert!(source_name.ends_with("x.npy")),
            other => panic!("prefix of {cut} bytes: {other:?}"),
        }
    }
    assert!(matches!(
        read_npy(&dir.join("nope.npy")),
        Err(Error::Io { .. })
    ));
    assert!(matches!(
        write_npy_f32(&dir.join("no/such/dir.npy"), a.view()),
        Err(Error::Io { .. })
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The headers that made the crates fall short (see the `npy` module's documentation) are typed
/// errors here: a shape whose element count overflows 64 bits (npyz 0.9.1 reads
/// `(2**63 + 1, 2)` as 2 elements in a release build), and a header-length field that claims
/// gigabytes for a file of a dozen bytes.
#[test]
fn overflowing_shapes_and_lying_header_lengths_are_refused() {
    fn npy_v1(header: &str, data: &[u8]) -> Vec<u8> {
        let mut h = header.as_bytes().to_vec();
        while (10 + h.len() + 1) % 64 != 0 {
            h.push(b' ');
        }
        h.push(b'\n');
        let mut b = b"\x93NUMPY\x01\x00".to_vec();
        b.extend_from_slice(&(h.len() as u16).to_le_bytes());
        b.extend_from_slice(&h);
        b.extend_from_slice(data);
        b
    }
    for shape in [
        "(9223372036854775809, 2)",
        "(4294967296, 4294967296, 16)",
        "(18446744073709551617,)",
    ] {
        let header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}");
        match parse_npy(&npy_v1(&header, &[0; 8]), "overflow") {
            Err(Error::Npy { reason, .. }) => assert!(!reason.is_empty(), "{shape}"),
            other => panic!("{shape}: {other:?}"),
        }
    }
    let mut lying = b"\x93NUMPY\x02\x00".to_vec();
    lying.extend_from_slice(&0xffff_fff0u32.to_le_bytes());
    lying.push(b'{');
    match parse_npy(&lying, "lying") {
        Err(Error::Npy { reason, .. }) => assert!(reason.contains("too long"), "{reason}"),
        other => panic!("{other:?}"),
    }
}
