//! The keras reader on arbitrary bytes: a graph or `Error::Model`, never a panic or an
//! allocation the file merely claims; a graph that reads goes through the whole audit.

#![no_main]

#[path = "model_common.rs"]
mod model_common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    // A leading '{' fuzzes the config itself (the zip layer rarely lets mutations through).
    let graph = if bytes.first() == Some(&b'{') {
        serde_json::from_slice(bytes)
            .map_err(|e| e.to_string())
            .and_then(|v| halfpixel::model::keras::from_config(&v))
            .ok()
    } else {
        halfpixel::model::keras::read("<fuzz>", bytes).ok()
    };
    if let Some(graph) = graph {
        model_common::exercise(&graph);
    }
});
