#![forbid(unsafe_code)]
#![deny(missing_docs)]
//! wip
pub mod crypto;
pub mod ids;
pub mod keys;
pub mod secret;
pub mod v2;
