//! How 8-bit values become the model's input values, per colour: Core ML's scale-then-bias and
//! torchvision's mean/std, each evaluated exactly as the framework does in float32, and tabulated
//! (256 values per channel) so that the CPU and every GPU read the same numbers.

use crate::error::{Error, Result};

use super::format::Color;

/// One value per colour, as Core ML names its biases (`red_bias`, `green_bias`, `blue_bias`,
/// `gray_bias`). `gray` is optional: a colour preset such as ImageNet's has no gray value, and a
/// gray output with it is refused rather than given a silent default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColorValues {
    /// Red.
    pub red: f32,
    /// Green.
    pub green: f32,
    /// Blue.
    pub blue: f32,
    /// Gray (luminance), where defined.
    pub gray: Option<f32>,
}

impl ColorValues {
    /// Red, green and blue values (no gray value).
    pub fn rgb(red: f32, green: f32, blue: f32) -> Self {
        ColorValues {
            red,
            green,
            blue,
            gray: None,
        }
    }

    /// Blue, green and red values, in the order Caffe and OpenCV list them.
    pub fn bgr(blue: f32, green: f32, red: f32) -> Self {
        ColorValues::rgb(red, green, blue)
    }

    /// The same value for every colour, gray included.
    pub fn splat(value: f32) -> Self {
        ColorValues {
            red: value,
            green: value,
            blue: value,
            gray: Some(value),
        }
    }

    /// The same values with a gray value.
    pub fn with_gray(self, gray: f32) -> Self {
        ColorValues {
            gray: Some(gray),
            ..self
        }
    }

    /// The value of `color`, where defined.
    pub fn get(&self, color: Color) -> Option<f32> {
        match color {
            Color::Red => Some(self.red),
            Color::Green => Some(self.green),
            Color::Blue => Some(self.blue),
            Color::Gray => self.gray,
        }
    }

    fn defined(&self) -> impl Iterator<Item = (Color, f32)> + '_ {
        [Color::Red, Color::Green, Color::Blue, Color::Gray]
            .into_iter()
            .filter_map(|c| self.get(c).map(|v| (c, v)))
    }
}

/// How a byte `x` (0..=255) of a colour becomes the value `y` the model reads. Both conventions
/// are evaluated in float32, operation by operation as the framework does (never fused), and
/// stored as one 256-entry table per output channel ([`Normalization::table`]).
///
/// | convention | mirrors | `y` |
/// |---|---|---|
/// | [`ScaleBias`](Normalization::ScaleBias) | Core ML `ImageType(scale=, bias=)`, NeuralNetwork `image_scale` / `red_bias` … (`NeuralNetworkImageScaler`) | `fl(fl(scale · x) + bias_c)`: scale first, then the bias, which is **not** multiplied by the scale |
/// | [`MeanStd`](Normalization::MeanStd) | torchvision `ToTensor()` then `Normalize(mean, std)` | `fl(fl(fl(x / 255) − mean_c) / std_c)` |
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Normalization {
    /// Core ML's image preprocessing: `y = image_scale · x + bias_c`, the scale applied first and
    /// one scale for every channel. A bias meant for values in 0..1 must be given already in the
    /// model's units: the bias is added after the scale, never scaled by it.
    ScaleBias {
        /// `image_scale` (Core ML `ImageType.scale`).
        scale: f32,
        /// `red_bias`, `green_bias`, `blue_bias`, `gray_bias` (Core ML `ImageType.bias`).
        bias: ColorValues,
    },
    /// torchvision's `Normalize(mean, std)` on `ToTensor()` values: `y = (x/255 − mean_c) / std_c`,
    /// with `x/255`, the subtraction and the division each rounded to float32 as PyTorch computes
    /// them (the mean and std are converted to float32 first, as `F.normalize` does).
    MeanStd {
        /// Per-colour mean, on the 0..1 scale.
        mean: ColorValues,
        /// Per-colour standard deviation, on the 0..1 scale (non-zero).
        std: ColorValues,
    },
}

impl Normalization {
    /// Core ML's convention: `y = scale · x + bias_c`.
    pub fn scale_bias(scale: f32, bias: ColorValues) -> Self {
        Normalization::ScaleBias { scale, bias }
    }

    /// torchvision's convention: `y = (x/255 − mean_c) / std_c`.
    pub fn mean_std(mean: ColorValues, std: ColorValues) -> Self {
        Normalization::MeanStd { mean, std }
    }

    /// The raw bytes as floats, 0..255: Core ML's default (`image_scale = 1`, every bias 0).
    pub fn none() -> Self {
        Normalization::scale_bias(1.0, ColorValues::splat(0.0))
    }

    /// ImageNet: torchvision's `Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])`
    /// on `ToTensor()` values (red, green, blue; no gray value).
    pub fn imagenet() -> Self {
        Normalization::mean_std(
            ColorValues::rgb(0.485, 0.456, 0.406),
            ColorValues::rgb(0.229, 0.224, 0.225),
        )
    }

    /// Caffe's BGR mean subtraction on 0..255 values: blue − 103.939, green − 116.779,
    /// red − 123.68 (VGG / ResNet-Caffe, Keras `preprocess_input(mode='caffe')`), as Core ML's
    /// `scale = 1`, `blue_bias = −103.939`, … Pair it with [`ChannelOrder::Bgr`](super::ChannelOrder::Bgr),
    /// the order these models read.
    pub fn caffe() -> Self {
        Normalization::scale_bias(1.0, ColorValues::bgr(-103.939, -116.779, -123.68))
    }

    /// [0, 1]: torchvision's `ToTensor()`, `y = x / 255` (mean 0, std 1; every colour and gray).
    /// Core ML's `image_scale = 1/255` computes `x · fl(1/255)` instead, which differs from
    /// `x / 255` in the last bit for some bytes: use
    /// `Normalization::scale_bias(1.0 / 255.0, ColorValues::splat(0.0))` for that.
    pub fn unit() -> Self {
        Normalization::mean_std(ColorValues::splat(0.0), ColorValues::splat(1.0))
    }

    /// [−1, 1]: torchvision's `Normalize(mean=[0.5]*3, std=[0.5]*3)` on `ToTensor()` values,
    /// `y = (x/255 − 0.5) / 0.5` (every colour and gray). Core ML's usual spelling,
    /// `image_scale = 2/255` and biases −1, is `Normalization::scale_bias(2.0 / 255.0,
    /// ColorValues::splat(-1.0))`.
    pub fn symmetric() -> Self {
        Normalization::mean_std(ColorValues::splat(0.5), ColorValues::splat(0.5))
    }

    /// The value of byte `x` of `color`, exactly as the convention computes it in float32. The
    /// normalisation must be valid for the colour ([`Normalization::table`] checks).
    #[inline]
    fn value(&self, color: Color, x: u8) -> Option<f32> {
        let x = x as f32;
        match self {
            Normalization::ScaleBias { scale, bias } => Some(scale * x + bias.get(color)?),
            Normalization::MeanStd { mean, std } => {
                Some((x / 255.0 - mean.get(color)?) / std.get(color)?)
            }
        }
    }

    /// Checks every value given (finite; standard deviations non-zero) and that `color` has its
    /// values.
    pub fn validate(&self, color: Color) -> Result<()> {
        let finite = |name: String, v: f32| {
            if v.is_finite() {
                Ok(())
            } else {
                Err(Error::invalid_argument(name, v, "must be a finite number"))
            }
        };
        match self {
            Normalization::ScaleBias { scale, bias } => {
                finite("image_scale".into(), *scale)?;
                for (c, v) in bias.defined() {
                    finite(format!("{}_bias", c.name()), v)?;
                }
                if bias.get(color).is_none() {
                    return Err(missing(color, "bias"));
                }
            }
            Normalization::MeanStd { mean, std } => {
                for (c, v) in mean.defined() {
                    finite(format!("{} mean", c.name()), v)?;
                }
                for (c, v) in std.defined() {
                    finite(format!("{} std", c.name()), v)?;
                    if v == 0.0 {
                        // torchvision: "std evaluated to zero after conversion to float32,
                        // leading to division by zero."
                        return Err(Error::invalid_argument(
                            format!("{} std", c.name()),
                            v,
                            "must not be zero (a division by zero)",
                        ));
                    }
                }
                if mean.get(color).is_none() {
                    return Err(missing(color, "mean"));
                }
                if std.get(color).is_none() {
                    return Err(missing(color, "std"));
                }
            }
        }
        Ok(())
    }

    /// The 256 values of `color`: entry `x` is the normalised value of byte `x`. Refused when the
    /// values are invalid or overflow float32 (e.g. a tiny std).
    pub fn table(&self, color: Color) -> Result<[f32; 256]> {
        self.validate(color)?;
        let mut table = [0f32; 256];
        for (x, t) in table.iter_mut().enumerate() {
            let v = self.value(color, x as u8).expect("validated");
            if !v.is_finite() {
                return Err(Error::invalid_argument(
                    format!("normalisation of {} byte {x}", color.name()),
                    v,
                    "overflows float32; check the scale and std",
                ));
            }
            *t = v;
        }
        Ok(table)
    }
}

fn missing(color: Color, what: &str) -> Error {
    Error::invalid_argument(
        format!("{} {what}", color.name()),
        "unset",
        format!(
            "the output has a {} channel but the normalisation gives no {what} for it (ColorValues::with_gray)",
            color.name()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_is_exactly_x_over_255() {
        let t = Normalization::unit().table(Color::Gray).unwrap();
        for (x, v) in t.iter().enumerate() {
            assert_eq!(v.to_bits(), (x as f32 / 255.0).to_bits());
        }
    }

    #[test]
    fn caffe_subtracts_bgr_means_from_raw_bytes() {
        let n = Normalization::caffe();
        assert_eq!(n.table(Color::Blue).unwrap()[0], -103.939);
        assert_eq!(n.table(Color::Red).unwrap()[255], 255.0 - 123.68f32);
        assert!(n.table(Color::Gray).is_err());
    }
}
