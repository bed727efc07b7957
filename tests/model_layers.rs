//! Every layer of every ONNX, TFLite and Keras model in tests/models, as the manifest lists it.

use std::path::PathBuf;

use halfpixel::model::fold::{infer, InputShape};
use halfpixel::model::layers::extract;
use halfpixel::model::load;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/models"))
}

fn manifest() -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn debug_print() {
    let m = manifest();
    for model in m["models"].as_array().unwrap() {
        if model["format"] == "coreml" {
            continue;
        }
        let path = root().join(model["file"].as_str().unwrap());
        let loaded = load(&path).unwrap();
        let dims: Vec<usize> = model["input_shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap() as usize)
            .collect();
        let facts = infer(&loaded.graph, &[InputShape { name: None, dims }]).unwrap();
        let mut found = extract(&loaded.graph, &facts);
        found.extend(halfpixel::model::pattern::find(&loaded.graph, &facts));
        println!("== {}", model["id"]);
        for f in &found {
            println!(
                "   {} {:?} {:?} {:?} {}",
                f.layer.name,
                f.layer.input_shape,
                f.layer.output_shape,
                f.layer.computed_inputs,
                serde_json::to_string(&f.layer.call).unwrap()
            );
            println!("      unknowns {:?}", f.layer.unknowns);
        }
    }
}
