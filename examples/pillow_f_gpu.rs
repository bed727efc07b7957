//! How far the GPU is from Pillow on mode `F` images: Pillow accumulates in float64, WGSL has
//! no float64, so the GPU runs Pillow's weights rounded to float32 with float32 sums. This
//! measures that difference on a corpus's `F` cases (every filter but `NEAREST`, which copies),
//! on every adapter:
//!
//! ```text
//! python tools/gen_image_corpus.py --out /tmp/pil --only pillow --seed 11 --cases 300
//! cargo run --release --example pillow_f_gpu -- tests/corpus-images /tmp/pil
//! ```
//!
//! Per adapter: the share of outputs whose float32 bits differ from Pillow's, the largest
//! `|Δ|`, and the largest `|Δ| / max|x|` (the input's largest finite magnitude), the scale of
//! float32 rounding.

use halfpixel::conformance::Corpus;
use halfpixel::gpu::{enumerate_adapters, GpuContext};
use halfpixel::npy::read_npy;
use halfpixel::presets::from_call;
use halfpixel::Layout;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() {
        eprintln!("usage: pillow_f_gpu CORPUS_DIR...");
        std::process::exit(2);
    }
    for adapter in enumerate_adapters() {
        let gpu = GpuContext::from_adapter(&adapter)?;
        let name = format!(
            "{}:{}",
            gpu.adapter().backend.to_lowercase(),
            gpu.adapter().name
        );
        let (mut cases, mut outputs, mut differ) = (0usize, 0usize, 0usize);
        let (mut max_abs, mut max_rel) = (0f64, 0f64);
        let mut worst = String::new();
        for dir in &dirs {
            let corpus = Corpus::load(dir)?;
            for case in corpus.cases() {
                let args = &case.call.args;
                if case.call.framework != "pillow"
                    || args["mode"] != "F"
                    || args["resample"] == "NEAREST"
                {
                    continue;
                }
                let x = read_npy(&corpus.path_of(&case.input))?.into_array4()?;
                let expected = read_npy(&corpus.path_of(&case.expected))?.into_array4()?;
                let op = from_call(&case.call)?;
                let got = gpu.run(&op, x.view(), Layout::Nhwc)?;
                let scale = x
                    .iter()
                    .filter(|v| v.is_finite())
                    .fold(0f64, |m, v| m.max(v.abs() as f64));
                cases += 1;
                for (g, e) in got.iter().zip(expected.iter()) {
                    outputs += 1;
                    if g.to_bits() == e.to_bits() || (g.is_nan() && e.is_nan()) {
                        continue;
                    }
                    differ += 1;
                    if g.is_finite() && e.is_finite() {
                        let d = (*g as f64 - *e as f64).abs();
                        if d > max_abs {
                            max_abs = d;
                        }
                        if scale > 0.0 && d / scale > max_rel {
                            max_rel = d / scale;
                            worst = format!("{} (expected {e}, got {g}, max|x| {scale})", case.id);
                        }
                    }
                }
            }
        }
        println!(
            "{name}: {cases} F cases, {outputs} outputs, {differ} differ from Pillow ({:.1} %), \
             max |Δ| {max_abs:.3e}, max |Δ|/max|x| {max_rel:.3e} = {:.2} float32 ulps of max|x|; \
             worst {worst}",
            100.0 * differ as f64 / outputs.max(1) as f64,
            max_rel / f32::EPSILON as f64,
        );
    }
    Ok(())
}
