//! `tensor_io` (being written in this session).
