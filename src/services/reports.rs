//! Reports for dashboards and cross-ICB reporting tools, computed by the database: every report is one
//! grouped SQL statement (plus constant-size lookups of the succession graph and of group labels), so its
//! cost does not grow with the number of rows beyond what the database itself does.
//!
//! ICB attribution: `AT_EVENT` attributes a record to the ICB that answered for it on the day of the
//! event (a programme's owner on a cohort's intake date, after any merger that had taken effect by
//! then); `CURRENT_SUCCESSOR` rolls everything up to today's successor. An ICB that was split has no
//! single successor: it is never rolled up as a whole (records it owns stay attributed to it).
//!
//! Small-number suppression: readers without access to personal data (anonymous callers and the
//! `reporter` role) never see a count below the threshold, nor a figure derived from one.

use super::access::{Answering, RecordScope, Scope, Scoped, organisations_in};
use super::organisations;
use crate::error::AppError;
use crate::reference::succession::SuccessionGraph;
use chrono::NaiveDate;
use entity::enums::{AfcBand, RelationshipKind, Sector, Specialism, SuccessionKind};
use entity::{
    cohort, consultant_lead, icb_medicines_role, organisation, organisation_succession, placement, programme_lead,
    rotation_programme,
};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, QueryResult, Statement, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// Which ICB a record is attributed to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IcbResolution {
    /// The ICB that answered for the record on the day of the event.
    #[default]
    AtEvent,
    /// Today's successor of that ICB.
    CurrentSuccessor,
}

/// How the rows of a report over cohorts are grouped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CohortGrouping {
    /// One row per cohort.
    #[default]
    Cohort,
    /// One row per programme.
    Programme,
    /// One row per (resolved) owner ICB.
    Icb,
    /// One row per region of the (resolved) owner ICB.
    Region,
}

/// The records a report covers.
#[derive(Clone, Debug, Default)]
pub struct ReportFilter {
    /// Only records attributed to these ICBs (ODS codes, after resolution).
    pub icbs: Vec<String>,
    /// Only records attributed to ICBs of these regions (ODS codes).
    pub regions: Vec<String>,
    /// Only these programmes.
    pub programmes: Vec<Uuid>,
    /// Events on or after this day.
    pub from: Option<NaiveDate>,
    /// Events on or before this day.
    pub to: Option<NaiveDate>,
    /// The day the figures are as of (default: `today`).
    pub as_of: Option<NaiveDate>,
    /// Today, by the server's clock: the day `CURRENT_SUCCESSOR` resolves to.
    pub today: NaiveDate,
    pub resolution: IcbResolution,
}

/// A count, or suppressed (below the threshold for a reader without access to personal data).
pub type Count = Option<u64>;

/// Disclosure control for readers without access to personal data (anonymous callers and `reporter`),
/// in the style of NHS Digital's published statistics: a count below the threshold is suppressed, every
/// other count is rounded to the nearest multiple of the rounding base (5 by default; halves up), and
/// every figure derived from counts (totals, rates, shares) is computed from the rounded counts. So two
/// answers over overlapping ranges differ by a multiple of the base, and their difference never states
/// a small number exactly. What it does not promise: repeated queries can still bound a count (a rounded
/// 10 means 8 to 12); places offered and dates are published as they are.
#[derive(Clone, Copy, Debug)]
pub struct Suppression {
    threshold: Option<u64>,
    rounding: u64,
}

impl Suppression {
    /// The disclosure control `scope` calls for: counts below `threshold` suppressed, the rest rounded to
    /// multiples of `rounding` (1: not rounded); none for readers with access to personal data.
    pub fn for_scope(scope: &Scope, threshold: u64, rounding: u64) -> Self {
        Self { threshold: (!scope.personal_data).then_some(threshold), rounding: rounding.max(1) }
    }

    /// A measure derived from records (WTE summed, pharmacist-months), as published with the `count` of
    /// those records: suppressed with it, and under disclosure control rounded like a count (so it
    /// cannot give the exact count back, nor a suppressed one by subtraction); otherwise to 2 places.
    pub fn measure(&self, value: f64, count: Count) -> Option<f64> {
        count?;
        Some(match self.threshold {
            Some(_) => {
                let base = self.rounding as f64;
                (value / base).round() * base
            }
            None => (value * 100.0).round() / 100.0,
        })
    }

    /// `value` as published: `None` if it must be suppressed, otherwise rounded.
    pub fn count(&self, value: u64) -> Count {
        match self.threshold {
            None => Some(value),
            Some(threshold) if value < threshold => None,
            Some(_) => Some((value + self.rounding / 2) / self.rounding * self.rounding),
        }
    }
}

/// A group of a report: what its figures are about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportGroup {
    pub id: Uuid,
    /// A short code: the ODS code of an ICB or region, the programme code, the cohort's label.
    pub code: String,
    pub name: String,
}

/// One row of the fill-rate report.
#[derive(Clone, Debug, PartialEq)]
pub struct FillRateRow {
    pub group: ReportGroup,
    pub places_offered: u64,
    pub offered: Count,
    pub accepted: Count,
    pub active: Count,
    pub completed: Count,
    pub withdrawn: Count,
    /// Places taken (accepted, active or completed) ÷ places offered; suppressed with any of its parts.
    pub fill_rate: Option<f64>,
}

/// Writes `sql` (with `?` placeholders) for `backend`.
fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => {
            let mut numbered = String::with_capacity(sql.len() + 16);
            let mut index = 0;
            for character in sql.chars() {
                if character == '?' {
                    index += 1;
                    numbered.push_str(&format!("${index}"));
                } else {
                    numbered.push(character);
                }
            }
            numbered
        }
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// A SQL expression attributing the ICB in `icb_column` to the ICB that answered for it on the day in
/// `date_column` (`AT_EVENT`) or today (`CURRENT_SUCCESSOR`), following mergers, acquisitions, renames and
/// closures; a split ICB stays itself. Built from the succession graph, so it is a CASE of at most a few
/// dozen arms.
fn resolved_icb_sql(
    steps: &[organisation_succession::Model],
    graph: &SuccessionGraph<Uuid>,
    icb_column: &str,
    date_column: &str,
    filter: &ReportFilter,
    today: NaiveDate,
    values: &mut Vec<Value>,
) -> String {
    let mut arms = String::new();
    for step in steps {
        let whole = !matches!(step.kind, SuccessionKind::Split);
        let Some(successor) = graph.resolve_one(&step.successor_id, today).filter(|_| whole) else { continue };
        match filter.resolution {
            IcbResolution::AtEvent => {
                arms.push_str(&format!(" WHEN {icb_column} = ? AND {date_column} >= ? THEN ?"));
                values.extend([step.predecessor_id.into(), step.effective_date.into(), step.successor_id.into()]);
            }
            IcbResolution::CurrentSuccessor if step.effective_date <= today => {
                arms.push_str(&format!(" WHEN {icb_column} = ? THEN ?"));
                values.extend([step.predecessor_id.into(), successor.into()]);
            }
            IcbResolution::CurrentSuccessor => {}
        }
    }
    if arms.is_empty() { icb_column.to_owned() } else { format!("(CASE{arms} ELSE {icb_column} END)") }
}

fn get_u64(row: &QueryResult, column: &str) -> Result<u64, AppError> {
    let value: Option<i64> = row.try_get("", column)?;
    Ok(value.unwrap_or(0).max(0) as u64)
}

/// Per-group sums over cohorts (by intake date within the filter's range): the places offered and one
/// sum per `membership_sums` entry, an SQL expression over a membership `m` and its pharmacist `ph` (with
/// `?` placeholders bound from `membership_values`). One grouped statement, plus constant-size lookups.
async fn cohort_groups<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &ReportFilter,
    grouping: CohortGrouping,
    membership_sums: &[&str],
    membership_values: Vec<Value>,
) -> Result<Vec<(ReportGroup, u64, Vec<u64>)>, AppError> {
    let backend = db.get_database_backend();
    let today = filter.as_of.unwrap_or(filter.today);
    let graph = organisations::succession_graph(db).await?;
    let steps = organisation_succession::Entity::find().all(db).await?;
    let mut values = Vec::new();

    // The owner ICB after resolution, the region of that ICB on the day that counts (the latest region it
    // had by then, so that a dissolved ICB that could not be rolled up keeps its last region), and the key.
    let owner = resolved_icb_sql(&steps, &graph, "p.owner_icb_id", "c.intake_date", filter, today, &mut values);
    let region_day = match filter.resolution {
        IcbResolution::AtEvent => "c.intake_date".to_owned(),
        IcbResolution::CurrentSuccessor => {
            values.push(today.into());
            "?".to_owned()
        }
    };
    values.extend(membership_values);
    let key = match grouping {
        CohortGrouping::Cohort => "owned.id",
        CohortGrouping::Programme => "owned.programme_id",
        CohortGrouping::Icb => "owned.owner_icb",
        CohortGrouping::Region => "owned.region_id",
    };
    let mut conditions = vec!["1 = 1".to_owned()];
    push_range_and_programmes(&mut conditions, &mut values, filter, "owned.intake_date", "owned.programme_id");
    let icb_ids = organisations::ids_of_codes(db, &filter.icbs).await?;
    if !filter.icbs.is_empty() {
        conditions.push(format!("owned.owner_icb IN ({})", placeholders(icb_ids.len())));
        values.extend(icb_ids.iter().map(|id| Value::from(*id)));
    }
    let region_ids = organisations::ids_of_codes(db, &filter.regions).await?;
    if !filter.regions.is_empty() {
        conditions.push(format!("owned.region_id IN ({})", placeholders(region_ids.len())));
        values.extend(region_ids.iter().map(|id| Value::from(*id)));
    }
    if let RecordScope::Icbs(icbs) = &scope.records {
        // These figures count memberships: an ICB reader sees its own programmes' cohorts.
        conditions.push(format!("owned.recorded_owner IN ({})", placeholders(icbs.len())));
        values.extend(icbs.iter().map(|id| Value::from(*id)));
    }
    let inner_sums: Vec<String> =
        membership_sums.iter().enumerate().map(|(index, sum)| format!("SUM({sum}) AS s{index}")).collect();
    let outer_sums: Vec<String> = (0..membership_sums.len())
        .map(|index| format!("CAST(SUM(COALESCE(sums.s{index}, 0)) AS BIGINT) AS s{index}"))
        .collect();
    let sql = format!(
        "SELECT {key} AS group_id, CAST(SUM(owned.places_offered) AS BIGINT) AS places_offered, {outer_sums}
         FROM (SELECT resolved.*,
                      (SELECT region.parent_id FROM organisation_relationship region
                       WHERE region.child_id = resolved.owner_icb AND region.kind = 'ICB_IN_REGION'
                         AND region.valid_from <= resolved.region_day
                       ORDER BY region.valid_from DESC LIMIT 1) AS region_id
               FROM (SELECT c.id, c.programme_id, c.intake_date, c.places_offered, p.owner_icb_id AS recorded_owner,
                            {owner} AS owner_icb, {region_day} AS region_day
                     FROM cohort c JOIN rotation_programme p ON p.id = c.programme_id) resolved) owned
         LEFT JOIN (SELECT m.cohort_id, {inner_sums}
                    FROM programme_membership m JOIN pharmacist ph ON ph.id = m.pharmacist_id
                    GROUP BY m.cohort_id) sums ON sums.cohort_id = owned.id
         WHERE {conditions}
         GROUP BY {key}",
        outer_sums = outer_sums.join(", "),
        inner_sums = inner_sums.join(", "),
        conditions = conditions.join(" AND "),
    );
    let rows = db.query_all_raw(statement(backend, &sql, values)).await?;
    let mut figures = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: Option<Uuid> = row.try_get("", "group_id")?;
        let Some(id) = id else { continue };
        let sums =
            (0..membership_sums.len()).map(|index| get_u64(row, &format!("s{index}"))).collect::<Result<_, _>>()?;
        figures.push((id, get_u64(row, "places_offered")?, sums));
    }
    let ids: Vec<Uuid> = figures.iter().map(|(id, _, _)| *id).collect();
    let labels = group_labels(db, grouping, &ids).await?;
    let mut groups: Vec<(ReportGroup, u64, Vec<u64>)> =
        figures.into_iter().filter_map(|(id, places, sums)| Some((labels.get(&id)?.clone(), places, sums))).collect();
    groups.sort_by(|a, b| a.0.code.cmp(&b.0.code).then(a.0.id.cmp(&b.0.id)));
    Ok(groups)
}

/// `part ÷ whole`, or `None` if either is suppressed or the whole is zero.
fn share(part: Count, whole: Option<u64>) -> Option<f64> {
    match (part, whole) {
        (Some(part), Some(whole)) if whole > 0 => Some(part as f64 / whole as f64),
        _ => None,
    }
}

/// Fill rate of cohorts with an intake in the filter's date range, grouped as asked.
pub async fn fill_rate<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    suppression: Suppression,
    filter: &ReportFilter,
    grouping: CohortGrouping,
) -> Result<Vec<FillRateRow>, AppError> {
    let statuses = ["OFFERED", "ACCEPTED", "ACTIVE", "COMPLETED", "WITHDRAWN"];
    let sums: Vec<String> =
        statuses.iter().map(|status| format!("CASE WHEN m.status = '{status}' THEN 1 ELSE 0 END")).collect();
    let sums: Vec<&str> = sums.iter().map(String::as_str).collect();
    let groups = cohort_groups(db, scope, filter, grouping, &sums, Vec::new()).await?;
    Ok(groups
        .into_iter()
        .map(|(group, places, sums)| {
            let [offered, accepted, active, completed, withdrawn] =
                [0, 1, 2, 3, 4].map(|index| suppression.count(sums.get(index).copied().unwrap_or(0)));
            let taken = match (accepted, active, completed) {
                (Some(accepted), Some(active), Some(completed)) => Some(accepted + active + completed),
                _ => None,
            };
            FillRateRow {
                group,
                places_offered: places,
                offered,
                accepted,
                active,
                completed,
                withdrawn,
                fill_rate: share(taken, Some(places)),
            }
        })
        .collect())
}

/// One row of the independent-prescriber report.
#[derive(Clone, Debug, PartialEq)]
pub struct PrescriberRow {
    pub group: ReportGroup,
    /// Members who took a place (accepted, active or completed).
    pub members: Count,
    /// Those members annotated as independent prescribers on the report's `asOf`.
    pub prescribers: Count,
    /// Prescribers ÷ members; suppressed with either count.
    pub share: Option<f64>,
}

/// Independent prescribers among the members of cohorts (by intake date within the filter's range) on
/// the filter's `asOf`, grouped as asked.
pub async fn independent_prescribers<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    suppression: Suppression,
    filter: &ReportFilter,
    grouping: CohortGrouping,
) -> Result<Vec<PrescriberRow>, AppError> {
    let as_of = filter.as_of.unwrap_or(filter.today);
    let member = "m.status IN ('ACCEPTED', 'ACTIVE', 'COMPLETED')";
    let sums = [
        format!("CASE WHEN {member} THEN 1 ELSE 0 END"),
        format!("CASE WHEN {member} AND ph.independent_prescriber_since <= ? THEN 1 ELSE 0 END"),
    ];
    let sums: Vec<&str> = sums.iter().map(String::as_str).collect();
    let groups = cohort_groups(db, scope, filter, grouping, &sums, vec![as_of.into()]).await?;
    Ok(groups
        .into_iter()
        .map(|(group, _, sums)| {
            let members = suppression.count(sums.first().copied().unwrap_or(0));
            let prescribers = suppression.count(sums.get(1).copied().unwrap_or(0));
            PrescriberRow { group, members, prescribers, share: share(prescribers, members) }
        })
        .collect())
}

/// Adds the filter's date range (on `date_column`) and programmes (on `programme_column`) to `conditions`.
fn push_range_and_programmes(
    conditions: &mut Vec<String>,
    values: &mut Vec<Value>,
    filter: &ReportFilter,
    date_column: &str,
    programme_column: &str,
) {
    if let Some(from) = filter.from {
        conditions.push(format!("{date_column} >= ?"));
        values.push(from.into());
    }
    if let Some(to) = filter.to {
        conditions.push(format!("{date_column} <= ?"));
        values.push(to.into());
    }
    if !filter.programmes.is_empty() {
        conditions.push(format!("{programme_column} IN ({})", placeholders(filter.programmes.len())));
        values.extend(filter.programmes.iter().map(|id| Value::from(*id)));
    }
}

/// The reader's scope over `E` as SQL for the statements below: `column IN (subquery)`, the subquery built
/// by sea-query from the very condition every list, relation and `node` applies ([`Scoped::visible`]),
/// its values appended to `values`. `None` for a reader of every record.
fn visible_sql<E: Scoped + Default>(column: &str, scope: &Scope, values: &mut Vec<Value>) -> Option<String> {
    if scope.records == RecordScope::All {
        return None;
    }
    let subquery = sea_orm::sea_query::Query::select()
        .column((E::default(), sea_orm::sea_query::Alias::new("id")))
        .from(E::default())
        .cond_where(E::visible(scope))
        .to_owned();
    let (sql, subquery_values) = subquery.build(sea_orm::sea_query::SqliteQueryBuilder);
    values.extend(subquery_values.0);
    Some(format!("{column} IN ({sql})"))
}

/// The reader's scope over organisations attributed to ICBs (trusts, hosts) as SQL: `column IN
/// (subquery)` of [`organisations_in`], the rule consultant leads and vacancies are read by; `FALSE` for
/// an anonymous reader, `None` for a reader of everything.
fn answered_organisations_sql(column: &str, scope: &Scope, values: &mut Vec<Value>) -> Option<String> {
    match &scope.records {
        RecordScope::All => None,
        RecordScope::Public => Some("1 = 0".to_owned()),
        RecordScope::Icbs(icbs) => {
            let answering = Answering { icbs, split_from: &scope.split_from };
            let (sql, subquery_values) = organisations_in(answering).build(sea_orm::sea_query::SqliteQueryBuilder);
            values.extend(subquery_values.0);
            Some(format!("{column} IN ({sql})"))
        }
    }
}

/// The reader's scope over ICBs as SQL: `column IN (the ICBs answered for)`; `FALSE` for an anonymous
/// reader, `None` for a reader of everything.
fn answered_icbs_sql(column: &str, scope: &Scope, values: &mut Vec<Value>) -> Option<String> {
    match &scope.records {
        RecordScope::All => None,
        RecordScope::Public => Some("1 = 0".to_owned()),
        RecordScope::Icbs(icbs) => {
            values.extend(icbs.iter().map(|id| Value::from(*id)));
            Some(format!("{column} IN ({})", placeholders(icbs.len())))
        }
    }
}

fn placeholders(count: usize) -> String {
    if count == 0 { "NULL".to_owned() } else { vec!["?"; count].join(", ") }
}

/// Labels of organisations (ICBs, regions, trusts), by id (one statement).
async fn organisation_labels<C: ConnectionTrait>(db: &C, ids: &[Uuid]) -> Result<HashMap<Uuid, ReportGroup>, AppError> {
    group_labels(db, CohortGrouping::Icb, ids).await
}

/// Labels of the groups (one statement).
async fn group_labels<C: ConnectionTrait>(
    db: &C,
    grouping: CohortGrouping,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, ReportGroup>, AppError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let group = |id, code: &str, name: &str| (id, ReportGroup { id, code: code.to_owned(), name: name.to_owned() });
    Ok(match grouping {
        CohortGrouping::Cohort => {
            let rows = cohort::Entity::find()
                .filter(cohort::Column::Id.is_in(ids.iter().copied()))
                .find_also_related(rotation_programme::Entity)
                .all(db)
                .await?;
            rows.into_iter()
                .map(|(cohort, programme)| {
                    let (code, name) = programme.map_or_else(Default::default, |p| (p.code, p.name));
                    group(cohort.id, &format!("{code} {}", cohort.label), &name)
                })
                .collect()
        }
        CohortGrouping::Programme => rotation_programme::Entity::find()
            .filter(rotation_programme::Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|programme| group(programme.id, &programme.code, &programme.name))
            .collect(),
        CohortGrouping::Icb | CohortGrouping::Region => organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .map(|organisation| group(organisation.id, &organisation.ods_code, &organisation.name))
            .collect(),
    })
}

/// One row of the cross-ICB flow report: placements hosted outside the owner's ICB.
#[derive(Clone, Debug, PartialEq)]
pub struct CrossIcbFlowRow {
    /// The programme owner's ICB (as resolved).
    pub owner: ReportGroup,
    /// The host's ICB (as resolved).
    pub host: ReportGroup,
    pub placements: Count,
    /// Whole-time equivalents of those placements; suppressed with the count.
    pub wte: Option<f64>,
}

/// Placements (not cancelled, starting in the filter's date range) whose host's ICB differs from the
/// programme owner's, counted and summed by (owner ICB, host ICB). `AT_EVENT`: the ICBs on the
/// placement's first day; `CURRENT_SUCCESSOR`: the owner's successor today and the host's own ICB today
/// (so a host in a split ICB goes where it went).
pub async fn cross_icb_flows<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    suppression: Suppression,
    filter: &ReportFilter,
) -> Result<Vec<CrossIcbFlowRow>, AppError> {
    let backend = db.get_database_backend();
    let today = filter.as_of.unwrap_or(filter.today);
    let graph = organisations::succession_graph(db).await?;
    let steps = organisation_succession::Entity::find().all(db).await?;
    let mut values = Vec::new();
    let owner = resolved_icb_sql(&steps, &graph, "p.owner_icb_id", "pl.start_date", filter, today, &mut values);
    let host = match filter.resolution {
        IcbResolution::AtEvent => "pl.host_icb_id".to_owned(),
        IcbResolution::CurrentSuccessor => {
            values.push(today.into());
            "(SELECT link.parent_id FROM organisation_relationship link
              WHERE link.child_id = pl.host_id AND link.kind = 'IN_ICB' AND link.valid_from <= ?
              ORDER BY link.valid_from DESC LIMIT 1)"
                .to_owned()
        }
    };
    let mut inner = vec!["pl.status <> 'CANCELLED'".to_owned()];
    push_range_and_programmes(&mut inner, &mut values, filter, "pl.start_date", "p.id");
    if matches!(scope.records, RecordScope::Icbs(_)) {
        // An ICB reader counts the placements the placement list shows it.
        inner.extend(visible_sql::<placement::Entity>("pl.id", scope, &mut values));
    }
    let mut outer = vec!["flows.owner_icb <> flows.host_icb".to_owned()];
    let icb_ids = organisations::ids_of_codes(db, &filter.icbs).await?;
    if !filter.icbs.is_empty() {
        outer.push(format!(
            "(flows.owner_icb IN ({list}) OR flows.host_icb IN ({list}))",
            list = placeholders(icb_ids.len())
        ));
        values.extend(icb_ids.iter().map(|id| Value::from(*id)));
        values.extend(icb_ids.iter().map(|id| Value::from(*id)));
    }
    let region_ids = organisations::ids_of_codes(db, &filter.regions).await?;
    if !filter.regions.is_empty() {
        let in_regions = format!(
            "SELECT child_id FROM organisation_relationship WHERE kind = 'ICB_IN_REGION' AND parent_id IN ({})",
            placeholders(region_ids.len())
        );
        outer.push(format!("(flows.owner_icb IN ({in_regions}) OR flows.host_icb IN ({in_regions}))"));
        values.extend(region_ids.iter().map(|id| Value::from(*id)));
        values.extend(region_ids.iter().map(|id| Value::from(*id)));
    }
    let sql = format!(
        "SELECT flows.owner_icb AS owner_icb, flows.host_icb AS host_icb,
                CAST(COUNT(*) AS BIGINT) AS placements, SUM(flows.wte) AS wte
         FROM (SELECT pl.wte AS wte, {owner} AS owner_icb, {host} AS host_icb
               FROM placement pl
               JOIN programme_membership m ON m.id = pl.membership_id
               JOIN cohort c ON c.id = m.cohort_id
               JOIN rotation_programme p ON p.id = c.programme_id
               WHERE {inner}) flows
         WHERE {outer}
         GROUP BY flows.owner_icb, flows.host_icb",
        inner = inner.join(" AND "),
        outer = outer.join(" AND "),
    );
    let rows = db.query_all_raw(statement(backend, &sql, values)).await?;
    let mut figures = Vec::with_capacity(rows.len());
    for row in &rows {
        let owner: Option<Uuid> = row.try_get("", "owner_icb")?;
        let host: Option<Uuid> = row.try_get("", "host_icb")?;
        let wte: Option<f64> = row.try_get("", "wte")?;
        if let (Some(owner), Some(host)) = (owner, host) {
            figures.push((owner, host, get_u64(row, "placements")?, wte.unwrap_or(0.0)));
        }
    }
    let ids: Vec<Uuid> = figures.iter().flat_map(|(owner, host, _, _)| [*owner, *host]).collect();
    let labels = organisation_labels(db, &ids).await?;
    let mut report: Vec<CrossIcbFlowRow> = figures
        .into_iter()
        .filter_map(|(owner, host, placements, wte)| {
            let placements = suppression.count(placements);
            Some(CrossIcbFlowRow {
                owner: labels.get(&owner)?.clone(),
                host: labels.get(&host)?.clone(),
                placements,
                // Rounded to hundredths: sums of WTE are exact to that precision.
                wte: suppression.measure(wte, placements),
            })
        })
        .collect();
    report.sort_by(|a, b| (&a.owner.code, &a.host.code).cmp(&(&b.owner.code, &b.host.code)));
    Ok(report)
}

/// The periods a time series is split into.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Granularity {
    /// Calendar months.
    #[default]
    Month,
    /// NHS financial years, 1 April to 31 March.
    NhsFinancialYear,
}

/// The most periods one series may cover.
pub const MAX_PERIODS: usize = 240;

/// One (period, sector) of the placement activity report.
#[derive(Clone, Debug, PartialEq)]
pub struct ActivityRow {
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Last day of the period.
    pub period_end: NaiveDate,
    /// `2026-04` for a month, `2026/27` for a financial year.
    pub period: String,
    pub sector: Sector,
    /// Placements (not cancelled) under way at some point in the period.
    pub placements: Count,
    /// Days in placement ÷ the average month (30.4375 days); suppressed with the count.
    pub pharmacist_months: Option<f64>,
    /// Average whole-time equivalent in placement over the period; suppressed with the count.
    pub wte: Option<f64>,
}

/// The periods of `granularity` that overlap `from ..= to`.
pub fn periods(granularity: Granularity, from: NaiveDate, to: NaiveDate) -> Vec<(NaiveDate, NaiveDate, String)> {
    use chrono::{Datelike, Months};
    let mut start = match granularity {
        Granularity::Month => from.with_day(1).unwrap_or(from),
        Granularity::NhsFinancialYear => {
            let year = if from.month() >= 4 { from.year() } else { from.year() - 1 };
            NaiveDate::from_ymd_opt(year, 4, 1).unwrap_or(from)
        }
    };
    let step = match granularity {
        Granularity::Month => Months::new(1),
        Granularity::NhsFinancialYear => Months::new(12),
    };
    let mut periods = Vec::new();
    while start <= to && periods.len() < MAX_PERIODS {
        let Some(next) = start.checked_add_months(step) else { break };
        let end = next.pred_opt().unwrap_or(next);
        let label = match granularity {
            Granularity::Month => start.format("%Y-%m").to_string(),
            Granularity::NhsFinancialYear => format!("{}/{:02}", start.year(), (start.year() + 1) % 100),
        };
        periods.push((start, end, label));
        start = next;
    }
    periods
}

/// Placements under way, pharmacist-months and average WTE, by period and sector, for the periods of
/// `granularity` from the filter's `from` (default: twelve months before `asOf`) to its `to` (default:
/// `asOf`). ICB and region filters match the host's ICB (`AT_EVENT`: on the placement's first day;
/// `CURRENT_SUCCESSOR`: today).
pub async fn placement_activity<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    suppression: Suppression,
    filter: &ReportFilter,
    granularity: Granularity,
) -> Result<Vec<ActivityRow>, AppError> {
    let backend = db.get_database_backend();
    let as_of = filter.as_of.unwrap_or(filter.today);
    let to = filter.to.unwrap_or(as_of);
    let from = filter.from.unwrap_or_else(|| to - chrono::Duration::days(365));
    let periods = periods(granularity, from, to);
    if periods.is_empty() {
        return Ok(Vec::new());
    }
    let (least, greatest, days) = match backend {
        DbBackend::Postgres => ("LEAST", "GREATEST", "({end} - {start} + 1)"),
        _ => ("MIN", "MAX", "(julianday({end}) - julianday({start}) + 1)"),
    };
    let overlap = days
        .replace("{end}", &format!("{least}(pl.end_date, periods.period_end)"))
        .replace("{start}", &format!("{greatest}(pl.start_date, periods.period_start)"));
    let mut values = Vec::new();
    let selects: Vec<String> = periods
        .iter()
        .map(|(start, end, _)| {
            values.extend([Value::from(*start), Value::from(*end)]);
            "SELECT ? AS period_start, ? AS period_end".to_owned()
        })
        .collect();
    let mut conditions = vec!["pl.status <> 'CANCELLED'".to_owned()];
    push_range_and_programmes(
        &mut conditions,
        &mut values,
        &ReportFilter { from: None, to: None, ..filter.clone() },
        "pl.start_date",
        "p.id",
    );
    let mut icbs = organisations::ids_of_codes(db, &filter.icbs).await?;
    if !filter.regions.is_empty() {
        let regions = organisations::ids_of_codes(db, &filter.regions).await?;
        let members = organisations::children_on(db, &regions, RelationshipKind::IcbInRegion, as_of).await?;
        let codes: Vec<String> = members.into_values().flatten().map(|icb| icb.ods_code).collect();
        icbs.extend(organisations::icbs_with_predecessors(db, &codes).await?);
    }
    if !filter.icbs.is_empty() || !filter.regions.is_empty() {
        let host_icb = match filter.resolution {
            IcbResolution::AtEvent => "pl.host_icb_id",
            IcbResolution::CurrentSuccessor => {
                values.push(filter.today.into());
                "(SELECT link.parent_id FROM organisation_relationship link WHERE link.child_id = pl.host_id
                  AND link.kind = 'IN_ICB' AND link.valid_from <= ? ORDER BY link.valid_from DESC LIMIT 1)"
            }
        };
        conditions.push(format!("{host_icb} IN ({})", placeholders(icbs.len())));
        values.extend(icbs.iter().map(|id| Value::from(*id)));
    }
    if matches!(scope.records, RecordScope::Icbs(_)) {
        // An ICB reader counts the placements the placement list shows it.
        conditions.extend(visible_sql::<placement::Entity>("pl.id", scope, &mut values));
    }
    let sql = format!(
        "SELECT periods.period_start AS period_start, pl.sector AS sector, CAST(COUNT(*) AS BIGINT) AS placements,
                SUM({overlap}) AS days, SUM({overlap} * pl.wte) AS wte_days
         FROM ({periods}) periods
         JOIN placement pl ON pl.start_date <= periods.period_end AND pl.end_date >= periods.period_start
         JOIN programme_membership m ON m.id = pl.membership_id
         JOIN cohort c ON c.id = m.cohort_id
         JOIN rotation_programme p ON p.id = c.programme_id
         WHERE {conditions}
         GROUP BY periods.period_start, pl.sector",
        periods = selects.join(" UNION ALL "),
        conditions = conditions.join(" AND "),
    );
    let rows = db.query_all_raw(statement(backend, &sql, values)).await?;
    let by_start: HashMap<NaiveDate, &(NaiveDate, NaiveDate, String)> =
        periods.iter().map(|period| (period.0, period)).collect();
    let mut report = Vec::with_capacity(rows.len());
    for row in &rows {
        let start: NaiveDate = row.try_get("", "period_start")?;
        let sector: Sector = row.try_get("", "sector")?;
        let days: f64 = number(row, "days")?;
        let wte_days: f64 = number(row, "wte_days")?;
        let Some((period_start, period_end, label)) = by_start.get(&start).map(|period| (*period).clone()) else {
            continue;
        };
        let period_days = ((period_end - period_start).num_days() + 1) as f64;
        let placements = suppression.count(get_u64(row, "placements")?);
        report.push(ActivityRow {
            period_start,
            period_end,
            period: label,
            sector,
            placements,
            pharmacist_months: suppression.measure(days / 30.4375, placements),
            wte: suppression.measure(wte_days / period_days, placements),
        });
    }
    report
        .sort_by(|a, b| (a.period_start, format!("{:?}", a.sector)).cmp(&(b.period_start, format!("{:?}", b.sector))));
    Ok(report)
}

/// A numeric aggregate as `f64`, whether the backend returns it as an integer, a float or a numeric.
fn number(row: &QueryResult, column: &str) -> Result<f64, AppError> {
    if let Ok(value) = row.try_get::<Option<f64>>("", column) {
        return Ok(value.unwrap_or(0.0));
    }
    let value: Option<i64> = row.try_get("", column)?;
    Ok(value.unwrap_or(0) as f64)
}

/// One row of the rotations-ending report.
#[derive(Clone, Debug, PartialEq)]
pub struct RotationsEndingRow {
    pub group: ReportGroup,
    /// Active members.
    pub active: Count,
    /// Active members whose rotation is planned to end within the window.
    pub ending: Count,
    /// Active members whose planned placements stop short of the rotation's planned end: a next placement
    /// still has to be booked.
    pub without_next_placement: Count,
}

/// Active members of cohorts (by intake date within the filter's range), those whose rotation ends within
/// `within_days` of the filter's `asOf`, and those with no placement booked up to their planned end.
pub async fn rotations_ending<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    suppression: Suppression,
    filter: &ReportFilter,
    grouping: CohortGrouping,
    within_days: u32,
) -> Result<Vec<RotationsEndingRow>, AppError> {
    let as_of = filter.as_of.unwrap_or(filter.today);
    let until = as_of + chrono::Duration::days(i64::from(within_days));
    let sums = [
        "CASE WHEN m.status = 'ACTIVE' THEN 1 ELSE 0 END",
        "CASE WHEN m.status = 'ACTIVE' AND m.planned_end_date >= ? AND m.planned_end_date <= ? THEN 1 ELSE 0 END",
        "CASE WHEN m.status = 'ACTIVE' AND NOT EXISTS (SELECT 1 FROM placement pl WHERE pl.membership_id = m.id
              AND pl.status <> 'CANCELLED' AND pl.end_date >= m.planned_end_date) THEN 1 ELSE 0 END",
    ];
    let groups = cohort_groups(db, scope, filter, grouping, &sums, vec![as_of.into(), until.into()]).await?;
    Ok(groups
        .into_iter()
        .map(|(group, _, sums)| {
            let [active, ending, without_next_placement] =
                [0, 1, 2].map(|index| suppression.count(sums.get(index).copied().unwrap_or(0)));
            RotationsEndingRow { group, active, ending, without_next_placement }
        })
        .collect())
}

/// Medicines leadership of one ICB on a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IcbLeadershipRow {
    pub icb: ReportGroup,
    pub board_medicines_lead: bool,
    pub chief_pharmacist: bool,
    pub director_of_medicines_optimisation: bool,
}

/// Every ICB that existed on the filter's `asOf` (limited to its ICBs and regions, if given), with whether
/// it had a board-level medicines lead, a chief pharmacist and a director of medicines optimisation then.
pub async fn icb_medicines_leadership<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &ReportFilter,
) -> Result<Vec<IcbLeadershipRow>, AppError> {
    let backend = db.get_database_backend();
    let as_of = filter.as_of.unwrap_or(filter.today);
    let mut values: Vec<Value> = vec![as_of.into(), as_of.into()];
    // The roles the reader may read (as `icbMedicinesRoles` lists them), of the ICBs it answers for.
    let visible_roles = visible_sql::<icb_medicines_role::Entity>("r.id", scope, &mut values)
        .map_or_else(String::new, |condition| format!(" AND {condition}"));
    let mut conditions: Vec<String> = answered_icbs_sql("o.id", scope, &mut values).into_iter().collect();
    values.extend([as_of.into(), as_of.into()]);
    conditions.extend([
        "o.kind = 'ICB'".to_owned(),
        "o.legal_start_date <= ?".to_owned(),
        "(o.legal_end_date IS NULL OR o.legal_end_date >= ?)".to_owned(),
    ]);
    let icb_ids = organisations::ids_of_codes(db, &filter.icbs).await?;
    if !filter.icbs.is_empty() {
        conditions.push(format!("o.id IN ({})", placeholders(icb_ids.len())));
        values.extend(icb_ids.iter().map(|id| Value::from(*id)));
    }
    let region_ids = organisations::ids_of_codes(db, &filter.regions).await?;
    if !filter.regions.is_empty() {
        conditions.push(format!(
            "o.id IN (SELECT child_id FROM organisation_relationship WHERE kind = 'ICB_IN_REGION' AND valid_from <= ?
                      AND (valid_to IS NULL OR valid_to >= ?) AND parent_id IN ({}))",
            placeholders(region_ids.len())
        ));
        values.extend([as_of.into(), as_of.into()]);
        values.extend(region_ids.iter().map(|id| Value::from(*id)));
    }
    let held = |role: &str| format!("CAST(MAX(CASE WHEN r.role = '{role}' THEN 1 ELSE 0 END) AS BIGINT)");
    let sql = format!(
        "SELECT o.id AS icb, {board} AS board, {chief} AS chief, {director} AS director
         FROM organisation o
         LEFT JOIN icb_medicines_role r ON r.icb_id = o.id AND r.valid_from <= ? AND (r.valid_to IS NULL OR r.valid_to >= ?){visible_roles}
         WHERE {conditions}
         GROUP BY o.id",
        board = held("BOARD_MEDICINES_LEAD"),
        chief = held("CHIEF_PHARMACIST"),
        director = held("DIRECTOR_OF_MEDICINES_OPTIMISATION"),
        conditions = conditions.join(" AND "),
    );
    let rows = db.query_all_raw(statement(backend, &sql, values)).await?;
    let mut held_roles = Vec::with_capacity(rows.len());
    for row in &rows {
        let icb: Option<Uuid> = row.try_get("", "icb")?;
        if let Some(icb) = icb {
            held_roles.push((
                icb,
                get_u64(row, "board")? > 0,
                get_u64(row, "chief")? > 0,
                get_u64(row, "director")? > 0,
            ));
        }
    }
    let ids: Vec<Uuid> = held_roles.iter().map(|row| row.0).collect();
    let labels = organisation_labels(db, &ids).await?;
    let mut report: Vec<IcbLeadershipRow> = held_roles
        .into_iter()
        .filter_map(|(icb, board, chief, director)| {
            Some(IcbLeadershipRow {
                icb: labels.get(&icb)?.clone(),
                board_medicines_lead: board,
                chief_pharmacist: chief,
                director_of_medicines_optimisation: director,
            })
        })
        .collect();
    report.sort_by(|a, b| a.icb.code.cmp(&b.icb.code));
    Ok(report)
}

/// Programmes with no clinical lead on the filter's `asOf`, by code: limited to the filter's programmes,
/// to programmes its ICBs answer for (owned by them or by an ICB they took over), and to programmes owned
/// by an ICB of its regions.
pub async fn programmes_without_clinical_lead<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &ReportFilter,
) -> Result<Vec<ReportGroup>, AppError> {
    let backend = db.get_database_backend();
    let as_of = filter.as_of.unwrap_or(filter.today);
    // Only programmes of the ICBs the reader answers for, whose leads it may all read.
    let mut values: Vec<Value> = Vec::new();
    let mut conditions: Vec<String> = answered_icbs_sql("p.owner_icb_id", scope, &mut values).into_iter().collect();
    values.extend([as_of.into(), as_of.into()]);
    let visible_leads = visible_sql::<programme_lead::Entity>("l.id", scope, &mut values)
        .map_or_else(String::new, |condition| format!(" AND {condition}"));
    conditions.push(format!(
        "NOT EXISTS (SELECT 1 FROM programme_lead l WHERE l.programme_id = p.id AND l.role = 'CLINICAL'
                     AND l.valid_from <= ? AND (l.valid_to IS NULL OR l.valid_to >= ?){visible_leads})"
    ));
    if !filter.programmes.is_empty() {
        conditions.push(format!("p.id IN ({})", placeholders(filter.programmes.len())));
        values.extend(filter.programmes.iter().map(|id| Value::from(*id)));
    }
    if !filter.icbs.is_empty() {
        let owners = organisations::icbs_with_predecessors(db, &filter.icbs).await?;
        conditions.push(format!("p.owner_icb_id IN ({})", placeholders(owners.len())));
        values.extend(owners.iter().map(|id| Value::from(*id)));
    }
    let region_ids = organisations::ids_of_codes(db, &filter.regions).await?;
    if !filter.regions.is_empty() {
        conditions.push(format!(
            "p.owner_icb_id IN (SELECT child_id FROM organisation_relationship
                                WHERE kind = 'ICB_IN_REGION' AND parent_id IN ({}))",
            placeholders(region_ids.len())
        ));
        values.extend(region_ids.iter().map(|id| Value::from(*id)));
    }
    let sql = format!("SELECT p.id AS programme FROM rotation_programme p WHERE {}", conditions.join(" AND "));
    let rows = db.query_all_raw(statement(backend, &sql, values)).await?;
    let mut ids = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: Option<Uuid> = row.try_get("", "programme")?;
        ids.extend(id);
    }
    let labels = group_labels(db, CohortGrouping::Programme, &ids).await?;
    let mut programmes: Vec<ReportGroup> = ids.iter().filter_map(|id| labels.get(id).cloned()).collect();
    programmes.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(programmes)
}

/// Consultant-pharmacist lead coverage of one trust on a date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeadCoverageRow {
    pub trust: ReportGroup,
    /// The specialisms with a lead on the date, in order; empty for a trust without a lead.
    pub specialisms: Vec<Specialism>,
}

/// Every trust open on the filter's `asOf` (in its ICBs and regions on that day, if given) with the
/// specialisms that had a consultant-pharmacist lead then.
pub async fn consultant_lead_coverage<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &ReportFilter,
) -> Result<Vec<LeadCoverageRow>, AppError> {
    let backend = db.get_database_backend();
    let as_of = filter.as_of.unwrap_or(filter.today);
    let mut values: Vec<Value> = vec![as_of.into(), as_of.into()];
    // The leads the reader may read (as `consultantLeads` lists them), at the trusts it answers for.
    let visible_leads = visible_sql::<consultant_lead::Entity>("l.id", scope, &mut values)
        .map_or_else(String::new, |condition| format!(" AND {condition}"));
    let mut conditions: Vec<String> = answered_organisations_sql("t.id", scope, &mut values).into_iter().collect();
    values.extend([as_of.into(), as_of.into()]);
    conditions.extend([
        "t.kind = 'NHS_TRUST'".to_owned(),
        "(t.legal_start_date IS NULL OR t.legal_start_date <= ?)".to_owned(),
        "(t.legal_end_date IS NULL OR t.legal_end_date >= ?)".to_owned(),
    ]);
    let mut codes = filter.icbs.clone();
    if !filter.regions.is_empty() {
        let regions = organisations::ids_of_codes(db, &filter.regions).await?;
        let icbs = organisations::children_on(db, &regions, RelationshipKind::IcbInRegion, as_of).await?;
        codes.extend(icbs.into_values().flatten().map(|icb| icb.ods_code));
    }
    if !filter.icbs.is_empty() || !filter.regions.is_empty() {
        let icbs = organisations::ids_of_codes(db, &codes).await?;
        conditions.push(format!(
            "t.id IN (SELECT child_id FROM organisation_relationship WHERE kind = 'IN_ICB' AND valid_from <= ?
                      AND (valid_to IS NULL OR valid_to >= ?) AND parent_id IN ({}))",
            placeholders(icbs.len())
        ));
        values.extend([as_of.into(), as_of.into()]);
        values.extend(icbs.iter().map(|id| Value::from(*id)));
    }
    let sql = format!(
        "SELECT t.id AS trust, l.specialism AS specialism
         FROM organisation t
         LEFT JOIN consultant_lead l ON l.trust_id = t.id AND l.valid_from <= ? AND (l.valid_to IS NULL OR l.valid_to >= ?){visible_leads}
         WHERE {}
         GROUP BY t.id, l.specialism",
        conditions.join(" AND ")
    );
    let rows = db.query_all_raw(statement(backend, &sql, values)).await?;
    let mut coverage: HashMap<Uuid, Vec<Specialism>> = HashMap::new();
    for row in &rows {
        let trust: Option<Uuid> = row.try_get("", "trust")?;
        let specialism: Option<Specialism> = row.try_get("", "specialism")?;
        if let Some(trust) = trust {
            coverage.entry(trust).or_default().extend(specialism);
        }
    }
    let ids: Vec<Uuid> = coverage.keys().copied().collect();
    let labels = organisation_labels(db, &ids).await?;
    let mut report: Vec<LeadCoverageRow> = coverage
        .into_iter()
        .filter_map(|(trust, mut specialisms)| {
            specialisms.sort_by_key(|specialism| format!("{specialism:?}"));
            Some(LeadCoverageRow { trust: labels.get(&trust)?.clone(), specialisms })
        })
        .collect();
    report.sort_by(|a, b| a.trust.code.cmp(&b.trust.code));
    Ok(report)
}

/// Open vacancies of one (sector, band, ICB).
#[derive(Clone, Debug, PartialEq)]
pub struct VacancyRow {
    pub sector: Sector,
    pub afc_band: Option<AfcBand>,
    pub icb: ReportGroup,
    pub vacancies: Count,
    /// Their whole-time equivalents, summed; suppressed with the count.
    pub wte: Option<f64>,
    /// The funding mix: ARRS, existing vacancy, trust, other (education grants included).
    pub arrs: Count,
    pub existing_vacancy: Count,
    pub trust: Count,
    pub other: Count,
}

/// Suppresses the parts of a total so that no suppressed part can be recovered by subtraction: while the
/// suppressed parts add up to less than the threshold, the smallest part still shown is suppressed too.
fn suppress_parts(suppression: Suppression, parts: &[u64]) -> Vec<Count> {
    let mut shown: Vec<Count> = parts.iter().map(|part| suppression.count(*part)).collect();
    let Some(threshold) = suppression.threshold else { return shown };
    loop {
        let hidden: Vec<usize> = (0..parts.len()).filter(|index| shown[*index].is_none()).collect();
        let hidden_sum: u64 = hidden.iter().map(|index| parts[*index]).sum();
        if hidden.is_empty() || hidden_sum >= threshold || hidden.len() == parts.len() {
            return shown;
        }
        let Some(next) = (0..parts.len()).filter(|index| shown[*index].is_some()).min_by_key(|index| parts[*index])
        else {
            return shown;
        };
        shown[next] = None;
    }
}

/// Vacancies open on the filter's `asOf`, by sector, band and the host's ICB (`AT_EVENT`: on `asOf`;
/// `CURRENT_SUCCESSOR`: today), with their WTE and funding mix.
pub async fn open_vacancies<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    suppression: Suppression,
    filter: &ReportFilter,
) -> Result<Vec<VacancyRow>, AppError> {
    let backend = db.get_database_backend();
    let as_of = filter.as_of.unwrap_or(filter.today);
    let icb_day = match filter.resolution {
        IcbResolution::AtEvent => as_of,
        IcbResolution::CurrentSuccessor => filter.today,
    };
    let mut values: Vec<Value> = vec![icb_day.into(), as_of.into(), as_of.into()];
    let mut conditions = vec!["open.icb IS NOT NULL".to_owned()];
    let icb_ids = organisations::ids_of_codes(db, &filter.icbs).await?;
    if !filter.icbs.is_empty() {
        conditions.push(format!("open.icb IN ({})", placeholders(icb_ids.len())));
        values.extend(icb_ids.iter().map(|id| Value::from(*id)));
    }
    let region_ids = organisations::ids_of_codes(db, &filter.regions).await?;
    if !filter.regions.is_empty() {
        conditions.push(format!(
            "open.icb IN (SELECT child_id FROM organisation_relationship WHERE kind = 'ICB_IN_REGION' AND parent_id IN ({}))",
            placeholders(region_ids.len())
        ));
        values.extend(region_ids.iter().map(|id| Value::from(*id)));
    }
    if matches!(scope.records, RecordScope::Icbs(_)) {
        // An ICB reader counts the vacancies the vacancy list shows it (hosted by the organisations it
        // answers for).
        conditions.extend(answered_organisations_sql("open.host_id", scope, &mut values));
    }
    let funded = |funding: &str| format!("CAST(SUM(CASE WHEN open.funding {funding} THEN 1 ELSE 0 END) AS BIGINT)");
    let sql = format!(
        "SELECT open.sector AS sector, open.afc_band AS afc_band, open.icb AS icb,
                CAST(COUNT(*) AS BIGINT) AS vacancies, SUM(open.wte) AS wte,
                {arrs} AS arrs, {existing} AS existing_vacancy, {trust} AS trust, {other} AS other
         FROM (SELECT v.*, (SELECT link.parent_id FROM organisation_relationship link
                            WHERE link.child_id = v.host_id AND link.kind = 'IN_ICB' AND link.valid_from <= ?
                            ORDER BY link.valid_from DESC LIMIT 1) AS icb
               FROM vacancy v WHERE v.opened_on <= ? AND (v.closed_on IS NULL OR v.closed_on >= ?)) open
         WHERE {conditions}
         GROUP BY open.sector, open.afc_band, open.icb",
        arrs = funded("= 'ARRS'"),
        existing = funded("= 'EXISTING_VACANCY'"),
        trust = funded("= 'TRUST'"),
        other = funded("IN ('EDUCATION_GRANT', 'OTHER')"),
        conditions = conditions.join(" AND "),
    );
    let rows = db.query_all_raw(statement(backend, &sql, values)).await?;
    let mut figures = Vec::with_capacity(rows.len());
    for row in &rows {
        let icb: Option<Uuid> = row.try_get("", "icb")?;
        let sector: Sector = row.try_get("", "sector")?;
        let band: Option<AfcBand> = row.try_get("", "afc_band")?;
        let wte: Option<f64> = row.try_get("", "wte")?;
        let mix =
            [get_u64(row, "arrs")?, get_u64(row, "existing_vacancy")?, get_u64(row, "trust")?, get_u64(row, "other")?];
        if let Some(icb) = icb {
            figures.push((sector, band, icb, get_u64(row, "vacancies")?, wte.unwrap_or(0.0), mix));
        }
    }
    let ids: Vec<Uuid> = figures.iter().map(|row| row.2).collect();
    let labels = organisation_labels(db, &ids).await?;
    let mut report: Vec<VacancyRow> = figures
        .into_iter()
        .filter_map(|(sector, afc_band, icb, count, wte, mix)| {
            let vacancies = suppression.count(count);
            let mix = if vacancies.is_some() { suppress_parts(suppression, &mix) } else { vec![None; mix.len()] };
            Some(VacancyRow {
                sector,
                afc_band,
                icb: labels.get(&icb)?.clone(),
                vacancies,
                wte: suppression.measure(wte, vacancies),
                arrs: mix[0],
                existing_vacancy: mix[1],
                trust: mix[2],
                other: mix[3],
            })
        })
        .collect();
    report.sort_by(|a, b| {
        (&a.icb.code, format!("{:?}", a.sector), format!("{:?}", a.afc_band)).cmp(&(
            &b.icb.code,
            format!("{:?}", b.sector),
            format!("{:?}", b.afc_band),
        ))
    });
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::{Suppression, suppress_parts};

    #[test]
    fn a_suppressed_part_is_never_alone_below_the_threshold() {
        let suppression = Suppression { threshold: Some(5), rounding: 1 };
        assert_eq!(suppress_parts(suppression, &[12, 3, 9, 7]), [Some(12), None, Some(9), None]);
        assert_eq!(suppress_parts(suppression, &[12, 3, 2, 7]), [Some(12), None, None, Some(7)]);
        assert_eq!(suppress_parts(suppression, &[12, 1, 2, 7]), [Some(12), None, None, None]);
        assert_eq!(suppress_parts(suppression, &[12, 6, 9, 7]), [Some(12), Some(6), Some(9), Some(7)]);
        assert_eq!(suppress_parts(suppression, &[1, 2]), [None, None]);
        assert_eq!(suppress_parts(Suppression { threshold: None, rounding: 5 }, &[1, 2]), [Some(1), Some(2)]);
    }
}
