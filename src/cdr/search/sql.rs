//! Renders a [`CdrSearch`] to SQL with bind parameters for SQLite or PostgreSQL.
//!
//! Owns only the SQL text of filters, ordering and keyset pagination. Every user value becomes a
//! bind parameter ([`SqlValue`]); identifiers come from fixed tables below, never from input.
//! The lead's schema should name the CDR table's columns as in [`column_name`] (or adapt it).
//!
//! ```text
//! WHERE start_time >= ?1 AND start_time < ?2 AND src >= ?3 AND src < ?4 AND src GLOB ?5
//!   AND disposition IN (?6, ?7) AND (start_time, id) < (?8, ?9)
//! ORDER BY start_time DESC, id DESC LIMIT 51          -- limit + 1: one extra row = "has next"
//! ```
//!
//! Prefixes: SQLite uses a range `col >= p AND col < p || U+10FFFF` (uses a plain index; LIKE
//! would not, being case-insensitive); PostgreSQL uses `LIKE 'p%'` (index it with
//! `text_pattern_ops`). Patterns: SQLite `GLOB`, PostgreSQL `~` (anchored regex), both after the
//! pattern's literal prefix has narrowed the range. Caller name: `LIKE`/`ILIKE` `%text%`.

use jiff::Timestamp;

use super::{CdrSearch, NumberMatch, SortColumn, SortValue};

/// Target database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite (`?N` placeholders).
    Sqlite,
    /// PostgreSQL (`$N` placeholders).
    Postgres,
}

/// A value to bind, in placeholder order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SqlValue {
    /// Text.
    Text(String),
    /// Integer.
    Int(i64),
    /// Instant (bind as the schema stores it: Unix seconds or `timestamptz`).
    Time(Timestamp),
}

/// The rendered parts of a search query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlQuery {
    /// Conditions joined by AND, without the `WHERE` keyword (`TRUE` when there are none).
    pub where_clause: String,
    /// `col DIR, id DIR`, without `ORDER BY`.
    pub order_by: String,
    /// Rows to fetch: `limit + 1`.
    pub fetch: u32,
    /// Bind values in placeholder order.
    pub params: Vec<SqlValue>,
}

/// Column names assumed in the CDR table.
pub fn column_name(column: SortColumn) -> &'static str {
    match column {
        SortColumn::Start => "start_time",
        SortColumn::Duration => "duration",
        SortColumn::Billsec => "billsec",
        SortColumn::Src => "src",
        SortColumn::Dst => "dst",
    }
}

struct Builder {
    dialect: Dialect,
    conditions: Vec<String>,
    params: Vec<SqlValue>,
    /// SQLite only: the columns an index walk may use (see [`Plan`]); filters on other columns
    /// are written `+col` so no index serves them.
    walk: Option<[&'static str; 2]>,
}

impl Builder {
    /// `col` as it appears in a condition.
    fn col(&self, col: &str) -> String {
        match self.walk {
            Some(usable) if !usable.contains(&col) => format!("+{col}"),
            _ => col.to_owned(),
        }
    }

    fn bind(&mut self, v: SqlValue) -> String {
        self.params.push(v);
        match self.dialect {
            Dialect::Sqlite => format!("?{}", self.params.len()),
            Dialect::Postgres => format!("${}", self.params.len()),
        }
    }

    fn cond(&mut self, c: String) {
        self.conditions.push(c);
    }

    fn prefix(&mut self, col: &str, prefix: &str) {
        let col = &self.col(col);
        match self.dialect {
            Dialect::Sqlite => {
                let lo = self.bind(SqlValue::Text(prefix.to_owned()));
                let hi = self.bind(SqlValue::Text(format!("{prefix}\u{10FFFF}")));
                self.cond(format!("{col} >= {lo} AND {col} < {hi}"));
            }
            Dialect::Postgres => {
                let p = self.bind(SqlValue::Text(format!("{}%", escape_like(prefix))));
                self.cond(format!("{col} LIKE {p} ESCAPE '\\'"));
            }
        }
    }

    fn number(&mut self, name: &str, m: &NumberMatch) {
        let col = &self.col(name);
        match m {
            NumberMatch::Exact(v) => {
                let p = self.bind(SqlValue::Text(v.clone()));
                self.cond(format!("{col} = {p}"));
            }
            NumberMatch::Prefix(v) => self.prefix(name, v),
            NumberMatch::Pattern(pattern) => {
                let literal = pattern.literal_prefix();
                if !literal.is_empty() {
                    self.prefix(name, &literal);
                }
                let (op, value) = match self.dialect {
                    Dialect::Sqlite => ("GLOB", pattern.to_glob()),
                    Dialect::Postgres => ("~", pattern.to_regex()),
                };
                let p = self.bind(SqlValue::Text(value));
                self.cond(format!("{col} {op} {p}"));
            }
        }
    }
}

/// Escapes `\`, `%` and `_` for `LIKE ... ESCAPE '\'`.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Renders `search` for `dialect`.
pub fn render(search: &CdrSearch, dialect: Dialect) -> SqlQuery {
    render_plan(search, dialect, Plan::Planner)
}

/// How a SQLite search should find its rows.
///
/// Without statistics SQLite serves the most selective-looking filter from its index and sorts
/// what matches: fast for a rare number, seconds for `src=20*` or one account code on 10 M rows.
/// When a search matches many rows, walking the sort column's index (newest first) and filtering
/// stops after one page. The store probes how many rows match (up to a cap) and picks the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Let the planner choose (the filters' indexes, then a sort).
    Planner,
    /// SQLite: walk the sort column's index, filters evaluated per row (`+col`).
    WalkSortIndex,
    /// SQLite: walk the index `(column, sort column)` from the equality filter on `column`;
    /// other filters evaluated per row.
    WalkEqualityIndex(&'static str),
}

impl Plan {
    /// The SQLite plan for a search whose filters match many rows: the sort column's index, or
    /// `(accountcode, sort column)` when the search has one account code (walking the sort index
    /// alone would pass every row of the other accounts first, e.g. 1 M long calls without one).
    pub fn for_many_matches(search: &CdrSearch) -> Plan {
        match (&search.accountcode, search.sort.column) {
            (Some(_), SortColumn::Start | SortColumn::Duration) => Plan::WalkEqualityIndex("accountcode"),
            _ => Plan::WalkSortIndex,
        }
    }
}

/// True when some filter can narrow the rows through an index (time range, numbers by value or
/// prefix, disposition, account code, duration bounds). Caller name, userfield, server and
/// patterns without a literal prefix are checked row by row.
pub fn has_indexed_filter(search: &CdrSearch) -> bool {
    let by_index = |m: &Option<NumberMatch>| match m {
        Some(NumberMatch::Exact(_) | NumberMatch::Prefix(_)) => true,
        Some(NumberMatch::Pattern(p)) => !p.literal_prefix().is_empty(),
        None => false,
    };
    search.range.from.is_some()
        || search.range.to.is_some()
        || by_index(&search.src)
        || by_index(&search.dst)
        || !search.dispositions.is_empty()
        || search.accountcode.is_some()
        || search.min_duration.is_some()
        || search.max_duration.is_some()
}

/// [`render`] with an explicit plan (ignored for PostgreSQL, whose planner has statistics).
pub fn render_plan(search: &CdrSearch, dialect: Dialect, plan: Plan) -> SqlQuery {
    let sort_col = column_name(search.sort.column);
    let walk = match plan {
        _ if dialect != Dialect::Sqlite => None,
        Plan::Planner => None,
        Plan::WalkSortIndex => Some([sort_col, sort_col]),
        Plan::WalkEqualityIndex(column) => Some([column, sort_col]),
    };
    let mut b = Builder { dialect, conditions: Vec::new(), params: Vec::new(), walk };
    let start = b.col("start_time");
    if let Some(from) = search.range.from {
        let p = b.bind(SqlValue::Time(from));
        b.cond(format!("{start} >= {p}"));
    }
    if let Some(to) = search.range.to {
        let p = b.bind(SqlValue::Time(to));
        b.cond(format!("{start} < {p}"));
    }
    if let Some(m) = &search.src {
        b.number("src", m);
    }
    if let Some(m) = &search.dst {
        b.number("dst", m);
    }
    if let Some(name) = &search.caller_name {
        let p = b.bind(SqlValue::Text(format!("%{}%", escape_like(name))));
        let op = if dialect == Dialect::Postgres { "ILIKE" } else { "LIKE" };
        let clid = b.col("clid");
        b.cond(format!("{clid} {op} {p} ESCAPE '\\'"));
    }
    if !search.dispositions.is_empty() {
        let ps: Vec<String> =
            search.dispositions.iter().map(|d| b.bind(SqlValue::Text(d.as_str().to_owned()))).collect();
        b.cond(format!("{} IN ({})", b.col("disposition"), ps.join(", ")));
    }
    if !search.servers.is_empty() {
        let ps: Vec<String> = search.servers.iter().map(|s| b.bind(SqlValue::Text(s.clone()))).collect();
        b.cond(format!("{} IN ({})", b.col("server"), ps.join(", ")));
    }
    for (col, value, op) in [("duration", search.min_duration, ">="), ("duration", search.max_duration, "<=")]
    {
        if let Some(v) = value {
            let p = b.bind(SqlValue::Int(v));
            b.cond(format!("{} {op} {p}", b.col(col)));
        }
    }
    for (col, value) in [("accountcode", &search.accountcode), ("userfield", &search.userfield)] {
        if let Some(v) = value {
            let p = b.bind(SqlValue::Text(v.clone()));
            b.cond(format!("{} = {p}", b.col(col)));
        }
    }
    let col = column_name(search.sort.column);
    let dir = if search.sort.descending { "DESC" } else { "ASC" };
    if let Some(after) = &search.after {
        let value = match &after.value {
            SortValue::Time(t) => SqlValue::Time(*t),
            SortValue::Int(v) => SqlValue::Int(*v),
            SortValue::Text(s) => SqlValue::Text(s.clone()),
        };
        let (pv, pid) = (b.bind(value), b.bind(SqlValue::Int(after.id)));
        let cmp = if search.sort.descending { "<" } else { ">" };
        b.cond(format!("({col}, id) {cmp} ({pv}, {pid})"));
    }
    let where_clause = if b.conditions.is_empty() { "TRUE".to_owned() } else { b.conditions.join(" AND ") };
    SqlQuery {
        where_clause,
        order_by: format!("{col} {dir}, id {dir}"),
        fetch: search.limit.saturating_add(1),
        params: b.params,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdr::search::Sort;

    fn account_by_duration() -> CdrSearch {
        CdrSearch {
            accountcode: Some("acc3".into()),
            userfield: Some("u".into()),
            min_duration: Some(60),
            sort: Sort { column: SortColumn::Duration, descending: true },
            limit: 50,
            ..CdrSearch::default()
        }
    }

    #[test]
    fn one_account_sorted_by_duration_walks_the_account_index() {
        let search = account_by_duration();
        let plan = Plan::for_many_matches(&search);
        assert_eq!(plan, Plan::WalkEqualityIndex("accountcode"));
        let q = render_plan(&search, Dialect::Sqlite, plan);
        assert_eq!(q.where_clause, "duration >= ?1 AND accountcode = ?2 AND +userfield = ?3");
        assert_eq!(q.order_by, "duration DESC, id DESC");
        let walk =
            render_plan(&CdrSearch { accountcode: None, ..search }, Dialect::Sqlite, Plan::WalkSortIndex);
        assert_eq!(walk.where_clause, "duration >= ?1 AND +userfield = ?2");
    }

    #[test]
    fn only_row_by_row_filters_have_no_index() -> Result<(), crate::cdr::search::pattern::PatternError> {
        let search =
            CdrSearch { caller_name: Some("x".into()), userfield: Some("u".into()), ..CdrSearch::default() };
        assert!(!has_indexed_filter(&search));
        assert!(has_indexed_filter(&account_by_duration()));
        let pattern =
            |p: &str| crate::cdr::search::pattern::AsteriskPattern::parse(p).map(NumberMatch::Pattern);
        assert!(!has_indexed_filter(&CdrSearch { dst: Some(pattern("_XXX")?), ..CdrSearch::default() }));
        assert!(has_indexed_filter(&CdrSearch { dst: Some(pattern("_30XX")?), ..CdrSearch::default() }));
        Ok(())
    }
}
