//! Embeds the browser app (`web-client/`) into the binary, so `kring` serves it with no build
//! step and no separate web server.
//!
//! Every file is also compressed here, once, with gzip and brotli at their strongest settings
//! (a request then costs no compression work), and the whole app gets a content hash. The
//! entry page refers to the app under `/a/<hash>/`, so the browser may keep those files for a
//! year without asking again: a new version has a new hash, hence new addresses. Modules import
//! each other by relative paths, which stay under the same prefix.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Folders of `web-client/` that are development-only (tests, tooling, dependencies).
const SKIP_DIRS: &[&str] = &["node_modules", "test", "tests", "types"];
/// Files served to browsers, by extension.
const SERVED: &[&str] = &[
    "html",
    "js",
    "css",
    "svg",
    "png",
    "ico",
    "webmanifest",
    "json",
    "txt",
];
/// Development files that share a served extension.
const SKIP_FILES: &[&str] = &[
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "jsconfig.json",
];
/// Already-compressed formats gain nothing from another pass.
const INCOMPRESSIBLE: &[&str] = &["png", "ico"];
/// The entry page's references to the app, rewritten to the hashed prefix.
const ENTRY_REFERENCES: &[&str] = &["\"/src/", "\"/styles/"];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web-client");
    println!("cargo:rerun-if-changed={}", root.display());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();

    let mut contents = Vec::with_capacity(files.len());
    let mut app_hash = Sha256::new();
    for (url, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes = fs::read(path).expect("read web-client file");
        app_hash.update(url.as_bytes());
        app_hash.update((bytes.len() as u64).to_le_bytes());
        app_hash.update(&bytes);
        contents.push(bytes);
    }
    let hash = hex(&app_hash.finalize()[..6]);
    let prefix = format!("/a/{hash}");

    let assets = out_dir.join("web-client");
    fs::create_dir_all(&assets).expect("create asset dir");
    let mut out = format!(
        "/// Content hash of the whole browser app: the prefix `/a/{{APP_HASH}}/` names this build.\n\
         pub(crate) static APP_HASH: &str = {hash:?};\n\n\
         /// Files of the browser app.\npub(crate) static FILES: &[Asset] = &[\n"
    );
    for (i, ((url, path), mut bytes)) in files.iter().zip(contents).enumerate() {
        if url == "/index.html" {
            bytes = hashed_entry(&bytes, &prefix);
        }
        let raw = assets.join(format!("{i}.raw"));
        fs::write(&raw, &bytes).expect("write asset");
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let (gzip, brotli) = if INCOMPRESSIBLE.contains(&ext) {
            (None, None)
        } else {
            let gz = smaller(&bytes, gzip(&bytes)).map(|b| write(&assets, i, "gz", &b));
            let br = smaller(&bytes, brotli(&bytes)).map(|b| write(&assets, i, "br", &b));
            (gz, br)
        };
        let etag = format!("\"{}\"", hex(&Sha256::digest(&bytes)[..8]));
        let include = |p: Option<PathBuf>| match p {
            Some(p) => format!("Some(include_bytes!({:?}))", p.display().to_string()),
            None => "None".to_owned(),
        };
        out.push_str(&format!(
            "    Asset {{ path: {url:?}, body: include_bytes!({:?}), gzip: {}, brotli: {}, etag: {etag:?} }},\n",
            raw.display().to_string(),
            include(gzip),
            include(brotli),
        ));
    }
    out.push_str("];\n");
    fs::write(out_dir.join("web_client_files.rs"), out).expect("write web_client_files.rs");
}

/// The entry page with its references to the app moved under the hashed prefix.
fn hashed_entry(html: &[u8], prefix: &str) -> Vec<u8> {
    let mut text = String::from_utf8(html.to_vec()).expect("index.html is UTF-8");
    for reference in ENTRY_REFERENCES {
        text = text.replace(reference, &format!("\"{prefix}{}", &reference[1..]));
    }
    text.into_bytes()
}

/// Keeps a compressed form only where it saves something worth a header.
fn smaller(raw: &[u8], packed: Vec<u8>) -> Option<Vec<u8>> {
    (packed.len() + 64 < raw.len()).then_some(packed)
}

fn write(dir: &Path, i: usize, ext: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(format!("{i}.{ext}"));
    fs::write(&path, bytes).expect("write compressed asset");
    path
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).expect("gzip in memory");
    enc.finish().expect("gzip in memory")
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).expect("brotli in memory");
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            if !SKIP_DIRS.contains(&name.as_str()) {
                println!("cargo:rerun-if-changed={}", path.display());
                collect(root, &path, files);
            }
            continue;
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if SERVED.contains(&ext) && !SKIP_FILES.contains(&name.as_str()) {
            let rel = path.strip_prefix(root).expect("inside root");
            let url = format!("/{}", rel.to_string_lossy().replace('\\', "/"));
            files.push((url, path));
        }
    }
}
