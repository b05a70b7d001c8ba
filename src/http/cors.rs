//! Cross-origin requests (CORS) from the web origins a deployment names (`--cors-allowed-origins`), so a
//! dashboard served from another origin can query. A preflight (`OPTIONS` with
//! `Access-Control-Request-Method`) from an allowed origin is answered at once; every other request
//! runs as usual, and its answer says which origin may read it. A request from any other origin runs as
//! if it were same-origin and gets no CORS header, so the browser keeps the answer from that page, while
//! same-origin pages (GraphiQL, the dashboard) and non-browser clients work as ever. (poem's own `Cors`
//! refuses every request whose `Origin` is not listed, same-origin pages included, and replaces `Vary`.)

use poem::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use std::sync::Arc;

/// The request headers a cross-origin page may send: the token, the JSON body, content negotiation, and
/// the client identification Apollo Client sends.
const ALLOWED_HEADERS: &str = "Authorization, Content-Type, Accept, apollographql-client-name, apollographql-client-version, apollo-require-preflight";

/// The response headers such a page may read beside the simple ones.
const EXPOSED_HEADERS: &str = "Retry-After, X-Request-Id";

/// How long a browser may keep a preflight's answer, in seconds.
const PREFLIGHT_MAX_AGE: &str = "600";

/// The origins allowed to read answers across origins.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AllowedOrigins {
    /// None (the default): only same-origin pages and non-browser clients.
    #[default]
    None,
    /// Every origin (`*`).
    Any,
    /// These origins (`scheme://host[:port]`, as browsers send them).
    Listed(Vec<String>),
}

impl AllowedOrigins {
    /// The origins of `--cors-allowed-origins`: `*`, or each a `scheme://host[:port]` with no path; `Err`
    /// names the first that is neither.
    pub fn parse(origins: &[String]) -> Result<Self, String> {
        let origins: Vec<&str> =
            origins.iter().map(|origin| origin.trim()).filter(|origin| !origin.is_empty()).collect();
        if origins.is_empty() {
            return Ok(Self::None);
        }
        if origins.contains(&"*") {
            return if origins.len() == 1 { Ok(Self::Any) } else { Err("`*` stands alone".to_owned()) };
        }
        let mut listed = Vec::new();
        for origin in origins {
            let uri: poem::http::Uri = origin.parse().map_err(|_| format!("`{origin}` is not an origin"))?;
            let is_origin = matches!(uri.scheme_str(), Some("http" | "https"))
                && uri.authority().is_some()
                && !origin.ends_with('/')
                && uri.path_and_query().is_none_or(|path| path.as_str() == "/");
            if !is_origin {
                return Err(format!("`{origin}` is not an origin (scheme://host[:port], no path)"));
            }
            listed.push(origin.to_ascii_lowercase());
        }
        Ok(Self::Listed(listed))
    }

    /// The `Access-Control-Allow-Origin` for a request from `origin`, if it is allowed.
    fn allow(&self, origin: &str) -> Option<HeaderValue> {
        match self {
            Self::None => None,
            Self::Any => Some(HeaderValue::from_static("*")),
            Self::Listed(listed) => listed
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(origin))
                .then(|| HeaderValue::from_str(origin).ok())
                .flatten(),
        }
    }
}

/// Runs `request` through `endpoint` with CORS as `origins` allows.
pub async fn with_cors<E: Endpoint>(
    endpoint: Arc<E>,
    request: Request,
    origins: Arc<AllowedOrigins>,
) -> poem::Result<Response> {
    let allowed = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|origin| origin.to_str().ok())
        .and_then(|origin| origins.allow(origin));
    let Some(allowed) = allowed else {
        let mut response = endpoint.call(request).await.map(IntoResponse::into_response)?;
        // The answer to a listed origin differs (it names the origin): a cache keeps them apart.
        if matches!(*origins, AllowedOrigins::Listed(_)) {
            vary_on_origin(response.headers_mut());
        }
        return Ok(response);
    };
    if request.method() == Method::OPTIONS && request.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD) {
        let mut preflight = Response::builder().status(StatusCode::NO_CONTENT).finish();
        let headers = preflight.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("GET, POST"));
        headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOWED_HEADERS));
        headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(PREFLIGHT_MAX_AGE));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        mark(headers, allowed, &origins);
        return Ok(preflight);
    }
    let mut response = endpoint.call(request).await.map(IntoResponse::into_response)?;
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSED_HEADERS));
    mark(headers, allowed, &origins);
    Ok(response)
}

/// Names the allowed origin, and, where it depends on the request's `Origin`, adds `Origin` to `Vary`.
fn mark(headers: &mut HeaderMap, allowed: HeaderValue, origins: &AllowedOrigins) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
    if matches!(origins, AllowedOrigins::Listed(_)) {
        vary_on_origin(headers);
    }
}

/// Adds `Origin` to the answer's `Vary`.
fn vary_on_origin(headers: &mut HeaderMap) {
    let vary = headers.get(header::VARY).and_then(|vary| vary.to_str().ok()).map(str::to_owned);
    let vary = match vary {
        Some(vary) if !vary.is_empty() => format!("{vary}, Origin"),
        _ => "Origin".to_owned(),
    };
    if let Ok(vary) = HeaderValue::from_str(&vary) {
        headers.insert(header::VARY, vary);
    }
}

#[cfg(test)]
mod tests {
    use super::AllowedOrigins;

    #[test]
    fn origins_are_a_star_alone_or_schemes_and_hosts() {
        let parse =
            |origins: &[&str]| AllowedOrigins::parse(&origins.iter().map(|o| (*o).to_owned()).collect::<Vec<_>>());
        assert_eq!(parse(&[]), Ok(AllowedOrigins::None));
        assert_eq!(parse(&["*"]), Ok(AllowedOrigins::Any));
        assert_eq!(
            parse(&["https://dash.example.nhs.uk", "http://localhost:3000"]),
            Ok(AllowedOrigins::Listed(vec![
                "https://dash.example.nhs.uk".to_owned(),
                "http://localhost:3000".to_owned()
            ]))
        );
        for bad in [
            &["*", "https://a.example"][..],
            &["https://a.example/"],
            &["https://a.example/x"],
            &["a.example"],
            &["ftp://a.example"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
