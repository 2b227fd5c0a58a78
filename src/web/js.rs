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

/// `String(n)` (ECMAScript Number::toString). Without `f64`'s `Display`: that pulls ~14 kB of
/// float formatting into the wasm, while serde_json's shortest round-trip digits are linked anyway.
pub fn to_js_string(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if n == 0.0 {
        return "0".into();
    }
    // Exact integers (cookie counts, millisecond clocks): integer formatting says the same.
    if n == n.trunc() && n.abs() < 9_007_199_254_740_992.0 {
        return (n as i64).to_string();
    }
    fraction_or_huge(n)
}

/// The rest of `String(n)`, out of line: fractions and beyond 2^53 never reach the hot paths.
#[cold]
#[inline(never)]
fn fraction_or_huge(n: f64) -> String {
    let shortest = serde_json::Number::from_f64(n.abs())
        .map(|x| x.to_string())
        .unwrap_or_default();
    // One pass over the ASCII ("1.25e-7", "0.001", "1e21"): the significant digits and where
    // the point goes, value = 0.DIGITS × 10^point (ECMAScript's s and n). Bytes, not chars: small.
    let mut digits = Vec::<u8>::with_capacity(24);
    let (mut point, mut exp, mut neg_exp, mut seen_point, mut in_exp) =
        (0i64, 0i64, false, false, false);
    for &b in shortest.as_bytes() {
        match b {
            b'e' | b'E' => in_exp = true,
            b'-' if in_exp => neg_exp = true,
            b'0'..=b'9' if in_exp => exp = exp * 10 + i64::from(b - b'0'),
            b'.' => seen_point = true,
            b'0' if digits.is_empty() => point -= i64::from(seen_point),
            b'0'..=b'9' => {
                digits.push(b);
                point += i64::from(!seen_point);
            }
            _ => {}
        }
    }
    point += if neg_exp { -exp } else { exp };
    while digits.last() == Some(&b'0') {
        digits.pop();
    }
    let k = digits.len() as i64;
    let mut out = Vec::<u8>::with_capacity(32);
    if n < 0.0 {
        out.push(b'-');
    }
    if k <= point && point <= 21 {
        out.extend_from_slice(&digits);
        out.resize(out.len() + (point - k) as usize, b'0');
    } else if 0 < point && point <= 21 {
        let (int, frac) = digits.split_at(point as usize);
        out.extend_from_slice(int);
        out.push(b'.');
        out.extend_from_slice(frac);
    } else if -6 < point && point <= 0 {
        out.extend_from_slice(b"0.");
        out.resize(out.len() + (-point) as usize, b'0');
        out.extend_from_slice(&digits);
    } else {
        let (first, rest) = digits.split_at(digits.len().min(1));
        out.extend_from_slice(first);
        if !rest.is_empty() {
            out.push(b'.');
            out.extend_from_slice(rest);
        }
        out.extend_from_slice(if point > 0 { b"e+" } else { b"e-" });
        let (mut e, mut exp_digits) = ((point - 1).unsigned_abs(), Vec::<u8>::with_capacity(4));
        loop {
            exp_digits.push(b'0' + (e % 10) as u8);
            e /= 10;
            if e == 0 {
                break;
            }
        }
        out.extend(exp_digits.iter().rev());
    }
    String::from_utf8(out).unwrap_or_default()
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
        // What V8 prints for each.
        let cases = [
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (123.456, "123.456"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (-1.5e-7, "-1.5e-7"),
            (1e21, "1e+21"),
            (1.2345e22, "1.2345e+22"),
            (1e20, "100000000000000000000"),
            (2f64.powi(60), "1152921504606847000"),
            (9007199254740993.0, "9007199254740992"),
            (1e300, "1e+300"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (1700000000123.0, "1700000000123"),
            (-42.0, "-42"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (n, js) in cases {
            assert_eq!(to_js_string(n), js, "{n:e}");
        }
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
