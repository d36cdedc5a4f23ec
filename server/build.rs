//! Embeds the browser app (`web-client/`) into the binary, so `kring` serves it with no build
//! step and no separate web server.

use std::fs;
use std::path::{Path, PathBuf};

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

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../web-client");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut out = String::from(
        "/// Files of the browser app: (URL path, contents).\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for (url, path) in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        out.push_str(&format!(
            "    ({url:?}, include_bytes!({:?})),\n",
            path.canonicalize().expect("web-client file exists")
        ));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("web_client_files.rs");
    fs::write(dest, out).expect("write web_client_files.rs");
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
