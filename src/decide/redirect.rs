//! `redirectToSignIn` / `redirectToSignUp` URLs (clerk-behavior.md "Sign-in and sign-up redirect URLs") and the development-browser
//! post-processing of cross-origin redirects (clerk-behavior.md "Dev-browser redirects").

use crate::decide::config::Config;
use crate::token::keys::{self, InstanceType};
use crate::web::url::Url;

/// What the redirect helpers know about the request and the instance.
#[derive(Debug, Clone)]
pub struct RedirectContext<'a> {
    /// The public URL of the current request (`clerkUrl`).
    pub base_url: &'a Url,
    pub sign_in_url: Option<&'a str>,
    pub sign_up_url: Option<&'a str>,
    pub publishable_key: &'a str,
    pub is_satellite: bool,
    /// Only the server-side `auth()` helper passes it; the middleware adds it in clerk-behavior.md "Dev-browser redirects".
    pub dev_browser_token: Option<&'a str>,
    pub session_pending: bool,
}

impl<'a> RedirectContext<'a> {
    /// The middleware's sign-in/up redirect context for a configuration (both adapters): the
    /// configured URLs, key and satellite flag; a pending session goes to the tasks page.
    pub fn for_config(cfg: &'a Config, base_url: &'a Url, session_pending: bool) -> Self {
        RedirectContext {
            base_url,
            sign_in_url: cfg.sign_in_url.as_deref(),
            sign_up_url: cfg.sign_up_url.as_deref(),
            publishable_key: &cfg.publishable_key,
            is_satellite: cfg.is_satellite,
            dev_browser_token: None,
            session_pending,
        }
    }
}

/// Thrown when there is neither a target URL nor a publishable key to derive the Account Portal.
pub const MISSING_KEYS: &str = "@clerk/backend: Clerk keys are missing from your environment.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    SignIn,
    SignUp,
}

fn append_path(url: &mut Url, suffix: &str) -> Option<Url> {
    let path = format!("{}{suffix}", url.pathname().trim_end_matches('/'));
    url.join(&format!("{path}{}", url.search()))
}

/// Builds the sign-in or sign-up redirect. `return_back_url`: `None` → no `redirect_url`.
pub fn build(
    ctx: &RedirectContext<'_>,
    target: Target,
    return_back_url: Option<&str>,
) -> Result<String, String> {
    let key = keys::parse_publishable_key(ctx.publishable_key).ok();
    let portal = key
        .as_ref()
        .map(|k| keys::accounts_base_url(&k.frontend_api))
        .unwrap_or_default();
    let explicit = match target {
        Target::SignIn => ctx.sign_in_url,
        Target::SignUp => ctx.sign_up_url,
    };
    if explicit.is_none()
        && portal.is_empty()
        && !(target == Target::SignUp && ctx.sign_in_url.is_some())
    {
        return Err(MISSING_KEYS.to_string());
    }
    let invalid = |u: &str| format!("Invalid URL: {u}");
    let mut url = match (target, explicit) {
        (_, Some(u)) => ctx.base_url.join(u).ok_or_else(|| invalid(u))?,
        (Target::SignUp, None) => match ctx.sign_in_url {
            // Combined sign-in-or-up flow: `<signInUrl>/create`.
            Some(sign_in) => {
                let mut u = ctx.base_url.join(sign_in).ok_or_else(|| invalid(sign_in))?;
                append_path(&mut u, "/create").ok_or_else(|| invalid(sign_in))?
            }
            None => Url::parse(&format!("{portal}/sign-up")).ok_or_else(|| invalid(&portal))?,
        },
        (Target::SignIn, None) => {
            Url::parse(&format!("{portal}/sign-in")).ok_or_else(|| invalid(&portal))?
        }
    };
    if ctx.session_pending {
        url = append_path(&mut url, "/tasks").ok_or_else(|| invalid(&url.href()))?;
    }
    let cross_origin = url.host() != ctx.base_url.host();
    if let Some(back) = return_back_url {
        let mut back = ctx.base_url.join(back).ok_or_else(|| invalid(back))?;
        if cross_origin && ctx.is_satellite {
            back.set_query_param("__clerk_synced", "false");
        }
        url.set_query_param("redirect_url", &back.href());
    }
    let development = key.is_some_and(|k| k.instance_type == InstanceType::Development);
    if let (true, Some(db), true) = (cross_origin, ctx.dev_browser_token, development) {
        url.set_query_param("__clerk_db_jwt", db);
    }
    Ok(url.href())
}

/// The dev-browser cookie (un-suffixed; first wins) whose token [`with_dev_browser`] adds.
pub const DEV_BROWSER_COOKIE: &str = "__clerk_db_jwt";

/// clerk-behavior.md "Dev-browser redirects": a Clerk-made redirect (marked `x-clerk-redirect-to: true`) leaving the app's origin on
/// a development instance carries the dev-browser token, unless the Location already has one.
pub fn with_dev_browser(
    location: &str,
    clerk_url: &Url,
    secret_key: &str,
    dev_browser_cookie: Option<&str>,
) -> String {
    let Some(db) = dev_browser_cookie.filter(|d| !d.is_empty()) else {
        return location.to_string();
    };
    if !keys::is_development_secret_key(secret_key) {
        return location.to_string();
    }
    match clerk_url.join(location) {
        Some(mut u) if u.origin() != clerk_url.origin() => {
            if u.query_get("__clerk_db_jwt").is_none() {
                u.set_query_param("__clerk_db_jwt", db);
            }
            u.href()
        }
        _ => location.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(base: &'a Url, pk: &'a str) -> RedirectContext<'a> {
        RedirectContext {
            base_url: base,
            sign_in_url: None,
            sign_up_url: None,
            publishable_key: pk,
            is_satellite: false,
            dev_browser_token: None,
            session_pending: false,
        }
    }

    const LIVE: &str = "pk_live_Y2xlcmsuZXhhbXBsZS5jb20k"; // clerk.example.com
    const DEV: &str = "pk_test_Zm9vLWJhci0xMy5jbGVyay5hY2NvdW50cy5kZXYk"; // foo-bar-13.clerk.accounts.dev

    #[test]
    fn account_portal_defaults() {
        let base = Url::parse("https://app.example.com").unwrap();
        let c = ctx(&base, LIVE);
        assert_eq!(
            build(&c, Target::SignIn, Some("https://app.example.com/d?x=1")).unwrap(),
            "https://accounts.example.com/sign-in?redirect_url=https%3A%2F%2Fapp.example.com%2Fd%3Fx%3D1"
        );
        assert_eq!(
            build(&c, Target::SignUp, None).unwrap(),
            "https://accounts.example.com/sign-up"
        );
        let mut none = ctx(&base, "");
        assert_eq!(
            build(&none, Target::SignIn, None).unwrap_err(),
            MISSING_KEYS
        );
        none.sign_in_url = Some("/sign-in");
        assert_eq!(
            build(&none, Target::SignUp, None).unwrap(),
            "https://app.example.com/sign-in/create"
        );
    }

    #[test]
    fn relative_targets_pending_satellite_and_dev_browser() {
        let base = Url::parse("https://app.example.com/a/b").unwrap();
        let mut c = ctx(&base, LIVE);
        c.sign_in_url = Some("/sign-in");
        assert_eq!(
            build(&c, Target::SignIn, Some("/after")).unwrap(),
            "https://app.example.com/sign-in?redirect_url=https%3A%2F%2Fapp.example.com%2Fafter"
        );
        c.session_pending = true;
        assert_eq!(
            build(&c, Target::SignUp, None).unwrap(),
            "https://app.example.com/sign-in/create/tasks"
        );

        let sat = Url::parse("https://sat.example.net").unwrap();
        let mut s = ctx(&sat, LIVE);
        s.sign_in_url = Some("https://app.example.com/sign-in");
        s.is_satellite = true;
        assert_eq!(
            build(&s, Target::SignIn, Some("https://sat.example.net/page")).unwrap(),
            "https://app.example.com/sign-in?redirect_url=https%3A%2F%2Fsat.example.net%2Fpage%3F__clerk_synced%3Dfalse"
        );

        let local = Url::parse("http://localhost:3000").unwrap();
        let mut d = ctx(&local, DEV);
        d.dev_browser_token = Some("dvb_1");
        assert_eq!(
            build(&d, Target::SignUp, Some("http://localhost:3000/x")).unwrap(),
            "https://foo-bar-13.accounts.dev/sign-up?redirect_url=http%3A%2F%2Flocalhost%3A3000%2Fx&__clerk_db_jwt=dvb_1"
        );
        d.sign_in_url = Some("/sign-in");
        assert_eq!(
            build(&d, Target::SignIn, Some("http://localhost:3000/x")).unwrap(),
            "http://localhost:3000/sign-in?redirect_url=http%3A%2F%2Flocalhost%3A3000%2Fx"
        );
    }

    #[test]
    fn dev_browser_post_processing() {
        let app = Url::parse("https://www.clerk.com/protected").unwrap();
        let portal = "https://accounts.x.lcl.dev/sign-in?redirect_url=a";
        assert_eq!(
            with_dev_browser(portal, &app, "sk_test_1", Some("test_jwt")),
            format!("{portal}&__clerk_db_jwt=test_jwt")
        );
        assert_eq!(with_dev_browser(portal, &app, "sk_test_1", None), portal);
        assert_eq!(
            with_dev_browser(portal, &app, "sk_live_1", Some("j")),
            portal
        );
        assert_eq!(
            with_dev_browser("/sign-in", &app, "sk_test_1", Some("j")),
            "/sign-in"
        );
        let has = "https://a.x.dev/?__clerk_db_jwt=keep";
        assert_eq!(
            with_dev_browser(has, &app, "sk_test_1", Some("j")),
            "https://a.x.dev/?__clerk_db_jwt=keep"
        );
    }
}
