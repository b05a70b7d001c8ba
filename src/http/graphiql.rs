//! GraphiQL, served by rotagraph itself: the page (`GET /graphql` from a browser) and its scripts and
//! styles (`GET /graphiql/<file>`), production builds of exact versions embedded in the binary (see
//! `src/http/graphiql/README.md` for where they come from and how to update them). Nothing is fetched
//! from elsewhere, so GraphiQL works on networks without internet access.

use base64::Engine as _;
use poem::web::Path;
use poem::{Response, handler};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The page.
const PAGE: &str = include_str!("graphiql/index.html");

/// The files the page loads.
const ASSETS: [super::static_files::File; 5] = [
    ("graphiql.min.js", "application/javascript; charset=utf-8", include_bytes!("graphiql/graphiql.min.js")),
    ("graphiql.min.css", "text/css; charset=utf-8", include_bytes!("graphiql/graphiql.min.css")),
    (
        "react.production.min.js",
        "application/javascript; charset=utf-8",
        include_bytes!("graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "application/javascript; charset=utf-8",
        include_bytes!("graphiql/react-dom.production.min.js"),
    ),
    ("graphql-ws.min.js", "application/javascript; charset=utf-8", include_bytes!("graphiql/graphql-ws.min.js")),
];

/// The page's Content-Security-Policy: its own origin only, and its one inline script by hash.
static CONTENT_SECURITY_POLICY: LazyLock<String> = LazyLock::new(|| {
    let script =
        PAGE.split_once("<script>").and_then(|(_, rest)| rest.split_once("</script>")).map_or("", |(script, _)| script);
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(script.as_bytes()));
    format!(
        "default-src 'none'; script-src 'self' 'sha256-{hash}'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    )
});

/// The GraphiQL page (never cached: it names the files of this server's version).
pub(super) fn page() -> Response {
    super::static_files::page(PAGE, &CONTENT_SECURITY_POLICY)
}

/// `GET /graphiql/<file>`: one of the page's files.
#[handler]
pub(super) fn asset(Path(name): Path<String>) -> Response {
    super::static_files::file(&ASSETS, &name)
}
