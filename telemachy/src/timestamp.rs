//! RFC 3339 timestamps: ordering the server's `createdAt` values, and writing our own
//! (shared by the client's lookups and the executor).
//!
//! The server writes timestamps as text. Comparing them as text is wrong as soon as two
//! values differ in precision (`…:05Z` sorts after `…:05.5Z`) or in offset, so they are
//! parsed into nanoseconds since the Unix epoch before they are compared.

use std::time::{SystemTime, UNIX_EPOCH};

/// Nanoseconds since the Unix epoch of an RFC 3339 timestamp such as
/// `2025-01-31T12:00:05.123Z` or `2025-01-31T14:00:05+02:00`; `None` when `text` is not one.
pub(crate) fn parse_rfc3339(text: &str) -> Option<i128> {
    let bytes = text.as_bytes();
    if bytes.len() < 20 {
        return None;
    }
    let year = digits(bytes, 0, 4)?;
    let month = digits(bytes, 5, 2)?;
    let day = digits(bytes, 8, 2)?;
    let hour = digits(bytes, 11, 2)?;
    let minute = digits(bytes, 14, 2)?;
    let second = digits(bytes, 17, 2)?;
    if bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b'T' | b't' | b' ')
        || bytes[13] != b':'
        || bytes[16] != b':'
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }

    let mut rest = &text[19..];
    let mut nanos: i128 = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let len = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 {
            return None;
        }
        for (place, digit) in fraction.bytes().take(len).enumerate() {
            if place < 9 {
                nanos += i128::from(digit - b'0') * 10_i128.pow(8 - place as u32);
            }
        }
        rest = &fraction[len..];
    }

    let offset_seconds: i128 = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), rest @ ..] if rest.len() == 5 && rest[2] == b':' => {
            let hours = digits(rest, 0, 2)?;
            let minutes = digits(rest, 3, 2)?;
            let magnitude = i128::from(hours * 3600 + minutes * 60);
            if *sign == b'+' { magnitude } else { -magnitude }
        }
        _ => return None,
    };

    let days = days_from_civil(i64::from(year), month, day);
    let seconds =
        i128::from(days) * 86_400 + i128::from(hour * 3600 + minute * 60 + second) - offset_seconds;
    Some(seconds * 1_000_000_000 + nanos)
}

/// `time` as an RFC 3339 timestamp in UTC with millisecond precision.
pub(crate) fn format_rfc3339(time: SystemTime) -> String {
    let since_epoch = time
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let millis = (since_epoch % 1000) as u32;
    let total_seconds = (since_epoch / 1000) as i64;
    let days = total_seconds.div_euclid(86_400);
    let second_of_day = total_seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60,
    )
}

fn digits(bytes: &[u8], start: usize, len: usize) -> Option<u32> {
    let slice = bytes.get(start..start + len)?;
    slice.iter().try_fold(0_u32, |value, byte| {
        byte.is_ascii_digit()
            .then(|| value * 10 + u32::from(byte - b'0'))
    })
}

/// Days since 1970-01-01 of a date in the proleptic Gregorian calendar (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * month_index + 2) / 5 + 1) as u32;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The order of two resources by age: parsed `createdAt` (one that does not parse counts
/// as oldest), then id, so that the order is the same on every call and for every reader.
pub(crate) fn by_age(a: (&str, &str), b: (&str, &str)) -> std::cmp::Ordering {
    (parse_rfc3339(a.0), a.1).cmp(&(parse_rfc3339(b.0), b.1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn parses_the_epoch_and_known_dates() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_rfc3339("2000-03-01T00:00:00Z"),
            Some(951_868_800 * 1_000_000_000)
        );
        assert_eq!(
            parse_rfc3339("2025-01-31T12:00:05.5Z"),
            Some(1_738_324_805 * 1_000_000_000 + 500_000_000)
        );
    }

    #[test]
    fn orders_values_of_different_precision_and_offset() {
        let whole = parse_rfc3339("2025-01-31T12:00:05Z");
        let later = parse_rfc3339("2025-01-31T12:00:05.000000001Z");
        let same_instant = parse_rfc3339("2025-01-31T14:00:05+02:00");
        assert!(later > whole);
        assert_eq!(whole, same_instant);
        assert!(parse_rfc3339("2025-01-31T12:00:05.9Z") < parse_rfc3339("2025-01-31T12:00:06Z"));
    }

    #[test]
    fn rejects_what_is_not_a_timestamp() {
        for text in [
            "",
            "yesterday",
            "2025-01-31",
            "2025-13-01T00:00:00Z",
            "2025-01-31T12:00:05",
            "2025-01-31T12:00:05.Z",
            "2025-01-31T12:00:05+0200",
        ] {
            assert_eq!(parse_rfc3339(text), None, "{text}");
        }
    }

    #[test]
    fn formats_and_parses_back() {
        let time = UNIX_EPOCH + Duration::from_millis(1_738_324_805_123);
        let text = format_rfc3339(time);
        assert_eq!(text, "2025-01-31T12:00:05.123Z");
        assert_eq!(parse_rfc3339(&text), Some(1_738_324_805_123 * 1_000_000));
        assert_eq!(format_rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    }
}
