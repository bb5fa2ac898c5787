//! The typed APIs, one module each, end to end through the simulator.

mod bill;
mod customs;
mod media;
mod nameauth;
mod oauth;
mod pay;
mod pay_sandbox;
mod pay_v2;
mod pre_entrust;
mod querymchrisk;
mod realnameauth;
mod v2_shared;
