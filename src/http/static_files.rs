//! Pages and files embedded in the binary (GraphiQL, the dashboard): served with their content type and
//! the headers a browser needs, nothing fetched from elsewhere.

use poem::http::{StatusCode, header};
use poem::{IntoResponse, Response};

/// A file a page loads: name, content type, bytes.
pub(super) type File = (&'static str, &'static str, &'static [u8]);

/// An HTML page under `content_security_policy`, never cached (it names the files of this version).
pub(super) fn page(html: &'static str, content_security_policy: &str) -> Response {
    Response::builder()
        .content_type("text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-cache")
        .header(header::CONTENT_SECURITY_POLICY, content_security_policy)
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .body(html)
}

/// The file `name` of `files`, cached for a day (an upgrade may change it); 404 for any other name.
pub(super) fn file(files: &[File], name: &str) -> Response {
    match files.iter().find(|(file, ..)| *file == name) {
        Some((_, content_type, bytes)) => Response::builder()
            .content_type(*content_type)
            .header(header::CACHE_CONTROL, "public, max-age=86400")
            .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
            .body(*bytes),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
