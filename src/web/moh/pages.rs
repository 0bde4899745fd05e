//! The Music on Hold pages: the category list, one category with its files, and the plain-form
//! fallbacks of every action (the pages work without JavaScript; `moh.js` adds drag-and-drop,
//! progress bars and drag reordering on top).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::files::receive;
use super::forms::{CategoryForm, Problems};
use super::sync::SyncBoard;
use super::test_hold::TestHoldPanel;
use super::views::{CategoryView, FileView};
use crate::moh::MohError;
use crate::web::AppState;
use crate::web::chrome::Chrome;
use crate::web::error::WebError;
use crate::web::extract::{Admin, ClientAddr, Viewer};

#[derive(Template, WebTemplate)]
#[template(path = "moh.html")]
pub struct IndexPage {
    chrome: Chrome,
    categories: Vec<CategoryView>,
    /// An enabled Asterisk server is configured, so the list has a sync status column.
    servers: bool,
    form: CategoryForm,
    problems: Problems,
}

#[derive(Template, WebTemplate)]
#[template(path = "moh_category.html")]
pub struct CategoryPage {
    chrome: Chrome,
    category: CategoryView,
    files: Vec<FileView>,
    form: CategoryForm,
    problems: Problems,
    notice: Option<String>,
    reports: Vec<FileView>,
    /// The move button that gets `autofocus` after a move, so keyboard users stay on the item.
    focus: Option<MoveFocus>,
    /// The "Test hold on Asterisk" disclosure (shown to admins when an enabled server exists).
    pub(super) test_hold: TestHoldPanel,
}

/// Which way a move button moves its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
}

/// The move button to focus after a move: the one pressed, or the other one of the same file when
/// the pressed one is now disabled (the file reached the top or the bottom).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MoveFocus {
    file: i64,
    direction: Direction,
}

impl CategoryPage {
    /// Whether the `direction` move button of `file` gets `autofocus`.
    pub fn autofocus(&self, file: &i64, direction: &str) -> bool {
        let Some(focus) = self.focus else { return false };
        let wanted = match focus.direction {
            Direction::Up => "up",
            Direction::Down => "down",
        };
        focus.file == *file && wanted == direction
    }

    fn focus_after_move(&mut self, file: i64, pressed: Direction) {
        let Some(index) = self.files.iter().position(|f| f.file.id == file) else { return };
        let last = self.files.len().saturating_sub(1);
        let direction = match pressed {
            Direction::Up if index == 0 && last > 0 => Direction::Down,
            Direction::Down if index == last && last > 0 => Direction::Up,
            other => other,
        };
        self.focus = Some(MoveFocus { file, direction });
    }
}

async fn index_page(
    state: &AppState,
    p: &crate::auth::session::Principal,
    form: CategoryForm,
    problems: Problems,
) -> Result<IndexPage, WebError> {
    let board = SyncBoard::of(&state.push);
    let categories =
        state.moh.categories().await?.iter().map(|c| CategoryView::of(c).with_sync(&board)).collect();
    Ok(IndexPage { chrome: Chrome::new(p, "/moh"), categories, servers: board.any_server(), form, problems })
}

pub async fn index(State(state): State<AppState>, Viewer(p): Viewer) -> Result<IndexPage, WebError> {
    let form = CategoryForm { mode: "files".into(), sort: "alpha".into(), ..CategoryForm::default() };
    index_page(&state, &p, form, Problems::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    Admin(p): Admin,
    addr: ClientAddr,
    Form(form): Form<CategoryForm>,
) -> Response {
    match state.moh.create(&p.actor(addr), &form.input()).await {
        Ok(c) => Redirect::to(&format!("/moh/{}?done=created", c.name)).into_response(),
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
            if status.is_server_error() {
                return WebError::from(e).into_response();
            }
            match index_page(&state, &p, form, Problems::from_error(&e)).await {
                Ok(page) => (status, page).into_response(),
                Err(e) => e.into_response(),
            }
        }
    }
}

pub(super) async fn category_page(
    state: &AppState,
    p: &crate::auth::session::Principal,
    name: &str,
    edit: Option<(CategoryForm, Problems)>,
    notice: Option<String>,
    reports: Vec<FileView>,
) -> Result<CategoryPage, WebError> {
    let c = state.moh.category(name).await?;
    let category = CategoryView::of(&c).with_sync(&SyncBoard::of(&state.push));
    let files = c.files.iter().map(|f| FileView::of(name, f, state.moh.formats())).collect();
    let (form, problems) = edit.unwrap_or_else(|| (CategoryForm::of(&category), Problems::default()));
    Ok(CategoryPage {
        chrome: Chrome::new(p, "/moh"),
        category,
        files,
        form,
        problems,
        notice,
        reports,
        focus: None,
        test_hold: TestHoldPanel::default(),
    })
}

#[derive(Deserialize)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
    /// After a move: the file moved and the button pressed (`up` / `down`).
    #[serde(default)]
    file: Option<i64>,
    #[serde(default)]
    pressed: Option<Direction>,
}

pub async fn category(
    State(state): State<AppState>,
    Viewer(p): Viewer,
    Path(name): Path<String>,
    axum::extract::Query(done): axum::extract::Query<Done>,
) -> Result<CategoryPage, WebError> {
    let notice = done.done.and_then(|d| match d.as_str() {
        "created" => Some("Category created.".to_string()),
        "saved" => Some("Saved; the configuration was rewritten.".to_string()),
        "moved" => Some("Order changed; the files on disk were renamed to follow it.".to_string()),
        "renamed" => Some("File renamed.".to_string()),
        "deleted" => Some("File deleted.".to_string()),
        _ => None,
    });
    let mut page = category_page(&state, &p, &name, None, notice, Vec::new()).await?;
    if let (Some(file), Some(pressed)) = (done.file, done.pressed) {
        page.focus_after_move(file, pressed);
    }
    Ok(page)
}

/// Re-renders the category page with the error, keeping an honest status.
async fn category_error(
    state: &AppState,
    p: &crate::auth::session::Principal,
    name: &str,
    form: Option<CategoryForm>,
    e: MohError,
) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    if status.is_server_error() || matches!(e, MohError::NoCategory(_)) {
        return WebError::from(e).into_response();
    }
    let problems = Problems::from_error(&e);
    let edit = form.map(|f| (f, problems));
    let notice = edit.is_none().then(|| e.to_string());
    match category_page(state, p, name, edit, None, Vec::new()).await {
        Ok(mut page) => {
            if let Some(message) = notice {
                page.problems.form = Some(message);
            }
            (status, page).into_response()
        }
        Err(e) => e.into_response(),
    }
}

pub async fn edit(
    State(state): State<AppState>,
    Admin(p): Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    Form(mut form): Form<CategoryForm>,
) -> Response {
    form.name = name.clone();
    match state.moh.update(&p.actor(addr), &name, &form.input()).await {
        Ok(_) => Redirect::to(&format!("/moh/{name}?done=saved")).into_response(),
        Err(e) => category_error(&state, &p, &name, Some(form), e).await,
    }
}

pub async fn delete(
    State(state): State<AppState>,
    Admin(p): Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
) -> Response {
    match state.moh.delete(&p.actor(addr), &name).await {
        Ok(()) => Redirect::to("/moh").into_response(),
        Err(e) => category_error(&state, &p, &name, None, e).await,
    }
}

/// The no-JavaScript upload: transcodes in the request and shows the reports.
pub async fn upload(
    State(state): State<AppState>,
    Admin(p): Admin,
    addr: ClientAddr,
    Path(name): Path<String>,
    multipart: Multipart,
) -> Response {
    let actor = p.actor(addr);
    let result = async {
        state.moh.category(&name).await?;
        let mut stored = Vec::new();
        for one in receive(&state, &actor, &name, multipart).await? {
            let (file, _) = state.moh.add_file(&actor, &name, one, |_| {}).await?;
            stored.push(FileView::of(&name, &file, state.moh.formats()));
        }
        Ok::<_, MohError>(stored)
    }
    .await;
    match result {
        Ok(reports) => {
            match category_page(&state, &p, &name, None, Some("Upload stored.".into()), reports).await {
                Ok(page) => page.into_response(),
                Err(e) => e.into_response(),
            }
        }
        Err(e) => category_error(&state, &p, &name, None, e).await,
    }
}

/// Replaces a file's audio from a plain multipart form and shows the report.
pub async fn replace_file(
    State(state): State<AppState>,
    Admin(p): Admin,
    addr: ClientAddr,
    Path((name, id)): Path<(String, i64)>,
    multipart: Multipart,
) -> Response {
    let actor = p.actor(addr);
    let result = async {
        state.moh.category(&name).await?;
        let mut received = receive(&state, &actor, &name, multipart).await?;
        if received.len() != 1 {
            return Err(MohError::BadUpload("choose exactly one file".into()));
        }
        let (file, _) = state.moh.replace_file(&actor, &name, id, received.remove(0)).await?;
        Ok::<_, MohError>(vec![FileView::of(&name, &file, state.moh.formats())])
    }
    .await;
    match result {
        Ok(reports) => {
            match category_page(&state, &p, &name, None, Some("File replaced.".into()), reports).await {
                Ok(page) => page.into_response(),
                Err(e) => e.into_response(),
            }
        }
        Err(e) => category_error(&state, &p, &name, None, e).await,
    }
}

#[derive(Deserialize)]
pub struct MoveForm {
    position: i64,
    /// Which button was pressed, so the page can put the focus back on it.
    #[serde(default)]
    pressed: Option<Direction>,
}

pub async fn move_file(
    State(state): State<AppState>,
    Admin(p): Admin,
    addr: ClientAddr,
    Path((name, id)): Path<(String, i64)>,
    Form(form): Form<MoveForm>,
) -> Response {
    match state.moh.move_file(&p.actor(addr), &name, id, form.position).await {
        Ok(()) => {
            let pressed = match form.pressed {
                Some(Direction::Up) => "&pressed=up",
                Some(Direction::Down) => "&pressed=down",
                None => "",
            };
            // No `#file-…` fragment: a document with a target fragment ignores `autofocus`, and the
            // focused button scrolls into view by itself.
            Redirect::to(&format!("/moh/{name}?done=moved&file={id}{pressed}")).into_response()
        }
        Err(e) => category_error(&state, &p, &name, None, e).await,
    }
}

#[derive(Deserialize)]
pub struct RenameForm {
    display_name: String,
}

pub async fn rename_file(
    State(state): State<AppState>,
    Admin(p): Admin,
    addr: ClientAddr,
    Path((name, id)): Path<(String, i64)>,
    Form(form): Form<RenameForm>,
) -> Response {
    match state.moh.rename_file(&p.actor(addr), &name, id, &form.display_name).await {
        Ok(()) => Redirect::to(&format!("/moh/{name}?done=renamed#file-{id}")).into_response(),
        Err(e) => category_error(&state, &p, &name, None, e).await,
    }
}

pub async fn delete_file(
    State(state): State<AppState>,
    Admin(p): Admin,
    addr: ClientAddr,
    Path((name, id)): Path<(String, i64)>,
) -> Response {
    match state.moh.delete_file(&p.actor(addr), &name, id).await {
        Ok(()) => Redirect::to(&format!("/moh/{name}?done=deleted")).into_response(),
        Err(e) => category_error(&state, &p, &name, None, e).await,
    }
}
