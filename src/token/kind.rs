//! Token kinds: `tokenType` of a state or auth object, `acceptsToken`, and the opaque machine
//! token prefixes.

use crate::host::services::MachineKind;
use serde_json::Value;

/// `tokenType` of a request state or auth object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenType {
    SessionToken,
    ApiKey,
    M2mToken,
    OauthToken,
}

impl TokenType {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::SessionToken => "session_token",
            TokenType::ApiKey => "api_key",
            TokenType::M2mToken => "m2m_token",
            TokenType::OauthToken => "oauth_token",
        }
    }
    pub fn parse(s: &str) -> Option<TokenType> {
        Some(match s {
            "session_token" => TokenType::SessionToken,
            "api_key" => TokenType::ApiKey,
            "m2m_token" => TokenType::M2mToken,
            "oauth_token" => TokenType::OauthToken,
            _ => return None,
        })
    }
    pub(crate) fn kind(self) -> Option<MachineKind> {
        match self {
            TokenType::SessionToken => None,
            TokenType::ApiKey => Some(MachineKind::ApiKey),
            TokenType::M2mToken => Some(MachineKind::M2mToken),
            TokenType::OauthToken => Some(MachineKind::OauthToken),
        }
    }
}

/// `acceptsToken`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepts {
    /// One kind (`session_token` is the default).
    One(TokenType),
    /// `"any"`: what the Next.js middleware passes.
    Any,
    /// A list: a presented kind outside it gives the invalid-token state.
    List(Vec<TokenType>),
}

impl Accepts {
    pub fn from_json(v: &Value) -> Result<Accepts, String> {
        let one = |s: &str| {
            TokenType::parse(s)
                .ok_or_else(|| format!("Unknown token type \"{s}\" in acceptsToken."))
        };
        match v {
            Value::Null => Ok(Accepts::One(TokenType::SessionToken)),
            Value::String(s) if s == "any" => Ok(Accepts::Any),
            Value::String(s) => one(s).map(Accepts::One),
            Value::Array(items) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .ok_or_else(|| "acceptsToken entries must be strings.".to_string())
                        .and_then(one)
                })
                .collect::<Result<_, _>>()
                .map(Accepts::List),
            _ => {
                Err("acceptsToken must be a token type, a list of token types, or \"any\".".into())
            }
        }
    }
    pub fn allows(&self, t: TokenType) -> bool {
        match self {
            Accepts::One(o) => *o == t,
            Accepts::Any => true,
            Accepts::List(l) => l.contains(&t),
        }
    }
}

/// Prefixes of opaque machine tokens (only the Backend API can verify them).
const OPAQUE_PREFIXES: [(&str, TokenType); 3] = [
    ("mt_", TokenType::M2mToken),
    ("oat_", TokenType::OauthToken),
    ("ak_", TokenType::ApiKey),
];

/// The kind of an opaque machine token, by prefix.
pub fn opaque_type(token: &str) -> Option<TokenType> {
    OPAQUE_PREFIXES
        .iter()
        .find(|(p, _)| token.starts_with(p))
        .map(|(_, t)| *t)
}
