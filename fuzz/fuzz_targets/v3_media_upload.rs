#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| wechatpay_sansio::fuzzing::v3_media_upload(data));
