//! The v2 identity endpoints of the [`Simulator`]: `secsvc/realnameauth`, `appauth/getaccesstoken`,
//! the legacy `cgi-bin/nameauth/nameautheasy`, `mchrisk/querymchrisk` and `risk/getpublickey`.
//!
//! Each handler takes the received [`http::Request`], checks it the way WeChat Pay does (v2
//! `sign`, required fields, merchant id, client certificate, encrypted fields) and answers with
//! the reply WeChat Pay would send, carrying the outcome the test scripted. Replies are signed
//! where WeChat Pay signs them (`realnameauth`, with the request's sign type) and unsigned
//! elsewhere.
//!
//! Client certificates: a sans-IO request cannot present one, so the simulator treats the
//! [`ClientCertificateRequired`] extension (set by
//! [`crate::request::Request::into_http`] when the request says mutual TLS is needed) as "the
//! client presented its certificate"; without it, `querymchrisk` and `getpublickey` fail.
//!
//! ```
//! use wechatpay_sansio::api::{Operation, querymchrisk::{QueryMchRiskRequest, RiskLevel}};
//! use wechatpay_sansio::request::ResponseRef;
//! use wechatpay_sansio::secret::Personal;
//! use wechatpay_sansio::simulator::{Script, Simulator, v2::RiskScript};
//! use wechatpay_sansio::time::UnixTime;
//! # use rand_core::SeedableRng;
//! # let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(7);
//! let (sim, now) = (Simulator::new(), UnixTime::from_secs(1_767_225_600));
//! let merchant = sim.merchant();
//! let mut req = QueryMchRiskRequest::new();
//! req.settlement_card_no = Some(Personal::new("6222020200112233445"));
//! let script = Script { querymchrisk: RiskScript::level("FORBIDDEN", "禁入"), ..Script::default() };
//! let http = req.build(&merchant, &mut rng, now)?.into_http();
//! let resp = sim.handle(&http, now, &mut rng, &script);
//! let out = req.parse_reply(&merchant, ResponseRef::from_http(&resp), now)?;
//! assert_eq!(out.risk_level, RiskLevel::Forbidden);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use super::{Script, Simulator, v2_fail, xml_response};
use crate::api::nameauth::HexCase;
use crate::cipher;
use crate::ids::Nonce;
use crate::request::ClientCertificateRequired;
use crate::secret::Personal;
use crate::v2::{self, Fields, SignType};
use http::{HeaderValue, Method, Response, StatusCode};
use percent_encoding::percent_decode_str;
use rand_core::TryCryptoRng;

/// TEST ONLY `src` the simulator assigns for `nameautheasy`.
pub const TEST_NAMEAUTH_SRC: &str = "TESTONLYsrc";
/// TEST ONLY key the simulator assigns with [`TEST_NAMEAUTH_SRC`] (not an APIv2 key; any length).
pub const TEST_NAMEAUTH_KEY: &str = "TESTONLYnameauthKey0001";

/// What the simulated `realnameauth` answers once the request passes its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RealNameAuthScript {
    /// `result_code` SUCCESS with these raw values (`None` → the field is omitted).
    Answer {
        /// `verify_openid` (several values joined with `;`).
        verify_openid: String,
        /// `verify_real_name`.
        verify_real_name: Option<String>,
        /// `bind_bankcard`.
        bind_bankcard: Option<String>,
    },
    /// `result_code` FAIL with `error_code` / `error_code_des`.
    Fail {
        /// `error_code`.
        error_code: String,
        /// `error_code_des`.
        error_code_des: String,
    },
}

impl RealNameAuthScript {
    /// `V_OP_NM_MA` / `V_NM_ID_MA` / `YES`: everything matches.
    #[must_use]
    pub fn matched() -> Self {
        Self::answer("V_OP_NM_MA", Some("V_NM_ID_MA"), Some("YES"))
    }

    /// An answer with these raw values.
    #[must_use]
    pub fn answer(
        verify_openid: &str,
        verify_real_name: Option<&str>,
        bind_bankcard: Option<&str>,
    ) -> Self {
        Self::Answer {
            verify_openid: verify_openid.to_owned(),
            verify_real_name: verify_real_name.map(str::to_owned),
            bind_bankcard: bind_bankcard.map(str::to_owned),
        }
    }
}

/// What the simulated `nameautheasy` answers once `src` and `sign` check out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameAuthScript {
    /// `error_code`.
    pub error_code: i64,
    /// `nameauth_status`.
    pub nameauth_status: String,
    /// `notmatch_param` (raw, e.g. `1%7C2`).
    pub notmatch_param: String,
    /// `name_mask`.
    pub name_mask: String,
    /// Send `error_code` as a JSON string instead of a number.
    pub error_code_as_string: bool,
    /// Accept only this hex case for `sign` (`None`: either case, since the real rule is unknown).
    pub required_hex_case: Option<HexCase>,
}

impl NameAuthScript {
    /// A reply with `error_code` 0 and these values.
    #[must_use]
    pub fn status(nameauth_status: &str, notmatch_param: &str) -> Self {
        Self {
            error_code: 0,
            nameauth_status: nameauth_status.to_owned(),
            notmatch_param: notmatch_param.to_owned(),
            name_mask: String::new(),
            error_code_as_string: false,
            required_hex_case: None,
        }
    }

    /// A reply with a non-zero `error_code` and empty status fields.
    #[must_use]
    pub fn error(code: i64) -> Self {
        Self {
            error_code: code,
            ..Self::status("", "")
        }
    }

    /// The first combination of the document's table for `letter` (`A`–`F`).
    ///
    /// ```
    /// use wechatpay_sansio::simulator::v2::NameAuthScript;
    /// assert_eq!(NameAuthScript::letter('D').notmatch_param, "1%7C2");
    /// ```
    #[must_use]
    pub fn letter(letter: char) -> Self {
        match letter {
            'A' => Self::status("1", ""),
            'B' => Self::status("1", "1"),
            'C' => Self::status("1", "2"),
            'D' => Self::status("1", "1%7C2"),
            'E' => Self::status("2", ""),
            'F' => Self::status("3", ""),
            _ => Self::error(9999),
        }
    }
}

impl Default for NameAuthScript {
    fn default() -> Self {
        Self::letter('A')
    }
}

/// What the simulated `querymchrisk` answers once the request passes its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RiskScript {
    /// `result_code` SUCCESS with this level and description.
    Level {
        /// `risk_level` (any string, to test unknown levels).
        risk_level: String,
        /// `risk_level_desc`.
        risk_level_desc: String,
    },
    /// `result_code` FAIL with this `return_msg` (the seed's reply table has no `err_code`:
    /// its `return_msg` is "如非空,为错误原因").
    Fail {
        /// `return_msg`, the reason.
        return_msg: String,
    },
}

impl RiskScript {
    /// A SUCCESS answer.
    #[must_use]
    pub fn level(risk_level: &str, risk_level_desc: &str) -> Self {
        Self::Level {
            risk_level: risk_level.to_owned(),
            risk_level_desc: risk_level_desc.to_owned(),
        }
    }
}

impl Default for RiskScript {
    fn default() -> Self {
        Self::level("LOW", "低风险")
    }
}

/// What the simulated `appauth/getaccesstoken` answers once the request passes its checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessTokenScript {
    /// `retcode` 0 with these tokens.
    Grant {
        /// `access_token`.
        access_token: String,
        /// `access_token_expire_in`.
        access_token_expire_in: u64,
        /// `refresh_token`.
        refresh_token: String,
        /// `refresh_token_expire_in`.
        refresh_token_expire_in: u64,
        /// Send the expiries as JSON strings (`"300"`) instead of numbers.
        numbers_as_strings: bool,
    },
    /// A failure.
    Fail {
        /// `retcode` (non-zero).
        retcode: i64,
        /// `retmsg`.
        retmsg: String,
    },
}

impl Default for AccessTokenScript {
    fn default() -> Self {
        Self::Grant {
            access_token: "81_TESTONLYaccessToken".into(),
            access_token_expire_in: 300,
            refresh_token: "81_TESTONLYrefreshToken".into(),
            refresh_token_expire_in: 2_592_000,
            numbers_as_strings: false,
        }
    }
}

impl Default for RealNameAuthScript {
    fn default() -> Self {
        Self::matched()
    }
}

const FRAUD_HOST: &str = "fraud.mch.weixin.qq.com";
const API_HOST: &str = "api.mch.weixin.qq.com";

/// The five encrypted `querymchrisk` fields.
const RISK_ENCRYPTED: [&str; 5] = [
    "certificates_number",
    "certificates_name",
    "settlement_card_no",
    "settlement_card_name",
    "business_license_number",
];

fn status_only(status: StatusCode) -> Response<Vec<u8>> {
    let mut r = Response::new(Vec::new());
    *r.status_mut() = status;
    r
}

fn json_response(body: &serde_json::Value, content_type: &'static str) -> Response<Vec<u8>> {
    let mut r = Response::new(body.to_string().into_bytes());
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    r
}

fn retcode_fail(retmsg: &str) -> Response<Vec<u8>> {
    json_response(
        &serde_json::json!({ "retcode": -1, "retmsg": retmsg }),
        "application/json",
    )
}

/// Percent-decoded query pairs; `None` on bad encoding or a duplicate name.
fn query_fields(req: &http::Request<Vec<u8>>) -> Option<Fields<'static>> {
    let mut f = Fields::new();
    for pair in req.uri().query().unwrap_or_default().split('&') {
        if pair.is_empty() {
            continue;
        }
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let k = percent_decode_str(k).decode_utf8().ok()?;
        let v = percent_decode_str(v).decode_utf8().ok()?;
        f.insert(k.into_owned(), v.into_owned()).ok()?;
    }
    Some(f)
}

fn has_client_certificate(req: &http::Request<Vec<u8>>) -> bool {
    req.extensions()
        .get::<ClientCertificateRequired>()
        .is_some()
}

fn missing(fields: &Fields<'_>, names: &[&'static str]) -> Option<&'static str> {
    names
        .iter()
        .copied()
        .find(|n| fields.get_non_empty(n).is_none())
}

impl Simulator {
    /// `POST https://fraud.mch.weixin.qq.com/secsvc/realnameauth`: checks the `sign` (MD5 or
    /// HMAC-SHA256 per `sign_type`), the required fields, `version`, `cred_type` and the merchant
    /// id, then answers `script`, signed with the request's sign type.
    ///
    /// `rng` draws the reply's `nonce_str` (under every backend: this endpoint involves no RSA
    /// operation, so `aws-lc-rs` makes no difference).
    pub fn realnameauth<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        rng: &mut R,
        script: &RealNameAuthScript,
    ) -> Response<Vec<u8>> {
        if req.method() != Method::POST {
            return status_only(StatusCode::METHOD_NOT_ALLOWED);
        }
        let Ok(fields) = v2::xml::parse(req.body()) else {
            return v2_fail("XML格式错误");
        };
        let sign_type = match self.check_v2_sign(&fields) {
            Ok(t) => t,
            Err(resp) => return resp,
        };
        if let Some(name) = missing(
            &fields,
            &[
                "version",
                "mch_id",
                "appid",
                "openid",
                "real_name",
                "cred_type",
                "cred_id",
                "nonce_str",
                "access_token",
            ],
        ) {
            return v2_fail(&format!("缺少参数{name}"));
        }
        let get = |n: &str| fields.get(n).unwrap_or_default();
        if get("version")
            .parse::<crate::api::realnameauth::Version>()
            .is_err()
        {
            return v2_fail("PARAM_ERROR:version");
        }
        if get("cred_type")
            .parse::<crate::api::realnameauth::CredType>()
            .is_err()
        {
            return v2_fail("PARAM_ERROR:cred_type");
        }
        let Ok(nonce) = Nonce::generate(rng) else {
            return v2_fail("SYSTEMERROR");
        };
        let mut out: Vec<(&str, &str)> = vec![
            ("appid", get("appid")),
            ("mch_id", get("mch_id")),
            ("nonce_str", nonce.as_str()),
        ];
        if get("mch_id") != self.mchid.as_str() {
            // The seed documents no code for this; a parameter error like the others.
            return v2_fail("PARAM_ERROR:mch_id");
        }
        match script {
            RealNameAuthScript::Fail {
                error_code,
                error_code_des,
            } => out.extend([
                ("result_code", "FAIL"),
                ("error_code", error_code.as_str()),
                ("error_code_des", error_code_des.as_str()),
            ]),
            RealNameAuthScript::Answer {
                verify_openid,
                verify_real_name,
                bind_bankcard,
            } => {
                out.extend([
                    ("result_code", "SUCCESS"),
                    ("openid", get("openid")),
                    ("access_token", get("access_token")),
                    ("verify_openid", verify_openid.as_str()),
                ]);
                if let Some(v) = verify_real_name {
                    out.push(("verify_real_name", v));
                }
                if let Some(v) = bind_bankcard {
                    out.push(("bind_bankcard", v));
                }
            }
        }
        self.v2_reply(&out, Some(sign_type))
    }

    /// `GET https://api.mch.weixin.qq.com/appauth/getaccesstoken`: checks the required query
    /// parameters, `sign_type=HMAC-SHA256`, the `sign`, `grant_type` and the merchant id, then
    /// answers `script` as unsigned JSON.
    #[must_use]
    pub fn getaccesstoken(
        &self,
        req: &http::Request<Vec<u8>>,
        script: &AccessTokenScript,
    ) -> Response<Vec<u8>> {
        if req.method() != Method::GET {
            return status_only(StatusCode::METHOD_NOT_ALLOWED);
        }
        let Some(q) = query_fields(req) else {
            return retcode_fail("参数格式错误");
        };
        if let Some(name) = missing(
            &q,
            &[
                "mch_id",
                "appid",
                "openid",
                "code",
                "grant_type",
                "scope",
                "sign_type",
                "sign",
            ],
        ) {
            return retcode_fail(&format!("缺少参数{name}"));
        }
        if q.get("sign_type") != Some(SignType::HmacSha256.as_str()) {
            return retcode_fail("sign_type must be HMAC-SHA256");
        }
        if self.check_v2_sign(&q).is_err() {
            return retcode_fail("签名错误");
        }
        if q.get("grant_type") != Some("authorization_code") {
            return retcode_fail("grant_type错误");
        }
        if q.get("mch_id") != Some(self.mchid.as_str()) {
            return retcode_fail("商户号错误");
        }
        match script {
            AccessTokenScript::Fail { retcode, retmsg } => json_response(
                &serde_json::json!({ "retcode": retcode, "retmsg": retmsg }),
                "application/json",
            ),
            AccessTokenScript::Grant {
                access_token,
                access_token_expire_in,
                refresh_token,
                refresh_token_expire_in,
                numbers_as_strings,
            } => {
                let num = |n: u64| {
                    if *numbers_as_strings {
                        serde_json::Value::from(n.to_string())
                    } else {
                        serde_json::Value::from(n)
                    }
                };
                json_response(
                    &serde_json::json!({
                        "retcode": 0,
                        "retmsg": "ok",
                        "access_token": access_token,
                        "access_token_expire_in": num(*access_token_expire_in),
                        "refresh_token": refresh_token,
                        "refresh_token_expire_in": num(*refresh_token_expire_in),
                    }),
                    "application/json",
                )
            }
        }
    }

    /// `GET https://api.mch.weixin.qq.com/cgi-bin/nameauth/nameautheasy`: empty parameter →
    /// `1000`, `src` other than [`TEST_NAMEAUTH_SRC`] → `1001`, bad MD5 `sign` under
    /// [`TEST_NAMEAUTH_KEY`] → `1002`; otherwise answers `script`, as JSON or (with
    /// `type=jsonp`) JSONP wrapped in the `callback` parameter or `callback`.
    #[must_use]
    pub fn nameautheasy(
        &self,
        req: &http::Request<Vec<u8>>,
        script: &NameAuthScript,
    ) -> Response<Vec<u8>> {
        if req.method() != Method::GET {
            return status_only(StatusCode::METHOD_NOT_ALLOWED);
        }
        let q = query_fields(req).unwrap_or_default();
        let jsonp = q.get("type") == Some("jsonp");
        let callback = q
            .get_non_empty("callback")
            .filter(|c| {
                c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    && !c.starts_with(|c: char| c.is_ascii_digit())
            })
            .unwrap_or("callback")
            .to_owned();
        let answer = |error_code: serde_json::Value, s: &str, n: &str, mask: &str| {
            let body = serde_json::json!({
                "error_code": error_code,
                "nameauth_status": s,
                "name_mask": mask,
                "notmatch_param": n,
            });
            if jsonp {
                let mut r = Response::new(format!("{callback}({body});").into_bytes());
                r.headers_mut().insert(
                    http::header::CONTENT_TYPE,
                    HeaderValue::from_static("application/javascript"),
                );
                r
            } else {
                json_response(&body, "application/json")
            }
        };
        let err = |code: i64| answer(code.into(), "", "", "");
        let six = ["appid", "creid", "cretype", "openid", "src", "truename"];
        if missing(&q, &six).is_some() || missing(&q, &["sign"]).is_some() {
            return err(1000);
        }
        if q.get("src") != Some(TEST_NAMEAUTH_SRC) {
            return err(1001);
        }
        let get = |n: &str| q.get(n).unwrap_or_default();
        let received = get("sign");
        let sign_ok = v2::sign::sign_with_key(
            six.map(|n| (n, get(n))),
            TEST_NAMEAUTH_KEY.as_bytes(),
            SignType::Md5,
        )
        .is_ok_and(|s| {
            let case_ok = match script.required_hex_case {
                None => true,
                Some(HexCase::Lower) => !received.bytes().any(|b| b.is_ascii_uppercase()),
                Some(HexCase::Upper) => !received.bytes().any(|b| b.is_ascii_lowercase()),
            };
            case_ok && s.matches(received)
        });
        if !sign_ok {
            return err(1002);
        }
        let code = if script.error_code_as_string {
            serde_json::Value::from(script.error_code.to_string())
        } else {
            serde_json::Value::from(script.error_code)
        };
        answer(
            code,
            &script.nameauth_status,
            &script.notmatch_param,
            &script.name_mask,
        )
    }

    /// Decrypt the encrypted fields of a `querymchrisk` body with the risk key (OAEP-SHA1), as
    /// WeChat Pay does before looking anything up. Exposed so tests can check what was sent.
    ///
    /// `rng` blinds the RSA decryption under RustCrypto; under `aws-lc-rs` it is not consulted.
    ///
    /// # Errors
    /// The name of the first field that does not decrypt to UTF-8.
    pub fn querymchrisk_decrypt<R: TryCryptoRng + ?Sized>(
        &self,
        fields: &Fields<'_>,
        rng: &mut R,
    ) -> Result<Vec<(&'static str, Personal)>, &'static str> {
        let mut out = Vec::new();
        for name in RISK_ENCRYPTED {
            if let Some(ct) = fields.get_non_empty(name) {
                let p = cipher::decrypt_oaep_personal(rng, &self.risk_key, ct).map_err(|_| name)?;
                out.push((name, p));
            }
        }
        Ok(out)
    }

    /// `POST https://api.mch.weixin.qq.com/mchrisk/querymchrisk`: requires the client
    /// certificate, `sign_type=HMAC-SHA256` and a valid `sign`, the merchant id and decryptable
    /// encrypted fields (every business field is optional, as the document's table says); then
    /// answers `script`, unsigned.
    ///
    /// `rng` blinds the RSA decryption under RustCrypto; under `aws-lc-rs` it is not consulted.
    pub fn querymchrisk<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        rng: &mut R,
        script: &RiskScript,
    ) -> Response<Vec<u8>> {
        if req.method() != Method::POST {
            return status_only(StatusCode::METHOD_NOT_ALLOWED);
        }
        if !has_client_certificate(req) {
            return v2_fail("请求需要双向证书");
        }
        let Ok(fields) = v2::xml::parse(req.body()) else {
            return v2_fail("XML格式错误");
        };
        if fields.get("sign_type") != Some(SignType::HmacSha256.as_str()) {
            return v2_fail("PARAM_ERROR:sign_type");
        }
        if let Err(resp) = self.check_v2_sign(&fields) {
            return resp;
        }
        if let Some(name) = missing(&fields, &["mch_id", "nonce_str"]) {
            return v2_fail(&format!("缺少参数{name}"));
        }
        // Only the fields of the seed's reply table: return_msg carries the reason.
        let fail = |reason: &str| {
            self.v2_reply_as_is(&[
                ("return_code", "SUCCESS"),
                ("return_msg", reason),
                ("result_code", "FAIL"),
                ("mch_id", self.mchid.as_str()),
            ])
        };
        if fields.get("mch_id") != Some(self.mchid.as_str()) {
            return fail("服务商号错误");
        }
        if let Err(name) = self.querymchrisk_decrypt(&fields, rng) {
            return fail(&format!("{name}解密失败"));
        }
        match script {
            RiskScript::Fail { return_msg } => fail(return_msg),
            RiskScript::Level {
                risk_level,
                risk_level_desc,
            } => self.v2_reply(
                &[
                    ("result_code", "SUCCESS"),
                    ("mch_id", self.mchid.as_str()),
                    ("risk_level", risk_level),
                    ("risk_level_desc", risk_level_desc),
                ],
                None,
            ),
        }
    }

    /// `POST https://fraud.mch.weixin.qq.com/risk/getpublickey`: requires the client
    /// certificate and a valid `sign` (MD5 or HMAC-SHA256), then serves
    /// [`Simulator::risk_public_key_pkcs1_pem`] inside CDATA, unsigned, shaped like the official
    /// sample.
    #[must_use]
    pub fn getpublickey(&self, req: &http::Request<Vec<u8>>) -> Response<Vec<u8>> {
        if req.method() != Method::POST {
            return status_only(StatusCode::METHOD_NOT_ALLOWED);
        }
        if !has_client_certificate(req) {
            return v2_fail("请求需要双向证书");
        }
        let Ok(fields) = v2::xml::parse(req.body()) else {
            return v2_fail("XML格式错误");
        };
        if let Err(resp) = self.check_v2_sign(&fields) {
            return resp;
        }
        if let Some(name) = missing(&fields, &["mch_id", "nonce_str"]) {
            return v2_fail(&format!("缺少参数{name}"));
        }
        if fields.get("mch_id") != Some(self.mchid.as_str()) {
            return self.v2_reply(
                &[
                    ("result_code", "FAIL"),
                    ("err_code", "PARAM_ERROR"),
                    ("err_code_des", "商户号错误"),
                ],
                None,
            );
        }
        let cdata = |k: &str, v: &str| format!("<{k}><![CDATA[{v}]]></{k}>\n");
        let body = [
            "<xml>\n".to_owned(),
            cdata("return_code", "SUCCESS"),
            cdata("return_msg", "OK"),
            cdata("result_code", "SUCCESS"),
            cdata("mch_id", self.mchid.as_str()),
            cdata("pub_key", &self.risk_public_key_pkcs1_pem()),
            "</xml>".to_owned(),
        ]
        .concat();
        xml_response(StatusCode::OK, body)
    }

    /// Route a request to the v2 endpoint its path names, answering with `script`'s outcome.
    /// `None` if the path is not one of the five v2 endpoints of this module nor one of the
    /// five v2 payment endpoints ([`crate::simulator::pay_v2`]); a known path on the wrong host
    /// gets a 404.
    /// `_now` is accepted for symmetry with the v3 handlers (no v2 check depends on time).
    ///
    /// `rng` draws the reply nonces and, under RustCrypto, blinds the RSA decryption of
    /// `querymchrisk` fields; under `aws-lc-rs` the RSA operations do not consult it.
    pub fn handle_v2<R: TryCryptoRng + ?Sized>(
        &self,
        req: &http::Request<Vec<u8>>,
        _now: crate::time::UnixTime,
        rng: &mut R,
        script: &Script,
    ) -> Option<Response<Vec<u8>>> {
        use crate::api::pay_v2::{closeorder, orderquery, refund, refundquery, unifiedorder};
        use crate::api::{getpublickey, nameauth, oauth, querymchrisk, realnameauth};
        let path = req.uri().path();
        let pay = [
            unifiedorder::PATH,
            orderquery::PATH,
            closeorder::PATH,
            refund::PATH,
            refundquery::PATH,
        ];
        let host = if path == realnameauth::PATH || path == getpublickey::PATH {
            FRAUD_HOST
        } else if path == nameauth::PATH
            || path == querymchrisk::PATH
            || path == oauth::GET_ACCESS_TOKEN_PATH
            || pay.contains(&path)
        {
            API_HOST
        } else {
            return None;
        };
        if req.uri().scheme_str() != Some("https") || req.uri().host() != Some(host) {
            return Some(status_only(StatusCode::NOT_FOUND));
        }
        Some(match path {
            realnameauth::PATH => self.realnameauth(req, rng, &script.realnameauth),
            getpublickey::PATH => self.getpublickey(req),
            nameauth::PATH => self.nameautheasy(req, &script.nameauth),
            querymchrisk::PATH => self.querymchrisk(req, rng, &script.querymchrisk),
            unifiedorder::PATH => self.v2_unifiedorder(req, rng, &script.pay_v2),
            orderquery::PATH => self.v2_orderquery(req, rng, &script.pay_v2),
            closeorder::PATH => self.v2_closeorder(req, rng, &script.pay_v2),
            refund::PATH => self.v2_refund(req, rng, &script.pay_v2),
            refundquery::PATH => self.v2_refundquery(req, rng, &script.pay_v2),
            _ => self.getaccesstoken(req, &script.getaccesstoken),
        })
    }
}
