//! `matrix` (being written in this session).
