//! What every change shares: who acts and on which ICBs, expected failures with their codes, one
//! transaction per change holding the change and its audit row, optimistic concurrency, and idempotent
//! creation.
//!
//! Concurrency: on PostgreSQL a change locks the rows its rules read (`SELECT ... FOR UPDATE`) and the
//! database's constraints and triggers stand behind the checks; on SQLite a change's transaction starts
//! `IMMEDIATE`, so changes run one after another and every check reads the committed state.

use super::access::{Administered, Answering, Principal, RecordScope, Role, Scope, Scoped};
use super::events::{ChangeEvent, ChangeKind, EventHub};
use crate::error::AppError;
use entity::enums::OrganisationKind;
use entity::{audit_log, idempotency_key, organisation};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    DbBackend, DbErr, EntityTrait, IntoActiveModel, PrimaryKeyTrait, QueryFilter, QuerySelect, RuntimeErr,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use serde::Serialize;
use uuid::Uuid;

/// An expected failure of a change: nothing was written. Reported to the client beside the payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UserError {
    /// The input field at fault, as the client named it (camelCase).
    pub field: String,
    /// What is wrong, in words.
    pub message: String,
    /// A stable code clients match on.
    pub code: &'static str,
}

impl UserError {
    /// A user error on `field`.
    pub fn new(field: &str, message: impl Into<String>, code: &'static str) -> Self {
        Self { field: field.to_owned(), message: message.into(), code }
    }

    /// The record named by `field` does not exist or is outside the actor's ICBs (the two look the same).
    pub fn not_found(field: &str) -> Self {
        Self::new(field, "does not name a record you can change", "NOT_FOUND")
    }

    /// The record (a `what`) is in a state it cannot move on from this way.
    pub fn invalid_transition(what: &str, state: impl std::fmt::Debug) -> Self {
        let state = format!("{state:?}").to_uppercase();
        Self::new("id", format!("the {what} is {state}"), "INVALID_TRANSITION")
    }

    /// The record changed since the client read it.
    pub fn stale_version() -> Self {
        Self::new("expectedVersion", "the record was changed by someone else: read it again", "STALE_VERSION")
    }
}

/// The result of a change: the changed record, or why nothing was written.
pub type Outcome<T> = Result<T, Vec<UserError>>;

/// A single user error as an outcome.
pub fn refuse<T>(error: UserError) -> Result<Outcome<T>, AppError> {
    Ok(Err(vec![error]))
}

/// Several user errors as an outcome, or `None` when there are none.
pub fn refuse_all<T>(errors: Vec<UserError>) -> Option<Result<Outcome<T>, AppError>> {
    (!errors.is_empty()).then_some(Ok(Err(errors)))
}

/// The value of an outcome, or (from the enclosing function) its user errors.
macro_rules! checked {
    ($outcome:expr) => {
        match $outcome {
            Ok(value) => value,
            Err(errors) => return Ok(Err(errors)),
        }
    };
}
pub(crate) use checked;

/// A record with an optimistic-concurrency version.
pub trait Versioned {
    /// The version the record is at.
    fn version(&self) -> i32;
}

macro_rules! versioned {
    ($($entity:ident),* $(,)?) => {
        $(impl Versioned for entity::$entity::Model {
            fn version(&self) -> i32 {
                self.version
            }
        })*
    };
}

versioned!(
    organisation,
    rotation_programme,
    cohort,
    rotational_post,
    vacancy,
    pharmacist,
    credential,
    programme_membership,
    placement,
    consultant_lead,
    icb_medicines_role,
    medicines_optimisation_team,
    consultant_pillar_share,
    patient_pathway,
    team_work_mix,
    service_redesign,
);

/// Who is changing what, for the access check and the audit trail.
#[derive(Clone, Debug)]
pub struct Actor {
    pub principal: Principal,
    /// What the actor may read: the records an input may refer to.
    pub scope: Scope,
    /// The request's id, recorded with every audit row.
    pub request_id: Option<String>,
    /// The day the change is made on, by the server's clock: the default date of the change and the
    /// limit of dates that may not lie in the future.
    pub today: chrono::NaiveDate,
    /// Where the actor's committed changes are announced to subscribers.
    pub events: EventHub,
}

/// Who may make a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteAccess {
    /// An `icb_admin`, on the records of its ICBs.
    IcbAdmin,
    /// A `national` administrator, on reference data.
    National,
}

/// One change in progress: its transaction, the ICBs the actor administers, and what idempotent creation
/// needs. Dropping it without [`Change::commit`] rolls everything back, audit rows included.
pub struct Change<'a> {
    txn: DatabaseTransaction,
    actor: &'a Actor,
    operation: &'static str,
    /// Ids of the ICBs the actor administers and the ICBs those took over.
    icbs: Vec<Uuid>,
    /// The first of the actor's own ICBs: the ICB concerned by changes to records of no single ICB.
    home_icb: Option<Uuid>,
    idempotency: Option<(String, String)>,
    created: Option<Uuid>,
    /// The records created or changed, announced once the change commits.
    events: std::sync::Mutex<Vec<ChangeEvent>>,
}

impl<'a> Change<'a> {
    /// Starts `operation` for `actor`, refusing (`FORBIDDEN`) an actor without the access it needs.
    pub async fn begin(
        db: &DatabaseConnection,
        actor: &'a Actor,
        operation: &'static str,
        access: WriteAccess,
    ) -> Result<Self, AppError> {
        let allowed = match access {
            WriteAccess::IcbAdmin => actor.principal.role == Some(Role::IcbAdmin),
            WriteAccess::National => actor.principal.role == Some(Role::National),
        };
        if !allowed {
            return Err(AppError::Forbidden(operation));
        }
        let (icbs, home_icb) = match (access, &actor.scope.records) {
            (WriteAccess::IcbAdmin, RecordScope::Icbs(icbs)) => {
                let own =
                    super::organisations::ids_of_codes(db, &actor.principal.icbs[..1.min(actor.principal.icbs.len())])
                        .await?;
                (icbs.clone(), own.first().copied())
            }
            _ => (Vec::new(), None),
        };
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        let txn = db.begin_with_options(options).await?;
        Ok(Self { txn, actor, operation, icbs, home_icb, idempotency: None, created: None, events: Default::default() })
    }

    /// The transaction, for reads and writes that are part of the change.
    pub fn db(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// The first of the actor's own ICBs.
    pub fn home_icb(&self) -> Option<Uuid> {
        self.home_icb
    }

    /// Whether `icb` is one of the ICBs the actor administers.
    pub fn administers(&self, icb: Uuid) -> bool {
        self.icbs.contains(&icb)
    }

    /// The record `id` of `E` if the actor may change it, locked until the change ends (PostgreSQL). An
    /// unknown id and an id outside the actor's ICBs both give `None`.
    pub async fn find<E>(&self, id: Uuid) -> Result<Option<E::Model>, AppError>
    where
        E: Administered,
        <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    {
        let mut query = E::find_by_id(id);
        if self.actor.principal.role != Some(Role::National) {
            query = query
                .filter(E::administered_by(Answering { icbs: &self.icbs, split_from: &self.actor.scope.split_from }));
        }
        Ok(query.lock_exclusive().one(&self.txn).await?)
    }

    /// The current ICB with this ODS code, if the actor administers it (a closed ICB takes no new records).
    pub async fn administered_icb(&self, ods_code: &str) -> Result<Option<organisation::Model>, AppError> {
        let icb = organisation::Entity::find()
            .filter(organisation::Column::OdsCode.eq(ods_code.trim().to_ascii_uppercase()))
            .filter(organisation::Column::Kind.eq(OrganisationKind::Icb))
            .filter(organisation::Column::LegalEndDate.is_null())
            .one(&self.txn)
            .await?;
        Ok(icb.filter(|icb| self.administers(icb.id)))
    }

    /// The record `id` of `E` the actor may change, at the version the client read (`expected_version`):
    /// otherwise `NOT_FOUND` or `STALE_VERSION`. Locked until the change ends (PostgreSQL).
    pub async fn current<E>(&self, id: Uuid, expected_version: i32) -> Result<Outcome<E::Model>, AppError>
    where
        E: Administered,
        E::Model: Versioned,
        <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    {
        Ok(match self.find::<E>(id).await? {
            None => Err(vec![UserError::not_found("id")]),
            Some(record) if record.version() != expected_version => Err(vec![UserError::stale_version()]),
            Some(record) => Ok(record),
        })
    }

    /// The record `id` of `E` that an input refers to (the pharmacist of a new consultant lead, the lead
    /// given a programme role), if the actor may read it, locked until the change ends (PostgreSQL). An
    /// unknown id and one the actor may not read both give `None`, so callers answer `NOT_FOUND` alike
    /// and a refusal never confirms that another ICB's record exists. Every id an input carries goes
    /// through this or [`Change::find`].
    pub async fn reference<E>(&self, id: Uuid) -> Result<Option<E::Model>, AppError>
    where
        E: Scoped,
        <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    {
        Ok(E::find_by_id(id).filter(E::visible(&self.actor.scope)).lock_exclusive().one(&self.txn).await?)
    }

    /// The record `id` of `E` whatever its ICB, locked until the change ends (PostgreSQL): for rows a
    /// rule reads through a record already checked (the pharmacist and post of a placement being
    /// approved). Never for an id taken from an input: those go through [`Change::find`] or
    /// [`Change::reference`].
    pub async fn lock_related<E>(&self, id: Uuid) -> Result<Option<E::Model>, AppError>
    where
        E: EntityTrait,
        <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    {
        Ok(E::find_by_id(id).lock_exclusive().one(&self.txn).await?)
    }

    /// Makes a create idempotent under `key`: with a key this actor already used for the same operation
    /// and input, the first result (and nothing is written); with a different input,
    /// `IDEMPOTENCY_KEY_REUSED`. Concurrent uses of one key wait for each other.
    pub async fn replay<E>(
        &mut self,
        key: Option<&str>,
        input: &impl Serialize,
    ) -> Result<Option<Outcome<E::Model>>, AppError>
    where
        E: Administered,
        <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
    {
        let Some(key) = key else { return Ok(None) };
        if key.is_empty() || key.len() > 200 {
            return Ok(Some(Err(vec![UserError::new(
                "idempotencyKey",
                "must be 1 to 200 characters",
                "INVALID_IDEMPOTENCY_KEY",
            )])));
        }
        let request =
            serde_json::to_string(&(self.operation, input)).map_err(|error| AppError::Internal(error.into()))?;
        let subject = self.idempotency_owner();
        if self.txn.get_database_backend() == DbBackend::Postgres {
            self.txn
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                    [format!("idempotency|{subject}|{key}").into()],
                ))
                .await?;
        }
        let previous = idempotency_key::Entity::find_by_id((subject, key.to_owned())).one(&self.txn).await?;
        self.idempotency = Some((key.to_owned(), request.clone()));
        let Some(previous) = previous else { return Ok(None) };
        if previous.request != request {
            return Ok(Some(Err(vec![UserError::new(
                "idempotencyKey",
                "was already used with a different input",
                "IDEMPOTENCY_KEY_REUSED",
            )])));
        }
        // The first result is answered only while the actor may still change it.
        let first = self.find::<E>(previous.entity_id).await?;
        Ok(Some(first.ok_or_else(|| vec![UserError::not_found("idempotencyKey")])))
    }

    /// Whose idempotency keys these are: the token's subject with its role and ICBs, so two tokens with
    /// one subject but other ICBs never share a key (nor see each other's results).
    fn idempotency_owner(&self) -> String {
        let principal = &self.actor.principal;
        let mut icbs = principal.icbs.clone();
        icbs.sort();
        format!("{}|{:?}|{}", principal.subject, principal.role, icbs.join(","))
    }

    /// Inserts a new record with its audit row; `icb` is the ICB the record belongs to.
    pub async fn insert<E, A>(&mut self, icb: Option<Uuid>, id: Uuid, model: E::Model) -> Result<E::Model, AppError>
    where
        E: EntityTrait<ActiveModel = A>,
        E::Model: IntoActiveModel<A> + Serialize,
        A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    {
        let inserted = model.into_active_model().insert(&self.txn).await?;
        self.audit(icb, E::default().table_name(), id, None, Some(json(&inserted)?)).await?;
        self.record(E::default().table_name(), id, ChangeKind::Created);
        self.created = Some(id);
        Ok(inserted)
    }

    /// Inserts a row that belongs to a record already audited (a programme's sectors, for example).
    pub async fn insert_part<E, A>(&self, model: E::Model) -> Result<(), AppError>
    where
        E: EntityTrait<ActiveModel = A>,
        E::Model: IntoActiveModel<A>,
        A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
    {
        model.into_active_model().insert(&self.txn).await?;
        Ok(())
    }

    /// Writes `after` over `before` with the next version, with its audit row.
    pub async fn update<E, A>(
        &self,
        icb: Option<Uuid>,
        id: Uuid,
        before: &E::Model,
        after: E::Model,
    ) -> Result<E::Model, AppError>
    where
        E: EntityTrait<ActiveModel = A>,
        E::Model: IntoActiveModel<A> + Serialize,
        A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send + From<E::Model>,
    {
        let updated = A::from(after).reset_all().update(&self.txn).await?;
        self.audit(icb, E::default().table_name(), id, Some(json(before)?), Some(json(&updated)?)).await?;
        self.record(E::default().table_name(), id, ChangeKind::Updated);
        Ok(updated)
    }

    /// Records a change to announce at commit.
    fn record(&self, table: &str, id: Uuid, kind: ChangeKind) {
        let event = ChangeEvent { table: table.to_owned(), id, kind };
        self.events.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(event);
    }

    /// Appends the audit row of a change to `entity_type` `id`.
    async fn audit(
        &self,
        icb: Option<Uuid>,
        entity_type: &str,
        id: Uuid,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Result<(), AppError> {
        let icb_code = match icb {
            Some(icb) => organisation::Entity::find_by_id(icb).one(&self.txn).await?.map(|icb| icb.ods_code),
            None => None,
        };
        audit_log::Model {
            id: Uuid::new_v4(),
            occurred_at: chrono::Utc::now(),
            actor: self.actor.principal.subject.clone(),
            actor_icb: icb_code,
            operation: self.operation.to_owned(),
            entity_type: entity_type.to_owned(),
            entity_id: id,
            before,
            after,
            request_id: self.actor.request_id.clone(),
        }
        .into_active_model()
        .insert(&self.txn)
        .await?;
        Ok(())
    }

    /// Commits the change (and, for an idempotent create, its key).
    pub async fn commit(self) -> Result<(), AppError> {
        let owner = self.idempotency_owner();
        if let (Some((key, request)), Some(entity_id)) = (self.idempotency, self.created) {
            idempotency_key::Model {
                actor: owner,
                key,
                operation: self.operation.to_owned(),
                request,
                entity_id,
                created_at: chrono::Utc::now(),
            }
            .into_active_model()
            .insert(&self.txn)
            .await?;
        }
        super::data_version::raise(&self.txn).await?;
        let events = std::mem::take(&mut *self.events.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        self.actor.events.announce(&self.txn, &events).await?;
        self.txn.commit().await?;
        self.actor.events.committed(events);
        Ok(())
    }
}

/// A record as audit JSON.
fn json(record: &impl Serialize) -> Result<serde_json::Value, AppError> {
    serde_json::to_value(record).map_err(|error| AppError::Internal(error.into()))
}

/// The SQLSTATE (PostgreSQL) or extended result code (SQLite) of a database error, if it has one.
pub fn database_code(error: &DbErr) -> Option<String> {
    match error {
        DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error)) => {
            error.as_database_error().and_then(|error| error.code()).map(|code| code.into_owned())
        }
        _ => None,
    }
}

/// The name of the constraint a database error violated, where the database names it (PostgreSQL).
pub fn violated_constraint(error: &AppError) -> Option<String> {
    let AppError::Internal(source) = error else { return None };
    match source.downcast_ref::<DbErr>()? {
        DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error)) => {
            error.as_database_error()?.constraint().map(str::to_owned)
        }
        _ => None,
    }
}

/// Whether a database error is a constraint the rules also check (unique, exclusion, check, trigger):
/// the last wall, reached only when a concurrent change got there first.
pub fn is_rule_violation(error: &AppError) -> bool {
    let AppError::Internal(source) = error else { return false };
    let Some(error) = source.downcast_ref::<DbErr>() else { return false };
    matches!(
        database_code(error).as_deref(),
        // PostgreSQL: unique, exclusion, check; SQLite: constraint (unique, check, trigger).
        Some("23505" | "23P01" | "23514" | "2067" | "1555" | "275" | "1811" | "19")
    )
}

/// What a database refusal means to a client, by the name of the constraint refused: the rules check
/// these first, so the database refuses only when a concurrent change got there first (or a rule only the
/// database states). Names follow the migrations (`uq-<table>-<columns>`, `ck-<table>-<rule>`, the
/// exclusion constraints of PostgreSQL); a column's own unique key is `<table>_<column>_key` on
/// PostgreSQL.
const CONSTRAINT_REFUSALS: [(&[&str], &str, &str, &str); 13] = [
    (
        &["uq-cohort-programme_id-label"],
        "label",
        "the programme already has a cohort with this label",
        "DUPLICATE_LABEL",
    ),
    (
        &["uq-cohort-programme_id-intake_date"],
        "intakeDate",
        "the programme already has a cohort with this intake date",
        "DUPLICATE_INTAKE_DATE",
    ),
    (
        &["uq-rotational_post-cohort_id-post_number"],
        "postNumber",
        "the cohort already has a post with this number",
        "DUPLICATE_POST_NUMBER",
    ),
    (
        &["uq-programme_membership-pharmacist_id-cohort_id"],
        "pharmacistId",
        "is already a member of the cohort",
        "DUPLICATE_MEMBERSHIP",
    ),
    (
        &["uq-programme_membership-post_id-active", "uq-programme_membership-post_id"],
        "postId",
        "the post already has an active member",
        "POST_TAKEN",
    ),
    (
        &["uq-programme_lead-programme_id-consultant_lead_id-role-valid_from"],
        "consultantLeadId",
        "already has this role on the programme from this day",
        "DUPLICATE_PROGRAMME_LEAD",
    ),
    (
        &["uq-medicines_optimisation_team-icb_id-name"],
        "name",
        "the ICB already has a team with this name",
        "DUPLICATE_NAME",
    ),
    (
        &["rotation_programme_code_key", "uq-rotation_programme-code"],
        "code",
        "another programme has this code",
        "DUPLICATE_CODE",
    ),
    (
        &["pharmacist_gphc_number_key", "uq-pharmacist-gphc_number"],
        "gphcNumber",
        "another pharmacist has this GPhC number",
        "DUPLICATE_GPHC_NUMBER",
    ),
    (
        &["organisation_ods_code_key", "uq-organisation-ods_code"],
        "odsCode",
        "another organisation has this ODS code",
        "DUPLICATE_ODS_CODE",
    ),
    (
        &["uq-patient_pathway-owner_icb_id-name"],
        "name",
        "the ICB already records a pathway with this name",
        "DUPLICATE_NAME",
    ),
    (
        &[
            "uq-consultant_pillar_share-consultant_lead_id-valid_from",
            "ex-consultant_pillar_share-one-per-day",
            "uq-team_work_mix-team_id-valid_from",
            "ex-team_work_mix-one-per-day",
        ],
        "validFrom",
        "is not after the start of the latest period recorded",
        "PERIOD_OVERLAP",
    ),
    (
        &["ex-consultant_lead-one-per-trust-specialism"],
        "specialism",
        "the trust already has a lead for it",
        "LEAD_OVERLAP",
    ),
];

/// The name of the constraint a database error refused: PostgreSQL names it; SQLite's message names a
/// CHECK constraint, and the table and columns of a unique one, from which the migrations' name follows.
fn refused_constraint(error: &DbErr) -> Option<String> {
    let database = match error {
        DbErr::Exec(RuntimeErr::SqlxError(error)) | DbErr::Query(RuntimeErr::SqlxError(error)) => {
            error.as_database_error()?
        }
        _ => return None,
    };
    if let Some(name) = database.constraint() {
        return Some(name.to_owned());
    }
    let message = database.message();
    if let Some(name) = message.strip_prefix("CHECK constraint failed: ") {
        return Some(name.trim().to_owned());
    }
    let columns = message.strip_prefix("UNIQUE constraint failed: ")?;
    let mut table = None;
    let mut names = Vec::new();
    for qualified in columns.split(',') {
        let (owner, column) = qualified.trim().split_once('.')?;
        table = Some(owner);
        names.push(column);
    }
    Some(format!("uq-{}-{}", table?, names.join("-")))
}

/// The user error a database refusal stands for, if the error is one: a known constraint's own code, any
/// other unique or exclusion constraint `CONFLICT`, any other check `INVALID_INPUT`. Never an internal
/// error for what the client can correct; never the database's message, which may quote values.
pub fn refusal_of(error: &AppError) -> Option<UserError> {
    let AppError::Internal(source) = error else { return None };
    let database_error = source.downcast_ref::<DbErr>()?;
    let code = database_code(database_error)?;
    let name = refused_constraint(database_error).unwrap_or_default();
    // PostgreSQL cuts identifiers to 63 bytes; SQLite's messages name them whole.
    let known = |known: &&str| *known == name || known.get(..63) == Some(name.as_str());
    if let Some((_, field, message, code)) = CONSTRAINT_REFUSALS.iter().find(|(names, ..)| names.iter().any(known)) {
        return Some(UserError::new(field, *message, code));
    }
    match code.as_str() {
        // Unique or exclusion: PostgreSQL 23505, 23P01; SQLite unique (2067), primary key (1555).
        "23505" | "23P01" | "2067" | "1555" => {
            Some(UserError::new("input", "conflicts with a record that exists", "CONFLICT"))
        }
        // Check (PostgreSQL 23514, SQLite 275), a value the database cannot hold (PostgreSQL class 22).
        "23514" | "275" => Some(UserError::new("input", "breaks a rule of the data", "INVALID_INPUT")),
        code if code.starts_with("22") && code.len() == 5 => {
            Some(UserError::new("input", "holds a value the database cannot store", "INVALID_INPUT"))
        }
        _ => None,
    }
}
