//! Recorded notices to units (通报, 告知): a flagged project told to its approving
//! department and the office, a contracting finding told to the party's group company,
//! its supervising department and the discipline inspection commission (item (77):
//! "对相关违法行为要通报其上级公司、主管部门及纪检监察部门追究责任"). Written inside the
//! action's transaction; read by the unit they are addressed to and on the object's page.

use serde::Serialize;

use crate::db::{Db, Tx, q};
use crate::error::Result;
use crate::ids::next_id;

/// The office's unit (区安委办), or the directory's root without one.
pub(crate) async fn office(tx: &mut Tx) -> Result<Option<i64>> {
    let found: Option<(i64,)> = tx
        .opt(q("SELECT id FROM units WHERE active = 1 AND kind = 'committee_office' AND (name IN ('区安委办', '县安委办') OR parent_id IS NULL) ORDER BY depth DESC, id LIMIT 1"))
        .await?;
    Ok(found.map(|(id,)| id))
}

/// The discipline inspection commission (区纪委监委机关), if the directory has it.
pub(crate) async fn discipline(tx: &mut Tx) -> Result<Option<i64>> {
    let found: Option<(i64,)> = tx
        .opt(q("SELECT u.id FROM units u WHERE u.active = 1 AND (u.name IN ('区纪委监委机关', '区纪委监委') OR u.id IN (SELECT a.unit_id FROM unit_aliases a WHERE a.alias IN ('区纪委监委', '区纪委监委机关'))) ORDER BY u.id LIMIT 1"))
        .await?;
    Ok(found.map(|(id,)| id))
}

/// Records the notices `sent` (unit, text) about the object `subject` `id`, each once,
/// in multi-row inserts.
pub(crate) async fn send(
    tx: &mut Tx,
    now_ms: i64,
    subject: &'static str,
    id: i64,
    sent: &[(i64, String)],
) -> Result<()> {
    let mut sent = sent.to_vec();
    sent.sort();
    sent.dedup();
    let rows: Vec<Vec<crate::db::Arg>> = sent
        .iter()
        .map(|(u, text)| {
            vec![
                next_id(now_ms).into(),
                (*u).into(),
                subject.into(),
                id.into(),
                text.as_str().into(),
                now_ms.into(),
            ]
        })
        .collect();
    for chunk in rows.chunks(500) {
        tx.execute(crate::db::insert_rows(
            "INSERT INTO notices (id, unit_id, subject, subject_id, text, created_at) VALUES ",
            chunk,
        ))
        .await?;
    }
    Ok(())
}

/// A notice as pages and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct NoticeRow {
    pub id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub subject: String,
    pub subject_id: i64,
    pub text: String,
    pub created_at: i64,
}

const ROW: &str = "SELECT n.id, n.unit_id, u.name AS unit_name, n.subject, n.subject_id, n.text, n.created_at FROM notices n JOIN units u ON u.id = n.unit_id WHERE ";

/// The notices about (`subject`, `id`), oldest first (at most 200): the caller has
/// read the object in scope.
pub async fn about(db: &Db, subject: &str, id: i64) -> Result<Vec<NoticeRow>> {
    db.read()
        .all(
            q(ROW)
                .push("n.subject = ")
                .push_bind(subject.to_string())
                .push(" AND n.subject_id = ")
                .push_bind(id)
                .push(" ORDER BY n.id LIMIT 200"),
        )
        .await
}

/// The latest notices addressed to `unit` (at most 50).
pub async fn to_unit(db: &Db, unit: i64) -> Result<Vec<NoticeRow>> {
    db.read()
        .all(
            q(ROW)
                .push("n.unit_id = ")
                .push_bind(unit)
                .push(" ORDER BY n.id DESC LIMIT 50"),
        )
        .await
}

/// The notices about the objects `ids` of kind `subject` (a list's rows), oldest first,
/// at most 1,000, in one query.
pub async fn about_many(db: &Db, subject: &str, ids: &[i64]) -> Result<Vec<NoticeRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    db.read()
        .all(
            q(ROW)
                .push("n.subject = ")
                .push_bind(subject.to_string())
                .push(" AND n.subject_id IN (")
                .push_list(ids)
                .push(") ORDER BY n.id LIMIT 1000"),
        )
        .await
}
