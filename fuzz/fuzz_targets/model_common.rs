//! What every model-reader target does with a graph that reads: fold its shapes, find its
//! layers and patterns, describe them; the equivalents and pair verdicts on small layers.

use halfpixel::model::audit::{audit_graph, AuditOptions};
use halfpixel::model::pair::pair;
use halfpixel::model::Graph;

pub fn exercise(graph: &Graph) {
    let quick = AuditOptions {
        no_equivalents: true,
        ..AuditOptions::default()
    };
    let Ok(a) = audit_graph(graph, "<fuzz>", None, &quick) else {
        return;
    };
    let small = a.layers.iter().all(|l| {
        l.found
            .layer
            .input_shape
            .as_ref()
            .zip(l.found.layer.output_shape.as_ref())
            .is_some_and(|(i, o)| i.iter().chain(o).all(|&d| d <= 64))
    });
    if small && a.layers.len() <= 4 {
        if let Ok(full) = audit_graph(graph, "<fuzz>", None, &AuditOptions::default()) {
            for l in &full.layers {
                let _ = l.to_json();
            }
            let _ = pair(&full, &full);
        }
    }
    let _ = a.to_json();
}
