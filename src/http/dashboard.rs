//! The regional dashboard at `/dashboard/`: a static page a front-end team can start from (no build
//! step, no CDN: the graphql-ws client embedded for GraphiQL, and the page's own script and styles). It
//! shows a region's fill rate by ICB, live over `fillRateChanged`, and the region's ICB comparison, for a
//! pasted token or the public view.

use poem::web::Path;
use poem::{Response, handler};

/// The page.
const PAGE: &str = include_str!("dashboard/index.html");

/// Its script and styles (the graphql-ws client is GraphiQL's, at `/graphiql/graphql-ws.min.js`).
const FILES: [super::static_files::File; 2] = [
    ("dashboard.js", "application/javascript; charset=utf-8", include_bytes!("dashboard/dashboard.js")),
    ("dashboard.css", "text/css; charset=utf-8", include_bytes!("dashboard/dashboard.css")),
];

/// Its own origin only: no inline script or style.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `GET /dashboard`: to the page, whose files are named relative to `/dashboard/`.
#[handler]
pub(super) fn to_page() -> poem::web::Redirect {
    poem::web::Redirect::permanent("/dashboard/")
}

/// `GET /dashboard/`: the page.
#[handler]
pub(super) fn page() -> Response {
    super::static_files::page(PAGE, CONTENT_SECURITY_POLICY)
}

/// `GET /dashboard/<file>`: its script and styles.
#[handler]
pub(super) fn file(Path(name): Path<String>) -> Response {
    super::static_files::file(&FILES, &name)
}
