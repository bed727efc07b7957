//! The conformance manifest reader on arbitrary text (rooted at the shipped corpus, so real data
//! paths exist): a corpus or `Error::Corpus`, never a panic.

#![no_main]

use halfpixel::conformance::Corpus;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/corpus");
    if let Ok(corpus) = Corpus::from_manifest_str(root, text) {
        for case in corpus.cases() {
            let _ = corpus.path_of(&case.input);
        }
    }
});
