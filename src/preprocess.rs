//! `preprocess` (being written in this session).
