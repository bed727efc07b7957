//! Which format a model file holds: by its content first, its name second.

use std::path::Path;

/// What a path holds, as far as its first bytes (or, for a directory, its entries) tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    /// An ONNX `ModelProto`.
    Onnx,
    /// A TFLite flatbuffer (`TFL3` at bytes 4..8).
    TfLite,
    /// A zip holding `config.json`: a Keras 3 `.keras` archive.
    Keras,
    /// A Core ML `Model` protobuf (`.mlmodel`).
    CoreMlModel,
    /// An `.mlpackage` directory (`Manifest.json`).
    CoreMlPackage,
    /// A zip holding an `.mlpackage` (`Manifest.json` inside).
    CoreMlPackageZip,
}

impl Detected {
    /// How the format is usually named, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Detected::Onnx => "ONNX",
            Detected::TfLite => "TFLite",
            Detected::Keras => "Keras",
            Detected::CoreMlModel => "Core ML .mlmodel",
            Detected::CoreMlPackage => "Core ML .mlpackage",
            Detected::CoreMlPackageZip => "zipped Core ML .mlpackage",
        }
    }

    /// What the file name's extension claims, if it names a format.
    pub fn from_extension(path: &Path) -> Option<Detected> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "onnx" => Detected::Onnx,
            "tflite" | "lite" => Detected::TfLite,
            "keras" => Detected::Keras,
            "mlmodel" => Detected::CoreMlModel,
            "mlpackage" => Detected::CoreMlPackage,
            _ => return None,
        })
    }
}

/// The top-level field numbers of a protobuf message, scanned without decoding it: `None` when
/// the bytes are not a well-formed sequence of fields.
fn top_level_fields(bytes: &[u8]) -> Option<Vec<u64>> {
    fn varint(b: &[u8], at: &mut usize) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *b.get(*at)?;
            *at += 1;
            v |= ((byte & 0x7f) as u64) << shift;
            if byte & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    let mut at = 0;
    let mut fields = Vec::new();
    while at < bytes.len() {
        let key = varint(bytes, &mut at)?;
        let (field, wire) = (key >> 3, key & 7);
        if field == 0 {
            return None;
        }
        match wire {
            0 => {
                varint(bytes, &mut at)?;
            }
            1 => at = at.checked_add(8)?,
            2 => {
                let len = varint(bytes, &mut at)?;
                at = at.checked_add(usize::try_from(len).ok()?)?;
            }
            5 => at = at.checked_add(4)?,
            _ => return None,
        }
        if at > bytes.len() {
            return None;
        }
        fields.push(field);
    }
    Some(fields)
}

/// The format of a file's bytes, or a phrase saying what they look like instead.
pub fn sniff(bytes: &[u8], zip_entries: impl Fn() -> Vec<String>) -> Result<Detected, String> {
    if bytes.len() >= 8 && &bytes[4..8] == b"TFL3" {
        return Ok(Detected::TfLite);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        let entries = zip_entries();
        if entries.iter().any(|e| e == "config.json") {
            return Ok(Detected::Keras);
        }
        if entries
            .iter()
            .any(|e| e == "Manifest.json" || e.ends_with(".mlpackage/Manifest.json"))
        {
            return Ok(Detected::CoreMlPackageZip);
        }
        return Err(
            "a zip archive with neither config.json (Keras) nor Manifest.json (Core ML package)"
                .into(),
        );
    }
    for (magic, what) in [
        (&b"\x89PNG"[..], "a PNG image"),
        (&b"\xff\xd8\xff"[..], "a JPEG image"),
        (&b"\x93NUMPY"[..], "a .npy array"),
        (
            &b"\x89HDF"[..],
            "an HDF5 file (a Keras 2 .h5 model? halfpixel reads Keras 3 .keras archives)",
        ),
        (&b"{"[..], "JSON text"),
    ] {
        if bytes.starts_with(magic) {
            return Err(format!("{what}, not a model file"));
        }
    }
    if bytes.is_empty() {
        return Err("an empty file".into());
    }
    match top_level_fields(bytes) {
        Some(fields) => {
            // Core ML's Model puts its model types at 200 and above (neuralNetwork = 500,
            // mlProgram = 502, pipeline = 201, …); ONNX's ModelProto its graph at 7.
            if fields.iter().any(|&f| f >= 200) {
                Ok(Detected::CoreMlModel)
            } else if fields.contains(&7) {
                Ok(Detected::Onnx)
            } else {
                Err("a protobuf message that is neither an ONNX ModelProto (no graph) nor a Core ML Model".into())
            }
        }
        None => Err("neither a protobuf message (ONNX, Core ML), a TFLite flatbuffer nor a zip archive (Keras, Core ML package)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers_decide() {
        let none = Vec::new;
        assert_eq!(sniff(b"\x1c\0\0\0TFL3rest", none), Ok(Detected::TfLite));
        assert!(sniff(b"\x89PNG\r\n", none).unwrap_err().contains("PNG"));
        assert!(sniff(b"", none).unwrap_err().contains("empty"));
        // field 1 varint 7, field 7 (graph) length 0
        assert_eq!(sniff(&[0x08, 7, 0x3a, 0], none), Ok(Detected::Onnx));
        // field 1 varint 4, field 500 length 0
        assert_eq!(
            sniff(&[0x08, 4, 0xa2, 0x1f, 0], none),
            Ok(Detected::CoreMlModel)
        );
        assert!(sniff(&[0x08], none).is_err());
    }
}
