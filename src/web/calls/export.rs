//! Streamed CSV/XLSX export of the current search: `/calls/export.csv`, `/calls/export.xlsx`
//! (and `/api/v1/cdrs?format=csv`).
//!
//! A blocking thread pages through the search by keyset (5,000 rows per query, each page fetched
//! as one JSON document: [`crate::store::cdr::CdrStore::export_cdr_page`]) and writes rows into
//! the streaming writers of [`crate::cdr::export`], whose 64 KiB chunks go through a bounded
//! channel into the response body: memory stays constant and there is no row limit. A client
//! that disconnects closes the channel, which stops the thread at its next write.

use std::borrow::Cow;
use std::io::{self, Write};

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::tz::TimeZone;
use tokio::sync::mpsc;

use super::{millis, search_from, sort_value};
use crate::cdr::CdrText;
use crate::cdr::export::{Cell, CsvExport, ExportOptions, XlsxExport};
use crate::cdr::search::CdrSearch;
use crate::store::cdr::CdrRow;
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::extract::Viewer;

/// Rows fetched per query while exporting.
const EXPORT_PAGE: u32 = 5000;

/// Column names of an export, in order.
pub const HEADER: [&str; 23] = [
    "id",
    "server",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "src",
    "dst",
    "clid",
    "dcontext",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "accountcode",
    "amaflags",
    "uniqueid",
    "userfield",
    "peeraccount",
    "linkedid",
    "sequence",
];

pub fn router() -> Router<AppState> {
    Router::new().route("/calls/export.csv", get(csv)).route("/calls/export.xlsx", get(xlsx))
}

async fn csv(
    State(state): State<AppState>,
    _: Viewer,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (search, tz) = search_from(&state, &params)?;
    Ok(csv_response(&state, search, tz, &params))
}

async fn xlsx(
    State(state): State<AppState>,
    _: Viewer,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (search, tz) = search_from(&state, &params)?;
    let options = ExportOptions { timezone: tz, bom: false };
    let body = stream(&state, search, move |out| {
        let export = XlsxExport::new(out, &HEADER, &options)?;
        Ok(Writer::Xlsx(Box::new(export)))
    });
    let ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    Ok(download(body, ctype, "calls.xlsx"))
}

/// The CSV stream of a search (`bom=1` adds a UTF-8 BOM for Excel).
pub fn csv_response(
    state: &AppState,
    search: CdrSearch,
    tz: TimeZone,
    params: &[(String, String)],
) -> Response {
    let bom = params.iter().any(|(k, v)| k == "bom" && matches!(v.as_str(), "1" | "true" | "yes"));
    let options = ExportOptions { timezone: tz, bom };
    let body = stream(state, search, move |out| Ok(Writer::Csv(CsvExport::new(out, &HEADER, &options)?)));
    download(body, "text/csv; charset=utf-8", "calls.csv")
}

fn download(body: Body, content_type: &'static str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
}

enum Writer {
    Csv(CsvExport<ChannelWriter>),
    Xlsx(Box<XlsxExport<ChannelWriter>>),
}

impl Writer {
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        match self {
            Writer::Csv(w) => w.write_row(cells),
            Writer::Xlsx(w) => w.write_row(cells),
        }
    }

    fn finish(self) -> io::Result<()> {
        match self {
            Writer::Csv(w) => w.finish().map(drop),
            Writer::Xlsx(w) => w.finish().map(drop),
        }
    }
}

/// Sends written bytes to the response body (blocking when the client reads slowly).
struct ChannelWriter(mpsc::Sender<io::Result<Vec<u8>>>);

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.0
            .blocking_send(Ok(buf.to_vec()))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "client went away"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn stream(
    state: &AppState,
    mut search: CdrSearch,
    start: impl FnOnce(ChannelWriter) -> io::Result<Writer> + Send + 'static,
) -> Body {
    let (tx, rx) = mpsc::channel::<io::Result<Vec<u8>>>(8);
    let store = state.store.clone();
    let handle = tokio::runtime::Handle::current();
    let errors = tx.clone();
    tokio::task::spawn_blocking(move || {
        search.limit = EXPORT_PAGE;
        search.after = None;
        let result = (|| -> io::Result<()> {
            let mut writer = start(ChannelWriter(tx))?;
            loop {
                let rows = handle.block_on(store.export_cdr_page(&search)).map_err(io::Error::other)?;
                let more = rows.len() > EXPORT_PAGE as usize;
                for row in rows.iter().take(EXPORT_PAGE as usize) {
                    write_row(&mut writer, row)?;
                }
                match rows.get(EXPORT_PAGE as usize - 1) {
                    Some(last) if more => {
                        search.after = Some(crate::cdr::search::After {
                            value: sort_value(search.sort.column, last),
                            id: last.id,
                        });
                    }
                    _ => break,
                }
            }
            writer.finish()
        })();
        if let Err(e) = result {
            tracing::warn!(error = %e, "CDR export ended early");
            let _ = errors.blocking_send(Err(e));
        }
    });
    Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }))
}

fn write_row(writer: &mut Writer, row: &CdrRow) -> io::Result<()> {
    fn opt(s: &Option<String>) -> Cow<'_, str> {
        s.as_deref().map_or(Cow::Borrowed(""), text)
    }
    let texts = [
        text(&row.server),
        text(&row.disposition),
        text(&row.src),
        text(&row.dst),
        text(&row.clid),
        text(&row.dcontext),
        text(&row.channel),
        text(&row.dstchannel),
        text(&row.lastapp),
        text(&row.lastdata),
        text(&row.accountcode),
        text(&row.amaflags),
        opt(&row.uniqueid),
        opt(&row.userfield),
        opt(&row.peeraccount),
        opt(&row.linkedid),
    ];
    let [
        server,
        disposition,
        src,
        dst,
        clid,
        dcontext,
        channel,
        dstchannel,
        lastapp,
        lastdata,
        accountcode,
        amaflags,
        uniqueid,
        userfield,
        peeraccount,
        linkedid,
    ] = &texts;
    let sequence = row.sequence.map_or(Cell::Text(""), Cell::Int);
    writer.row(&[
        Cell::Int(row.id),
        Cell::Text(server),
        Cell::Time(Some(millis(row.start_time))),
        Cell::Time(row.answer_time.map(millis)),
        Cell::Time(row.end_time.map(millis)),
        Cell::Int(row.duration),
        Cell::Int(row.billsec),
        Cell::Text(disposition),
        Cell::Text(src),
        Cell::Text(dst),
        Cell::Text(clid),
        Cell::Text(dcontext),
        Cell::Text(channel),
        Cell::Text(dstchannel),
        Cell::Text(lastapp),
        Cell::Text(lastdata),
        Cell::Text(accountcode),
        Cell::Text(amaflags),
        Cell::Text(uniqueid),
        Cell::Text(userfield),
        Cell::Text(peeraccount),
        Cell::Text(linkedid),
        sequence,
    ])
}

/// Display form of stored (escaped) text; text without a `\\` escape displays as stored, so
/// the common case borrows instead of allocating.
fn text(stored: &str) -> Cow<'_, str> {
    if !stored.contains('\\') {
        return Cow::Borrowed(stored);
    }
    Cow::Owned(CdrText::from_escaped(stored).map(|t| t.to_display()).unwrap_or_else(|_| stored.to_owned()))
}
