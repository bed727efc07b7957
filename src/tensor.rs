//! Element types and 4-D tensors of any of them.
//!
//! halfpixel computes on float32 tensors and on the 8- and 16-bit unsigned images that
//! OpenCV, PyTorch and Pillow resize with their own fixed-point arithmetic. A [`TensorView4`]
//! borrows a tensor of any supported type, a [`Tensor4`] owns one; the framework decides the
//! output's type ([`crate::Operation::output_element_type`]): OpenCV, PyTorch and Pillow keep the
//! input's integer type, TensorFlow's `tf.image.resize` returns float32.

use std::fmt;
use std::str::FromStr;

use ndarray::{Array4, ArrayView4};

use crate::error::{Error, Result};

/// The element type of a tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ElementType {
    /// 32-bit float.
    F32,
    /// 16-bit float (IEEE half precision): GPU storage; the CPU computes it as f32.
    F16,
    /// 8-bit unsigned integer (0..255).
    U8,
    /// 16-bit unsigned integer (0..65535).
    U16,
}

impl ElementType {
    /// `f32`, `f16`, `u8` or `u16`.
    pub fn name(self) -> &'static str {
        match self {
            ElementType::F32 => "f32",
            ElementType::F16 => "f16",
            ElementType::U8 => "u8",
            ElementType::U16 => "u16",
        }
    }

    /// The largest value of an integer type (`None` for floats).
    pub fn integer_max(self) -> Option<u16> {
        match self {
            ElementType::U8 => Some(u8::MAX as u16),
            ElementType::U16 => Some(u16::MAX),
            ElementType::F32 | ElementType::F16 => None,
        }
    }

    /// Whether this is an integer type.
    pub fn is_integer(self) -> bool {
        self.integer_max().is_some()
    }
}

impl fmt::Display for ElementType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ElementType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "f32" | "float32" => Ok(ElementType::F32),
            "f16" | "float16" => Ok(ElementType::F16),
            "u8" | "uint8" => Ok(ElementType::U8),
            "u16" | "uint16" => Ok(ElementType::U16),
            _ => Err(Error::invalid_argument(
                "element type",
                s,
                "expected f32, f16, u8 or u16",
            )),
        }
    }
}

/// An owned 4-D tensor of one of the element types the CPU computes in.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Tensor4 {
    /// float32.
    F32(Array4<f32>),
    /// 8-bit unsigned.
    U8(Array4<u8>),
    /// 16-bit unsigned.
    U16(Array4<u16>),
}

/// A borrowed 4-D tensor of one of the element types the CPU computes in.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum TensorView4<'a> {
    /// float32.
    F32(ArrayView4<'a, f32>),
    /// 8-bit unsigned.
    U8(ArrayView4<'a, u8>),
    /// 16-bit unsigned.
    U16(ArrayView4<'a, u16>),
}

impl Tensor4 {
    /// The element type.
    pub fn element_type(&self) -> ElementType {
        self.view().element_type()
    }

    /// The shape, in the tensor's own layout.
    pub fn dim(&self) -> [usize; 4] {
        self.view().dim()
    }

    /// A view of it.
    pub fn view(&self) -> TensorView4<'_> {
        match self {
            Tensor4::F32(a) => TensorView4::F32(a.view()),
            Tensor4::U8(a) => TensorView4::U8(a.view()),
            Tensor4::U16(a) => TensorView4::U16(a.view()),
        }
    }

    /// The values as float32 (exact for u8 and u16).
    pub fn to_f32(&self) -> Array4<f32> {
        self.view().to_f32()
    }
}

impl<'a> TensorView4<'a> {
    /// The element type.
    pub fn element_type(&self) -> ElementType {
        match self {
            TensorView4::F32(_) => ElementType::F32,
            TensorView4::U8(_) => ElementType::U8,
            TensorView4::U16(_) => ElementType::U16,
        }
    }

    /// The shape, in the tensor's own layout.
    pub fn dim(&self) -> [usize; 4] {
        match self {
            TensorView4::F32(a) => a.dim().into(),
            TensorView4::U8(a) => a.dim().into(),
            TensorView4::U16(a) => a.dim().into(),
        }
    }

    /// The values as float32 (exact for u8 and u16).
    pub fn to_f32(&self) -> Array4<f32> {
        match self {
            TensorView4::F32(a) => a.to_owned(),
            TensorView4::U8(a) => a.mapv(f32::from),
            TensorView4::U16(a) => a.mapv(f32::from),
        }
    }
}

impl From<Array4<f32>> for Tensor4 {
    fn from(a: Array4<f32>) -> Self {
        Tensor4::F32(a)
    }
}

impl From<Array4<u8>> for Tensor4 {
    fn from(a: Array4<u8>) -> Self {
        Tensor4::U8(a)
    }
}

impl From<Array4<u16>> for Tensor4 {
    fn from(a: Array4<u16>) -> Self {
        Tensor4::U16(a)
    }
}

impl<'a> From<ArrayView4<'a, f32>> for TensorView4<'a> {
    fn from(a: ArrayView4<'a, f32>) -> Self {
        TensorView4::F32(a)
    }
}

impl<'a> From<ArrayView4<'a, u8>> for TensorView4<'a> {
    fn from(a: ArrayView4<'a, u8>) -> Self {
        TensorView4::U8(a)
    }
}

impl<'a> From<ArrayView4<'a, u16>> for TensorView4<'a> {
    fn from(a: ArrayView4<'a, u16>) -> Self {
        TensorView4::U16(a)
    }
}

/// The element types a kernel can move or compute on: `f32`, `u8` and `u16`.
pub trait Element:
    Copy + Default + Send + Sync + bytemuck::Zeroable + PartialEq + fmt::Debug + 'static
{
    /// Its [`ElementType`].
    const TYPE: ElementType;
}

impl Element for f32 {
    const TYPE: ElementType = ElementType::F32;
}

impl Element for u8 {
    const TYPE: ElementType = ElementType::U8;
}

impl Element for u16 {
    const TYPE: ElementType = ElementType::U16;
}
