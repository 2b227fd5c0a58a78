//! JavaScript semantics Clerk's code relies on, reproduced once: the two number conversions it
//! applies to cookie values (so that odd cookies like `__client_uat=12abc` decide the same way),
//! truthiness of option values, and `isTruthy` for environment flags.

/// `Number.parseInt(s, 10)`: leading whitespace, optional sign, leading decimal digits; NaN when
/// there are none.
pub fn parse_int(s: &str) -> f64 {
    let t = s.trim_start_matches(is_js_space);
    let (neg, rest) = match t.as_bytes().first() {
        Some(b'-') => (true, t.get(1..).unwrap_or("")),
        Some(b'+') => (false, t.get(1..).unwrap_or("")),
        _ => (false, t),
    };
    let digits: &str = {
        let end = rest.bytes().take_while(u8::is_ascii_digit).count();
        rest.get(..end).unwrap_or("")
    };
    if digits.is_empty() {
        return f64::NAN;
    }
    let v: f64 = digits.parse().unwrap_or(f64::NAN);
    if neg {
        -v
    } else {
        v
    }
}

/// JavaScript's whitespace (`WhiteSpace` + `LineTerminator`): differs from Rust's
/// `char::is_whitespace` (it includes U+FEFF but not U+0085).
pub fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// `String.prototype.trim`.
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

/// JavaScript truthiness of a JSON value (`!!v`; JSON has no `NaN` or `undefined`).
pub fn truthy(v: &serde_json::Value) -> bool {
    use serde_json::Value;
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// `Number(s)` for a string: trimmed; empty → 0; decimal literals, `Infinity`, and `0x`/`0o`/`0b`
/// integers; anything else NaN.
pub fn number(s: &str) -> f64 {
    let t = s.trim_matches(is_js_space);
    if t.is_empty() {
        return 0.0;
    }
    let radix = |p: &str, r: u32| -> f64 {
        if p.is_empty() || !p.chars().all(|c| c.is_digit(r)) {
            return f64::NAN;
        }
        p.chars().fold(0.0, |acc, c| {
            acc * f64::from(r) + f64::from(c.to_digit(r).unwrap_or(0))
        })
    };
    let lower = t.get(..2).map(str::to_ascii_lowercase);
    match lower.as_deref() {
        Some("0x") => return radix(t.get(2..).unwrap_or(""), 16),
        Some("0o") => return radix(t.get(2..).unwrap_or(""), 8),
        Some("0b") => return radix(t.get(2..).unwrap_or(""), 2),
        _ => {}
    }
    let (sign, body) = match t.as_bytes().first() {
        Some(b'-') => (-1.0, t.get(1..).unwrap_or("")),
        Some(b'+') => (1.0, t.get(1..).unwrap_or("")),
        _ => (1.0, t),
    };
    if body == "Infinity" {
        return sign * f64::INFINITY;
    }
    // Rust accepts "inf"/"nan" spellings that JavaScript does not; only digits, '.', 'e' reach it.
    let valid = !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && body.bytes().any(|b| b.is_ascii_digit());
    if !valid {
        return f64::NAN;
    }
    body.parse::<f64>().map(|v| sign * v).unwrap_or(f64::NAN)
}

/// `String(n)` for the numbers that reach a cookie (small integers in practice).
pub fn to_js_string(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if n == 0.0 {
        "0".into()
    } else if n == n.trunc() && n.abs() < 1e21 {
        // Integral and below 2^70: exact as an integer (no float formatting code needed).
        let digits = (n.abs() as u128).to_string();
        if n < 0.0 {
            format!("-{digits}")
        } else {
            digits
        }
    } else {
        format!("{n}")
    }
}

/// `@clerk/shared`'s `isTruthy` for an environment flag (`CLERK_IS_SATELLITE`, `CLERK_DEBUG`,
/// `CLERK_DISABLE_AUTO_PROXY`…): `true`/`false` in any case, else `parseInt(v, 10) > 0`. The one
/// definition of a "true" setting for both adapters.
pub fn env_flag(v: &str) -> bool {
    if v.eq_ignore_ascii_case("true") {
        true
    } else if v.eq_ignore_ascii_case("false") {
        false
    } else {
        parse_int(v) > 0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_int_like_js() {
        assert_eq!(parse_int("1700000000"), 1_700_000_000.0);
        assert_eq!(parse_int("  12abc"), 12.0);
        assert_eq!(parse_int("-5"), -5.0);
        assert!(parse_int("").is_nan());
        assert!(parse_int("junk").is_nan());
        assert_eq!(parse_int("1.9"), 1.0);
    }

    #[test]
    fn number_like_js() {
        assert_eq!(number(""), 0.0);
        assert_eq!(number(" 2 "), 2.0);
        assert_eq!(number("0x10"), 16.0);
        assert_eq!(number("1e1"), 10.0);
        assert_eq!(number("2.5"), 2.5);
        assert!(number("3x").is_nan());
        assert!(number("inf").is_nan());
        assert!(number("-").is_nan());
        assert_eq!(number("-Infinity"), f64::NEG_INFINITY);
    }

    #[test]
    fn js_string() {
        assert_eq!(to_js_string(3.0), "3");
        assert_eq!(to_js_string(3.5), "3.5");
        assert_eq!(to_js_string(-0.0), "0");
    }

    #[test]
    fn truthiness_and_env_flags() {
        use serde_json::json;
        for (v, t) in [
            (json!(null), false),
            (json!(0), false),
            (json!(""), false),
            (json!("0"), true),
            (json!([]), true),
            (json!({}), true),
            (json!(1.5), true),
        ] {
            assert_eq!(super::truthy(&v), t, "{v}");
        }
        for (v, t) in [
            ("true", true),
            ("TRUE", true),
            ("false", false),
            ("1", true),
            ("2x", true),
            (" 3", true),
            ("0", false),
            ("yes", false),
            ("", false),
            ("-1", false),
        ] {
            assert_eq!(super::env_flag(v), t, "{v}");
        }
    }
}
