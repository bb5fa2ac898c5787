//! A local stand-in for WeChat Pay over real HTTP, shared by the HTTP-client examples and
//! `tests/loopback.rs`: the crate's [`Simulator`] behind a `tiny_http` server on
//! `127.0.0.1:<random port>`. TEST ONLY keys; nothing here talks to any other host.
//!
//! The wire protocol between a client and this server:
//! - the client sends to `http://127.0.0.1:PORT` + the original path and query, and names the
//!   original host in [`ORIGINAL_HOST`] (the simulator checks that each API is called on its own
//!   host, e.g. `apihk.mch.weixin.qq.com` for customs);
//! - the loopback has no TLS, so a request that needs the merchant's client certificate
//!   ([`wechatpay_sansio::request::Request::requires_client_certificate`]) says so with
//!   [`CLIENT_CERTIFICATE`]; the server treats that as "the certificate was presented".
//!
//! The server stops by itself after `max_requests` requests or when its deadline passes.

#![allow(dead_code)] // each user of this module uses a different part of it

use std::io::{Cursor, Read};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use wechatpay_sansio::http;
use wechatpay_sansio::rand_core::SeedableRng;
use wechatpay_sansio::request::{ClientCertificateRequired, ResponseRef};
use wechatpay_sansio::simulator::{Script, Simulator};
use wechatpay_sansio::time::UnixTime;

/// Header naming the host the request was built for (`api.mch.weixin.qq.com`, …).
pub const ORIGINAL_HOST: &str = "x-original-host";
/// Header standing in for a presented TLS client certificate (value `presented`).
pub const CLIENT_CERTIFICATE: &str = "x-client-certificate";
/// A reply as the client received it: what [`ResponseRef`] borrows.
pub struct Reply {
    /// HTTP status.
    pub status: http::StatusCode,
    /// Headers as received.
    pub headers: http::HeaderMap,
    /// The raw body.
    pub body: Vec<u8>,
}

impl Reply {
    /// The borrowed view the crate's parsers take.
    pub fn as_ref(&self) -> ResponseRef<'_> {
        ResponseRef::new(self.status, &self.headers, &self.body)
    }
}

/// Point a request built for WeChat Pay at the loopback server at `base`
/// (`http://127.0.0.1:PORT`): the original path and query, the original host in
/// [`ORIGINAL_HOST`]. (A request that needs the client certificate gets [`CLIENT_CERTIFICATE`]
/// only where the caller says it presented one: `presented`.)
pub fn to_loopback(
    mut req: http::Request<Vec<u8>>,
    base: &str,
    presented: bool,
) -> Result<http::Request<Vec<u8>>, Box<dyn std::error::Error + Send + Sync>> {
    let host = req
        .uri()
        .authority()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.to_string())
        .unwrap_or_default();
    *req.uri_mut() = format!("{base}{path}").parse()?;
    let headers = req.headers_mut();
    headers.insert(ORIGINAL_HOST, http::HeaderValue::from_str(&host)?);
    if presented {
        headers.insert(
            CLIENT_CERTIFICATE,
            http::HeaderValue::from_static("presented"),
        );
    }
    Ok(req)
}

/// Largest request body the server reads.
const MAX_BODY: u64 = 1 << 20;

/// What the server answers, and how.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Outcomes of the APIs (v2 and v3).
    pub script: Script,
    /// "Now" for the simulator's v3 checks and reply timestamps.
    pub now: UnixTime,
    /// Send replies whose path contains one of these with `Transfer-Encoding: chunked`
    /// (all others with `Content-Length`).
    pub chunked_paths: Vec<&'static str>,
    /// The simulator to serve (a clone shares its order book with the caller, who can then
    /// `pay` and `complete_refund`); a fresh one when `None`.
    pub simulator: Option<Simulator>,
}

/// One request the server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// The path (without the query).
    pub path: String,
    /// The status sent.
    pub status: u16,
    /// Whether the body went out chunked.
    pub chunked: bool,
}

/// A running server.
pub struct Loopback {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    handle: JoinHandle<Vec<Served>>,
}

impl Loopback {
    /// Start a server that answers at most `max_requests` requests within `deadline`.
    pub fn start(config: Config, max_requests: usize, deadline: Duration) -> std::io::Result<Self> {
        let server = tiny_http::Server::http("127.0.0.1:0").map_err(std::io::Error::other)?;
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or_else(|| std::io::Error::other("no TCP address"))?;
        let handle = std::thread::spawn(move || serve(&server, &config, max_requests, deadline));
        Ok(Self {
            base: format!("http://127.0.0.1:{port}"),
            handle,
        })
    }

    /// Wait for the server to stop (request budget used up, or deadline) and list what it served.
    pub fn finish(self) -> Vec<Served> {
        self.handle.join().unwrap_or_default()
    }
}

fn serve(
    server: &tiny_http::Server,
    config: &Config,
    max_requests: usize,
    deadline: Duration,
) -> Vec<Served> {
    let sim = config.simulator.clone().unwrap_or_default();
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(0x5eed);
    let end = Instant::now() + deadline;
    let mut served = Vec::new();
    while served.len() < max_requests {
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        let mut req = match server.recv_timeout(left) {
            Ok(Some(r)) => r,
            Ok(None) | Err(_) => break,
        };
        let path = req.url().split('?').next().unwrap_or_default().to_owned();
        // The simulator answers unknown paths with 404 itself; without the original host the
        // request cannot be routed at all.
        let reply = match to_http(&mut req) {
            Some(http_req) => sim.handle(&http_req, config.now, &mut rng, &config.script),
            None => {
                let mut r = http::Response::new(b"missing x-original-host".to_vec());
                *r.status_mut() = http::StatusCode::NOT_FOUND;
                r
            }
        };
        let chunked = config.chunked_paths.iter().any(|p| path.contains(p));
        let status = reply.status().as_u16();
        if respond(req, reply, chunked).is_ok() {
            served.push(Served {
                path,
                status,
                chunked,
            });
        }
    }
    served
}

/// The received request as the `http::Request` the client built: `https://` + the original host
/// + path and query, the headers (minus the loopback's own), the body.
fn to_http(req: &mut tiny_http::Request) -> Option<http::Request<Vec<u8>>> {
    let header = |name: &'static str| {
        req.headers()
            .iter()
            .find(|h| h.field.equiv(name))
            .map(|h| h.value.as_str().to_owned())
    };
    let host = header(ORIGINAL_HOST)?;
    let client_cert = header(CLIENT_CERTIFICATE).as_deref() == Some("presented");
    let mut builder = http::Request::builder()
        .method(req.method().as_str())
        .uri(format!("https://{host}{}", req.url()));
    for h in req.headers() {
        let name = h.field.as_str().as_str();
        let own = [
            ORIGINAL_HOST,
            CLIENT_CERTIFICATE,
            "host",
            "content-length",
            "connection",
        ];
        if !own.iter().any(|o| name.eq_ignore_ascii_case(o)) {
            builder = builder.header(name, h.value.as_str());
        }
    }
    let mut body = Vec::new();
    req.as_reader().take(MAX_BODY).read_to_end(&mut body).ok()?;
    let mut http_req = builder.body(body).ok()?;
    if client_cert {
        http_req.extensions_mut().insert(ClientCertificateRequired);
    }
    Some(http_req)
}

/// `wechatpay-signature` → `Wechatpay-Signature`: the case WeChat Pay's servers use, so that
/// clients are shown to look headers up case-insensitively.
fn title_case(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn respond(
    req: tiny_http::Request,
    reply: http::Response<Vec<u8>>,
    chunked: bool,
) -> std::io::Result<()> {
    let (parts, body) = reply.into_parts();
    let headers = parts
        .headers
        .iter()
        .filter(|(n, _)| {
            *n != http::header::CONTENT_LENGTH && *n != http::header::TRANSFER_ENCODING
        })
        .filter_map(|(n, v)| {
            tiny_http::Header::from_bytes(title_case(n.as_str()).as_bytes(), v.as_bytes()).ok()
        })
        .collect();
    let len = body.len();
    // tiny_http sends a body of unknown length chunked (HTTP/1.1), a known one with
    // Content-Length (the chunking threshold is raised above any reply here).
    let response = tiny_http::Response::new(
        tiny_http::StatusCode(parts.status.as_u16()),
        headers,
        Cursor::new(body),
        (!chunked).then_some(len),
        None,
    )
    .with_chunked_threshold(usize::MAX);
    req.respond(response)
}
