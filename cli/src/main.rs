//! `wxpay`: reproduce, offline, every WeChat Pay signature, verification, encryption and parse
//! that `wechatpay-sansio` performs — the tool for "签名错误" (sign error) investigations.
//!
//! This binary is the I/O shell: it reads stdin, files, the environment and the clock, and calls
//! only the crate's public API. Exit codes: 0 ok, 1 invalid / verification failed, 2 unusable
//! input or usage.

#![forbid(unsafe_code)]

mod bill;
mod common;
mod notify;
mod parse;
mod v2;
mod v3;

use clap::{Args, Parser, Subcommand, ValueEnum};
use common::{EXIT_OK, EXIT_USAGE, Outcome, note};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use wechatpay_sansio::v2::SignType;

const TOP_HELP: &str = r#"Exit codes: 0 ok, 1 invalid (signature does not verify, wrong key, stale, garbled signature
headers, certificate outside its validity, not a valid reply), 2 unusable input or usage
(malformed input XML/JSON/PEM, missing flags, unreadable files).

Secrets: a key passed as a command-line flag is visible to other users through `ps` and lands in
shell history. Prefer --key-file / --apiv3-key-file or the WXPAY_KEY / WXPAY_APIV3_KEY
environment variables. No subcommand ever prints a key: --explain masks it as ***.

Personal data: --explain prints the values of personal fields (names, ID numbers, openids,
phone and bank card numbers, tokens, the OAuth code: real_name, cred_id, openid, mobile,
bank_card_no, access_token, code, …) as <redacted N chars> in the v2 fields, v3 query strings
and JSON bodies it shows; the sign is computed over the real values.

Example (the official v2 signing example):
  echo '{"appid":"wxd930ea5d5a258f4f","mch_id":"10000100","device_info":"1000",
         "body":"test","nonce_str":"ibuaiVcKdpRxkhJA"}' > fields.json
  export WXPAY_KEY=192006250b4c09247ec02edce69f6a2d
  wxpay v2-sign --sign-type MD5 --explain < fields.json"#;

const V2_SIGN_HELP: &str = r#"Reads a JSON object of string values (the request fields) on stdin and prints the sign in
upper-case hex. The rules: drop `sign` and empty values, sort names by bytes, join `k=v` with `&`,
append `&key=<APIv2 key>`, then MD5 or HMAC-SHA256 (keyed by the same API key).
--explain prints the canonical string (key masked as ***, personal values such as openid,
real_name or cred_id as <redacted N chars>) to stderr, with hints on common mistakes.

Example, with fields.json holding the official example
  {"appid":"wxd930ea5d5a258f4f","mch_id":"10000100","device_info":"1000",
   "body":"test","nonce_str":"ibuaiVcKdpRxkhJA"}
and apiv2.key holding 192006250b4c09247ec02edce69f6a2d:
  wxpay v2-sign --sign-type MD5 --key-file apiv2.key --explain < fields.json
  9A0A8659F005D6984697E2CA0A9CF3B7
  (stderr) canonical string (key masked): "appid=wxd930ea5d5a258f4f&body=test&…&key=***"

Passing --key on the command line exposes it to `ps`; prefer --key-file or WXPAY_KEY."#;

const V2_VERIFY_HELP: &str = r#"Reads an XML reply or notification on stdin and checks its `sign`. The algorithm is --sign-type,
else the reply's own sign_type field, else the sign's length (32 = MD5, 64 = HMAC-SHA256).
Exit 0 when valid, 1 when not (reason on stderr), 2 when the XML or the key is unusable.
--explain prints the canonical string, the computed and the received sign to stderr.

Example:
  echo '<xml><test1>test1</test1><test2>test2</test2>
        <sign>1E3A8D73B5A4AEE787C0F68B5DAB8520</sign></xml>' > reply.xml
  WXPAY_KEY=192006250b4c09247ec02edce69f6a2d wxpay v2-verify < reply.xml
  valid (MD5)

Passing --key on the command line exposes it to `ps`; prefer --key-file or WXPAY_KEY."#;

const XML2JSON_HELP: &str = r#"Reads a flat v2 XML body on stdin (CDATA and entities decoded, DOCTYPE refused) and prints a JSON
object of strings, in document order.

Example:
  echo '<xml><return_code><![CDATA[SUCCESS]]></return_code><fee>1</fee></xml>' | wxpay xml2json
  {
    "return_code": "SUCCESS",
    "fee": "1"
  }"#;

const JSON2XML_HELP: &str = r#"Reads a JSON object of string values on stdin and prints the v2 XML body the library would send
(elements sorted by name, text escaped, no CDATA).

Example:
  echo '{"total_fee":"1","body":"a<b"}' | wxpay json2xml
  <xml><body>a&lt;b</body><total_fee>1</total_fee></xml>"#;

const V3_AUTH_HELP: &str = r#"Prints the whole Authorization header value for an APIv3 request:
  WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",timestamp="…",serial_no="…",signature="…"
The signature is SHA256-with-RSA (PKCS#1 v1.5) over
  METHOD\nPATH_AND_QUERY\nTIMESTAMP\nNONCE\nBODY\n
--explain prints that canonical string to stderr. The body must be the exact bytes sent.

Example:
  wxpay v3-authorization --mchid 1900009191 --serial 5F1C72E2A8931B72A2E13AF8DEE92471EB397115 \
    --private-key apiclient_key.pem --method POST --url /v3/pay/transactions/jsapi \
    --timestamp 1624523846 --nonce A1B2C3D4E5F6G7 --body-file body.json --explain"#;

const V3_SIGN_HELP: &str = r#"Signs arbitrary bytes (stdin, or --message-file) with SHA256-with-RSA (PKCS#1 v1.5) and prints the
base64 signature: the primitive under v3 Authorization headers and front-end pay signatures.

Example:
  printf source | wxpay v3-sign --private-key apiclient_key.pem"#;

const V3_VERIFY_HELP: &str = r#"Verifies a WeChat Pay v3 response or notification signature: SHA256-with-RSA over
  TIMESTAMP\nNONCE\nBODY\n
with the platform certificate or the WeChat Pay public key. Exit 0 when valid, 1 when not (bad
signature, stale timestamp, unknown serial, garbled or missing signature headers, a certificate
outside its validity at --now, or a WECHATPAY/SIGNTEST/ probe, which must be rejected), 2 when
files, keys or flags are unusable. Without --now the system clock is used.
Headers can be given as flags or as a file of `Name: value` lines (--headers-file).

Example:
  wxpay v3-verify --certificate wechatpay_cert.pem --timestamp 1624523846 \
    --nonce EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz --signature 'tJHIiIS9…==' \
    --body-file body.json --now 1624523846
  wxpay v3-verify --public-key pub_key.pem --headers-file headers.txt --body-file body.json"#;

const ENCRYPT_HELP: &str = r#"Encrypts a sensitive field (a name, an ID number) for WeChat Pay and prints the base64 ciphertext.
The PEM may be an SPKI public key (BEGIN PUBLIC KEY), a PKCS#1 key (BEGIN RSA PUBLIC KEY, as served
by risk/getpublickey) or an X.509 platform certificate (BEGIN CERTIFICATE).
Padding: oaep (RSAES-OAEP SHA-1, v3 APIs and querymchrisk) or pkcs1 (RSAES-PKCS1-v1_5, the apihk
customs API). Give - as PLAINTEXT to read it from stdin (one trailing newline dropped) so that it
does not appear in `ps` or shell history.

Example:
  printf '张三' | wxpay encrypt --public-key wechatpay_cert.pem -"#;

const DECRYPT_HELP: &str = r#"Decrypts an AEAD_AES_256_GCM resource (notification `resource`, certificate download) with the
APIv3 key and prints the plaintext followed by a newline. Exit 1 when authentication fails (wrong
APIv3 key, or altered nonce / associated data / ciphertext), 2 for unusable input.

Example:
  WXPAY_APIV3_KEY=a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb wxpay decrypt-resource \
    --nonce uluk4a9R25RW --associated-data associatedData \
    --ciphertext ulwSiIajGClcvcOYvOQ7+l+0PAbzzwI=
  message

  wxpay decrypt-resource --apiv3-key-file apiv3.key --resource-file notification.json

Passing --apiv3-key on the command line exposes it to `ps`; prefer --apiv3-key-file or
WXPAY_APIV3_KEY."#;

const PARSE_HELP: &str = r#"Reads a reply body of the named API on stdin and prints the typed outcome as JSON:
  {"api": …, "outcome": "success" | "return_fail" | "business_fail" | "service_error" | "error",
   "authenticated": true when a signature was checked, …the outcome's fields}
Personal data (names, ID numbers, name_mask, an error's offending value) shows as <redacted>.
v3 error replies: the code, status, detail.field and detail.location are printed; message and
detail.issue are free-form texts that may quote the value sent (a name, an ID number), so they
show as <redacted> unless --show-messages.
A well-formed error reply of the API is an outcome too (exit 0). Exit 1 when the body is not a
valid reply of that API (malformed, missing fields, bad signature, stale timestamp, an echoed id
that differs from --mch-id/--appid/--openid), 2 when flags, keys or files cannot be used.

Keys: realnameauth replies are signed with the APIv2 key (--key-file, WXPAY_KEY; --sign-type of
the request, default: the sign's length). nameauth and querymchrisk replies are unsigned.
customs-verify and pre-entrust 2xx replies are always verified: give --certificate or
--public-key, --headers-file with the reply's Wechatpay-* headers, and --now for an old reply;
error replies (--status 4xx/5xx) can be read without them.

Notifications: pay-notify reads a v2 payment notification (XML) with the APIv2 key and
--sign-type, the sign type of your orders (default: the notification's sign_type, else the sign's
length: WeChat Pay omits sign_type for HMAC-SHA256 orders); outcome success / business_fail
(verified) / return_fail (unsigned by design). notify reads a v3 notification: --headers-file,
--certificate or --public-key, --now, and the APIv3 key (--apiv3-key-file, WXPAY_APIV3_KEY); it
prints the envelope and the decrypted resource with personal members as <redacted>. Both print
the idempotency key (v2 transaction_id, v3 id): a replayed notification verifies again.
refund-notify reads a v2 refund notification (XML): it has NO signature; req_info is decrypted
with the APIv2 key (AES-256-ECB under its MD5), which proves only knowledge of the key, so it
prints "authenticated": false: query the refund (refundquery, or v3 GET
/v3/refund/domestic/refunds/{out_refund_no}) before acting. --appid / --mch-id must equal the
notification's when given. refund_recv_accout shows as <redacted>; the idempotency key is
refund_id. Exit 1 when req_info does not decrypt, is not the documented XML, or an id differs.

Example:
  wxpay parse realnameauth --key-file apiv2.key --sign-type HMAC-SHA256 < reply.xml
  wxpay parse querymchrisk --mch-id 1900000109 < reply.xml
  wxpay parse customs-verify --status 200 --headers-file headers.txt \
    --certificate wechatpay_cert.pem --now 1700000000 < reply.json
  wxpay parse pre-entrust --status 400 < error.json
  wxpay parse pay-notify --key-file apiv2.key --sign-type HMAC-SHA256 < notification.xml
  wxpay parse refund-notify --key-file apiv2.key --mch-id 1900000109 < refund_notification.xml
  wxpay parse notify --headers-file headers.txt --certificate wechatpay_cert.pem \
    --apiv3-key-file apiv3.key --now 1700000000 < notification.json"#;

const BILL_VERIFY_HELP: &str = r#"Checks a downloaded bill (交易账单 / 资金账单, the body of GET download_url) read on stdin
against the hash_type and hash_value of its signed apply reply. The digest is of the ORIGINAL
bill: with --gzip (the bill was applied for with tar_type=GZIP) the download is inflated first.
stdin is read in 64 KiB chunks: any size, constant memory. Nothing is printed but the verdict.
Exit 0 when the bill matches, 1 when it does not or the GZIP stream is corrupt or truncated
(download it again; do not import it), 2 for unusable flags (a hash_value that is not 40
hexadecimal digits, a hash type other than SHA1) or an unreadable stdin.

Example:
  curl -s … https://api.mch.weixin.qq.com/v3/billdownload/file?token=… > bill.gz
  wxpay bill-verify --hash-type SHA1 \
    --hash-value 79bb0f45fc4c42234a918000b2668d689e2bde04 --gzip < bill.gz
  match (SHA1 of the original bill)"#;

/// Reproduce WeChat Pay (微信支付) signatures, verifications, encryption and parsing offline.
#[derive(Parser, Debug)]
#[command(name = "wxpay", version, after_help = TOP_HELP)]
pub struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Compute a v2 sign (MD5 / HMAC-SHA256) of JSON fields read on stdin.
    #[command(after_help = V2_SIGN_HELP)]
    V2Sign {
        /// The v2 signature algorithm.
        #[arg(long, value_enum)]
        sign_type: SignTypeArg,
        #[command(flatten)]
        key: V2KeyArgs,
        /// Print the canonical string (key masked) and hints to stderr.
        #[arg(long)]
        explain: bool,
    },
    /// Verify the sign of a v2 XML reply or notification read on stdin.
    #[command(after_help = V2_VERIFY_HELP)]
    V2Verify {
        #[command(flatten)]
        key: V2KeyArgs,
        /// The algorithm of the request this answers (default: the reply's sign_type, else the length rule).
        #[arg(long, value_enum)]
        sign_type: Option<SignTypeArg>,
        /// Print the canonical string, the computed and the received sign to stderr.
        #[arg(long)]
        explain: bool,
    },
    /// Convert a flat v2 XML body (stdin) to a JSON object of strings.
    #[command(name = "xml2json", after_help = XML2JSON_HELP)]
    Xml2json,
    /// Convert a JSON object of strings (stdin) to a v2 XML body.
    #[command(name = "json2xml", after_help = JSON2XML_HELP)]
    Json2xml,
    /// Build the v3 Authorization header value for a request.
    #[command(after_help = V3_AUTH_HELP)]
    V3Authorization(V3AuthorizationArgs),
    /// Sign arbitrary bytes with SHA256-with-RSA (base64 output).
    #[command(after_help = V3_SIGN_HELP)]
    V3Sign(V3SignArgs),
    /// Verify a v3 response or notification signature.
    #[command(after_help = V3_VERIFY_HELP)]
    V3Verify(V3VerifyArgs),
    /// RSA-encrypt a sensitive field (OAEP or PKCS#1 v1.5).
    #[command(after_help = ENCRYPT_HELP)]
    Encrypt(EncryptArgs),
    /// Decrypt an AES-256-GCM resource with the APIv3 key.
    #[command(after_help = DECRYPT_HELP)]
    DecryptResource(DecryptResourceArgs),
    /// Parse a reply of an identity-verification API, or a notification, into its typed outcome (JSON).
    #[command(after_help = PARSE_HELP)]
    Parse(ParseArgs),
    /// Check a downloaded bill on stdin against the SHA1 of its signed apply reply.
    #[command(after_help = BILL_VERIFY_HELP)]
    BillVerify(BillVerifyArgs),
}

/// `bill-verify` arguments.
#[derive(Args, Debug)]
pub struct BillVerifyArgs {
    /// The apply reply's hash_type (SHA1).
    #[arg(long, value_name = "TYPE")]
    pub hash_type: String,
    /// The apply reply's hash_value (40 hexadecimal digits).
    #[arg(long, value_name = "HEX")]
    pub hash_value: String,
    /// The download is GZIP (the apply request had tar_type=GZIP).
    #[arg(long)]
    pub gzip: bool,
}

/// `--sign-type`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignTypeArg {
    /// MD5 (32 hex characters).
    #[value(name = "MD5")]
    Md5,
    /// HMAC-SHA256 (64 hex characters; note the hyphen).
    #[value(name = "HMAC-SHA256")]
    HmacSha256,
}

impl From<SignTypeArg> for SignType {
    fn from(t: SignTypeArg) -> Self {
        match t {
            SignTypeArg::Md5 => SignType::Md5,
            SignTypeArg::HmacSha256 => SignType::HmacSha256,
        }
    }
}

/// Where the APIv2 key comes from.
#[derive(Args, Debug)]
pub struct V2KeyArgs {
    /// The APIv2 key (32 characters). Visible to `ps`: prefer --key-file or the WXPAY_KEY
    /// environment variable (used when neither --key nor --key-file is given).
    #[arg(long, value_name = "KEY")]
    pub key: Option<String>,
    /// A file holding the APIv2 key (one trailing newline ignored).
    #[arg(long, value_name = "FILE", conflicts_with = "key")]
    pub key_file: Option<PathBuf>,
}

/// Where the APIv3 key comes from.
#[derive(Args, Debug)]
pub struct V3KeyArgs {
    /// The APIv3 key (32 bytes). Visible to `ps`: prefer --apiv3-key-file or the
    /// WXPAY_APIV3_KEY environment variable.
    #[arg(
        long,
        env = "WXPAY_APIV3_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub apiv3_key: Option<String>,
    /// A file holding the APIv3 key (one trailing newline ignored).
    #[arg(long, value_name = "FILE", conflicts_with = "apiv3_key")]
    pub apiv3_key_file: Option<PathBuf>,
}

/// `v3-authorization` arguments.
#[derive(Args, Debug)]
pub struct V3AuthorizationArgs {
    /// The merchant id (mchid).
    #[arg(long, value_name = "ID")]
    pub mchid: String,
    /// The serial number of the merchant API certificate (hex).
    #[arg(long, value_name = "SERIAL")]
    pub serial: String,
    /// The merchant private key (apiclient_key.pem; PKCS#8 or PKCS#1).
    #[arg(long, value_name = "PEM_FILE")]
    pub private_key: PathBuf,
    /// The HTTP method, as sent (GET, POST, …).
    #[arg(long, value_name = "METHOD")]
    pub method: String,
    /// The path and query as sent, e.g. /v3/certificates?a=b (no scheme or host).
    #[arg(long, value_name = "PATH_AND_QUERY")]
    pub url: String,
    /// Unix time in seconds.
    #[arg(long, value_name = "SECS")]
    pub timestamp: u64,
    /// The request nonce ([0-9A-Za-z], at most 32).
    #[arg(long, value_name = "NONCE")]
    pub nonce: String,
    /// The exact request body bytes (default: empty, as for GET).
    #[arg(long, value_name = "FILE")]
    pub body_file: Option<PathBuf>,
    /// Print the canonical string to stderr.
    #[arg(long)]
    pub explain: bool,
}

/// `v3-sign` arguments.
#[derive(Args, Debug)]
pub struct V3SignArgs {
    /// The private key (PKCS#8 or PKCS#1 PEM).
    #[arg(long, value_name = "PEM_FILE")]
    pub private_key: PathBuf,
    /// The message bytes (default: stdin).
    #[arg(long, value_name = "FILE")]
    pub message_file: Option<PathBuf>,
    /// Print the message to stderr.
    #[arg(long)]
    pub explain: bool,
}

/// `v3-verify` arguments.
#[derive(Args, Debug)]
#[command(group = clap::ArgGroup::new("verify_key").required(true).args(["public_key", "certificate"]))]
pub struct V3VerifyArgs {
    /// The WeChat Pay public key (SPKI, PKCS#1, or a certificate: then only within its validity
    /// at --now, filed under the id the headers name).
    #[arg(long, value_name = "PEM_FILE")]
    pub public_key: Option<PathBuf>,
    /// The WeChat Pay platform certificate.
    #[arg(long, value_name = "PEM_FILE")]
    pub certificate: Option<PathBuf>,
    /// Wechatpay-Timestamp, exactly as received.
    #[arg(long, value_name = "SECS", required_unless_present = "headers_file")]
    pub timestamp: Option<String>,
    /// Wechatpay-Nonce.
    #[arg(long, value_name = "NONCE", required_unless_present = "headers_file")]
    pub nonce: Option<String>,
    /// Wechatpay-Signature (base64).
    #[arg(
        long,
        value_name = "BASE64",
        required_unless_present = "headers_file",
        allow_hyphen_values = true
    )]
    pub signature: Option<String>,
    /// Wechatpay-Serial (default: the certificate's serial, or a placeholder id for a bare key).
    #[arg(long, value_name = "ID")]
    pub serial: Option<String>,
    /// A file of `Name: value` header lines instead of --timestamp/--nonce/--signature/--serial.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["timestamp", "nonce", "signature", "serial"])]
    pub headers_file: Option<PathBuf>,
    /// The exact body bytes.
    #[arg(long, value_name = "FILE")]
    pub body_file: PathBuf,
    /// "Now" in Unix seconds (default: the system clock).
    #[arg(long, value_name = "SECS")]
    pub now: Option<u64>,
    /// Largest accepted distance between Wechatpay-Timestamp and now, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub max_skew: u64,
    /// Print the canonical string to stderr.
    #[arg(long)]
    pub explain: bool,
}

/// `--padding`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PaddingArg {
    /// RSAES-OAEP with SHA-1 and MGF1-SHA-1.
    Oaep,
    /// RSAES-PKCS1-v1_5.
    Pkcs1,
}

/// `encrypt` arguments.
#[derive(Args, Debug)]
pub struct EncryptArgs {
    /// The recipient key: SPKI, PKCS#1 or X.509 certificate PEM.
    #[arg(long, value_name = "PEM_FILE")]
    pub public_key: PathBuf,
    /// The padding scheme.
    #[arg(long, value_enum, default_value_t = PaddingArg::Oaep)]
    pub padding: PaddingArg,
    /// The value to encrypt, or - to read it from stdin.
    #[arg(value_name = "PLAINTEXT", allow_hyphen_values = true)]
    pub plaintext: String,
}

/// `decrypt-resource` arguments.
#[derive(Args, Debug)]
pub struct DecryptResourceArgs {
    #[command(flatten)]
    pub apiv3: V3KeyArgs,
    /// The resource nonce (12 characters).
    #[arg(long, value_name = "NONCE", required_unless_present = "resource_file")]
    pub nonce: Option<String>,
    /// The associated data (default: empty).
    #[arg(long, value_name = "AD")]
    pub associated_data: Option<String>,
    /// base64 of ciphertext ‖ tag.
    #[arg(
        long,
        value_name = "B64",
        allow_hyphen_values = true,
        required_unless_present = "resource_file"
    )]
    pub ciphertext: Option<String>,
    /// A JSON file holding a whole notification body or just its `resource` object, instead of
    /// --nonce / --associated-data / --ciphertext.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["nonce", "associated_data", "ciphertext"])]
    pub resource_file: Option<PathBuf>,
}

/// The APIs `parse` knows.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseApi {
    /// v2 微信支付实名验证 (secsvc/realnameauth), XML.
    Realnameauth,
    /// legacy 实名认证查询 (cgi-bin/nameauth/nameautheasy), JSON / JSONP.
    Nameauth,
    /// v3 身份信息校验 (v3/global/customs/verify-certificate), JSON.
    CustomsVerify,
    /// v3 预签约 with real-name identity (pre-entrust-sign…/mini-program), JSON.
    PreEntrust,
    /// v2 风险商户核查 (mchrisk/querymchrisk), XML.
    Querymchrisk,
    /// A v2 payment result notification (支付结果通知), XML.
    PayNotify,
    /// A v2 refund result notification (退款结果通知), XML: unsigned, req_info decrypted.
    RefundNotify,
    /// A v3 notification (TRANSACTION.SUCCESS, REFUND.*, …): verified, then decrypted.
    Notify,
}

impl ParseApi {
    /// The command-line spelling.
    pub fn name(self) -> &'static str {
        match self {
            Self::Realnameauth => "realnameauth",
            Self::Nameauth => "nameauth",
            Self::CustomsVerify => "customs-verify",
            Self::PreEntrust => "pre-entrust",
            Self::Querymchrisk => "querymchrisk",
            Self::PayNotify => "pay-notify",
            Self::RefundNotify => "refund-notify",
            Self::Notify => "notify",
        }
    }
}

/// `parse` arguments.
#[derive(Args, Debug)]
pub struct ParseArgs {
    /// Which API the reply belongs to.
    #[arg(value_enum)]
    pub api: ParseApi,
    /// The HTTP status of the reply.
    #[arg(long, value_name = "CODE", default_value_t = 200)]
    pub status: u16,
    /// A file of `Name: value` reply header lines (v3 APIs: Wechatpay-* signature headers).
    #[arg(long, value_name = "FILE")]
    pub headers_file: Option<PathBuf>,
    #[command(flatten)]
    pub key: V2KeyArgs,
    /// The WeChat Pay public key, to verify v3 reply signatures (a certificate PEM is used only
    /// within its validity at --now).
    #[arg(long, value_name = "PEM_FILE", conflicts_with = "certificate")]
    pub public_key: Option<PathBuf>,
    /// The WeChat Pay platform certificate, to verify v3 reply signatures.
    #[arg(long, value_name = "PEM_FILE")]
    pub certificate: Option<PathBuf>,
    /// "Now" in Unix seconds for v3 timestamp checks (default: the system clock).
    #[arg(long, value_name = "SECS")]
    pub now: Option<u64>,
    /// The sign type of the request this reply answers (v2 signed replies).
    #[arg(long, value_enum)]
    pub sign_type: Option<SignTypeArg>,
    /// The mch_id of the request, which the reply must echo.
    #[arg(long, value_name = "ID")]
    pub mch_id: Option<String>,
    /// The appid of the request, which the reply must echo.
    #[arg(long, value_name = "APPID")]
    pub appid: Option<String>,
    /// The openid of the request, which the reply must echo.
    #[arg(long, value_name = "OPENID")]
    pub openid: Option<String>,
    /// Print a v3 error reply's message and detail.issue as received (they may quote the value
    /// sent: a name, an ID number); without it they show as `<redacted>`.
    #[arg(long)]
    pub show_messages: bool,
    #[command(flatten)]
    pub apiv3: V3KeyArgs,
}

fn run(cli: Cli) -> Outcome {
    match cli.cmd {
        Cmd::V2Sign {
            sign_type,
            key,
            explain,
        } => v2::v2_sign(sign_type, &key, explain),
        Cmd::V2Verify {
            key,
            sign_type,
            explain,
        } => v2::v2_verify(sign_type, &key, explain),
        Cmd::Xml2json => v2::xml2json(),
        Cmd::Json2xml => v2::json2xml(),
        Cmd::V3Authorization(a) => v3::v3_authorization(&a),
        Cmd::V3Sign(a) => v3::v3_sign(&a),
        Cmd::V3Verify(a) => v3::v3_verify(&a),
        Cmd::Encrypt(a) => v3::encrypt(&a),
        Cmd::DecryptResource(a) => v3::decrypt_resource(&a),
        Cmd::Parse(a) => parse::parse(&a),
        Cmd::BillVerify(a) => bill::bill_verify(&a),
    }
}

/// A clap error as one `wxpay: …` line (help and version go to stdout unchanged).
fn clap_failure(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::from(EXIT_OK)
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::from(EXIT_USAGE)
        }
        _ => {
            let text = e.render().to_string();
            // clap's message is the lines before "Usage:"; make it one line.
            let message: Vec<&str> = text
                .lines()
                .take_while(|l| !l.starts_with("Usage:"))
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
                .collect();
            let joined = message.join(" ");
            let first = joined.strip_prefix("error: ").unwrap_or(&joined);
            let first = if first.is_empty() {
                "invalid command line"
            } else {
                first
            };
            note(format_args!("wxpay: {first} (see wxpay --help)"));
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn main() -> ExitCode {
    // Last resort: a panic is reported as one line, never with a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
            .unwrap_or("unknown");
        note(format_args!("wxpay: internal error (please report): {msg}"));
    }));
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => return clap_failure(&e),
    };
    let result = std::panic::catch_unwind(|| run(cli));
    match result {
        Ok(Ok(out)) => {
            let mut stdout = std::io::stdout().lock();
            match stdout.write_all(&out).and_then(|()| stdout.flush()) {
                Ok(()) => ExitCode::from(EXIT_OK),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(EXIT_OK),
                Err(e) => {
                    note(format_args!("wxpay: cannot write to standard output: {e}"));
                    ExitCode::from(EXIT_USAGE)
                }
            }
        }
        Ok(Err(failure)) => {
            note(format_args!("wxpay: {}", failure.message()));
            ExitCode::from(failure.exit_code())
        }
        Err(_) => ExitCode::from(EXIT_USAGE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::Failure;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn every_subcommand_has_an_example() {
        for sub in Cli::command().get_subcommands() {
            let help = sub
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default();
            assert!(
                help.contains("Example"),
                "{} has no example",
                sub.get_name()
            );
        }
    }

    #[test]
    fn help_lines_fit_the_default_width() {
        let mut texts = vec![
            Cli::command()
                .get_after_help()
                .map(|h| h.to_string())
                .unwrap_or_default(),
        ];
        for sub in Cli::command().get_subcommands() {
            texts.push(
                sub.get_after_help()
                    .map(|h| h.to_string())
                    .unwrap_or_default(),
            );
        }
        for t in texts {
            for l in t.lines() {
                assert!(l.chars().count() <= 100, "help line too long: {l}");
            }
        }
    }

    #[test]
    fn failures_map_to_exit_codes() {
        assert_eq!(Failure::invalid("x").exit_code(), 1);
        assert_eq!(Failure::usage("x").exit_code(), 2);
    }
}
