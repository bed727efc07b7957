//! Every subcommand given what a user can get wrong — malformed and empty .npy files, files that
//! are not what their extension says, absurd sizes and scales, unknown presets, workloads and
//! frameworks, unwritable outputs — exits non-zero with one `error:` line and never a panic.
//! The fuzz target `fuzz/fuzz_targets/cli_args.rs` covers the grammar with arbitrary arguments.

use std::path::PathBuf;
use std::process::{Command, Output};

use halfpixel::npy::write_npy_f32;
use ndarray::Array4;

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "halfpixel-cli-robustness-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn file(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn halfpixel(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_halfpixel"))
        .args(args)
        .env("HALFPIXEL_PROGRESS", "0")
        .output()
        .expect("the halfpixel binary runs")
}

/// Exit status 2 (or 1 for a run that happened and failed), exactly one `error:` line on stderr
/// (besides Mesa's XDG_RUNTIME_DIR notice), no panic.
fn assert_refused(args: &[&str]) {
    let o = halfpixel(args);
    let err: Vec<String> = String::from_utf8_lossy(&o.stderr)
        .lines()
        .filter(|l| !l.contains("XDG_RUNTIME_DIR") && !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    let code = o.status.code();
    assert!(
        matches!(code, Some(1) | Some(2)),
        "{args:?}: status {code:?}\n{err:?}"
    );
    let text = err.join("\n");
    assert!(!text.contains("panicked"), "{args:?}: {text}");
    assert!(!text.contains("RUST_BACKTRACE"), "{args:?}: {text}");
    let errors: Vec<&String> = err.iter().filter(|l| l.starts_with("error")).collect();
    assert_eq!(
        errors.len(),
        1,
        "{args:?}: one error line expected:\n{text}"
    );
}

fn write_bytes(path: &str, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
}

/// A .npy header claiming `shape` with `data` bytes after it.
fn npy_with(shape: &str, descr: &str, data: &[u8]) -> Vec<u8> {
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(data);
    bytes
}

#[test]
fn bad_files_are_one_line_errors_for_every_command_that_reads_them() {
    let dir = TempDir::new();
    let good = dir.file("good.npy");
    write_npy_f32(
        std::path::Path::new(&good),
        Array4::<f32>::from_elem((1, 2, 3, 3), 0.5).view(),
    )
    .unwrap();
    let bad: Vec<(String, Vec<u8>)> = vec![
        ("empty.npy".into(), Vec::new()),
        ("text.npy".into(), b"not an npy file".to_vec()),
        (
            "truncated.npy".into(),
            npy_with("(1, 2, 3, 3)", "<f4", &[0; 10]),
        ),
        (
            "huge_claim.npy".into(),
            npy_with("(100000, 100000, 100000, 100000)", "<f4", &[0; 16]),
        ),
        (
            "overflow.npy".into(),
            npy_with("(18446744073709551615, 2)", "<f4", &[]),
        ),
        ("negative.npy".into(), npy_with("(-1, 3)", "<f4", &[])),
        ("complex.npy".into(), npy_with("(1, 1)", "<c8", &[0; 8])),
        ("object.npy".into(), npy_with("(1,)", "|O", &[0; 8])),
        ("zero_axis.npy".into(), npy_with("(1, 0, 3, 3)", "<f4", &[])),
        ("empty.png".into(), Vec::new()),
        ("fake.png".into(), b"\x89PNG\r\n\x1a\nnot really".to_vec()),
        ("fake.jpg".into(), b"\xff\xd8\xff\xe0 truncated".to_vec()),
    ];
    for (name, bytes) in &bad {
        let path = dir.file(name);
        write_bytes(&path, bytes);
        let out = dir.file("out.npy");
        assert_refused(&[
            "resize",
            &path,
            &out,
            "--preset",
            "torch.bilinear",
            "--scale",
            "2",
            "--backend",
            "cpu",
        ]);
        assert!(
            !std::path::Path::new(&out).exists(),
            "{name}: nothing is written"
        );
        assert_refused(&["identify", "--input", &path, "--output", &good]);
        assert_refused(&["identify", "--input", &good, "--output", &path]);
        assert_refused(&["figures", "--input", &path, "--out", &dir.file("figs")]);
    }
    let missing = dir.file("missing.npy");
    assert_refused(&[
        "resize",
        &missing,
        &dir.file("o.npy"),
        "--preset",
        "torch.bilinear",
        "--scale",
        "2",
    ]);
    assert_refused(&[
        "conformance",
        "--corpus",
        &dir.file("no-corpus"),
        "--backend",
        "cpu",
    ]);
    // A corpus whose manifest is empty or malformed.
    let corpus = dir.file("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    for manifest in ["", "{", "{\"format\": \"other/1\", \"cases\": []}", "[]"] {
        write_bytes(&format!("{corpus}/manifest.json"), manifest.as_bytes());
        assert_refused(&["conformance", "--corpus", &corpus, "--backend", "cpu"]);
    }
}

#[test]
fn absurd_sizes_scales_and_names_are_one_line_errors() {
    let dir = TempDir::new();
    let input = dir.file("x.npy");
    write_npy_f32(
        std::path::Path::new(&input),
        Array4::<f32>::from_elem((1, 2, 4, 4), 1.0).view(),
    )
    .unwrap();
    let out = dir.file("y.npy");
    let resize = |extra: &[&str]| {
        let mut args = vec!["resize", input.as_str(), out.as_str(), "--backend", "cpu"];
        args.extend_from_slice(extra);
        args.into_iter().map(str::to_string).collect::<Vec<_>>()
    };
    for extra in [
        &["--preset", "torch.bilinear", "--size", "0x4"][..],
        &[
            "--preset",
            "torch.bilinear",
            "--size",
            "99999999999x99999999999",
        ],
        &["--preset", "torch.bilinear", "--size", "40000000x4"],
        &["--preset", "torch.bilinear", "--size", "300000x300000"],
        &["--preset", "torch.bilinear", "--scale", "nan"],
        &["--preset", "torch.bilinear", "--scale", "-2"],
        &["--preset", "torch.bilinear", "--scale", "0"],
        &["--preset", "torch.bilinear", "--scale", "inf"],
        &["--preset", "torch.bilinear", "--scale", "1e300"],
        &["--preset", "torch.bilinear", "--scale", "1e-300"],
        &[
            "--preset",
            "torch.bilinear",
            "--scale",
            "2",
            "--size",
            "3x3",
        ],
        &["--preset", "torch.bilinear"],
        &["--preset", "torch.bilinearr", "--scale", "2"],
        &["--preset", "", "--scale", "2"],
        &["--preset", "torch.pixel_shuffle", "--block", "3"],
        &["--preset", "torch.pixel_shuffle", "--block", "0"],
        &[
            "--preset",
            "torch.pixel_shuffle",
            "--block",
            "18446744073709551615",
        ],
        &[
            "--preset",
            "torch.bilinear",
            "--block",
            "18446744073709551615",
        ],
        &["--preset", "onnx", "--size", "8x8", "--attr", "mode=bogus"],
        &[
            "--preset",
            "onnx",
            "--size",
            "8x8",
            "--attr",
            "mode=cubic",
            "--attr",
            "cubic_coeff_a=nan",
        ],
        &["--preset", "onnx", "--size", "8x8", "--attr", "novalue"],
        &[
            "--preset",
            "torch.bilinear",
            "--scale",
            "2",
            "--layout",
            "NWHC",
        ],
        &[
            "--preset",
            "torch.bilinear",
            "--scale",
            "2",
            "--dtype",
            "f64",
        ],
    ] {
        let args = resize(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_refused(&args);
    }
    // Outputs that cannot be written.
    for bad_out in [
        dir.file("no/such/dir/y.npy"),
        dir.file("y.bmp"),
        dir.file("y.jpg"),
    ] {
        let dims_for_jpg_refusal = ["--preset", "torch.bilinear", "--scale", "2"];
        let mut args = vec![
            "resize",
            input.as_str(),
            bad_out.as_str(),
            "--backend",
            "cpu",
        ];
        args.extend_from_slice(&dims_for_jpg_refusal);
        assert_refused(&args);
    }
    assert_refused(&[
        "identify", "--input", &input, "--output", &input, "--atol", "-1",
    ]);
    assert_refused(&["matrix", "--sources", "caffe"]);
    assert_refused(&["matrix", "--targets", "nothing"]);
    assert_refused(&["bench", "--workload", "W99", "--backend", "cpu"]);
    assert_refused(&["bench", "--threads", "0", "--backend", "cpu"]);
    assert_refused(&["presets", "--framework", "caffe"]);
    assert_refused(&["conformance", "--backend", "tpu"]);
    assert_refused(&["no-such-command"]);
}
