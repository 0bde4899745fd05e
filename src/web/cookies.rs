//! Reading the `Cookie` header and writing `Set-Cookie` values, always `HttpOnly; SameSite=Strict;
//! Path=/`, plus `Secure` when admins reach Ringside over HTTPS.

use axum::http::{HeaderMap, HeaderValue, header};

/// The value of cookie `name`, if the request sent it.
pub fn get<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value; `max_age_secs = None` makes a browser-session cookie, `Some(0)` deletes it.
pub fn set(name: &str, value: &str, secure: bool, max_age_secs: Option<u64>) -> HeaderValue {
    let mut text = format!("{name}={value}; HttpOnly; SameSite=Strict; Path=/");
    if secure {
        text.push_str("; Secure");
    }
    if let Some(age) = max_age_secs {
        text.push_str(&format!("; Max-Age={age}"));
    }
    // Names and values are our own URL-safe base64 tokens, always valid header text.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_one_cookie_among_many() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; rs_session=abc; b=2"));
        assert_eq!(get(&headers, "rs_session"), Some("abc"));
        assert_eq!(get(&headers, "missing"), None);
    }

    #[test]
    fn flags() {
        let v = set("rs_session", "x", true, None);
        assert_eq!(v, "rs_session=x; HttpOnly; SameSite=Strict; Path=/; Secure");
    }
}
