//! APIv2: XML bodies signed with MD5 or HMAC-SHA256 over a canonical `k=v&…&key=` string.
//!
//! - [`sign`]: the canonical sign string, signing and constant-time verification;
//! - [`xml`]: building request bodies and parsing flat replies into [`Fields`];
//! - [`reply`]: the checks on a reply (return code, result code, signature, folds, echoed
//!   fields) and the typed `err_code`;
//! - [`endpoint`]: hosts, paths and which endpoints never sign their replies;
//! - [`request`]: signed sans-IO request values (XML POST and signed-query GET).

pub mod endpoint;
pub mod fields;
pub mod notify;
pub mod reply;
pub mod request;
pub mod sign;
pub mod xml;

pub use fields::Fields;
pub use sign::{Sign, SignError, SignType};
