//! Files attached to a work order: upload (type judged by content, 10 MB at most), list, download.
//! Each upload is an `attach` event carrying the file's SHA-256.

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xiaobao_core::role::Permission;
use xiaobao_core::time::rfc3339;
use xiaobao_store::{AttachInput, AttachmentRow};

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// The sequence number of the `attach` event on the order's timeline.
    pub event_seq: i64,
    pub uploaded_by: String,
    pub uploaded_at: String,
    pub url: String,
}

impl From<&AttachmentRow> for AttachmentView {
    fn from(a: &AttachmentRow) -> Self {
        Self {
            id: a.id,
            name: a.name.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            sha256: a.sha256.clone(),
            event_seq: a.event_seq,
            uploaded_by: a.uploaded_by.clone(),
            uploaded_at: rfc3339(a.uploaded_at),
            url: format!("/api/v1/complaints/{}/attachments/{}", a.complaint_id, a.id),
        }
    }
}

/// A multipart upload's body may hold the 10 MB file and its framing.
pub const MAX_UPLOAD_BYTES: usize = xiaobao_core::attachment::MAX_BYTES + 64 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_attachments, upload_attachment))
        .routes(routes!(download_attachment))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
}

/// May the caller attach files to this order: a role that registers or handles complaints (403), an
/// order in scope (404). Checked before the upload is read.
async fn may_attach(state: &AppState, caller: &Caller, complaint_id: i64) -> ApiResult<()> {
    if !(caller.can(Permission::RegisterComplaint) || caller.can(Permission::HandleComplaint)) {
        return Err(ApiError::forbidden_role());
    }
    crate::api::complaints::read_visible(state, caller, complaint_id).await.map(|_| ())
}

/// Checks and stores a file on an order the caller can see and works on (the API and the order page
/// both come here).
pub async fn attach_file(
    state: &AppState,
    caller: &Caller,
    complaint_id: i64,
    name: &str,
    data: Vec<u8>,
) -> ApiResult<AttachmentRow> {
    may_attach(state, caller, complaint_id).await?;
    let (name, content_type) = xiaobao_core::attachment::check(name, &data).map_err(ApiError::Invalid)?;
    let at = state.clock.now();
    let size = i64::try_from(data.len()).unwrap_or(i64::MAX);
    let input = AttachInput {
        complaint_id,
        actor: caller.actor(),
        at,
        name: name.clone(),
        content_type: content_type.to_string(),
        data,
    };
    let out = state.store.attach(input).await?;
    // answered from what was written
    Ok(AttachmentRow {
        id: out.id,
        complaint_id,
        event_seq: out.seq,
        name,
        content_type: content_type.to_string(),
        size,
        sha256: out.sha256,
        uploaded_by: caller.user.display_name.clone(),
        uploaded_at: at,
    })
}

/// The first file part of a multipart body: its name and bytes. Other parts go to `other`.
pub async fn read_file_part(
    mut m: Multipart,
    mut other: impl FnMut(&str, String),
) -> ApiResult<Option<(String, Vec<u8>)>> {
    let mut file = None;
    loop {
        let field = match m.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return Ok(file),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(ApiError::PayloadTooLarge),
            Err(_) => return Err(bad_multipart()),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" && file.is_none() {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE { ApiError::PayloadTooLarge } else { bad_multipart() }
            })?;
            file = Some((file_name, bytes.to_vec()));
        } else {
            let text = field.text().await.map_err(|_| bad_multipart())?;
            other(&name, text);
        }
    }
}

/// The one file of an API upload (the part `file`); any other part is refused naming it, and a
/// body without the file is refused.
pub async fn read_only_file(m: Multipart) -> ApiResult<(String, Vec<u8>)> {
    let mut unknown = None;
    let file = read_file_part(m, |n, _| {
        unknown.get_or_insert_with(|| n.to_string());
    })
    .await?;
    if let Some(n) = unknown {
        return Err(ApiError::BadRequest(
            xiaobao_core::FieldError::because(&n, "field.upload_unknown_part").with("n", n),
        ));
    }
    file.ok_or_else(no_file)
}

pub fn bad_multipart() -> ApiError {
    ApiError::BadRequest(xiaobao_core::FieldError::because("file", "field.upload_multipart"))
}

fn no_file() -> ApiError {
    ApiError::invalid("file", "field.upload_choose_file")
}

/// The form an attachment is uploaded with: one file, in the field `file`.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // describes the multipart body for the OpenAPI document
pub struct UploadForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Attach a file (multipart field `file`): PDF, PNG, JPEG, DOCX, XLSX, MP3, WAV or plain text, at
/// most 10 MB; the type is judged by the content and must match the name's extension.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/attachments", tag = "complaints", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", content = UploadForm, description = "the file, in a field named `file`"),
    responses((status = 201, body = AttachmentView), (status = 404, body = crate::error::Problem),
        (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub async fn upload_attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    m: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<AttachmentView>)> {
    may_attach(&state, &caller, id).await?;
    let m = m.map_err(|_| bad_multipart())?;
    let (name, data) = read_only_file(m).await?;
    let a = attach_file(&state, &caller, id, &name, data).await?;
    Ok((StatusCode::CREATED, Json(AttachmentView::from(&a))))
}

/// The order's attachments, oldest first.
#[utoipa::path(get, path = "/api/v1/complaints/{id}/attachments", tag = "complaints", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<AttachmentView>), (status = 404, body = crate::error::Problem)))]
pub async fn list_attachments(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<AttachmentView>>> {
    crate::api::complaints::read_visible(&state, &caller, id).await?;
    Ok(Json(state.store.attachments(id).await?.iter().map(AttachmentView::from).collect()))
}

/// One attachment's content, as a download.
#[utoipa::path(get, path = "/api/v1/complaints/{id}/attachments/{attachment_id}", tag = "complaints",
    params(("id" = i64, Path), ("attachment_id" = i64, Path)),
    responses((status = 200, description = "the file"), (status = 404, body = crate::error::Problem)))]
pub async fn download_attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, attachment_id)): Path<(i64, i64)>,
) -> ApiResult<Response> {
    download(&state, &caller, id, attachment_id).await
}

/// The file as a download: never rendered inline, so no upload can run as a page of this site.
pub async fn download(state: &AppState, caller: &Caller, id: i64, attachment_id: i64) -> ApiResult<Response> {
    crate::api::complaints::read_visible(state, caller, id).await?;
    let (a, data) = state.store.attachment(id, attachment_id).await?.ok_or(ApiError::NotFound)?;
    Ok(file_response(&a.name, &a.content_type, data))
}

/// A stored file as a download, never shown inline and never cached.
pub fn file_response(name: &str, content_type: &str, data: Vec<u8>) -> Response {
    // RFC 6266: an ASCII fallback and the UTF-8 name
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_".contains(c) { c } else { '_' }).collect();
    let utf8 = crate::api::query::percent_encode(name);
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{utf8}")),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        data,
    )
        .into_response()
}
