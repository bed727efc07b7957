//! The three "bilinear 2×" methods side by side on one row of pixels.
//!
//! Run with `cargo run --example quickstart`.

use halfpixel::presets::{tf, torch};
use halfpixel::{CoordinateTransform, Layout};
use ndarray::Array4;

fn main() -> halfpixel::Result<()> {
    // A ramp 0, 1, …, 9 (one row, width 10) upsampled to width 20.
    let x = Array4::from_shape_fn((1, 1, 1, 10), |(_, _, _, w)| w as f32);

    let methods = [
        (
            "TF1 resize_bilinear(align_corners=False)  [asymmetric]",
            tf::ResizeV1::bilinear([1, 20], false, false)?,
        ),
        (
            "resize_bilinear(align_corners=True)        [align_corners]",
            tf::ResizeV1::bilinear([1, 20], true, false)?,
        ),
        (
            "F.interpolate(mode='bilinear')             [half_pixel]",
            torch::Interpolate::size([1, 20], torch::Mode::Bilinear)
                .align_corners(false)
                .build()?,
        ),
    ];
    // On a ramp, bilinear interpolation returns the (clamped) source coordinate itself.
    for (name, op) in methods {
        let y = op.run_cpu(x.view(), Layout::Nchw)?;
        let row: Vec<String> = y.iter().map(|v| format!("{v:.2}")).collect();
        println!("{name}\n  {}", row.join(" "));
    }

    // The unclamped source coordinates, as the seed article prints them.
    for ctm in [
        CoordinateTransform::Asymmetric,
        CoordinateTransform::AlignCorners,
        CoordinateTransform::HalfPixel,
    ] {
        let xs: Vec<String> = halfpixel::plan::portable::source_coordinates(ctm, 10, 20)
            .into_iter()
            .map(|c| format!("{:.4}", c.unwrap_or(f64::NAN)))
            .collect();
        println!("{:<13} {}", ctm.name(), xs.join(" "));
    }
    Ok(())
}
