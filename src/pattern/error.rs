//! A pattern that does not compile: the error every stage returns, and the texts Clerk wraps it
//! in (`createRouteMatcher`, organization sync).

use std::fmt;

/// A path-to-regexp compile failure; `detail` is the text of the `TypeError`/`SyntaxError` JS
/// throws (e.g. `Unexpected MODIFIER at 10, expected END`), or our own text for regex syntax we
/// do not support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// The error message.
    pub detail: String,
}

impl PatternError {
    pub(super) fn new(detail: impl Into<String>) -> Self {
        PatternError {
            detail: detail.into(),
        }
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for PatternError {}

const DOCS_LINE: &str =
    "Consult the documentation of path-to-regexp here: https://github.com/pillarjs/path-to-regexp/tree/6.x";

/// Clerk's `createRouteMatcher` error for a pattern that does not compile.
pub fn route_matcher_error(pattern: &str, e: &PatternError) -> String {
    format!("Invalid path: {pattern}.\n{DOCS_LINE}\n{}", e.detail)
}

/// Clerk's organization-sync error for patterns that do not compile. `patterns_joined` is the
/// pattern list as JS renders an array in a template (`,`-joined). Clerk interpolates the whole
/// `Error` thrown by `@clerk/shared`'s `match` wrapper, hence the `Error: Invalid path and
/// options: …` text before the path-to-regexp message.
pub fn org_pattern_error(patterns_joined: &str, e: &PatternError) -> String {
    format!(
        "Invalid pattern \"{patterns_joined}\": Error: Invalid path and options: {DOCS_LINE}\n{}",
        e.detail
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_renderings() {
        let e = PatternError::new("Unexpected MODIFIER at 10, expected END");
        assert_eq!(
            route_matcher_error("/orgs/:id/***", &e),
            "Invalid path: /orgs/:id/***.\nConsult the documentation of path-to-regexp here: \
             https://github.com/pillarjs/path-to-regexp/tree/6.x\nUnexpected MODIFIER at 10, expected END"
        );
        // As printed by @clerk/backend 3.25.0 for organizationPatterns ['/orgs/:id/***', '/x'].
        assert_eq!(
            org_pattern_error("/orgs/:id/***,/x", &e),
            "Invalid pattern \"/orgs/:id/***,/x\": Error: Invalid path and options: Consult the \
             documentation of path-to-regexp here: https://github.com/pillarjs/path-to-regexp/tree/6.x\n\
             Unexpected MODIFIER at 10, expected END"
        );
        assert_eq!(e.to_string(), e.detail);
    }
}
