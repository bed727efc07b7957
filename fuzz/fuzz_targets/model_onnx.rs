//! The onnx reader on arbitrary bytes: a graph or `Error::Model`, never a panic or an
//! allocation the file merely claims; a graph that reads goes through the whole audit.

#![no_main]

#[path = "model_common.rs"]
mod model_common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    if let Ok(graph) = halfpixel::model::onnx::read("<fuzz>", bytes, None) {
        model_common::exercise(&graph);
    }
});
