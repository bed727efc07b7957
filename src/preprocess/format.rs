//! What an 8-bit frame looks like: its pixel format (byte order, as CoreVideo and OpenCV name
//! them), its size and row stride; and which colours the output tensor's channels hold.

use std::fmt;
use std::str::FromStr;

use crate::error::{check_len, Error, Result};

/// The byte layout of one pixel of an 8-bit frame, named by the bytes in memory order, as
/// CoreVideo names its pixel buffers (`kCVPixelFormatType_32BGRA` is [`PixelFormat::Bgra`]: blue
/// first) and as OpenCV names its channel orders (`cv::Mat` images are [`PixelFormat::Bgr`]).
///
/// The alpha byte of the four-byte formats is skipped: pixels are read as stored, not
/// un-premultiplied (Core ML and torchvision read the colour bytes the same way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PixelFormat {
    /// R, G, B, A (`kCVPixelFormatType_32RGBA`, wgpu `Rgba8Unorm`, PIL `RGBA`).
    Rgba,
    /// B, G, R, A (`kCVPixelFormatType_32BGRA`, the usual camera and Metal frame, wgpu `Bgra8Unorm`).
    Bgra,
    /// A, R, G, B (`kCVPixelFormatType_32ARGB`).
    Argb,
    /// A, B, G, R (`kCVPixelFormatType_32ABGR`).
    Abgr,
    /// R, G, B (`kCVPixelFormatType_24RGB`, PIL `RGB`).
    Rgb,
    /// B, G, R (`kCVPixelFormatType_24BGR`, OpenCV's `cv::Mat`).
    Bgr,
    /// One luminance byte (`kCVPixelFormatType_OneComponent8`, PIL `L`).
    Gray,
}

impl PixelFormat {
    /// Every format.
    pub const ALL: [PixelFormat; 7] = [
        PixelFormat::Rgba,
        PixelFormat::Bgra,
        PixelFormat::Argb,
        PixelFormat::Abgr,
        PixelFormat::Rgb,
        PixelFormat::Bgr,
        PixelFormat::Gray,
    ];

    /// Bytes per pixel: 4, 3 or 1.
    pub fn bytes_per_pixel(self) -> usize {
        match self {
            PixelFormat::Rgba | PixelFormat::Bgra | PixelFormat::Argb | PixelFormat::Abgr => 4,
            PixelFormat::Rgb | PixelFormat::Bgr => 3,
            PixelFormat::Gray => 1,
        }
    }

    /// The byte offsets of red, green and blue within a pixel (`None` for [`PixelFormat::Gray`]).
    pub fn rgb_offsets(self) -> Option<[usize; 3]> {
        match self {
            PixelFormat::Rgba => Some([0, 1, 2]),
            PixelFormat::Bgra => Some([2, 1, 0]),
            PixelFormat::Argb => Some([1, 2, 3]),
            PixelFormat::Abgr => Some([3, 2, 1]),
            PixelFormat::Rgb => Some([0, 1, 2]),
            PixelFormat::Bgr => Some([2, 1, 0]),
            PixelFormat::Gray => None,
        }
    }

    /// The byte offset of alpha within a pixel, for the four-byte formats.
    pub fn alpha_offset(self) -> Option<usize> {
        match self {
            PixelFormat::Rgba | PixelFormat::Bgra => Some(3),
            PixelFormat::Argb | PixelFormat::Abgr => Some(0),
            _ => None,
        }
    }

    /// "RGBA", "BGRA", …, "Gray".
    pub fn name(self) -> &'static str {
        match self {
            PixelFormat::Rgba => "RGBA",
            PixelFormat::Bgra => "BGRA",
            PixelFormat::Argb => "ARGB",
            PixelFormat::Abgr => "ABGR",
            PixelFormat::Rgb => "RGB",
            PixelFormat::Bgr => "BGR",
            PixelFormat::Gray => "Gray",
        }
    }
}

impl fmt::Display for PixelFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PixelFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        PixelFormat::ALL
            .into_iter()
            .find(|f| {
                f.name().eq_ignore_ascii_case(s)
                    || (s.eq_ignore_ascii_case("L") && *f == PixelFormat::Gray)
            })
            .ok_or_else(|| {
                Error::invalid_argument(
                    "pixel format",
                    s,
                    "expected RGBA, BGRA, ARGB, ABGR, RGB, BGR or Gray",
                )
            })
    }
}

/// A colour an output channel holds; the key of the per-colour normalisation values (Core ML's
/// `red_bias`, `green_bias`, `blue_bias`, `gray_bias`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Color {
    /// Red.
    Red,
    /// Green.
    Green,
    /// Blue.
    Blue,
    /// Luminance: the gray byte of a [`PixelFormat::Gray`] frame, or of a colour frame the ITU-R
    /// 601-2 luma that PIL's `Image.convert("L")` computes,
    /// `(19595·R + 38470·G + 7471·B + 32768) >> 16` (torchvision `Grayscale` on PIL images).
    Gray,
}

impl Color {
    /// "red", "green", "blue" or "gray".
    pub fn name(self) -> &'static str {
        match self {
            Color::Red => "red",
            Color::Green => "green",
            Color::Blue => "blue",
            Color::Gray => "gray",
        }
    }
}

/// The channels of the output tensor, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelOrder {
    /// Red, green, blue (PyTorch / torchvision, TensorFlow, Core ML `ColorLayout.RGB`).
    Rgb,
    /// Blue, green, red (Caffe, OpenCV-trained models, Core ML `ColorLayout.BGR`).
    Bgr,
    /// One luminance channel (Core ML `ColorLayout.GRAYSCALE`; see [`Color::Gray`]).
    Gray,
}

impl ChannelOrder {
    /// The colour of each output channel.
    pub fn colors(self) -> &'static [Color] {
        match self {
            ChannelOrder::Rgb => &[Color::Red, Color::Green, Color::Blue],
            ChannelOrder::Bgr => &[Color::Blue, Color::Green, Color::Red],
            ChannelOrder::Gray => &[Color::Gray],
        }
    }

    /// Output channels: 3 or 1.
    pub fn channels(self) -> usize {
        self.colors().len()
    }
}

/// Where one output channel's byte comes from within a pixel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChannelSource {
    /// The byte at this offset.
    Byte(usize),
    /// PIL's luma of the bytes at these offsets (red, green, blue).
    Luma([usize; 3]),
}

impl ChannelSource {
    /// The source of `color` in pixels of `format`: gray frames replicate their one byte into
    /// every colour (PIL's `convert("RGB")` of an `L` image); colour frames give gray as luma.
    pub(crate) fn of(format: PixelFormat, color: Color) -> ChannelSource {
        match (format.rgb_offsets(), color) {
            (None, _) => ChannelSource::Byte(0),
            (Some(rgb), Color::Red) => ChannelSource::Byte(rgb[0]),
            (Some(rgb), Color::Green) => ChannelSource::Byte(rgb[1]),
            (Some(rgb), Color::Blue) => ChannelSource::Byte(rgb[2]),
            (Some(rgb), Color::Gray) => ChannelSource::Luma(rgb),
        }
    }

    /// The byte this source gives for a pixel's bytes.
    #[inline(always)]
    pub(crate) fn byte(self, pixel: &[u8]) -> u8 {
        match self {
            ChannelSource::Byte(o) => pixel[o],
            ChannelSource::Luma([r, g, b]) => luma(pixel[r], pixel[g], pixel[b]),
        }
    }
}

/// PIL's ITU-R 601-2 luma in 16-bit fixed point (`L24` in libImaging/Convert.c): the weights sum
/// to 65536, so gray pixels keep their level, and halves round up.
#[inline(always)]
pub fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((r as u32 * 19595 + g as u32 * 38470 + b as u32 * 7471 + 0x8000) >> 16) as u8
}

/// The size of an 8-bit frame and the bytes from one row to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FrameDesc {
    /// Pixels per row.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Bytes from the start of one row to the next (CoreVideo's `bytesPerRow`, OpenCV's `step`);
    /// `None`: packed rows of `width · bytes_per_pixel` bytes.
    pub row_stride: Option<usize>,
}

/// A [`FrameDesc`] checked against a pixel format: every size resolved and in range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FrameGeometry {
    pub width: usize,
    pub height: usize,
    pub bpp: usize,
    pub stride: usize,
    /// Bytes the frame spans: `(height − 1) · stride + width · bpp` (the last row need not be
    /// padded to the stride).
    pub bytes: usize,
}

impl FrameDesc {
    /// A frame of packed rows.
    pub fn new(width: usize, height: usize) -> Self {
        FrameDesc {
            width,
            height,
            row_stride: None,
        }
    }

    /// The same frame with rows `bytes` apart (padded rows).
    pub fn with_row_stride(self, bytes: usize) -> Self {
        FrameDesc {
            row_stride: Some(bytes),
            ..self
        }
    }

    /// Bytes a buffer holding this frame in `format` needs: `(height − 1) · stride + width · bpp`.
    pub fn required_bytes(&self, format: PixelFormat) -> Result<usize> {
        Ok(self.geometry(format)?.bytes)
    }

    /// Checks the sizes against `format`.
    pub(crate) fn geometry(&self, format: PixelFormat) -> Result<FrameGeometry> {
        check_len("frame width", self.width)?;
        check_len("frame height", self.height)?;
        let bpp = format.bytes_per_pixel();
        let too_large = || Error::SizeTooLarge {
            what: "frame bytes".into(),
            value: u128::MAX,
            limit: usize::MAX as u128,
        };
        let row = self.width.checked_mul(bpp).ok_or_else(too_large)?;
        let stride = self.row_stride.unwrap_or(row);
        if stride < row {
            return Err(Error::invalid_argument(
                "row_stride",
                stride,
                format!(
                    "a row of {} {format} pixels needs at least {row} bytes",
                    self.width
                ),
            ));
        }
        let bytes = (self.height - 1)
            .checked_mul(stride)
            .and_then(|b| b.checked_add(row))
            .ok_or_else(too_large)?;
        Ok(FrameGeometry {
            width: self.width,
            height: self.height,
            bpp,
            stride,
            bytes,
        })
    }
}

impl FrameGeometry {
    /// Checks that `len` bytes hold the frame.
    pub(crate) fn check_len(&self, len: usize, format: PixelFormat) -> Result<()> {
        if len < self.bytes {
            return Err(Error::ShapeMismatch {
                what: format!(
                    "frame buffer bytes ({}×{} {format}, row stride {}: (height − 1) · stride + width · {})",
                    self.width, self.height, self.stride, self.bpp
                ),
                expected: vec![self.bytes],
                got: vec![len],
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luma_keeps_gray_levels_and_rounds_halves_up() {
        for v in 0..=255u8 {
            assert_eq!(luma(v, v, v), v);
        }
        // 0.299·255 = 76.245 → 76; PIL gives 76 for pure red, 150 for green, 29 for blue.
        assert_eq!(luma(255, 0, 0), 76);
        assert_eq!(luma(0, 255, 0), 150);
        assert_eq!(luma(0, 0, 255), 29);
    }

    #[test]
    fn offsets_name_memory_order() {
        for f in PixelFormat::ALL {
            let mut seen = vec![false; f.bytes_per_pixel()];
            for o in f
                .rgb_offsets()
                .into_iter()
                .flatten()
                .chain(f.alpha_offset())
            {
                assert!(!seen[o], "{f}: offset {o} twice");
                seen[o] = true;
            }
            if f != PixelFormat::Gray {
                assert!(seen.iter().all(|&s| s), "{f}");
            }
            assert_eq!(f.name().parse::<PixelFormat>().unwrap(), f);
        }
    }
}
