//! The SQL of [`CdrStore`](super::cdr::CdrStore), written once for both backends.
//!
//! Instantiated in `sqlite.rs` and `postgres.rs` with the dialect used to render searches. Every
//! user value is a bind parameter; the only numbers spliced into SQL text are computed here
//! (bucket sizes, zone offsets, row counts), never taken from a request.

/// Matching rows above which a SQLite search walks the sort index rather than sorting matches:
/// sorting 5,000 rows and walking to a page at 5,000 / 10 M selectivity both take a few ms.
pub const PLAN_PROBE_CAP: i64 = 5_000;

/// Implement `CdrStore` for `SqlStore<$db>`; `$dialect` is a [`crate::cdr::search::sql::Dialect`].
macro_rules! impl_cdr_store {
    ($db:ty, $dialect:expr) => {
        const _: () = {
            use $crate::cdr::search::sql::{Dialect, Plan, SqlValue, render};
            use $crate::store::StoreError;
            use $crate::store::cdr::*;
            use $crate::store::cdr_sql::PLAN_PROBE_CAP;

            fn bind_all<'q, O>(
                mut q: sqlx::query::QueryAs<'q, $db, O, <$db as sqlx::Database>::Arguments>,
                params: Vec<SqlValue>,
            ) -> sqlx::query::QueryAs<'q, $db, O, <$db as sqlx::Database>::Arguments> {
                for p in params {
                    q = match p {
                        SqlValue::Text(s) => q.bind(s),
                        SqlValue::Int(v) => q.bind(v),
                        SqlValue::Time(t) => q.bind(t.as_millisecond()),
                    };
                }
                q
            }

/// SQLite: counts the matching rows (up to [`PLAN_PROBE_CAP`]) with the planner's plan; a
            /// search matching more walks the sort column's index instead of sorting them all.
            async fn choose_plan(
                pool: &sqlx::Pool<$db>,
                search: &$crate::cdr::search::CdrSearch,
            ) -> Result<Plan, StoreError> {
                if $dialect != Dialect::Sqlite {
                    return Ok(Plan::Planner);
                }
                // The filters alone decide (a keyset cursor only moves the start of the walk).
                let q = filters_only(search);
                if q.where_clause == "TRUE" {
                    return Ok(Plan::Planner);
                }
                // No index can narrow the filters: counting would scan the table, and so would
                // the query after it. One walk of the sort index stops as soon as a page is full.
                if !$crate::cdr::search::sql::has_indexed_filter(search) {
                    return Ok(Plan::WalkSortIndex);
                }
                let sql = format!(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM cdr WHERE {} LIMIT {PLAN_PROBE_CAP})",
                    q.where_clause
                );
                let query = sqlx::query_as::<$db, (i64,)>(sqlx::AssertSqlSafe(sql));
                let (matching,) = bind_all(query, q.params).fetch_one(pool).await?;
                Ok(if matching >= PLAN_PROBE_CAP { Plan::for_many_matches(search) } else { Plan::Planner })
            }

            async fn set_cache(conn: &mut <$db as sqlx::Database>::Connection, bulk: bool) -> Result<(), StoreError> {
                if let Some(sql) = <$db as $crate::store::cdr_fast::CdrRowWriter>::cache_statement(bulk) {
                    sqlx::query(sql).execute(&mut *conn).await?;
                }
                Ok(())
            }

            /// Rows, rejects and position of one batch, inside the caller's transaction.
            async fn write_batch(
                conn: &mut <$db as sqlx::Database>::Connection,
                batch: &CdrBatch<'_>,
            ) -> Result<InsertCounts, StoreError> {
                    let mut counts = InsertCounts::default();
                    let inserted = <$db as $crate::store::cdr_fast::CdrRowWriter>::insert_cdr_rows(
                        &mut *conn,
                        batch.server,
                        batch.records,
                        batch.now_ms,
                    )
                    .await?;
                    counts.inserted += inserted;
                    counts.duplicates += batch.records.len() as u64 - inserted;
                    for reject in batch.rejects {
                        sqlx::query(
                            "INSERT INTO cdr_rejects (server, source, raw, reason, file_offset, at) \
                             VALUES ($1, $2, $3, $4, $5, $6)",
                        )
                        .bind(batch.server)
                        .bind(batch.source)
                        .bind(reject.raw.as_escaped())
                        .bind(reject.reason.to_string())
                        .bind(reject.offset.and_then(|o| i64::try_from(o).ok()))
                        .bind(batch.now_ms)
                        .execute(&mut *conn)
                        .await?;
                        counts.rejected += 1;
                    }
                    if let Some(p) = batch.position {
                        sqlx::query(
                            "INSERT INTO cdr_positions (server, path, dev, inode, file_offset, fp_len, fp_sha256, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (server, path) DO UPDATE SET \
                             dev = excluded.dev, inode = excluded.inode, file_offset = excluded.file_offset, \
                             fp_len = excluded.fp_len, fp_sha256 = excluded.fp_sha256, updated_at = excluded.updated_at",
                        )
                        .bind(batch.server)
                        .bind(batch.source)
                        .bind(p.dev as i64)
                        .bind(p.inode as i64)
                        .bind(p.offset as i64)
                        .bind(p.fingerprint.len as i64)
                        .bind($crate::cdr::key::DedupeKey { kind: $crate::cdr::KeyKind::Natural, digest: p.fingerprint.sha256 }.to_hex())
                        .bind(batch.now_ms)
                        .execute(&mut *conn)
                        .await?;
                    }
                Ok(counts)
            }

            fn filters_only(search: &$crate::cdr::search::CdrSearch) -> $crate::cdr::search::sql::SqlQuery {
                let plain = $crate::cdr::search::CdrSearch { after: None, ..search.clone() };
                render(&plain, $dialect)
            }

            #[async_trait::async_trait]
            impl CdrStore for $crate::store::sql::SqlStore<$db> {
                async fn commit_cdr_batch(&self, batch: CdrBatch<'_>) -> Result<InsertCounts, StoreError> {
                    let mut tx = self.pool.begin().await?;
                    set_cache(&mut tx, false).await?;
                    let counts = write_batch(&mut tx, &batch).await?;
                    tx.commit().await?;
                    Ok(counts)
                }

                async fn commit_cdr_stream(
                    &self,
                    source: &mut dyn CdrBatchSource,
                    rows_per_commit: usize,
                ) -> Result<InsertCounts, StoreError> {
                    let mut totals = InsertCounts::default();
                    let mut conn = self.pool.acquire().await?;
                    set_cache(&mut conn, true).await?;
                    let mut pending = source.next_batch().await;
                    while pending.is_some() {
                        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
                        let mut rows = 0;
                        while let Some(owned) = pending.take() {
                            rows += owned.records.len() + owned.rejects.len();
                            let batch = CdrBatch {
                                server: source.server(),
                                source: source.source(),
                                records: &owned.records,
                                rejects: &owned.rejects,
                                position: owned.position,
                                now_ms: $crate::auth::now_ms(),
                            };
                            totals += write_batch(&mut tx, &batch).await?;
                            drop(owned);
                            pending = source.next_batch().await;
                            if rows >= rows_per_commit {
                                break;
                            }
                        }
                        tx.commit().await?;
                    }
                    set_cache(&mut conn, false).await?;
                    Ok(totals)
                }

                async fn cdr_position(
                    &self,
                    server: &str,
                    path: &str,
                ) -> Result<Option<$crate::cdr::position::FilePosition>, StoreError> {
                    let row: Option<(i64, i64, i64, i64, String)> = sqlx::query_as(
                        "SELECT dev, inode, file_offset, fp_len, fp_sha256 FROM cdr_positions \
                         WHERE server = $1 AND path = $2",
                    )
                    .bind(server)
                    .bind(path)
                    .fetch_optional(&self.pool)
                    .await?;
                    Ok(row.and_then(|(d, i, o, l, h)| position_from_row(d, i, o, l, &h)))
                }

                async fn search_cdrs(
                    &self,
                    search: &$crate::cdr::search::CdrSearch,
                ) -> Result<Vec<CdrRow>, StoreError> {
                    let plan = choose_plan(&self.pool, search).await?;
                    let q = $crate::cdr::search::sql::render_plan(search, $dialect, plan);
                    let sql = format!(
                        "SELECT {SELECT_COLUMNS} FROM cdr WHERE {} ORDER BY {} LIMIT {}",
                        q.where_clause, q.order_by, q.fetch
                    );
                    let query = sqlx::query_as::<$db, CdrRow>(sqlx::AssertSqlSafe(sql));
                    Ok(bind_all(query, q.params).fetch_all(&self.pool).await?)
                }

                async fn export_cdr_page(
                    &self,
                    search: &$crate::cdr::search::CdrSearch,
                ) -> Result<Vec<CdrRow>, StoreError> {
                    let plan = choose_plan(&self.pool, search).await?;
                    let q = $crate::cdr::search::sql::render_plan(search, $dialect, plan);
                    // SQLite aggregates the ordered subquery in its order (an ORDER BY inside the
                    // aggregate would sort the page again); the page is re-checked below.
                    let (array, agg, agg_order) = match $dialect {
                        Dialect::Sqlite => ("json_array", "json_group_array", String::new()),
                        Dialect::Postgres => ("json_build_array", "json_agg", format!(" ORDER BY {}", q.order_by)),
                    };
                    let sql = format!(
                        "SELECT CAST({agg}({array}({SELECT_COLUMNS}){agg_order}) AS TEXT) \
                         FROM (SELECT {SELECT_COLUMNS} FROM cdr WHERE {} ORDER BY {order} LIMIT {}) page",
                        q.where_clause,
                        q.fetch,
                        order = q.order_by
                    );
                    let query = sqlx::query_as::<$db, (Option<String>,)>(sqlx::AssertSqlSafe(sql));
                    let (json,) = bind_all(query, q.params).fetch_one(&self.pool).await?;
                    let Some(json) = json else { return Ok(Vec::new()) };
                    let mut rows: Vec<CdrRow> = serde_json::from_str(&json)
                        .map_err(|e| StoreError::Database(sqlx::Error::Decode(Box::new(e))))?;
                    if $dialect == Dialect::Sqlite {
                        // Linear when already in order (the usual case); SQLite compares text bytewise.
                        rows.sort_by(|a, b| page_order(search.sort, a, b));
                    }
                    Ok(rows)
                }

                async fn cdr_by_id(&self, id: i64) -> Result<Option<CdrRow>, StoreError> {
                    let sql = format!("SELECT {SELECT_COLUMNS} FROM cdr WHERE id = $1");
                    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await?)
                }

                async fn cdrs_by_linkedid(&self, linkedid: &str) -> Result<Vec<CdrRow>, StoreError> {
                    let sql = format!(
                        "SELECT {SELECT_COLUMNS} FROM cdr WHERE linkedid = $1 ORDER BY start_time, id LIMIT 1000"
                    );
                    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(linkedid).fetch_all(&self.pool).await?)
                }

                async fn cdr_stats(
                    &self,
                    search: &$crate::cdr::search::CdrSearch,
                    bucket: Bucket,
                    offset_ms: i64,
                ) -> Result<CdrStats, StoreError> {
                    let q = filters_only(search);
                    let bms = bucket.millis();
                    let grouped = |expr: String| {
                        format!(
                            "SELECT {expr} AS bucket, disposition, COUNT(*) AS calls, \
                             CAST(COALESCE(SUM(duration), 0) AS BIGINT) AS total_duration \
                             FROM cdr WHERE {} GROUP BY 1, 2 ORDER BY 1, 2",
                            q.where_clause
                        )
                    };
                    let by_time = grouped(format!("((start_time + ({offset_ms})) / {bms}) * {bms}"));
                    let by_hour = grouped(format!("((start_time + ({offset_ms})) / 3600000) % 24"));
                    let buckets = bind_all(sqlx::query_as::<$db, StatCell>(sqlx::AssertSqlSafe(by_time)), q.params.clone())
                        .fetch_all(&self.pool)
                        .await?;
                    let hours = bind_all(sqlx::query_as::<$db, StatCell>(sqlx::AssertSqlSafe(by_hour)), q.params.clone())
                        .fetch_all(&self.pool)
                        .await?;
                    let top = |col: &str| {
                        format!(
                            "SELECT {col} AS number, COUNT(*) AS calls FROM cdr WHERE {} \
                             GROUP BY {col} ORDER BY calls DESC, {col} LIMIT 10",
                            q.where_clause
                        )
                    };
                    let top_sources = bind_all(sqlx::query_as::<$db, TopNumber>(sqlx::AssertSqlSafe(top("src"))), q.params.clone())
                        .fetch_all(&self.pool)
                        .await?;
                    let top_destinations = bind_all(sqlx::query_as::<$db, TopNumber>(sqlx::AssertSqlSafe(top("dst"))), q.params.clone())
                        .fetch_all(&self.pool)
                        .await?;
                    Ok(CdrStats { buckets, hours, top_sources, top_destinations })
                }

                async fn list_cdr_rejects(&self, limit: i64) -> Result<Vec<CdrRejectRow>, StoreError> {
                    Ok(sqlx::query_as(
                        "SELECT id, server, source, raw, reason, file_offset, at FROM cdr_rejects \
                         ORDER BY id DESC LIMIT $1",
                    )
                    .bind(limit.clamp(1, 1000))
                    .fetch_all(&self.pool)
                    .await?)
                }

                async fn cdr_counts(&self) -> Result<(i64, i64), StoreError> {
                    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cdr").fetch_one(&self.pool).await?;
                    let rejects: i64 =
                        sqlx::query_scalar("SELECT COUNT(*) FROM cdr_rejects").fetch_one(&self.pool).await?;
                    Ok((rows, rejects))
                }

                async fn purge_cdrs(&self, before_ms: i64) -> Result<u64, StoreError> {
                    let done = sqlx::query("DELETE FROM cdr WHERE start_time < $1")
                        .bind(before_ms)
                        .execute(&self.pool)
                        .await?;
                    Ok(done.rows_affected())
                }
            }
        };
    };
}
pub(crate) use impl_cdr_store;
