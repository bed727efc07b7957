//! .npy reader/writer (written by a helper).
