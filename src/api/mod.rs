//! The five identity-verification APIs as typed operations: a request type that validates
//! before any cryptography, a builder that produces the signed sans-IO [`crate::request::Request`],
//! and a parser that turns (status, headers, body) into a typed outcome. Users never choose a
//! sign string, a padding mode or a host name here: the types do.

pub mod customs;
pub mod getpublickey;
pub mod nameauth;
pub mod oauth;
pub mod pre_entrust;
pub mod querymchrisk;
pub mod realnameauth;
mod v2_common;
pub mod v3_common;
pub mod validate;
