//! The shipped conformance corpus on every GPU adapter wgpu finds (Vulkan, Metal, DX12, GL),
//! through both paths, each output also compared with the CPU's in ULPs.
//!
//! Without an adapter the test prints why and passes — unless `HALFPIXEL_REQUIRE_GPU=1` (set by
//! `.ci/run`), where it fails.

mod common;

use std::time::Instant;

use common::gpu_required;
use halfpixel::conformance::{
    default_corpus_dir, BackendRun, Corpus, CpuBackend, MultiReport, RunOptions,
};
use halfpixel::gpu::{AdapterDescription, GpuContext};

/// `backend:name`, as the GPU backend names itself in reports.
fn label(d: &AdapterDescription) -> String {
    format!("{}:{}", d.backend.to_lowercase(), d.name)
}

#[test]
fn shipped_corpus_passes_on_every_adapter() {
    if common::corpora_absent("shipped_corpus_passes_on_every_adapter") {
        return;
    }
    let adapters = common::adapters();
    if adapters.is_empty() {
        let why = common::no_adapter_reason();
        if gpu_required() {
            panic!("HALFPIXEL_REQUIRE_GPU=1 but {why}");
        }
        eprintln!("SKIPPED shipped_corpus_passes_on_every_adapter: {why}");
        return;
    }
    let corpus = Corpus::load(default_corpus_dir()).expect("the shipped corpus loads");
    let checks = corpus.cases().len() + corpus.cases().iter().filter(|c| c.has_portable()).count();
    let options = RunOptions {
        reference: Some(&CpuBackend),
        ..RunOptions::default()
    };

    let mut runs = vec![BackendRun::new(
        &corpus,
        &CpuBackend,
        &RunOptions::default(),
    )];
    let mut problems = Vec::new();
    for adapter in &adapters {
        let description = AdapterDescription::from_info(&adapter.get_info());
        let name = label(&description);
        let start = Instant::now();
        let run = match GpuContext::from_adapter(adapter) {
            Ok(context) => BackendRun::new(&corpus, &context, &options),
            Err(e) => {
                problems.push(format!("{name}: cannot open a device: {e}"));
                BackendRun::unavailable(&corpus, &name, e.to_string(), &options)
            }
        };
        println!(
            "{name} [{}, driver {}]: {} passed, {} failed, max {} ulp from the CPU, in {:.2} s",
            description.device_type,
            description.driver,
            run.passed(),
            run.failed(),
            run.max_reference_ulp()
                .map_or("-".to_string(), |u| u.to_string()),
            start.elapsed().as_secs_f64()
        );
        assert_eq!(run.report.results.len(), checks, "{name}");
        for r in run.report.failures().take(20) {
            problems.push(format!(
                "{name}: {} [{}] {}: {:?}",
                r.case_id,
                r.path,
                r.status.label(),
                r.status
            ));
        }
        if run.unavailable.is_none() {
            // The CPU ran every check the GPU passed: each has a ULP distance from it.
            if let Some(r) = run
                .report
                .results
                .iter()
                .find(|r| r.passed() && r.reference_max_ulp.is_none())
            {
                problems.push(format!(
                    "{name}: {} [{}] has no ULP distance from the CPU",
                    r.case_id, r.path
                ));
            }
        }
        runs.push(run);
    }

    let all = MultiReport::new(runs);
    let mut matrix = Vec::new();
    all.matrix()
        .write_text(&mut matrix)
        .expect("write to a Vec");
    println!("{}", String::from_utf8_lossy(&matrix));
    println!("{}", all.summary_line());
    assert!(
        problems.is_empty() && all.all_passed(),
        "{} of {} checks failed on {} adapter(s):\n{}",
        all.failed(),
        checks * adapters.len(),
        adapters.len(),
        problems.join("\n")
    );
}
