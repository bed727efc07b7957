//! The Core ML reader on arbitrary bytes (a `.mlmodel` specification, or a zipped `.mlpackage`
//! when the bytes start with a zip signature): a graph or `Error::Model`, never a panic or an
//! allocation the bytes merely claim; and the layer step on whatever graph comes back.

#![no_main]

use halfpixel::model::coreml;
use halfpixel::Error;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    match coreml::read_bytes(bytes, "<fuzz>") {
        Ok(graph) => {
            let _ = coreml::tensor_shapes(&graph, &[]);
            if let Ok(layers) = coreml::layers(&graph, &[]) {
                for layer in layers.iter().filter_map(|l| l.call.as_ref()) {
                    let _ = halfpixel::presets::from_call(layer);
                }
            }
        }
        Err(Error::Model { .. }) => {}
        Err(other) => panic!("not a model error: {other:?}"),
    }
});
