//! Conformance corpus runner (written by a helper).
