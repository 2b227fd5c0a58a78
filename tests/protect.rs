//! `auth.protect()` outcomes (spec §5.6) over real request states.

// Test and tool code: a panic here is a failed run, not a user's 500 (Cargo.toml [lints]).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use clerk_edge::decide::protect::{
    is_page_request, is_server_action, protect, Protect, ProtectParams,
};
use clerk_edge::token::auth::HasParams;
use clerk_edge::token::kind::{Accepts, TokenType};
use clerk_edge::{RequestParts, RequestState};
use serde_json::json;
use support::*;

fn signed_in(token: &str) -> clerk_edge::RequestState {
    run(
        &Req::fetch(DASHBOARD).bearer(token),
        &config(options(&LIVE)),
    )
}
fn signed_out() -> clerk_edge::RequestState {
    run(&Req::fetch(DASHBOARD), &config(options(&LIVE)))
}
fn req(headers: &[(&str, &str)]) -> RequestParts {
    RequestParts::new(
        "GET",
        DASHBOARD,
        headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}
fn has(v: serde_json::Value) -> ProtectParams {
    ProtectParams {
        has: Some(HasParams::from_json(&v)),
        ..Default::default()
    }
}

#[test]
fn unauthenticated_page_request_redirects_to_sign_in() {
    for h in [
        &[("sec-fetch-dest", "document")][..],
        &[("sec-fetch-dest", "iframe")],
        &[("accept", "text/html,*/*")],
        &[("next-url", "/x")],
        &[("x-nextjs-data", "1")],
    ] {
        assert!(is_page_request(&req(h)));
        assert_eq!(
            protect(signed_out().view(), &req(h), &ProtectParams::default()),
            Protect::RedirectToSignIn,
            "{h:?}"
        );
    }
}

#[test]
fn unauthenticated_server_action_is_401_and_other_requests_404() {
    for h in [
        &[("next-url", "/x"), ("next-action", "abc")][..],
        &[("next-url", "/x"), ("accept", "text/x-component")],
        &[
            ("next-url", "/x"),
            ("content-type", "multipart/form-data; boundary=x"),
        ],
    ] {
        assert!(is_server_action(&req(h)));
        assert_eq!(
            protect(signed_out().view(), &req(h), &ProtectParams::default()),
            Protect::Unauthorized {
                www_authenticate: false
            }
        );
    }
    assert_eq!(
        protect(
            signed_out().view(),
            &req(&[("accept", "application/json")]),
            &ProtectParams::default()
        ),
        Protect::NotFound
    );
}

#[test]
fn unauthenticated_url_wins_for_every_kind_of_request() {
    let p = ProtectParams {
        unauthenticated_url: Some("/login".into()),
        ..Default::default()
    };
    assert_eq!(
        protect(signed_out().view(), &req(&[]), &p),
        Protect::Redirect("/login".into())
    );
    assert_eq!(
        protect(
            signed_out().view(),
            &req(&[("sec-fetch-dest", "document")]),
            &p
        ),
        Protect::Redirect("/login".into())
    );
}

#[test]
fn pending_sessions_are_unauthenticated() {
    let st = signed_in(&session(&LIVE).claim("sts", "pending").sign());
    assert_eq!(
        protect(
            st.view(),
            &req(&[("sec-fetch-dest", "document")]),
            &ProtectParams::default()
        ),
        Protect::RedirectToSignIn
    );
}

#[test]
fn signed_in_authorization() {
    let member = signed_in(
        &session(&LIVE)
            .claim("org_id", "org_1")
            .claim("org_role", "org:member")
            .claim("org_permissions", json!(["org:invoices:read"]))
            .sign(),
    );
    let page = req(&[("sec-fetch-dest", "document")]);
    assert_eq!(
        protect(member.view(), &page, &ProtectParams::default()),
        Protect::Allow
    );
    assert_eq!(
        protect(
            member.view(),
            &page,
            &has(json!({"permission": "org:invoices:read"}))
        ),
        Protect::Allow
    );
    assert_eq!(
        protect(member.view(), &page, &has(json!({"role": "org:admin"}))),
        Protect::NotFound
    );
    let mut p = has(json!({"role": "org:admin"}));
    p.unauthorized_url = Some("/denied".into());
    assert_eq!(
        protect(member.view(), &page, &p),
        Protect::Redirect("/denied".into())
    );
    let pred = |ok| ProtectParams {
        predicate: Some(ok),
        ..Default::default()
    };
    assert_eq!(protect(member.view(), &page, &pred(true)), Protect::Allow);
    assert_eq!(
        protect(member.view(), &page, &pred(false)),
        Protect::NotFound
    );
    // Unknown keys alone ask nothing of has(): fail closed.
    assert_eq!(
        protect(member.view(), &page, &has(json!({"foo": "bar"}))),
        Protect::NotFound
    );
}

#[test]
fn token_kinds() {
    let session = signed_in(&valid(&LIVE));
    let only_api_keys = ProtectParams {
        token: Some(Accepts::One(TokenType::ApiKey)),
        ..Default::default()
    };
    // A session presented where only API keys are accepted: 401 (not a session-token request).
    assert_eq!(
        protect(session.view(), &req(&[]), &only_api_keys),
        Protect::Unauthorized {
            www_authenticate: false
        }
    );
    let oauth = ProtectParams {
        token: Some(Accepts::One(TokenType::OauthToken)),
        ..Default::default()
    };
    assert_eq!(
        protect(session.view(), &req(&[]), &oauth),
        Protect::Unauthorized {
            www_authenticate: true
        }
    );
    let either = ProtectParams {
        token: Some(Accepts::List(vec![
            TokenType::SessionToken,
            TokenType::ApiKey,
        ])),
        ..Default::default()
    };
    assert_eq!(protect(session.view(), &req(&[]), &either), Protect::Allow);
    let invalid = RequestState::token_type_mismatch_for(None);
    assert_eq!(
        protect(invalid.view(), &req(&[]), &ProtectParams::default()),
        Protect::Unauthorized {
            www_authenticate: false
        }
    );
}
