//! The integration tests, one binary organised by subject. Every key under tests/data is TEST
//! ONLY. (The allocation-counting test is its own binary, `tests/alloc.rs`: it installs a
//! global allocator.)
#![cfg(feature = "simulator")]

mod common;

mod api;

#[cfg(feature = "cli")]
mod cli;

#[cfg(feature = "fuzzing")]
mod old_corpus_replay;
mod old_errors_core;
mod old_hostile;
mod old_kat;
mod old_leaks;
mod old_mutants_core;
mod old_paysign_and_traits;
mod old_properties;
mod old_trust_boundary;
