//! `auth.protect()` (clerk-behavior.md "auth() and auth.protect()"): what a request that falls short gets. The outcome is a value
//! the adapters render (the Next shim as Clerk's `/clerk_<ms>` rewrite, the Worker as a 404).

use crate::decide::request::RequestParts;
use crate::decide::state::AuthView;
use crate::token::auth::{HasParams, SessionAuth};
use crate::token::kind::{Accepts, TokenType};

/// Arguments of `auth.protect(params?, options?)`.
#[derive(Debug, Clone, Default)]
pub struct ProtectParams {
    /// Authorization params for `has()`; `None` = only "signed in" is required.
    pub has: Option<HasParams>,
    /// A predicate's answer, evaluated by the caller (`auth.protect(has => …)`).
    pub predicate: Option<bool>,
    pub unauthenticated_url: Option<String>,
    pub unauthorized_url: Option<String>,
    /// `token` option (default `session_token`).
    pub token: Option<Accepts>,
}

/// What to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protect {
    /// Authorized: continue.
    Allow,
    /// Not signed in, page request: redirect to sign-in (the adapter builds the URL, clerk-behavior.md "Sign-in and sign-up redirect URLs").
    RedirectToSignIn,
    /// 307 to a configured `unauthenticatedUrl` / `unauthorizedUrl`.
    Redirect(String),
    /// 401 (server actions, machine tokens); `www_authenticate` for OAuth tokens.
    Unauthorized { www_authenticate: bool },
    /// 404 (Clerk: a rewrite to a route that does not exist).
    NotFound,
}

/// The `www-authenticate` header of a 401 for an OAuth token (both adapters): where the
/// protected resource's metadata lives on the instance's Frontend API.
pub fn www_authenticate(frontend_api: &str) -> (&'static str, String) {
    (
        "www-authenticate",
        format!("Bearer resource_metadata=\"https://{frontend_api}/.well-known/oauth-protected-resource\""),
    )
}

/// Browser navigations (and Next's client navigations) get a sign-in redirect.
pub fn is_page_request(req: &RequestParts) -> bool {
    let dest = req.header("sec-fetch-dest");
    matches!(dest.as_deref(), Some("document") | Some("iframe"))
        || req
            .header("accept")
            .is_some_and(|a| a.contains("text/html"))
        || (req.header("next-url").is_some() && !is_server_action(req))
        || req.header("x-nextjs-data").is_some()
}

/// Next.js server actions get a 401.
pub fn is_server_action(req: &RequestParts) -> bool {
    req.header("next-url").is_some()
        && (req
            .header("accept")
            .is_some_and(|a| a.contains("text/x-component"))
            || req
                .header("content-type")
                .is_some_and(|c| c.contains("multipart/form-data"))
            || req.header("next-action").is_some())
}

enum Subject<'a> {
    Session(Option<&'a SessionAuth>),
    Machine {
        authenticated: bool,
        token_type: TokenType,
    },
    Invalid,
}

/// Clerk's `auth.protect()` algorithm over a request state.
pub fn protect(state: AuthView<'_>, req: &RequestParts, params: &ProtectParams) -> Protect {
    let accepts = params
        .token
        .clone()
        .unwrap_or(Accepts::One(TokenType::SessionToken));
    let subject = match state.token_type {
        None => Subject::Invalid,
        Some(t) if accepts.allows(t) => match t {
            TokenType::SessionToken => Subject::Session(state.to_auth(true)),
            other => Subject::Machine {
                authenticated: state.is_authenticated(),
                token_type: other,
            },
        },
        Some(_) => match &accepts {
            Accepts::One(TokenType::SessionToken) => Subject::Session(None),
            Accepts::One(machine) => Subject::Machine {
                authenticated: false,
                token_type: *machine,
            },
            _ => Subject::Invalid,
        },
    };
    let session_accepted = accepts.allows(TokenType::SessionToken);
    let unauthorized = |subject: &Subject<'_>| -> Protect {
        let machine_type = match subject {
            Subject::Machine { token_type, .. } => Some(*token_type),
            _ => None,
        };
        if !matches!(subject, Subject::Session(_)) || !session_accepted {
            return Protect::Unauthorized {
                www_authenticate: machine_type == Some(TokenType::OauthToken),
            };
        }
        match &params.unauthorized_url {
            Some(u) => Protect::Redirect(u.clone()),
            None => Protect::NotFound,
        }
    };
    let auth = match &subject {
        Subject::Invalid => return unauthorized(&subject),
        Subject::Machine {
            authenticated: false,
            ..
        } => return unauthorized(&subject),
        Subject::Machine { .. } => None,
        Subject::Session(None) => return unauthenticated(req, params),
        Subject::Session(Some(a)) if a.user_id.is_none() => return unauthenticated(req, params),
        Subject::Session(Some(a)) => Some(*a),
    };
    let authorized = match (params.predicate, &params.has, auth) {
        (Some(p), _, _) => p,
        (None, Some(h), Some(a)) => a.has(h),
        (None, Some(_), None) => false, // machine objects never pass has()
        (None, None, _) => true,
    };
    if authorized {
        Protect::Allow
    } else {
        unauthorized(&subject)
    }
}

fn unauthenticated(req: &RequestParts, params: &ProtectParams) -> Protect {
    if let Some(u) = &params.unauthenticated_url {
        Protect::Redirect(u.clone())
    } else if is_page_request(req) {
        Protect::RedirectToSignIn
    } else if is_server_action(req) {
        Protect::Unauthorized {
            www_authenticate: false,
        }
    } else {
        Protect::NotFound
    }
}
