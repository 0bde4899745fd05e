//! Cross-site request forgery checks, pure over the request facts the web layer extracts.
//!
//! Two independent defences on every state-changing request made with a cookie:
//! 1. the browser's own provenance headers: `Sec-Fetch-Site` must be `same-origin` (or `none`, a
//!    user-initiated request), and an `Origin`, when sent, must be this server's;
//! 2. a secret token bound to the session (or, before login, to a `rs_csrf` cookie) echoed back in a
//!    form field, an `X-CSRF-Token` header or a `csrf` query parameter.
//!
//! Requests authenticated with a bearer token carry no ambient credentials and skip both.

use subtle::ConstantTimeEq;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsrfError {
    #[error("cross-site request refused (Sec-Fetch-Site: {0})")]
    CrossSite(String),
    #[error("request from a foreign origin refused ({0})")]
    ForeignOrigin(String),
    #[error("missing or wrong CSRF token: reload the page and try again")]
    BadToken,
}

/// Check the provenance headers against the `Host` the request was sent to.
pub fn check_provenance(
    sec_fetch_site: Option<&str>,
    origin: Option<&str>,
    host: Option<&str>,
) -> Result<(), CsrfError> {
    if let Some(site) = sec_fetch_site
        && site != "same-origin"
        && site != "none"
    {
        return Err(CsrfError::CrossSite(site.to_string()));
    }
    if let Some(origin) = origin {
        let origin_host = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .map(|rest| rest.trim_end_matches('/'));
        match (origin_host, host) {
            (Some(o), Some(h)) if o.eq_ignore_ascii_case(h) => {}
            _ => return Err(CsrfError::ForeignOrigin(origin.chars().take(100).collect())),
        }
    }
    Ok(())
}

/// Compare the token the request sent with the expected one, in constant time.
pub fn check_token(expected: &str, sent: Option<&str>) -> Result<(), CsrfError> {
    match sent {
        Some(sent) if !expected.is_empty() && bool::from(sent.as_bytes().ct_eq(expected.as_bytes())) => {
            Ok(())
        }
        _ => Err(CsrfError::BadToken),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provenance() {
        assert!(check_provenance(Some("same-origin"), Some("http://a:8080"), Some("a:8080")).is_ok());
        assert!(check_provenance(None, None, Some("a")).is_ok());
        assert!(check_provenance(Some("cross-site"), None, Some("a")).is_err());
        assert!(check_provenance(Some("same-site"), None, Some("a")).is_err());
        assert!(check_provenance(None, Some("http://evil.example"), Some("a:8080")).is_err());
        assert!(check_provenance(None, Some("null"), Some("a:8080")).is_err());
    }

    #[test]
    fn tokens() {
        assert!(check_token("abc", Some("abc")).is_ok());
        assert!(check_token("abc", Some("abd")).is_err());
        assert!(check_token("abc", None).is_err());
        assert!(check_token("", Some("")).is_err());
    }
}
