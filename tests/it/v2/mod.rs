//! The v2 protocol (XML, MD5 / HMAC-SHA256).

mod reply;
mod sign;
mod xml;
