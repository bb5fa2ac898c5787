//! Tests added for mutation-testing survivors in the core modules (see FUZZING.md §4): each pins
//! a behaviour that no other integration test or KAT observed.

mod common;

use wechatpay_sansio::secret::ApiV2Key;
use wechatpay_sansio::v2::{SignType, sign};

fn key() -> ApiV2Key {
    ApiV2Key::new("192006250b4c09247ec02edce69f6a2d").unwrap()
}

#[test]
fn sign_type_wire_names_parse() {
    assert_eq!("MD5".parse::<SignType>(), Ok(SignType::Md5));
    assert_eq!("HMAC-SHA256".parse::<SignType>(), Ok(SignType::HmacSha256));
    assert!("md5".parse::<SignType>().is_err());
    assert!("HMAC_SHA256".parse::<SignType>().is_err());
}

#[test]
fn sign_display_is_the_hex() {
    let s = sign::sign(
        [("test1", "test1"), ("test2", "test2")],
        &key(),
        SignType::Md5,
    )
    .unwrap();
    assert_eq!(s.to_string(), "1E3A8D73B5A4AEE787C0F68B5DAB8520");
    assert_eq!(format!("{s}"), s.as_str());
}

#[cfg(feature = "simulator")]
#[test]
fn aes_gcm_empty_plaintext_is_exactly_a_tag() {
    use wechatpay_sansio::secret::ApiV3Key;
    use wechatpay_sansio::v3::resource::{self, EncryptedResource, ResourceError};
    let k = ApiV3Key::new(b"a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb").unwrap();
    let r = EncryptedResource::encrypt(&k, "uluk4a9R25RW", "", "x", b"").unwrap();
    // 16 bytes of tag, nothing else: accepted and decrypts to nothing.
    assert_eq!(r.ciphertext.len(), 24);
    assert_eq!(&r.decrypt(&k).unwrap()[..], b"");
    // 15 bytes: shorter than a tag.
    assert_eq!(
        resource::decrypt(&k, "uluk4a9R25RW", b"", &r.ciphertext[..20]),
        Err(ResourceError::TagMismatch)
    );
}
