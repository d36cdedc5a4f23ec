//! Serving the browser app: precompressed, the entry page revalidated, the app under a hashed
//! prefix cached for good.

use crate::helpers::*;

/// The hashed prefix the entry page refers to, e.g. `/a/0123456789ab`.
async fn app_prefix(server: &TestServer) -> String {
    let html = server.get_text("/").await;
    let at = html
        .find("/a/")
        .expect("the entry page uses the hashed prefix");
    let rest = &html[at..];
    let end = 3 + rest[3..].find('/').expect("a path under the prefix");
    let prefix = rest[..end].to_owned();
    assert!(html.contains(&format!("{prefix}/src/main.js")));
    prefix
}

#[tokio::test]
async fn the_app_is_served_compressed_and_cached_by_content() {
    let server = spawn_app().await;
    let prefix = app_prefix(&server).await;
    assert_eq!(prefix.len(), "/a/".len() + 12, "{prefix}");

    let main = format!("{prefix}/src/main.js");
    for (accept, encoding) in [("gzip, deflate, br", "br"), ("gzip, deflate", "gzip")] {
        let res = server
            .http
            .get(server.url(&main))
            .header("accept-encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let h = res.headers();
        assert_eq!(h["content-encoding"], encoding);
        assert_eq!(h["vary"], "accept-encoding");
        assert_eq!(h["cache-control"], "public, max-age=31536000, immutable");
        assert_eq!(h["content-type"], "text/javascript; charset=utf-8");
        let packed = res.bytes().await.unwrap().len();
        let plain = server.get_text(&main).await.len();
        assert!(packed * 2 < plain, "{encoding}: {packed} of {plain} bytes");
    }
    // Without an accepted encoding, the file as it is.
    let res = server.http.get(server.url(&main)).send().await.unwrap();
    assert!(res.headers().get("content-encoding").is_none());
    assert!(res.text().await.unwrap().contains("import"));

    // Another build's prefix is not answered with this build's files.
    let stale = server
        .http
        .get(server.url("/a/000000000000/src/main.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 404);
}

#[tokio::test]
async fn the_entry_page_is_revalidated_with_its_etag() {
    let server = spawn_app().await;
    let session = server.create_session("basic").await;
    for path in ["/".to_owned(), format!("/join/{}", session.code)] {
        let first = server.http.get(server.url(&path)).send().await.unwrap();
        assert_eq!(first.headers()["cache-control"], "no-cache");
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        let again = server
            .http
            .get(server.url(&path))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(again.headers()["etag"], etag.as_str());
        assert!(again.bytes().await.unwrap().is_empty());
        let changed = server
            .http
            .get(server.url(&path))
            .header("if-none-match", "\"other\"")
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), 200);
    }
}
