//! neardup's hot loops, as plain Rust over byte buffers and integer arrays.
//!
//! Every function takes a whole batch (one byte buffer with document offsets, or arrays of
//! keys and pairs), so the Python layer crosses into native code once per batch and no
//! per-token or per-shingle object exists. The plain-Python definitions in
//! `neardup/core/reference.py` are the specification; the Python tests hold these kernels equal
//! to them, and the unit tests here check what can be checked without Python.
//!
//! Offsets and indices are `i64` (numpy's default integer), checked by the callers in
//! `neardup-native` before they reach these functions.

pub mod align;
pub mod bloom;
pub mod buckets;
pub mod charlook;
pub mod facts;
pub mod facts_compare;
pub mod hash;
pub mod jsonl;
pub mod kept;
pub mod lines;
pub mod normal;
pub mod parallel;
pub mod prefix;
pub mod screen;
pub mod second_look;
pub mod sketch;
pub mod spread;
pub mod text;
pub mod unicode;
