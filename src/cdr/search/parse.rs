//! Query-parameter parsing for [`CdrSearch`] (grammar in the parent module).
//!
//! Every value is checked for length, control characters and shape before it becomes part of
//! the typed search; anything else is a [`SearchError`] naming the parameter.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use super::pattern::AsteriskPattern;
use super::{
    CdrSearch, DEFAULT_LIMIT, MAX_LIMIT, MAX_VALUE_LEN, NumberMatch, SearchContext, SearchError, Sort,
    SortColumn, TimeRange,
};
use crate::cdr::record::Disposition;

const SINGLE: [&str; 14] = [
    "range",
    "from",
    "to",
    "src",
    "dst",
    "name",
    "min_duration",
    "max_duration",
    "accountcode",
    "userfield",
    "sort",
    "cursor",
    "limit",
    "offset",
];
const REPEATABLE: [&str; 2] = ["disposition", "server"];
const MAX_PARAMS: usize = 64;
const MAX_DURATION: i64 = 10_000_000;

/// Parses and validates query parameters (in request order) into a search.
pub fn parse_search<K: AsRef<str>, V: AsRef<str>>(
    params: &[(K, V)],
    ctx: &SearchContext<'_>,
) -> Result<CdrSearch, SearchError> {
    if params.len() > MAX_PARAMS {
        return Err(SearchError::new("query", "too many parameters"));
    }
    let mut single: [Option<&str>; SINGLE.len()] = [None; SINGLE.len()];
    let mut search = CdrSearch { limit: DEFAULT_LIMIT, ..CdrSearch::default() };
    for (k, v) in params {
        let (key, value) = (k.as_ref(), v.as_ref().trim());
        if ctx.extra_params.contains(&key) {
            continue;
        }
        check_value(key, value)?;
        if let Some(i) = SINGLE.iter().position(|&n| n == key) {
            if single[i].replace(value).is_some() {
                return Err(SearchError::new(key, "given more than once"));
            }
        } else if key == REPEATABLE[0] {
            for token in value.split(',').map(str::trim).filter(|t| !t.is_empty()) {
                let d = parse_disposition(token)?;
                if !search.dispositions.contains(&d) {
                    search.dispositions.push(d);
                }
            }
        } else if key == REPEATABLE[1] {
            if !value.is_empty() && !search.servers.iter().any(|s| s == value) {
                search.servers.push(value.to_owned());
            }
        } else {
            return Err(SearchError::new(key, "unknown parameter"));
        }
    }
    let get =
        |name: &str| SINGLE.iter().position(|&n| n == name).and_then(|i| single[i]).filter(|v| !v.is_empty());
    if get("offset").is_some() {
        return Err(SearchError::new("offset", "offset paging is not supported; follow the `next` cursor"));
    }
    search.range = parse_range(get("range"), get("from"), get("to"), ctx)?;
    search.src = get("src").map(|v| parse_number("src", v)).transpose()?;
    search.dst = get("dst").map(|v| parse_number("dst", v)).transpose()?;
    search.caller_name = get("name").map(str::to_owned);
    search.accountcode = get("accountcode").map(str::to_owned);
    search.userfield = get("userfield").map(str::to_owned);
    search.min_duration = get("min_duration").map(|v| parse_seconds("min_duration", v)).transpose()?;
    search.max_duration = get("max_duration").map(|v| parse_seconds("max_duration", v)).transpose()?;
    if let (Some(min), Some(max)) = (search.min_duration, search.max_duration)
        && min > max
    {
        return Err(SearchError::new("min_duration", "is larger than max_duration"));
    }
    search.sort = get("sort").map(parse_sort).transpose()?.unwrap_or_default();
    search.limit = get("limit").map(parse_limit).transpose()?.unwrap_or(DEFAULT_LIMIT);
    if let Some(token) = get("cursor") {
        search.after = Some(ctx.cursors.decode(token, &search)?);
    }
    Ok(search)
}

fn check_value(key: &str, value: &str) -> Result<(), SearchError> {
    if value.len() > MAX_VALUE_LEN {
        return Err(SearchError::new(key, format!("longer than {MAX_VALUE_LEN} bytes")));
    }
    if value.chars().any(char::is_control) {
        return Err(SearchError::new(key, "contains control characters"));
    }
    Ok(())
}

fn parse_disposition(token: &str) -> Result<Disposition, SearchError> {
    let wanted = token.to_ascii_uppercase().replace('_', " ");
    Disposition::KNOWN
        .into_iter()
        .find(|d| d.as_str() == wanted)
        .ok_or_else(|| SearchError::new("disposition", format!("unknown disposition {token:?}")))
}

fn parse_number(param: &str, value: &str) -> Result<NumberMatch, SearchError> {
    if value.starts_with('_') {
        return AsteriskPattern::parse(value)
            .map(NumberMatch::Pattern)
            .map_err(|e| SearchError::new(param, e.to_string()));
    }
    match value.strip_suffix('*') {
        Some(prefix) if !prefix.is_empty() => Ok(NumberMatch::Prefix(prefix.to_owned())),
        Some(_) => Err(SearchError::new(param, "a prefix needs at least one character before *")),
        None => Ok(NumberMatch::Exact(value.to_owned())),
    }
}

fn parse_u64(param: &str, value: &str, what: &str) -> Result<u64, SearchError> {
    if value.is_empty() || value.len() > 12 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SearchError::new(param, format!("must be {what}")));
    }
    value.parse().map_err(|_| SearchError::new(param, format!("must be {what}")))
}

fn parse_seconds(param: &str, value: &str) -> Result<i64, SearchError> {
    let v = parse_u64(param, value, "a whole number of seconds")?;
    i64::try_from(v)
        .ok()
        .filter(|&v| v <= MAX_DURATION)
        .ok_or_else(|| SearchError::new(param, format!("must be at most {MAX_DURATION} seconds")))
}

fn parse_limit(value: &str) -> Result<u32, SearchError> {
    let v = parse_u64("limit", value, &format!("a whole number from 1 to {MAX_LIMIT}"))?;
    if v == 0 {
        return Err(SearchError::new("limit", format!("must be a whole number from 1 to {MAX_LIMIT}")));
    }
    Ok(u32::try_from(v.min(u64::from(MAX_LIMIT))).unwrap_or(MAX_LIMIT))
}

fn parse_sort(value: &str) -> Result<Sort, SearchError> {
    let (descending, name) = match value.strip_prefix('-') {
        Some(n) => (true, n),
        None => (false, value),
    };
    SortColumn::ALL
        .iter()
        .find(|(n, _)| *n == name)
        .map(|&(_, column)| Sort { column, descending })
        .ok_or_else(|| {
            let names: Vec<&str> = SortColumn::ALL.iter().map(|(n, _)| *n).collect();
            SearchError::new("sort", format!("must be one of {} (prefix - for descending)", names.join(", ")))
        })
}

fn start_of(date: Date, tz: &TimeZone, param: &str) -> Result<Timestamp, SearchError> {
    date.to_zoned(tz.clone()).map(|z| z.timestamp()).map_err(|_| SearchError::new(param, "date out of range"))
}

fn parse_range(
    preset: Option<&str>,
    from: Option<&str>,
    to: Option<&str>,
    ctx: &SearchContext<'_>,
) -> Result<TimeRange, SearchError> {
    let tz = ctx.timezone;
    if let Some(preset) = preset {
        if from.is_some() || to.is_some() {
            return Err(SearchError::new("range", "use either a preset range or from/to, not both"));
        }
        let today = ctx.now.to_zoned(tz.clone()).date();
        let day = |d: Date, n: i64| {
            d.checked_add(n.days()).map_err(|_| SearchError::new("range", "date out of range"))
        };
        let (first, end) = match preset {
            "today" => (today, day(today, 1)?),
            "yesterday" => (day(today, -1)?, today),
            "last7days" => (day(today, -6)?, day(today, 1)?),
            "thismonth" => (
                today.first_of_month(),
                today
                    .last_of_month()
                    .tomorrow()
                    .map_err(|_| SearchError::new("range", "date out of range"))?,
            ),
            _ => {
                return Err(SearchError::new("range", "must be today, yesterday, last7days or thismonth"));
            }
        };
        return Ok(TimeRange {
            from: Some(start_of(first, tz, "range")?),
            to: Some(start_of(end, tz, "range")?),
        });
    }
    let range = TimeRange {
        from: from.map(|v| parse_instant("from", v, tz, false)).transpose()?,
        to: to.map(|v| parse_instant("to", v, tz, true)).transpose()?,
    };
    if let (Some(f), Some(t)) = (range.from, range.to)
        && f >= t
    {
        return Err(SearchError::new("from", "must be before to"));
    }
    Ok(range)
}

/// A date (whole day; `end` means the day after), a zone-less date-time in `tz`, or RFC 3339.
fn parse_instant(param: &str, value: &str, tz: &TimeZone, end: bool) -> Result<Timestamp, SearchError> {
    let invalid = || SearchError::new(param, "must be YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS] or an RFC 3339 time");
    if let Ok(date) = value.parse::<Date>()
        && value.len() == 10
    {
        let date = if end { date.tomorrow().map_err(|_| invalid())? } else { date };
        return start_of(date, tz, param);
    }
    if let Ok(ts) = value.parse::<Timestamp>() {
        return Ok(ts);
    }
    let dt: DateTime = value.parse().map_err(|_| invalid())?;
    tz.to_ambiguous_timestamp(dt).compatible().map_err(|_| invalid())
}
