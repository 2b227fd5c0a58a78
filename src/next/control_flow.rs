//! What a `clerkMiddleware()` handler threw, turned into a response (clerk-behavior.md "auth() and auth.protect()"), in Clerk's order:
//! a malformed URL → 400, `unauthorized()` → 401, `notFound()` → a 404 rewrite,
//! `redirectToSignIn/Up` → the sign-in/up URL, another Next redirect → its own URL.

use crate::web::js;

/// The parts of a thrown value Clerk looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Thrown {
    /// `e instanceof Error`.
    pub is_error: bool,
    pub name: Option<String>,
    pub digest: Option<String>,
    /// `clerk_digest`.
    pub clerk_digest: Option<String>,
    /// `String(e.returnBackUrl)` unless null/undefined.
    pub return_back_url: Option<String>,
}

/// The response for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caught {
    /// A status with no body (400 Bad Request, 401 with `www-authenticate` for OAuth tokens).
    Status {
        status: u16,
        headers: Vec<(String, String)>,
    },
    /// `notFound()`: a rewrite to a path that does not exist.
    Rewrite {
        path: String,
        headers: Vec<(String, String)>,
    },
    /// `redirectToSignIn/Up`: which one, and the URL to return to.
    SignInOrUp {
        sign_up: bool,
        return_back_url: Option<String>,
    },
    /// Another Next redirect: to the error's own `redirectUrl`.
    RedirectAdapter,
    /// Not Clerk's: thrown on.
    Rethrow,
}

const NEXT_REDIRECT: &str = "NEXT_REDIRECT";
const HTTP_FALLBACK: &str = "NEXT_HTTP_ERROR_FALLBACK";

/// `whichHTTPAccessFallbackError`: 401/403/404 from `NEXT_HTTP_ERROR_FALLBACK;<status>`.
fn http_fallback_status(digest: &str) -> Option<u16> {
    let mut parts = digest.split(';');
    if parts.next() != Some(HTTP_FALLBACK) {
        return None;
    }
    let status = js::number(parts.next().unwrap_or("undefined"));
    [401.0, 403.0, 404.0]
        .contains(&status)
        .then_some(status as u16)
}

/// `isNextjsRedirectError`: `NEXT_REDIRECT;replace|push;<url>;307;`.
fn is_redirect_digest(digest: &str) -> bool {
    let parts: Vec<&str> = digest.split(';').collect();
    let (Some(code), Some(kind)) = (parts.first(), parts.get(1)) else {
        return false;
    };
    let status = parts
        .len()
        .checked_sub(2)
        .and_then(|i| parts.get(i))
        .map_or(f64::NAN, |s| js::number(s));
    *code == NEXT_REDIRECT && matches!(*kind, "replace" | "push") && status == 307.0
}

/// Decides the response. `www_authenticate`: the header a 401 carries (OAuth tokens), if any;
/// `now_ms` names the 404 rewrite path.
pub fn catch(e: &Thrown, www_authenticate: Option<(&'static str, String)>, now_ms: f64) -> Caught {
    let digest = e.digest.as_deref();
    if e.is_error && e.name.as_deref() == Some("MalformedURLError") {
        return Caught::Status {
            status: 400,
            headers: Vec::new(),
        };
    }
    let fallback = digest.and_then(http_fallback_status);
    if fallback == Some(401) {
        return Caught::Status {
            status: 401,
            headers: www_authenticate
                .map(|(k, v)| (k.to_string(), v))
                .into_iter()
                .collect(),
        };
    }
    if digest == Some("NEXT_NOT_FOUND") || fallback == Some(404) {
        return Caught::Rewrite {
            path: format!("/clerk_{}", js::to_js_string(now_ms)),
            headers: vec![(
                crate::downstream::AUTH_REASON.to_string(),
                crate::token::reason::PROTECT_REWRITE.to_string(),
            )],
        };
    }
    let is_redirect = digest.is_some_and(is_redirect_digest);
    match e.clerk_digest.as_deref() {
        Some("CLERK_PROTECT_REDIRECT_TO_SIGN_IN") if is_redirect => Caught::SignInOrUp {
            sign_up: false,
            return_back_url: e.return_back_url.clone().filter(|u| !u.is_empty()),
        },
        Some("CLERK_PROTECT_REDIRECT_TO_SIGN_UP") if is_redirect => Caught::SignInOrUp {
            sign_up: true,
            return_back_url: e.return_back_url.clone().filter(|u| !u.is_empty()),
        },
        _ if is_redirect => Caught::RedirectAdapter,
        _ => Caught::Rethrow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(d: &str) -> Thrown {
        Thrown {
            is_error: true,
            digest: Some(d.into()),
            ..Thrown::default()
        }
    }

    #[test]
    fn clerks_order() {
        let malformed = Thrown {
            is_error: true,
            name: Some("MalformedURLError".into()),
            ..Thrown::default()
        };
        assert_eq!(
            catch(&malformed, None, 0.0),
            Caught::Status {
                status: 400,
                headers: vec![]
            }
        );
        let www = ("www-authenticate", "Bearer x".to_string());
        assert_eq!(
            catch(&digest("NEXT_HTTP_ERROR_FALLBACK;401"), Some(www), 0.0),
            Caught::Status {
                status: 401,
                headers: vec![("www-authenticate".into(), "Bearer x".into())]
            }
        );
        match catch(
            &digest("NEXT_HTTP_ERROR_FALLBACK;404"),
            None,
            1700000000123.0,
        ) {
            Caught::Rewrite { path, headers } => {
                assert_eq!(path, "/clerk_1700000000123");
                assert_eq!(headers[0].0, "x-clerk-auth-reason");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            catch(&digest("NEXT_HTTP_ERROR_FALLBACK;403"), None, 0.0),
            Caught::Rethrow
        );
        let mut to_sign_up = digest("NEXT_REDIRECT;replace;/x;307;");
        to_sign_up.clerk_digest = Some("CLERK_PROTECT_REDIRECT_TO_SIGN_UP".into());
        to_sign_up.return_back_url = Some(String::new());
        assert_eq!(
            catch(&to_sign_up, None, 0.0),
            Caught::SignInOrUp {
                sign_up: true,
                return_back_url: None
            }
        );
        assert_eq!(
            catch(&digest("NEXT_REDIRECT;push;/x;307;"), None, 0.0),
            Caught::RedirectAdapter
        );
        assert_eq!(
            catch(&digest("NEXT_REDIRECT;push;/x;308;"), None, 0.0),
            Caught::Rethrow
        );
        assert_eq!(catch(&Thrown::default(), None, 0.0), Caught::Rethrow);
    }
}
