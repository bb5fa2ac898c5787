//! The v2 protocol (XML, MD5 / HMAC-SHA256).

mod fold;
mod notify;
mod refund_notify;
mod reply;
mod sign;
mod xml;
