//! `figures` (being written in this session).
