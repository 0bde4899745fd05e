//! Music on Hold categories and files: the [`MohStore`] trait and its SQL, written once for both
//! backends in [`impl_moh_store!`].
//!
//! Stores what it is given; the `moh` module validates everything first. Category names are unique
//! ignoring case (`name_lower`); a category update only applies to the version it was based on
//! (optimistic locking); a file's sha256 is unique within its category.

use async_trait::async_trait;
use serde::Serialize;

use super::StoreError;

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct MohCategoryRow {
    pub id: i64,
    pub name: String,
    pub label: String,
    pub description: String,
    pub mode: String,
    pub sort: String,
    pub announcement_file_id: Option<i64>,
    pub digit: Option<String>,
    pub loop_last: bool,
    pub answeredonly: bool,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct MohFileRow {
    pub id: i64,
    pub category_id: i64,
    pub display_name: String,
    pub slug: String,
    pub stored_name: String,
    pub position: i64,
    pub duration_ms: i64,
    pub source_format: String,
    pub loudness_before: Option<f64>,
    pub loudness_after: Option<f64>,
    /// JSON array of strings.
    pub warnings: String,
    pub sha256: String,
    pub uploaded_at: i64,
    pub uploaded_by: String,
}

/// A category's columns as written (create and update).
#[derive(Debug, Clone)]
pub struct MohCategoryValues<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub description: &'a str,
    pub mode: &'a str,
    pub sort: &'a str,
    pub announcement_file_id: Option<i64>,
    pub digit: Option<String>,
    pub loop_last: bool,
    pub answeredonly: bool,
    pub now_ms: i64,
}

/// One new file row (everything but the id).
pub type NewMohFile = MohFileRow;

#[async_trait]
pub trait MohStore: Send + Sync {
    async fn list_moh_categories(&self) -> Result<Vec<MohCategoryRow>, StoreError>;
    async fn moh_category(&self, name: &str) -> Result<Option<MohCategoryRow>, StoreError>;
    /// `Conflict` when the name exists ignoring case.
    async fn insert_moh_category(&self, values: &MohCategoryValues<'_>)
    -> Result<MohCategoryRow, StoreError>;
    /// Applies only if the stored version is `expected_version`; `None` otherwise.
    async fn update_moh_category(
        &self,
        id: i64,
        expected_version: i64,
        values: &MohCategoryValues<'_>,
    ) -> Result<Option<MohCategoryRow>, StoreError>;
    /// Deletes the category and its file rows.
    async fn delete_moh_category(&self, id: i64) -> Result<bool, StoreError>;

    async fn list_moh_files(&self, category_id: i64) -> Result<Vec<MohFileRow>, StoreError>;
    async fn insert_moh_file(&self, file: &NewMohFile) -> Result<MohFileRow, StoreError>;
    /// Sets `(id, position, stored_name)` for several files in one transaction.
    async fn reorder_moh_files(&self, order: &[(i64, i64, String)]) -> Result<(), StoreError>;
    async fn rename_moh_file(&self, id: i64, display_name: &str) -> Result<bool, StoreError>;
    /// Replaces a file's audio: every column but id, category and position from `file`.
    async fn replace_moh_file(&self, file: &MohFileRow) -> Result<bool, StoreError>;
    /// Deletes the file row and clears it as its category's announcement.
    async fn delete_moh_file(&self, category_id: i64, id: i64) -> Result<bool, StoreError>;
}

macro_rules! impl_moh_store {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::moh::MohStore for $crate::store::sql::SqlStore<$db> {
            async fn list_moh_categories(
                &self,
            ) -> Result<Vec<$crate::store::moh::MohCategoryRow>, $crate::store::StoreError> {
                Ok(sqlx::query_as("SELECT * FROM moh_categories ORDER BY name").fetch_all(&self.pool).await?)
            }

            async fn moh_category(
                &self,
                name: &str,
            ) -> Result<Option<$crate::store::moh::MohCategoryRow>, $crate::store::StoreError> {
                Ok(sqlx::query_as("SELECT * FROM moh_categories WHERE name = $1")
                    .bind(name)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn insert_moh_category(
                &self,
                v: &$crate::store::moh::MohCategoryValues<'_>,
            ) -> Result<$crate::store::moh::MohCategoryRow, $crate::store::StoreError> {
                sqlx::query_as(
                    "INSERT INTO moh_categories (name, name_lower, label, description, mode, sort, \
                     announcement_file_id, digit, loop_last, answeredonly, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11) RETURNING *",
                )
                .bind(v.name)
                .bind(v.name.to_lowercase())
                .bind(v.label)
                .bind(v.description)
                .bind(v.mode)
                .bind(v.sort)
                .bind(v.announcement_file_id)
                .bind(&v.digit)
                .bind(v.loop_last)
                .bind(v.answeredonly)
                .bind(v.now_ms)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| {
                    if $crate::store::is_unique_violation(&e) {
                        $crate::store::StoreError::Conflict(format!("a category named {} (ignoring case)", v.name))
                    } else {
                        e.into()
                    }
                })
            }

            async fn update_moh_category(
                &self,
                id: i64,
                expected_version: i64,
                v: &$crate::store::moh::MohCategoryValues<'_>,
            ) -> Result<Option<$crate::store::moh::MohCategoryRow>, $crate::store::StoreError> {
                Ok(sqlx::query_as(
                    "UPDATE moh_categories SET label = $1, description = $2, mode = $3, sort = $4, \
                     announcement_file_id = $5, digit = $6, loop_last = $7, answeredonly = $8, \
                     version = version + 1, updated_at = $9 WHERE id = $10 AND version = $11 RETURNING *",
                )
                .bind(v.label)
                .bind(v.description)
                .bind(v.mode)
                .bind(v.sort)
                .bind(v.announcement_file_id)
                .bind(&v.digit)
                .bind(v.loop_last)
                .bind(v.answeredonly)
                .bind(v.now_ms)
                .bind(id)
                .bind(expected_version)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn delete_moh_category(&self, id: i64) -> Result<bool, $crate::store::StoreError> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("DELETE FROM moh_files WHERE category_id = $1").bind(id).execute(&mut *tx).await?;
                let done =
                    sqlx::query("DELETE FROM moh_categories WHERE id = $1").bind(id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(done.rows_affected() > 0)
            }

            async fn list_moh_files(
                &self,
                category_id: i64,
            ) -> Result<Vec<$crate::store::moh::MohFileRow>, $crate::store::StoreError> {
                Ok(sqlx::query_as("SELECT * FROM moh_files WHERE category_id = $1 ORDER BY position, id")
                    .bind(category_id)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn insert_moh_file(
                &self,
                f: &$crate::store::moh::NewMohFile,
            ) -> Result<$crate::store::moh::MohFileRow, $crate::store::StoreError> {
                sqlx::query_as(
                    "INSERT INTO moh_files (category_id, display_name, slug, stored_name, position, duration_ms, \
                     source_format, loudness_before, loudness_after, warnings, sha256, uploaded_at, uploaded_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING *",
                )
                .bind(f.category_id)
                .bind(&f.display_name)
                .bind(&f.slug)
                .bind(&f.stored_name)
                .bind(f.position)
                .bind(f.duration_ms)
                .bind(&f.source_format)
                .bind(f.loudness_before)
                .bind(f.loudness_after)
                .bind(&f.warnings)
                .bind(&f.sha256)
                .bind(f.uploaded_at)
                .bind(&f.uploaded_by)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| {
                    if $crate::store::is_unique_violation(&e) {
                        $crate::store::StoreError::Conflict("the same audio in this category".into())
                    } else {
                        e.into()
                    }
                })
            }

            async fn reorder_moh_files(&self, order: &[(i64, i64, String)]) -> Result<(), $crate::store::StoreError> {
                let mut tx = self.pool.begin().await?;
                for (id, position, stored_name) in order {
                    sqlx::query("UPDATE moh_files SET position = $1, stored_name = $2 WHERE id = $3")
                        .bind(position)
                        .bind(stored_name)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn rename_moh_file(&self, id: i64, display_name: &str) -> Result<bool, $crate::store::StoreError> {
                let done = sqlx::query("UPDATE moh_files SET display_name = $1 WHERE id = $2")
                    .bind(display_name)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn replace_moh_file(
                &self,
                f: &$crate::store::moh::MohFileRow,
            ) -> Result<bool, $crate::store::StoreError> {
                let done = sqlx::query(
                    "UPDATE moh_files SET display_name = $1, slug = $2, stored_name = $3, duration_ms = $4, \
                     source_format = $5, loudness_before = $6, loudness_after = $7, warnings = $8, sha256 = $9, \
                     uploaded_at = $10, uploaded_by = $11 WHERE id = $12 AND category_id = $13",
                )
                .bind(&f.display_name)
                .bind(&f.slug)
                .bind(&f.stored_name)
                .bind(f.duration_ms)
                .bind(&f.source_format)
                .bind(f.loudness_before)
                .bind(f.loudness_after)
                .bind(&f.warnings)
                .bind(&f.sha256)
                .bind(f.uploaded_at)
                .bind(&f.uploaded_by)
                .bind(f.id)
                .bind(f.category_id)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn delete_moh_file(&self, category_id: i64, id: i64) -> Result<bool, $crate::store::StoreError> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "UPDATE moh_categories SET announcement_file_id = NULL, version = version + 1 \
                     WHERE id = $1 AND announcement_file_id = $2",
                )
                .bind(category_id)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                let done = sqlx::query("DELETE FROM moh_files WHERE id = $1 AND category_id = $2")
                    .bind(id)
                    .bind(category_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}

pub(crate) use impl_moh_store;
