//! `identify` (being written in this session).
