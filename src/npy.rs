//! A small, strict reader and writer for NumPy's `.npy` format (versions 1.0, 2.0 and 3.0).
//!
//! The reader accepts the numeric dtypes a conformance corpus or a user is likely to hand over —
//! `f2`, `f4`, `f8`, `b1`, `i1`, `u1`, `i2`, `u2`, `i4`, `u4`, `i8`, `u8`, in either byte order —
//! and converts every element to `f32` (`f8`, `i4`, `u4`, `i8` and `u8` round to the nearest
//! `f32`). Fortran-ordered files are transposed into C order. The header dictionary is parsed by a
//! small hand-written parser of the Python literal subset NumPy writes; nothing is evaluated.
//!
//! Nothing here panics on any input: a malformed file — wrong magic, truncated, a header that is
//! too long or not a dictionary, an unknown dtype, a shape whose size overflows, a data section whose
//! length does not match the shape — comes back as [`Error::Npy`], and a file that cannot be read or
//! written as [`Error::Io`]. The size the header announces is checked against the bytes actually
//! present before anything is allocated for the data.
//!
//! The writer produces exactly the bytes `numpy.save` writes for a C-ordered little-endian
//! `float32`, `float16`, `uint8` or `uint16` array (format 1.0, header padded to a multiple of 64
//! bytes): [`to_npy_bytes_of`], [`write_npy`] and their typed shorthands. It stores the elements it
//! is given; converting `f32` values to a narrower type (rounding, clamping) is
//! [`crate::tensor_io`]'s job.
//!
//! # Why not npyz or ndarray-npy
//!
//! Both were tried on the files this module's tests and fuzz target feed it (npyz 0.9.1,
//! ndarray-npy 0.10.0, December 2026). Neither serves as well:
//!
//! - **npyz** multiplies the header's shape without checking for overflow: a header claiming
//!   `(2**63 + 1, 2)` panics in a debug build (and so under the fuzzer), and in a release build
//!   reads as an array of 2 elements, silently. It allocates whatever the header-length field
//!   claims (up to 4 GiB) before reading the header. Its writer puts a trailing comma in the shape
//!   (`(2, 3, )`), so its files are not the bytes `numpy.save` writes, which the corpus tests
//!   compare byte for byte.
//! - **ndarray-npy** refuses those headers, but reads only into the one element type asked for
//!   (the file's type is found by trying each in turn), has no float16, which the corpora use,
//!   and needs ndarray 0.17 (halfpixel is on 0.16). Its writer drops the `, ` NumPy puts before
//!   the closing brace, so its files are not `numpy.save`'s bytes either.
//!
//! ```
//! use halfpixel::npy::{parse_npy, to_npy_bytes, NpyDtype};
//! use ndarray::Array2;
//!
//! let a = Array2::from_shape_fn((2, 3), |(i, j)| (i * 3 + j) as f32);
//! let bytes = to_npy_bytes(a.view());
//! let back = parse_npy(&bytes, "<memory>")?;
//! assert_eq!(back.shape, vec![2, 3]);
//! assert_eq!(back.dtype, NpyDtype::F32);
//! assert_eq!(back.data, vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
//! # Ok::<(), halfpixel::Error>(())
//! ```

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use ndarray::{Array4, ArrayD, ArrayView, Dimension, IxDyn, ShapeBuilder};

use crate::error::{Error, Result};

/// The six magic bytes every `.npy` file starts with.
pub const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// The longest header dictionary accepted, in bytes (NumPy itself refuses more than 10 000 by
/// default; this is generous but keeps a hostile length field from allocating gigabytes).
pub const MAX_HEADER_LEN: usize = 1 << 20;

/// The largest rank accepted (NumPy's own limit).
pub const MAX_RANK: usize = 64;

/// Deepest nesting of tuples, lists and dicts the header parser follows.
const MAX_NESTING: usize = 16;

/// The element type of a `.npy` file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NpyDtype {
    /// `b1` / `?`: booleans (0 or 1).
    Bool,
    /// `i1`.
    I8,
    /// `u1`.
    U8,
    /// `i2`.
    I16,
    /// `u2`.
    U16,
    /// `i4`.
    I32,
    /// `u4`.
    U32,
    /// `i8`.
    I64,
    /// `u8`.
    U64,
    /// `f2`: IEEE half precision.
    F16,
    /// `f4`.
    F32,
    /// `f8`.
    F64,
}

impl NpyDtype {
    /// Bytes per element.
    pub fn itemsize(self) -> usize {
        match self {
            NpyDtype::Bool | NpyDtype::I8 | NpyDtype::U8 => 1,
            NpyDtype::I16 | NpyDtype::U16 | NpyDtype::F16 => 2,
            NpyDtype::I32 | NpyDtype::U32 | NpyDtype::F32 => 4,
            NpyDtype::I64 | NpyDtype::U64 | NpyDtype::F64 => 8,
        }
    }

    /// The NumPy type code without byte order, e.g. `f4`.
    pub fn code(self) -> &'static str {
        match self {
            NpyDtype::Bool => "b1",
            NpyDtype::I8 => "i1",
            NpyDtype::U8 => "u1",
            NpyDtype::I16 => "i2",
            NpyDtype::U16 => "u2",
            NpyDtype::I32 => "i4",
            NpyDtype::U32 => "u4",
            NpyDtype::I64 => "i8",
            NpyDtype::U64 => "u8",
            NpyDtype::F16 => "f2",
            NpyDtype::F32 => "f4",
            NpyDtype::F64 => "f8",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "b1" | "?" => NpyDtype::Bool,
            "i1" | "b" => NpyDtype::I8,
            "u1" | "B" => NpyDtype::U8,
            "i2" => NpyDtype::I16,
            "u2" => NpyDtype::U16,
            "i4" => NpyDtype::I32,
            "u4" => NpyDtype::U32,
            "i8" => NpyDtype::I64,
            "u8" => NpyDtype::U64,
            "f2" | "e" => NpyDtype::F16,
            "f4" => NpyDtype::F32,
            "f8" => NpyDtype::F64,
            _ => return None,
        })
    }
}

/// Byte order of the elements in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// `<` (or `|`, `=` on a little-endian machine).
    Little,
    /// `>`.
    Big,
}

/// A `.npy` array converted to `f32`, in C (row-major) order.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// Where it came from (the path, or the name given to [`parse_npy`]); used in error messages.
    pub source_name: String,
    /// The shape, outermost axis first (`[]` for a 0-d array).
    pub shape: Vec<usize>,
    /// The element type in the file (the data is always converted to `f32`).
    pub dtype: NpyDtype,
    /// The elements in C order, converted to `f32`; `shape.iter().product()` of them.
    pub data: Vec<f32>,
}

impl NpyArray {
    fn error(&self, reason: impl Into<String>) -> Error {
        npy_error(&self.source_name, reason)
    }

    /// The array as a 4-D ndarray; any other rank is refused with [`Error::Npy`].
    pub fn into_array4(self) -> Result<Array4<f32>> {
        match *self.shape.as_slice() {
            [a, b, c, d] => Array4::from_shape_vec((a, b, c, d), self.data)
                .map_err(|e| npy_error(&self.source_name, format!("cannot form a 4-D array: {e}"))),
            _ => Err(self.error(format!(
                "expected a 4-D array, got rank {} (shape {:?})",
                self.shape.len(),
                self.shape
            ))),
        }
    }

    /// The array as a 4-D ndarray, prepending axes of length 1 to a 2-D (`[H, W]` becomes
    /// `[1, 1, H, W]`) or 3-D (`[A, B, C]` becomes `[1, A, B, C]`) array. Ranks 0, 1 and above 4 are
    /// refused with [`Error::Npy`].
    pub fn into_array4_padded(mut self) -> Result<Array4<f32>> {
        match self.shape.len() {
            2 | 3 => {
                let pad = 4 - self.shape.len();
                let mut shape = vec![1; pad];
                shape.extend_from_slice(&self.shape);
                self.shape = shape;
                self.into_array4()
            }
            _ => self.into_array4(),
        }
    }

    /// The array as an n-dimensional ndarray.
    pub fn into_arrayd(self) -> Result<ArrayD<f32>> {
        ArrayD::from_shape_vec(IxDyn(&self.shape), self.data)
            .map_err(|e| npy_error(&self.source_name, format!("cannot form an array: {e}")))
    }
}

fn npy_error(source_name: &str, reason: impl Into<String>) -> Error {
    Error::Npy {
        source_name: source_name.to_string(),
        reason: reason.into(),
    }
}

fn io_error(action: &str, path: &Path, e: &std::io::Error) -> Error {
    Error::Io {
        action: action.to_string(),
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// What the header says.
#[derive(Debug, Clone, PartialEq)]
struct Header {
    dtype: NpyDtype,
    order: ByteOrder,
    fortran_order: bool,
    shape: Vec<usize>,
    /// Number of elements (checked).
    count: usize,
    /// Number of data bytes (checked).
    nbytes: usize,
}

/// Reads the fixed preamble: returns `(header length field width, header length, utf8 header)`.
fn parse_preamble(bytes: &[u8], name: &str) -> Result<(usize, usize, bool)> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        return Err(npy_error(
            name,
            "not a .npy file (the magic string \\x93NUMPY is missing)",
        ));
    }
    let (major, minor) = match (bytes.get(6), bytes.get(7)) {
        (Some(&a), Some(&b)) => (a, b),
        _ => return Err(npy_error(name, "truncated before the format version")),
    };
    let (width, utf8) = match (major, minor) {
        (1, 0) => (2, false),
        (2, 0) => (4, false),
        (3, 0) => (4, true),
        _ => {
            return Err(npy_error(
                name,
                format!(
                    "unsupported format version {major}.{minor} (1.0, 2.0 and 3.0 are supported)"
                ),
            ))
        }
    };
    let field = bytes
        .get(8..8 + width)
        .ok_or_else(|| npy_error(name, "truncated before the header length"))?;
    let header_len = if width == 2 {
        u16::from_le_bytes([field[0], field[1]]) as usize
    } else {
        u32::from_le_bytes([field[0], field[1], field[2], field[3]]) as usize
    };
    if header_len > MAX_HEADER_LEN {
        return Err(npy_error(
            name,
            format!("header too long: {header_len} bytes (the limit is {MAX_HEADER_LEN})"),
        ));
    }
    Ok((8 + width, header_len, utf8))
}

fn decode_header_text(raw: &[u8], utf8: bool, name: &str) -> Result<String> {
    if utf8 {
        String::from_utf8(raw.to_vec())
            .map_err(|_| npy_error(name, "the header is not valid UTF-8"))
    } else {
        // Versions 1.0 and 2.0 are latin-1; every latin-1 byte is one char.
        Ok(raw.iter().map(|&b| b as char).collect())
    }
}

fn parse_header(text: &str, name: &str) -> Result<Header> {
    let err = |reason: String| npy_error(name, reason);
    let mut parser = Parser {
        s: text.as_bytes(),
        pos: 0,
    };
    let value = parser
        .parse_value(0)
        .map_err(|e| err(format!("cannot parse the header dictionary: {e}")))?;
    parser.skip_ws();
    if parser.pos != parser.s.len() {
        return Err(err(format!(
            "unexpected text after the header dictionary at byte {}",
            parser.pos
        )));
    }
    let entries = match value {
        PyValue::Dict(entries) => entries,
        _ => return Err(err("the header is not a dictionary".into())),
    };
    let mut descr = None;
    let mut fortran = None;
    let mut shape = None;
    for (key, value) in entries {
        let slot = match key.as_str() {
            "descr" => &mut descr,
            "fortran_order" => &mut fortran,
            "shape" => &mut shape,
            other => {
                return Err(err(format!(
                    "unexpected header key '{other}' (expected descr, fortran_order, shape)"
                )))
            }
        };
        if slot.is_some() {
            return Err(err(format!("header key '{key}' appears twice")));
        }
        *slot = Some(value);
    }
    let descr = descr.ok_or_else(|| err("the header has no 'descr'".into()))?;
    let fortran = fortran.ok_or_else(|| err("the header has no 'fortran_order'".into()))?;
    let shape = shape.ok_or_else(|| err("the header has no 'shape'".into()))?;

    let (dtype, order) = match descr {
        PyValue::Str(s) => parse_descr(&s).map_err(err)?,
        _ => {
            return Err(err(
                "structured or non-string 'descr' is not supported (expected a numeric dtype such as '<f4')"
                    .into(),
            ))
        }
    };
    let fortran_order = match fortran {
        PyValue::Bool(b) => b,
        _ => return Err(err("'fortran_order' must be True or False".into())),
    };
    let dims = match shape {
        PyValue::Tuple(items) | PyValue::List(items) => items,
        _ => return Err(err("'shape' must be a tuple of integers".into())),
    };
    if dims.len() > MAX_RANK {
        return Err(err(format!(
            "rank {} is above the limit of {MAX_RANK}",
            dims.len()
        )));
    }
    let mut shape = Vec::with_capacity(dims.len());
    for d in dims {
        match d {
            PyValue::Int(v) => {
                let v = usize::try_from(v)
                    .map_err(|_| err(format!("shape entry {v} is negative or too large")))?;
                shape.push(v);
            }
            _ => return Err(err("'shape' must contain only integers".into())),
        }
    }
    // The element count, and the product of the non-zero axes (ndarray requires the latter to fit
    // in isize even when an axis is empty).
    let mut count: usize = 1;
    let mut nonzero: usize = 1;
    for &d in &shape {
        count = count.checked_mul(d).ok_or_else(|| {
            err(format!(
                "shape {shape:?} has more elements than can be addressed"
            ))
        })?;
        nonzero = nonzero.checked_mul(d.max(1)).ok_or_else(|| {
            err(format!(
                "shape {shape:?} has more elements than can be addressed"
            ))
        })?;
    }
    let nbytes = count
        .checked_mul(dtype.itemsize())
        .filter(|&n| n <= isize::MAX as usize && nonzero <= isize::MAX as usize)
        .ok_or_else(|| {
            err(format!(
                "shape {shape:?} has more elements than can be addressed"
            ))
        })?;
    Ok(Header {
        dtype,
        order,
        fortran_order,
        shape,
        count,
        nbytes,
    })
}

fn parse_descr(descr: &str) -> std::result::Result<(NpyDtype, ByteOrder), String> {
    let native = if cfg!(target_endian = "big") {
        ByteOrder::Big
    } else {
        ByteOrder::Little
    };
    let (order, code) = match descr.as_bytes().first() {
        Some(b'<') => (Some(ByteOrder::Little), &descr[1..]),
        Some(b'>') => (Some(ByteOrder::Big), &descr[1..]),
        Some(b'=') => (Some(native), &descr[1..]),
        Some(b'|') => (None, &descr[1..]),
        _ => (None, descr),
    };
    let dtype = NpyDtype::from_code(code).ok_or_else(|| {
        format!(
            "unsupported dtype '{descr}' (supported: f2, f4, f8, b1, i1, u1, i2, u2, i4, u4, i8, u8)"
        )
    })?;
    let order = match order {
        Some(o) => o,
        None if dtype.itemsize() == 1 => ByteOrder::Little,
        None => {
            return Err(format!(
                "dtype '{descr}' has no byte order ('<' or '>') but {} bytes per element",
                dtype.itemsize()
            ))
        }
    };
    Ok((dtype, order))
}

/// Converts the raw data section (exactly `header.nbytes` long) to `f32` in C order.
fn decode_data(header: &Header, raw: &[u8], name: &str) -> Result<Vec<f32>> {
    if raw.len() != header.nbytes {
        return Err(npy_error(
            name,
            format!(
                "data length mismatch: shape {:?} of {} needs {} bytes, the file has {}",
                header.shape,
                header.dtype.code(),
                header.nbytes,
                raw.len()
            ),
        ));
    }
    let big = header.order == ByteOrder::Big;
    let size = header.dtype.itemsize();
    let mut data = Vec::with_capacity(header.count);
    macro_rules! conv {
        ($t:ty, $n:expr) => {
            for c in raw.chunks_exact($n) {
                let mut b = [0u8; $n];
                b.copy_from_slice(c);
                let v = if big {
                    <$t>::from_be_bytes(b)
                } else {
                    <$t>::from_le_bytes(b)
                };
                data.push(v as f32);
            }
        };
    }
    match header.dtype {
        NpyDtype::Bool => data.extend(raw.iter().map(|&b| if b != 0 { 1.0 } else { 0.0 })),
        NpyDtype::U8 => data.extend(raw.iter().map(|&b| b as f32)),
        NpyDtype::I8 => data.extend(raw.iter().map(|&b| b as i8 as f32)),
        NpyDtype::I16 => conv!(i16, 2),
        NpyDtype::U16 => conv!(u16, 2),
        NpyDtype::I32 => conv!(i32, 4),
        NpyDtype::U32 => conv!(u32, 4),
        NpyDtype::I64 => conv!(i64, 8),
        NpyDtype::U64 => conv!(u64, 8),
        NpyDtype::F32 => conv!(f32, 4),
        NpyDtype::F64 => conv!(f64, 8),
        NpyDtype::F16 => {
            for c in raw.chunks_exact(2) {
                let b = [c[0], c[1]];
                let h = if big {
                    u16::from_be_bytes(b)
                } else {
                    u16::from_le_bytes(b)
                };
                data.push(f16_to_f32(h));
            }
        }
    }
    debug_assert_eq!(data.len() * size, raw.len());
    if header.fortran_order && header.shape.len() > 1 {
        let fortran = ArrayD::from_shape_vec(IxDyn(&header.shape).f(), data)
            .map_err(|e| npy_error(name, format!("cannot reorder Fortran data: {e}")))?;
        data = fortran.iter().copied().collect();
    }
    Ok(data)
}

/// Converts an IEEE 754 half-precision bit pattern to `f32` (exactly; NaN payloads are kept).
pub fn f16_to_f32(h: u16) -> f32 {
    let negative = h & 0x8000 != 0;
    let sign = ((h as u32) & 0x8000) << 16;
    let exp = ((h >> 10) & 0x1f) as u32;
    let man = (h & 0x3ff) as u32;
    match exp {
        0 => {
            // Zero or subnormal: man · 2^-24, exact in f32.
            let v = man as f32 * (1.0 / 16_777_216.0);
            if negative {
                -v
            } else {
                v
            }
        }
        0x1f => f32::from_bits(sign | 0x7f80_0000 | (man << 13)),
        _ => f32::from_bits(sign | ((exp + 112) << 23) | (man << 13)),
    }
}

/// Parses a whole `.npy` file held in memory. `source_name` names it in error messages.
pub fn parse_npy(bytes: &[u8], source_name: &str) -> Result<NpyArray> {
    let (start, header_len, utf8) = parse_preamble(bytes, source_name)?;
    let end = start
        .checked_add(header_len)
        .filter(|&e| e <= bytes.len())
        .ok_or_else(|| {
            npy_error(
                source_name,
                format!(
                    "truncated header: it announces {header_len} bytes, {} are present",
                    bytes.len().saturating_sub(start)
                ),
            )
        })?;
    let text = decode_header_text(&bytes[start..end], utf8, source_name)?;
    let header = parse_header(&text, source_name)?;
    let data = decode_data(&header, &bytes[end..], source_name)?;
    Ok(NpyArray {
        source_name: source_name.to_string(),
        shape: header.shape,
        dtype: header.dtype,
        data,
    })
}

/// Reads a `.npy` file. The header is read and checked against the file's length before the data
/// is read, so a lying header cannot cause a large allocation.
pub fn read_npy(path: &Path) -> Result<NpyArray> {
    let name = path.display().to_string();
    let io = |e: std::io::Error| io_error("read", path, &e);
    let mut file = File::open(path).map_err(io)?;
    let file_len = file.metadata().map_err(io)?.len();
    // Magic, version and the longest length field.
    let mut preamble = Vec::with_capacity(12);
    (&mut file)
        .take(12)
        .read_to_end(&mut preamble)
        .map_err(io)?;
    let (start, header_len, utf8) = parse_preamble(&preamble, &name)?;
    let end = (start + header_len) as u64;
    if end > file_len {
        return Err(npy_error(
            &name,
            format!(
                "truncated header: it announces {header_len} bytes, {} are present",
                file_len.saturating_sub(start as u64)
            ),
        ));
    }
    file.seek(SeekFrom::Start(start as u64)).map_err(io)?;
    let mut raw_header = vec![0u8; header_len];
    file.read_exact(&mut raw_header).map_err(io)?;
    let text = decode_header_text(&raw_header, utf8, &name)?;
    let header = parse_header(&text, &name)?;
    let present = file_len - end;
    if present != header.nbytes as u64 {
        return Err(npy_error(
            &name,
            format!(
                "data length mismatch: shape {:?} of {} needs {} bytes, the file has {present}",
                header.shape,
                header.dtype.code(),
                header.nbytes
            ),
        ));
    }
    let mut raw = Vec::with_capacity(header.nbytes);
    (&mut file)
        .take(header.nbytes as u64 + 1)
        .read_to_end(&mut raw)
        .map_err(io)?;
    let data = decode_data(&header, &raw, &name)?;
    Ok(NpyArray {
        source_name: name,
        shape: header.shape,
        dtype: header.dtype,
        data,
    })
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for half::f16 {}
    impl Sealed for u8 {}
    impl Sealed for u16 {}
}

/// An element type the `.npy` writer stores: `f32` (`'<f4'`), [`half::f16`] (`'<f2'`), `u8`
/// (`'|u1'`) and `u16` (`'<u2'`). Sealed: the header and the bytes must agree.
pub trait NpyElement: Copy + sealed::Sealed {
    /// The header's `descr`, as `numpy.save` writes it, e.g. `<f4` or `|u1`.
    const DESCR: &'static str;
    /// The element type.
    const DTYPE: NpyDtype;
    /// Appends the element's little-endian bytes.
    fn extend_le(self, out: &mut Vec<u8>);
}

impl NpyElement for f32 {
    const DESCR: &'static str = "<f4";
    const DTYPE: NpyDtype = NpyDtype::F32;
    fn extend_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl NpyElement for half::f16 {
    const DESCR: &'static str = "<f2";
    const DTYPE: NpyDtype = NpyDtype::F16;
    fn extend_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl NpyElement for u8 {
    const DESCR: &'static str = "|u1";
    const DTYPE: NpyDtype = NpyDtype::U8;
    fn extend_le(self, out: &mut Vec<u8>) {
        out.push(self);
    }
}

impl NpyElement for u16 {
    const DESCR: &'static str = "<u2";
    const DTYPE: NpyDtype = NpyDtype::U16;
    fn extend_le(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

/// Serializes an array exactly as `numpy.save` does: format 1.0 (2.0 if the header would not
/// fit), the element type's `descr` (`'<f4'`, `'<f2'`, `'|u1'`, `'<u2'`), little-endian, C order,
/// the header padded with spaces to a multiple of 64 bytes. Elements are written in logical
/// (row-major) order whatever the view's memory layout.
pub fn to_npy_bytes_of<T: NpyElement, D: Dimension>(array: ArrayView<'_, T, D>) -> Vec<u8> {
    let shape = array.shape();
    let shape_repr = match shape {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        dims => {
            let parts: Vec<String> = dims.iter().map(|d| d.to_string()).collect();
            format!("({})", parts.join(", "))
        }
    };
    let mut dict = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': {shape_repr}, }}",
        T::DESCR
    );
    // NumPy leaves room for the first axis to grow in place (GROWTH_AXIS_MAX_DIGITS = 21).
    if let Some(first) = shape.first() {
        dict.push_str(&" ".repeat(21usize.saturating_sub(first.to_string().len())));
    }
    let mut out = Vec::new();
    for (version, width) in [(1u8, 2usize), (2, 4)] {
        let preamble = 8 + width;
        let unpadded = preamble + dict.len() + 1;
        let pad = (64 - unpadded % 64) % 64;
        let header_len = dict.len() + pad + 1;
        if width == 2 && header_len > u16::MAX as usize {
            continue;
        }
        out.reserve(preamble + header_len + array.len() * T::DTYPE.itemsize());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[version, 0]);
        if width == 2 {
            out.extend_from_slice(&(header_len as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&(header_len as u32).to_le_bytes());
        }
        out.extend_from_slice(dict.as_bytes());
        out.resize(out.len() + pad, b' ');
        out.push(b'\n');
        break;
    }
    for &v in array.iter() {
        v.extend_le(&mut out);
    }
    out
}

/// Serializes an `f32` array exactly as `numpy.save` does (see [`to_npy_bytes_of`]).
pub fn to_npy_bytes<D: Dimension>(array: ArrayView<'_, f32, D>) -> Vec<u8> {
    to_npy_bytes_of(array)
}

/// Writes an array as a `.npy` file (see [`to_npy_bytes_of`] for the exact bytes).
pub fn write_npy<T: NpyElement, D: Dimension>(
    path: &Path,
    array: ArrayView<'_, T, D>,
) -> Result<()> {
    std::fs::write(path, to_npy_bytes_of(array)).map_err(|e| io_error("write", path, &e))
}

/// Writes an `f32` array as a `.npy` file (`'<f4'`).
pub fn write_npy_f32<D: Dimension>(path: &Path, array: ArrayView<'_, f32, D>) -> Result<()> {
    write_npy(path, array)
}

/// Writes a half-precision array as a `.npy` file (`'<f2'`).
pub fn write_npy_f16<D: Dimension>(path: &Path, array: ArrayView<'_, half::f16, D>) -> Result<()> {
    write_npy(path, array)
}

/// Writes a `u8` array as a `.npy` file (`'|u1'`).
pub fn write_npy_u8<D: Dimension>(path: &Path, array: ArrayView<'_, u8, D>) -> Result<()> {
    write_npy(path, array)
}

// --- a parser for the Python literal subset NumPy headers use -------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum PyValue {
    Str(String),
    Bool(bool),
    None,
    Int(i128),
    Tuple(Vec<PyValue>),
    List(Vec<PyValue>),
    Dict(Vec<(String, PyValue)>),
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

type PResult<T> = std::result::Result<T, String>;

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while let Some(&c) = self.s.get(self.pos) {
            if c == b' ' || c == b'\t' || c == b'\n' || c == b'\r' {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.pos).copied()
    }

    fn expect(&mut self, c: u8) -> PResult<()> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(format!("expected '{}' at byte {}", c as char, self.pos))
        }
    }

    fn parse_value(&mut self, depth: usize) -> PResult<PyValue> {
        if depth > MAX_NESTING {
            return Err(format!("nested deeper than {MAX_NESTING} levels"));
        }
        match self.peek() {
            None => Err("unexpected end of header".into()),
            Some(b'{') => self.parse_dict(depth),
            Some(b'(') => {
                let (items, trailing_comma) = self.parse_seq(b'(', b')', depth)?;
                if items.len() == 1 && !trailing_comma {
                    // `(x)` is just a parenthesised value.
                    Ok(items.into_iter().next().unwrap_or(PyValue::None))
                } else {
                    Ok(PyValue::Tuple(items))
                }
            }
            Some(b'[') => Ok(PyValue::List(self.parse_seq(b'[', b']', depth)?.0)),
            Some(b'\'') | Some(b'"') => Ok(PyValue::Str(self.parse_str()?)),
            Some(c) if c == b'-' || c == b'+' || c.is_ascii_digit() => self.parse_int(),
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self
                    .s
                    .get(self.pos)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
                {
                    self.pos += 1;
                }
                match &self.s[start..self.pos] {
                    b"True" => Ok(PyValue::Bool(true)),
                    b"False" => Ok(PyValue::Bool(false)),
                    b"None" => Ok(PyValue::None),
                    other => Err(format!(
                        "unexpected name '{}' at byte {start}",
                        String::from_utf8_lossy(other)
                    )),
                }
            }
            Some(c) => Err(format!(
                "unexpected character {:?} at byte {}",
                c as char, self.pos
            )),
        }
    }

    fn parse_dict(&mut self, depth: usize) -> PResult<PyValue> {
        self.expect(b'{')?;
        let mut entries = Vec::new();
        loop {
            if self.peek() == Some(b'}') {
                self.pos += 1;
                return Ok(PyValue::Dict(entries));
            }
            let key = match self.parse_value(depth + 1)? {
                PyValue::Str(s) => s,
                other => return Err(format!("dictionary key {other:?} is not a string")),
            };
            self.expect(b':')?;
            let value = self.parse_value(depth + 1)?;
            entries.push((key, value));
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                _ => return Err(format!("expected ',' or '}}' at byte {}", self.pos)),
            }
        }
    }

    /// Returns the items and whether the last one was followed by a comma.
    fn parse_seq(&mut self, open: u8, close: u8, depth: usize) -> PResult<(Vec<PyValue>, bool)> {
        self.expect(open)?;
        let mut items = Vec::new();
        let mut trailing_comma = false;
        loop {
            if self.peek() == Some(close) {
                self.pos += 1;
                return Ok((items, trailing_comma));
            }
            if items.len() > MAX_RANK {
                return Err(format!("more than {MAX_RANK} items in a sequence"));
            }
            items.push(self.parse_value(depth + 1)?);
            trailing_comma = false;
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    trailing_comma = true;
                }
                Some(c) if c == close => {}
                _ => {
                    return Err(format!(
                        "expected ',' or '{}' at byte {}",
                        close as char, self.pos
                    ))
                }
            }
        }
    }

    fn parse_str(&mut self) -> PResult<String> {
        let quote = self.s[self.pos];
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let c = *self
                .s
                .get(self.pos)
                .ok_or_else(|| "unterminated string".to_string())?;
            self.pos += 1;
            if c == quote {
                break;
            }
            if c == b'\\' {
                let e = *self
                    .s
                    .get(self.pos)
                    .ok_or_else(|| "unterminated string".to_string())?;
                self.pos += 1;
                match e {
                    b'\\' | b'\'' | b'"' => out.push(e),
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    _ => return Err(format!("unsupported escape '\\{}' in a string", e as char)),
                }
            } else {
                out.push(c);
            }
        }
        String::from_utf8(out).map_err(|_| "a string is not valid UTF-8".to_string())
    }

    fn parse_int(&mut self) -> PResult<PyValue> {
        let start = self.pos;
        let negative = match self.s.get(self.pos) {
            Some(b'-') => {
                self.pos += 1;
                true
            }
            Some(b'+') => {
                self.pos += 1;
                false
            }
            _ => false,
        };
        let mut v: i128 = 0;
        let mut digits = 0;
        while let Some(&c) = self.s.get(self.pos) {
            if !c.is_ascii_digit() {
                break;
            }
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add((c - b'0') as i128))
                .filter(|v| *v <= u64::MAX as i128)
                .ok_or_else(|| format!("integer at byte {start} is too large"))?;
            digits += 1;
            self.pos += 1;
        }
        if digits == 0 {
            return Err(format!("expected digits at byte {}", self.pos));
        }
        // Python 2 era files write `3L`.
        if matches!(self.s.get(self.pos), Some(b'L') | Some(b'l')) {
            self.pos += 1;
        }
        if self
            .s
            .get(self.pos)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'.')
        {
            return Err(format!("malformed integer at byte {start}"));
        }
        Ok(PyValue::Int(if negative { -v } else { v }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{arr2, Array3};

    fn npy(version: u8, header: &str, data: &[u8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&[version, 0]);
        if version == 1 {
            out.extend_from_slice(&(header.len() as u16).to_le_bytes());
        } else {
            out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        }
        out.extend_from_slice(header.as_bytes());
        out.extend_from_slice(data);
        out
    }

    fn reason(r: Result<NpyArray>) -> String {
        match r {
            Err(Error::Npy { reason, .. }) => reason,
            other => panic!("expected Error::Npy, got {other:?}"),
        }
    }

    #[test]
    fn roundtrip_matches_numpy_layout() {
        let a = arr2(&[[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.5]]);
        let bytes = to_npy_bytes(a.view());
        assert_eq!(bytes.len() % 64, 24); // 64-byte header + 24 bytes of data
        assert_eq!(&bytes[..10], b"\x93NUMPY\x01\x00v\x00");
        let header = std::str::from_utf8(&bytes[10..128]).unwrap();
        assert!(header.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"));
        assert!(header.ends_with(" \n"));
        let back = parse_npy(&bytes, "x").unwrap();
        assert_eq!(back.shape, vec![2, 3]);
        assert_eq!(back.data, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.5]);
    }

    #[test]
    fn typed_writers_round_trip_with_their_descr() {
        let h = arr2(&[[half::f16::from_f32(1.5), half::f16::from_f32(-2.0)]]);
        let b = to_npy_bytes_of(h.view());
        assert!(std::str::from_utf8(&b[10..30]).unwrap().contains("'<f2'"));
        let back = parse_npy(&b, "f2").unwrap();
        assert_eq!((back.dtype, back.data), (NpyDtype::F16, vec![1.5, -2.0]));
        let u = arr2(&[[0u8, 7], [200, 255]]);
        let b = to_npy_bytes_of(u.view());
        assert!(std::str::from_utf8(&b[10..30]).unwrap().contains("'|u1'"));
        assert_eq!(b.len(), 128 + 4);
        let back = parse_npy(&b, "u1").unwrap();
        assert_eq!((back.dtype, back.shape), (NpyDtype::U8, vec![2, 2]));
        assert_eq!(back.data, vec![0.0, 7.0, 200.0, 255.0]);
        let w = ndarray::arr1(&[1u16, 65535]);
        let b = to_npy_bytes_of(w.view());
        assert_eq!(&b[b.len() - 4..], &[1, 0, 255, 255]);
        let back = parse_npy(&b, "u2").unwrap();
        assert_eq!((back.dtype, back.data), (NpyDtype::U16, vec![1.0, 65535.0]));
    }

    #[test]
    fn writer_uses_logical_order_for_transposed_views() {
        let a = arr2(&[[1.0f32, 2.0], [3.0, 4.0]]);
        let t = a.t();
        let back = parse_npy(&to_npy_bytes(t), "t").unwrap();
        assert_eq!(back.data, vec![1.0, 3.0, 2.0, 4.0]);
    }

    #[test]
    fn zero_d_and_one_d_shapes() {
        let scalar = ndarray::arr0(7.0f32);
        let b = to_npy_bytes(scalar.view());
        assert!(std::str::from_utf8(&b[10..80])
            .unwrap()
            .contains("'shape': (), }"));
        let back = parse_npy(&b, "s").unwrap();
        assert_eq!(back.shape, Vec::<usize>::new());
        assert_eq!(back.data, vec![7.0]);
        let v = ndarray::arr1(&[1.0f32, 2.0]);
        let b = to_npy_bytes(v.view());
        assert!(std::str::from_utf8(&b[10..80])
            .unwrap()
            .contains("'shape': (2,), }"));
        assert_eq!(parse_npy(&b, "v").unwrap().shape, vec![2]);
    }

    #[test]
    fn versions_2_and_3() {
        let data: Vec<u8> = [1.5f32, -2.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }\n";
        assert_eq!(
            parse_npy(&npy(2, h, &data), "v2").unwrap().data,
            vec![1.5, -2.0]
        );
        assert_eq!(
            parse_npy(&npy(3, h, &data), "v3").unwrap().data,
            vec![1.5, -2.0]
        );
        assert!(reason(parse_npy(&npy(4, h, &data), "v4")).contains("version"));
    }

    #[test]
    fn dtypes_convert_to_f32() {
        let h = |d: &str| format!("{{'descr': '{d}', 'fortran_order': False, 'shape': (2,), }}");
        let f8: Vec<u8> = [0.25f64, -1e10]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(
            parse_npy(&npy(1, &h("<f8"), &f8), "f8").unwrap().data,
            vec![0.25, -1e10]
        );
        let f8be: Vec<u8> = [0.25f64, 3.0]
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect();
        let a = parse_npy(&npy(1, &h(">f8"), &f8be), "f8be").unwrap();
        assert_eq!((a.dtype, a.data), (NpyDtype::F64, vec![0.25, 3.0]));
        let f2: Vec<u8> = [0x3c00u16, 0xc000]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(
            parse_npy(&npy(1, &h("<f2"), &f2), "f2").unwrap().data,
            vec![1.0, -2.0]
        );
        assert_eq!(
            parse_npy(&npy(1, &h("|u1"), &[0, 255]), "u1").unwrap().data,
            vec![0.0, 255.0]
        );
        assert_eq!(
            parse_npy(&npy(1, &h("|i1"), &[0xff, 3]), "i1")
                .unwrap()
                .data,
            vec![-1.0, 3.0]
        );
        assert_eq!(
            parse_npy(&npy(1, &h("|b1"), &[0, 1]), "b1").unwrap().data,
            vec![0.0, 1.0]
        );
        let i4: Vec<u8> = [-7i32, 1 << 20]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(
            parse_npy(&npy(1, &h("<i4"), &i4), "i4").unwrap().data,
            vec![-7.0, 1048576.0]
        );
        let i8: Vec<u8> = [-7i64, 1 << 40]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(
            parse_npy(&npy(1, &h("<i8"), &i8), "i8").unwrap().data,
            vec![-7.0, 2f32.powi(40)]
        );
        assert!(reason(parse_npy(&npy(1, &h("<c8"), &[0; 16]), "c8")).contains("unsupported dtype"));
        assert!(reason(parse_npy(&npy(1, &h("|f4"), &[0; 8]), "f4")).contains("byte order"));
        assert!(reason(parse_npy(&npy(1, &h("|O"), &[0; 16]), "O")).contains("unsupported dtype"));
    }

    #[test]
    fn f16_known_values() {
        assert_eq!(f16_to_f32(0x0000), 0.0);
        assert!(f16_to_f32(0x8000).is_sign_negative());
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x03ff), 1023.0 * 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x0400), 2f32.powi(-14));
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95);
        assert_eq!(f16_to_f32(0x7c00), f32::INFINITY);
        assert_eq!(f16_to_f32(0xfc00), f32::NEG_INFINITY);
        assert!(f16_to_f32(0x7e00).is_nan());
        assert_eq!(f16_to_f32(0x83ff), -(1023.0 * 2f32.powi(-24)));
    }

    #[test]
    fn fortran_order_is_transposed() {
        // Fortran order of [[0, 1, 2], [3, 4, 5]] is 0, 3, 1, 4, 2, 5.
        let data: Vec<u8> = [0f32, 3., 1., 4., 2., 5.]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let h = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }";
        let a = parse_npy(&npy(1, h, &data), "f").unwrap();
        assert_eq!(a.shape, vec![2, 3]);
        assert_eq!(a.data, vec![0., 1., 2., 3., 4., 5.]);
        let t = Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 100 + j * 10 + k) as f32);
        let f: Vec<u8> = t.t().iter().flat_map(|v| v.to_le_bytes()).collect();
        let h = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3, 4), }";
        let a = parse_npy(&npy(1, h, &f), "f3")
            .unwrap()
            .into_arrayd()
            .unwrap();
        assert_eq!(a, t.into_dyn());
    }

    #[test]
    fn header_variants() {
        let d = [0u8; 24];
        for h in [
            "{'descr':'<f4','fortran_order':False,'shape':(2,3)}",
            "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2, 3)}\n",
            "{'shape': (2L, 3L), 'fortran_order': False, 'descr': '<f4'}",
            "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }     \n",
        ] {
            assert_eq!(
                parse_npy(&npy(1, h, &d), "h").unwrap().shape,
                vec![2, 3],
                "{h}"
            );
        }
    }

    #[test]
    fn malformed_inputs_are_typed_errors() {
        let ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
        let d = [0u8; 8];
        assert!(reason(parse_npy(b"", "e")).contains("magic"));
        assert!(reason(parse_npy(b"\x93NUMPZ\x01\x00", "m")).contains("magic"));
        assert!(reason(parse_npy(b"\x93NUMPY\x01", "t")).contains("truncated"));
        assert!(reason(parse_npy(b"\x93NUMPY\x01\x00\x05", "t")).contains("truncated"));
        let full = npy(1, ok, &d);
        assert!(reason(parse_npy(&full[..20], "t")).contains("truncated header"));
        assert!(reason(parse_npy(&full[..full.len() - 1], "t")).contains("mismatch"));
        let mut long = full.clone();
        long.push(0);
        assert!(reason(parse_npy(&long, "t")).contains("mismatch"));
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&[2, 0, 0xff, 0xff, 0xff, 0x7f]);
        assert!(reason(parse_npy(&huge, "h")).contains("too long"));
        for (h, want) in [
            ("[1, 2]", "not a dictionary"),
            ("{'descr': '<f4', 'fortran_order': False}", "no 'shape'"),
            ("{'descr': '<f4', 'shape': (2,)}", "no 'fortran_order'"),
            ("{'fortran_order': False, 'shape': (2,)}", "no 'descr'"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", "unexpected header key"),
            ("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "twice"),
            ("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", "True or False"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': 2}", "tuple"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", "negative"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2.0,)}", "malformed integer"),
            ("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", "structured"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x", "unexpected"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", "expected"),
            ("{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}", "parse"),
            ("{'descr': '<f4', 'fortran_order': Flase, 'shape': (2,)}", "Flase"),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296)}",
                "addressed",
            ),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
                "too large",
            ),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000,)}", "mismatch"),
            ("((((((((((((((((((((((((((((((((((((((", "nested"),
        ] {
            let r = reason(parse_npy(&npy(1, h, &d), "x"));
            assert!(r.contains(want), "{h}: {r}");
        }
        let rank65 = format!(
            "{{'descr': '<f4', 'fortran_order': False, 'shape': ({}), }}",
            "1, ".repeat(65)
        );
        assert!(!reason(parse_npy(&npy(1, &rank65, &[0; 4]), "r")).is_empty());
    }

    #[test]
    fn into_array4_checks_rank() {
        let a = NpyArray {
            source_name: "a".into(),
            shape: vec![2, 3],
            dtype: NpyDtype::F32,
            data: vec![0.0; 6],
        };
        assert!(matches!(a.clone().into_array4(), Err(Error::Npy { .. })));
        assert_eq!(a.clone().into_array4_padded().unwrap().dim(), (1, 1, 2, 3));
        let mut b = a.clone();
        b.shape = vec![1, 2, 3];
        assert_eq!(b.into_array4_padded().unwrap().dim(), (1, 1, 2, 3));
        let mut c = a;
        c.shape = vec![6];
        assert!(matches!(c.into_array4_padded(), Err(Error::Npy { .. })));
    }

    #[test]
    fn read_npy_io_and_length_checks() {
        let dir = std::env::temp_dir().join(format!("halfpixel-npy-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("a.npy");
        let a = Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (i + j + k) as f32);
        write_npy_f32(&p, a.view()).unwrap();
        let back = read_npy(&p).unwrap();
        assert_eq!(back.into_arrayd().unwrap(), a.clone().into_dyn());
        // Lying header: announces far more data than the file holds.
        let h = "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }";
        std::fs::write(&p, npy(1, h, &[0; 8])).unwrap();
        assert!(reason(read_npy(&p)).contains("mismatch"));
        assert!(matches!(
            read_npy(&dir.join("missing.npy")),
            Err(Error::Io { .. })
        ));
        assert!(matches!(
            read_npy(&dir),
            Err(Error::Io { .. }) | Err(Error::Npy { .. })
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
            let _ = parse_npy(&bytes, "random");
        }

        #[test]
        fn random_headers_never_panic(header in "[ -~]{0,120}", data in proptest::collection::vec(proptest::num::u8::ANY, 0..64), version in 1u8..4) {
            let _ = parse_npy(&npy(version, &header, &data), "random");
        }

        #[test]
        fn mutated_valid_files_never_panic(pos in 0usize..200, byte in proptest::num::u8::ANY, cut in 0usize..200) {
            let a = Array3::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 12 + j * 4 + k) as f32);
            let mut bytes = to_npy_bytes(a.view());
            if pos < bytes.len() { bytes[pos] = byte; }
            bytes.truncate(bytes.len().saturating_sub(cut % 8 * (cut / 8 % 2)));
            let _ = parse_npy(&bytes, "mutated");
        }

        #[test]
        fn roundtrip(shape in proptest::collection::vec(0usize..5, 0..5), seed in proptest::num::f32::ANY) {
            let a = ArrayD::from_shape_fn(IxDyn(&shape), |ix| seed + ix.slice().iter().sum::<usize>() as f32);
            let back = parse_npy(&to_npy_bytes(a.view()), "rt").unwrap();
            proptest::prop_assert_eq!(&back.shape, &shape);
            let bits: Vec<u32> = back.data.iter().map(|v| v.to_bits()).collect();
            let want: Vec<u32> = a.iter().map(|v| v.to_bits()).collect();
            proptest::prop_assert_eq!(bits, want);
        }
    }
}
