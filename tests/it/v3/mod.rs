//! The v3 protocol (JSON, SHA256-with-RSA, AES-256-GCM).

mod auth;
mod certificates;
mod notify;
mod response;
mod verify;
