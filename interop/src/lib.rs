//! Nothing to see here: this package exists for its examples and tests (wechatpay-sansio with
//! real HTTP clients and servers over 127.0.0.1). It is never published.
