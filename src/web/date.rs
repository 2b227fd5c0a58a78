//! `Date.prototype.toUTCString()` for the messages Clerk puts in `x-clerk-auth-message`.

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
/// ECMAScript's time value range (±100 000 000 days).
const MAX_MS: f64 = 8.64e15;

/// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Formats a millisecond time value as `Tue, 14 Nov 2023 22:13:20 GMT`, or `Invalid Date`.
pub fn to_utc_string(ms: f64) -> String {
    if !ms.is_finite() || ms.abs() > MAX_MS {
        return "Invalid Date".to_string();
    }
    let ms = ms.trunc() as i64;
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000) / 1000;
    let (y, m, d) = civil(days);
    let weekday = DAYS
        .get(days.rem_euclid(7) as usize)
        .copied()
        .unwrap_or("Thu");
    let month = MONTHS
        .get((m as usize).saturating_sub(1))
        .copied()
        .unwrap_or("Jan");
    let year = if y < 0 {
        format!("-{:04}", -y)
    } else {
        format!("{y:04}")
    };
    format!(
        "{weekday}, {d:02} {month} {year} {:02}:{:02}:{:02} GMT",
        in_day / 3600,
        (in_day / 60) % 60,
        in_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_javascript() {
        assert_eq!(
            to_utc_string(1_700_000_000_000.0),
            "Tue, 14 Nov 2023 22:13:20 GMT"
        );
        assert_eq!(to_utc_string(0.0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(to_utc_string(-1.0), "Wed, 31 Dec 1969 23:59:59 GMT");
        assert_eq!(
            to_utc_string(951_782_400_000.0),
            "Tue, 29 Feb 2000 00:00:00 GMT"
        );
        assert_eq!(to_utc_string(8.64e15 + 1.0), "Invalid Date");
        assert_eq!(to_utc_string(f64::NAN), "Invalid Date");
        assert_eq!(
            to_utc_string(-62_198_755_200_000.0),
            "Fri, 01 Jan -0001 00:00:00 GMT"
        );
    }
}
