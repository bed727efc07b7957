//! The real-data corpus (`tests/corpus-images`: 8- and 16-bit images and float tensors at
//! camera and model-input sizes, resized by OpenCV with IPP on and off, PyTorch, Pillow and
//! TensorFlow) on the CPU and on every GPU adapter. Integer outputs must be bit-exact, float
//! outputs within their tolerance, and every GPU output of an 8- or 16-bit case identical to the
//! CPU's.

mod common;

use halfpixel::conformance::{images_corpus_dir, BackendRun, Corpus, CpuBackend, RunOptions};

fn corpus() -> Corpus {
    Corpus::load(images_corpus_dir()).expect("tests/corpus-images loads")
}

/// Case ids whose expected output is an 8- or 16-bit array.
fn integer_cases(corpus: &Corpus) -> Vec<String> {
    corpus
        .cases()
        .iter()
        .filter(|c| {
            let path = corpus.path_of(&c.expected);
            let a = halfpixel::npy::read_npy(&path).expect("expected array");
            matches!(
                a.dtype,
                halfpixel::npy::NpyDtype::U8 | halfpixel::npy::NpyDtype::U16
            )
        })
        .map(|c| c.id.clone())
        .collect()
}

#[test]
fn every_real_data_case_passes_on_the_cpu() {
    let corpus = corpus();
    assert!(corpus.cases().len() >= 157);
    let run = BackendRun::new(&corpus, &CpuBackend, &RunOptions::default());
    let failures: Vec<String> = run
        .report
        .failures()
        .map(|r| format!("{} [{}] {:?}", r.case_id, r.path, r.status))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every integer case made by a portable kernel (tolerance 0) is exact. The IPP cases carry
    // IPP's measured distance from the portable path as their tolerance; halfpixel reproduces
    // the portable path, so those pass within that distance (checked by `failures` above).
    let integers = integer_cases(&corpus);
    assert!(integers.len() >= 100, "{} integer cases", integers.len());
    let mut exact = 0;
    for r in &run.report.results {
        let case = corpus
            .cases()
            .iter()
            .find(|c| c.id == r.case_id)
            .expect("every result names a case");
        if integers.contains(&case.id) && case.tolerance.max_abs == 0.0 {
            assert_eq!(r.status.max_abs_error(), Some(0.0), "{}", case.id);
            exact += 1;
        }
    }
    assert!(exact >= 80, "{exact} bit-exact integer cases");
}

#[test]
fn every_real_data_case_passes_on_every_adapter_and_integers_match_the_cpu_bit_for_bit() {
    let corpus = corpus();
    let integers = integer_cases(&corpus);
    let options = RunOptions {
        reference: Some(&CpuBackend),
        ..RunOptions::default()
    };
    for ctx in common::contexts() {
        let label = ctx.adapter().label();
        let run = BackendRun::new(&corpus, ctx, &options);
        let failures: Vec<String> = run
            .report
            .failures()
            .map(|r| format!("{label}: {} [{}] {:?}", r.case_id, r.path, r.status))
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        for r in &run.report.results {
            if integers.contains(&r.case_id) {
                assert_eq!(
                    r.reference_max_ulp,
                    Some(0),
                    "{label}: {} differs from the CPU",
                    r.case_id
                );
            }
        }
        println!(
            "{label}: {} passed, max {} ulp from the CPU",
            run.passed(),
            run.max_reference_ulp()
                .map_or("-".to_string(), |u| u.to_string())
        );
    }
}
