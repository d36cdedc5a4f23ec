//! The embedded browser app, compressed at build time (see `server/build.rs`).
//!
//! The entry page is revalidated on every load (`no-cache` with an `ETag`: a reload costs one
//! `304`). It loads the app from `/a/<hash>/...`, an address that names this build's content,
//! so those files are cached for a year and never asked for again; the next version has
//! another hash. A stale hash is answered `404` rather than with files of another version
//! that would not fit the modules already running (the app then asks to reload).

use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// One file of the browser app, with its precompressed forms.
pub(super) struct Asset {
    pub path: &'static str,
    pub body: &'static [u8],
    pub gzip: Option<&'static [u8]>,
    pub brotli: Option<&'static [u8]>,
    pub etag: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/web_client_files.rs"));

/// Files under the hashed prefix: the address changes with the content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else: use the copy only after asking whether it is still current.
const REVALIDATE: &str = "no-cache";

pub(super) async fn serve(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path();
    if let Some(rest) = path.strip_prefix("/a/") {
        let Some((hash, file_path)) = rest.split_once('/') else {
            return not_found();
        };
        if hash != APP_HASH {
            return not_found();
        }
        return file(&format!("/{file_path}"), &headers, IMMUTABLE);
    }
    let path = match path {
        "/" => "/index.html",
        p => p,
    };
    file(path, &headers, REVALIDATE)
}

/// The app's entry page, for every route the app handles itself (e.g. `/join/{code}`).
pub(super) fn index(headers: &HeaderMap) -> Response {
    file("/index.html", headers, REVALIDATE)
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE))],
        "not found\n",
    )
        .into_response()
}

fn file(path: &str, headers: &HeaderMap, cache: &'static str) -> Response {
    let Some(asset) = FILES.iter().find(|a| a.path == path) else {
        return not_found();
    };
    let etag = HeaderValue::from_static(asset.etag);
    let mut response = if not_modified(headers, asset.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let (body, encoding) = match Encoding::preferred(headers) {
            Encoding::Brotli if asset.brotli.is_some() => (asset.brotli, Some("br")),
            Encoding::Brotli | Encoding::Gzip if asset.gzip.is_some() => (asset.gzip, Some("gzip")),
            _ => (None, None),
        };
        let mut response = body.unwrap_or(asset.body).into_response();
        let h = response.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime(path)));
        if let Some(encoding) = encoding {
            h.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        response
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, etag);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if asset.gzip.is_some() || asset.brotli.is_some() {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

fn mime(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json") => "application/json",
        Some("webmanifest") => "application/manifest+json",
        _ => "text/plain; charset=utf-8",
    }
}

/// `If-None-Match` names the current version (or `*`).
fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == etag || tag == "*")
}

/// The best encoding the client accepts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    fn preferred(headers: &HeaderMap) -> Encoding {
        let mut br = false;
        let mut gzip = false;
        for value in headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            for item in value.split(',') {
                let mut parts = item.split(';');
                let name = parts.next().unwrap_or("").trim().to_ascii_lowercase();
                let refused = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                if refused {
                    continue;
                }
                match name.as_str() {
                    "br" => br = true,
                    "gzip" | "x-gzip" => gzip = true,
                    _ => {}
                }
            }
        }
        if br {
            Encoding::Brotli
        } else if gzip {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).expect("valid"),
        );
        h
    }

    #[test]
    fn picks_the_best_accepted_encoding() {
        assert_eq!(
            Encoding::preferred(&accept("gzip, deflate, br")),
            Encoding::Brotli
        );
        assert_eq!(
            Encoding::preferred(&accept("gzip, deflate")),
            Encoding::Gzip
        );
        assert_eq!(
            Encoding::preferred(&accept("br;q=0, gzip;q=0.5")),
            Encoding::Gzip
        );
        assert_eq!(Encoding::preferred(&accept("identity")), Encoding::Identity);
        assert_eq!(Encoding::preferred(&HeaderMap::new()), Encoding::Identity);
    }

    #[test]
    fn every_text_file_is_precompressed_and_the_entry_page_uses_the_hash() {
        for asset in FILES {
            if asset.body.len() > 1024 && !asset.path.ends_with(".png") {
                assert!(asset.gzip.is_some(), "{} has a gzip form", asset.path);
                assert!(asset.brotli.is_some(), "{} has a brotli form", asset.path);
            }
        }
        let index = FILES
            .iter()
            .find(|a| a.path == "/index.html")
            .expect("index");
        let html = std::str::from_utf8(index.body).expect("utf-8");
        assert!(html.contains(&format!("\"/a/{APP_HASH}/src/main.js\"")));
        assert!(html.contains(&format!("\"/a/{APP_HASH}/styles/app.css\"")));
    }

    #[test]
    fn a_matching_etag_is_not_modified() {
        let mut h = HeaderMap::new();
        h.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"x\", W/\"abc\""),
        );
        assert!(not_modified(&h, "\"abc\""));
        assert!(!not_modified(&h, "\"abd\""));
    }
}
