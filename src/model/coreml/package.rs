//! `.mlpackage` containers: a directory, or a zip of one. `Manifest.json` names the root model
//! item (`rootModelIdentifier` → `itemInfoEntries[id].path`, relative to `Data/`), normally
//! `com.apple.CoreML/model.mlmodel`.

use std::io::Read;
use std::path::Path;

use serde::Deserialize;

/// The largest `Manifest.json` read (it lists a few items).
const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// The largest model specification read from a package. ML Program specifications keep their
/// weights in separate blob files, so the specification itself is small; NeuralNetwork
/// specifications inside packages hold their weights inline.
pub(crate) const MAX_SPEC_BYTES: u64 = 2 << 30;

#[derive(Deserialize)]
struct Manifest {
    #[serde(rename = "rootModelIdentifier")]
    root: String,
    #[serde(rename = "itemInfoEntries")]
    items: std::collections::BTreeMap<String, ItemInfo>,
}

#[derive(Deserialize)]
struct ItemInfo {
    path: String,
}

/// The root model's path inside the package, relative to the package root (`Data/…`), from the
/// manifest's text. Refuses paths that leave the package.
pub(crate) fn root_model_path(manifest: &[u8]) -> Result<String, String> {
    let m: Manifest = serde_json::from_slice(manifest)
        .map_err(|e| format!("Manifest.json is not a package manifest: {e}"))?;
    let item = m.items.get(&m.root).ok_or_else(|| {
        format!(
            "Manifest.json: rootModelIdentifier '{}' is not in itemInfoEntries",
            m.root
        )
    })?;
    let rel = item.path.trim_start_matches("./");
    let escapes = rel.is_empty()
        || rel.starts_with('/')
        || rel.contains('\\')
        || rel.split('/').any(|c| c == ".." || c.contains(':'));
    if escapes {
        return Err(format!(
            "Manifest.json: the root model path '{}' does not stay inside the package",
            item.path
        ));
    }
    Ok(format!("Data/{rel}"))
}

fn read_limited(mut r: impl Read, limit: u64, what: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    r.by_ref()
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {what}: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("{what} is larger than {limit} bytes"));
    }
    Ok(bytes)
}

/// The root model specification of an `.mlpackage` directory.
pub(crate) fn read_dir(dir: &Path) -> Result<Vec<u8>, String> {
    let manifest_path = dir.join("Manifest.json");
    if !manifest_path.exists() && dir.join("coremldata.bin").exists() {
        return Err("a compiled model (.mlmodelc) keeps no model specification: audit the .mlmodel or .mlpackage it was compiled from".into());
    }
    let manifest = std::fs::File::open(&manifest_path)
        .map_err(|e| format!("not an .mlpackage: cannot open Manifest.json ({e})"))
        .and_then(|f| read_limited(f, MAX_MANIFEST_BYTES, "Manifest.json"))?;
    let rel = root_model_path(&manifest)?;
    let file = std::fs::File::open(dir.join(&rel))
        .map_err(|e| format!("cannot open the root model {rel}: {e}"))?;
    read_limited(file, MAX_SPEC_BYTES, &rel)
}

/// The root model specification of a zipped `.mlpackage` (the package directory at the zip's
/// root, or its contents at the root).
pub(crate) fn read_zip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a readable zip: {e}"))?;
    // The manifest nearest the root decides the package's folder inside the zip.
    let manifest_name = zip
        .file_names()
        .filter(|n| *n == "Manifest.json" || n.ends_with("/Manifest.json"))
        .min_by_key(|n| (n.matches('/').count(), n.to_string()))
        .map(str::to_string)
        .ok_or("the zip holds no Manifest.json: not a zipped .mlpackage")?;
    let prefix = &manifest_name[..manifest_name.len() - "Manifest.json".len()];
    let manifest = {
        let entry = zip
            .by_name(&manifest_name)
            .map_err(|e| format!("cannot open {manifest_name} in the zip: {e}"))?;
        read_limited(entry, MAX_MANIFEST_BYTES, &manifest_name)?
    };
    let rel = root_model_path(&manifest)?;
    let name = format!("{prefix}{rel}");
    let entry = zip
        .by_name(&name)
        .map_err(|e| format!("cannot open the root model {name} in the zip: {e}"))?;
    read_limited(entry, MAX_SPEC_BYTES, &name)
}
