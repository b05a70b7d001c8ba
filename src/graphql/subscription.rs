//! Live subscriptions: placements, memberships, vacancies, patient pathways and service redesigns as they
//! change, and the fill rate as it moves. Each event names a changed record (see [`crate::services::events`]); the subscriber reads it
//! again through its own access scope and filter, exactly as a query would, so an event about a record
//! it may not read never reaches it, and a reader without access to personal data gets no personal
//! field. A subscriber that falls [`BACKLOG`] events behind gets `EVENTS_MISSED` and its subscription
//! ends (subscribe again, and read again what may have changed).

use super::db;
use super::enums::IcbResolution;
use super::medicines::{PatientPathway, PatientPathwayFilter, ServiceRedesign, ServiceRedesignFilter};
use super::programme::{Vacancy, VacancyFilter, vacancy_condition};
use super::reports::{CohortGroupBy, FillRateReportRow, ReportFilterInput, ReportSettings, fill_rate_row, suppression};
use super::workforce::{Membership, MembershipFilter, Placement, PlacementFilter, placement_condition};
use crate::services::access::{Scope, Scoped};
use crate::services::events::{BACKLOG, ChangeEvent, ChangeKind, EventHub};
use crate::services::{queries, reports};
use async_graphql::{Context, Enum, ErrorExtensions, Result, ResultExt, SimpleObject, Subscription};
use entity::{patient_pathway, placement, programme_membership, service_redesign, vacancy};
use futures_util::{Stream, stream};
use sea_orm::{Condition, DatabaseConnection};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::{self, error::RecvError};

/// What a change did to a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
pub enum ChangeAction {
    /// The record was created.
    Created,
    /// The record was changed (its `version` went up).
    Updated,
}

impl From<ChangeKind> for ChangeAction {
    fn from(kind: ChangeKind) -> Self {
        match kind {
            ChangeKind::Created => Self::Created,
            ChangeKind::Updated => Self::Updated,
        }
    }
}

/// A placement created or changed.
#[derive(SimpleObject)]
pub struct PlacementChange {
    /// What happened.
    pub action: ChangeAction,
    /// The placement as it is now.
    pub placement: Placement,
}

/// A membership created or changed (offered, accepted, started, completed, withdrawn...).
#[derive(SimpleObject)]
pub struct MembershipChange {
    /// What happened.
    pub action: ChangeAction,
    /// The membership as it is now.
    pub membership: Membership,
}

/// A vacancy created or changed (opened, filled, closed...).
#[derive(SimpleObject)]
pub struct VacancyChange {
    /// What happened.
    pub action: ChangeAction,
    /// The vacancy as it is now.
    pub vacancy: Vacancy,
}

/// A patient pathway created or changed (its lead, status, span...).
#[derive(SimpleObject)]
pub struct PatientPathwayChange {
    /// What happened.
    pub action: ChangeAction,
    /// The pathway as it is now.
    pub pathway: PatientPathway,
}

/// A service redesign created or changed.
#[derive(SimpleObject)]
pub struct ServiceRedesignChange {
    /// What happened.
    pub action: ChangeAction,
    /// The redesign as it is now.
    pub redesign: ServiceRedesign,
}

/// The tables whose changes can move the fill rate.
const FILL_RATE_TABLES: [&str; 6] = [
    "programme_membership",
    "cohort",
    "rotation_programme",
    "organisation",
    "organisation_relationship",
    "organisation_succession",
];

/// How long the fill rate waits after a change for others that come with it, before it is worked out
/// again.
const SETTLE: Duration = Duration::from_millis(200);

/// The subscription root.
#[derive(Default)]
pub struct Subscription;

/// Live subscriptions, over graphql-ws (`graphql-transport-ws`) at `/graphql` or Server-Sent Events
/// (`Accept: text/event-stream`).
#[Subscription]
impl Subscription {
    /// Placements created or changed from now on that the subscriber may read and that match `filter`.
    async fn placement_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which placements.")] filter: Option<PlacementFilter>,
    ) -> Result<impl Stream<Item = Result<PlacementChange>> + use<>> {
        let condition = placement_condition(ctx, filter).await?;
        changes::<placement::Entity, _>(ctx, condition, |action, row| PlacementChange {
            action,
            placement: Placement(row),
        })
    }

    /// Memberships created or changed from now on that the subscriber may read and that match `filter`.
    async fn membership_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which memberships.")] filter: Option<MembershipFilter>,
    ) -> Result<impl Stream<Item = Result<MembershipChange>> + use<>> {
        let condition = filter.unwrap_or_default().to_query().and_then(|filter| filter.condition()).extend()?;
        changes::<programme_membership::Entity, _>(ctx, condition, |action, row| MembershipChange {
            action,
            membership: Membership(row),
        })
    }

    /// Vacancies created or changed from now on that the subscriber may read and that match `filter`
    /// (its `open` and ICB filters apply to today).
    async fn vacancy_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which vacancies.")] filter: Option<VacancyFilter>,
    ) -> Result<impl Stream<Item = Result<VacancyChange>> + use<>> {
        let condition = vacancy_condition(ctx, filter, None)?;
        changes::<vacancy::Entity, _>(ctx, condition, |action, row| VacancyChange { action, vacancy: Vacancy(row) })
    }

    /// Patient pathways created or changed from now on that the subscriber may read and that match
    /// `filter`.
    async fn patient_pathway_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which pathways.")] filter: Option<PatientPathwayFilter>,
    ) -> Result<impl Stream<Item = Result<PatientPathwayChange>> + use<>> {
        let condition = filter.unwrap_or_default().to_query().condition().extend()?;
        changes::<patient_pathway::Entity, _>(ctx, condition, |action, row| PatientPathwayChange {
            action,
            pathway: PatientPathway(row),
        })
    }

    /// Service redesigns created or changed from now on that the subscriber may read and that match
    /// `filter`.
    async fn service_redesign_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which redesigns.")] filter: Option<ServiceRedesignFilter>,
    ) -> Result<impl Stream<Item = Result<ServiceRedesignChange>> + use<>> {
        let condition = filter.unwrap_or_default().to_query().condition().extend()?;
        changes::<service_redesign::Entity, _>(ctx, condition, |action, row| ServiceRedesignChange {
            action,
            redesign: ServiceRedesign(row),
        })
    }

    /// The fill-rate report (as `reports.fillRate` answers it, scoped and disclosure-controlled alike): at
    /// once, then again each time a change moves it. For one ICB, filter by `icb`; for one cohort, group
    /// by `COHORT` and read its row.
    async fn fill_rate_changed(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which cohorts.")] filter: Option<ReportFilterInput>,
        #[graphql(desc = "How rows are grouped (default: COHORT).", default)] group_by: CohortGroupBy,
        #[graphql(desc = "How ICBs are attributed (default: AT_EVENT, the owner on the intake date).", default)]
        icb_resolution: IcbResolution,
    ) -> Result<impl Stream<Item = Result<Vec<FillRateReportRow>>> + use<>> {
        let filter = filter.unwrap_or_default().to_filter(icb_resolution, super::today(ctx)?).extend()?;
        let grouping = group_by.into();
        let reader = Reader::of(ctx)?;
        let settings = ctx.data::<ReportSettings>()?.clone();
        let suppression = suppression(ctx)?;
        let work_out = move |db: DatabaseConnection, scope: Arc<Scope>| {
            let (settings, filter) = (settings.clone(), filter.clone());
            async move {
                let arguments = (&filter, grouping);
                let rows = reports::fill_rate(&db, &scope, suppression, &filter, grouping);
                settings.cache.rows(&db, (&scope, suppression), "fill_rate", &arguments, rows).await
            }
        };
        let first = work_out(reader.db.clone(), reader.scope.clone()).await.extend()?;
        let state = (reader, None::<Vec<reports::FillRateRow>>, Some(first));
        Ok(stream::unfold(state, move |(mut reader, mut last, mut next)| {
            let work_out = work_out.clone();
            async move {
                loop {
                    if let Some(rows) = next.take()
                        && last.as_ref() != Some(&rows)
                    {
                        last = Some(rows.clone());
                        let answer = rows.into_iter().map(|row| fill_rate_row(row, grouping)).collect();
                        return Some((Ok(answer), (reader, last, None)));
                    }
                    match reader.next_of(&FILL_RATE_TABLES).await {
                        Ok(_) => {}
                        Err(missed) => return Some((Err(missed), (reader.closed(), last, None))),
                    }
                    if reader.is_closed() {
                        return None;
                    }
                    tokio::time::sleep(SETTLE).await;
                    reader.skip_waiting();
                    match work_out(reader.db.clone(), reader.scope.clone()).await {
                        Ok(rows) => next = Some(rows),
                        Err(error) => return Some((Err(error.extend()), (reader, last, None))),
                    }
                }
            }
        }))
    }
}

/// What a subscriber reads changes with: the change events of this process, the database, its scope.
struct Reader {
    events: Option<broadcast::Receiver<Arc<ChangeEvent>>>,
    db: DatabaseConnection,
    scope: Arc<Scope>,
}

impl Reader {
    fn of(ctx: &Context<'_>) -> Result<Self> {
        let events = ctx.data::<EventHub>()?.subscribe();
        Ok(Self { events: Some(events), db: db(ctx)?.clone(), scope: ctx.data::<Arc<Scope>>()?.clone() })
    }

    /// The next change to one of `tables`; `EVENTS_MISSED` if the subscriber fell too far behind.
    /// Completes with `None` once no more can come.
    async fn next_of(&mut self, tables: &[&str]) -> Result<Option<Arc<ChangeEvent>>> {
        let Some(events) = self.events.as_mut() else { return Ok(None) };
        loop {
            match events.recv().await {
                Ok(event) if tables.contains(&event.table.as_str()) => return Ok(Some(event)),
                Ok(_) => {}
                Err(RecvError::Closed) => {
                    self.events = None;
                    return Ok(None);
                }
                Err(RecvError::Lagged(missed)) => {
                    let message = format!(
                        "This subscription fell over {BACKLOG} changes behind and missed {missed}: subscribe again."
                    );
                    return Err(async_graphql::Error::new(message)
                        .extend_with(|_, extensions| extensions.set("code", "EVENTS_MISSED")));
                }
            }
        }
    }

    /// Drops the changes already waiting (one answer worked out afterwards covers them all).
    fn skip_waiting(&mut self) {
        if let Some(events) = self.events.as_mut() {
            while events.try_recv().is_ok() {}
        }
    }

    fn closed(mut self) -> Self {
        self.events = None;
        self
    }

    fn is_closed(&self) -> bool {
        self.events.is_none()
    }
}

/// The changes to records of `E` that the subscriber may read and that match `condition`, each as
/// `wrap` makes it.
fn changes<E, T>(
    ctx: &Context<'_>,
    condition: Condition,
    wrap: fn(ChangeAction, E::Model) -> T,
) -> Result<impl Stream<Item = Result<T>> + use<E, T>>
where
    E: Scoped + Send + Sync + 'static,
    E::Model: Send + Sync,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<uuid::Uuid>,
    T: Send + 'static,
{
    let table = E::default().table_name();
    let reader = Reader::of(ctx)?;
    Ok(stream::unfold((reader, condition), move |(mut reader, condition)| async move {
        loop {
            let event = match reader.next_of(&[table]).await {
                Ok(Some(event)) => event,
                Ok(None) => return None,
                Err(missed) => return Some((Err(missed), (reader.closed(), condition))),
            };
            let found = queries::find_visible::<_, E>(&reader.db, &reader.scope, event.id, condition.clone()).await;
            match found {
                Ok(Some(row)) => return Some((Ok(wrap(event.kind.into(), row)), (reader, condition))),
                Ok(None) => {}
                Err(error) => return Some((Err(error.extend()), (reader, condition))),
            }
        }
    }))
}

/// The open subscriptions of each caller on this server, and the pace of their events.
pub struct Subscribers {
    open: std::sync::Mutex<std::collections::HashMap<String, usize>>,
    max_open: usize,
    pace: governor::DefaultKeyedRateLimiter<String>,
    /// The callers whose open streams are asked to write at once (see [`Subscribers::make_room`]).
    probes: tokio::sync::broadcast::Sender<Arc<str>>,
}

/// One open subscription of a caller: counted until dropped.
pub struct OpenSubscription {
    subscribers: Arc<Subscribers>,
    caller: String,
}

impl Drop for OpenSubscription {
    fn drop(&mut self) {
        let mut open = self.subscribers.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.caller) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.caller);
            }
        }
    }
}

impl Subscribers {
    /// At most `max_open` open subscriptions and `events_per_second` events per caller.
    pub fn new(max_open: usize, events_per_second: u32) -> Self {
        let rate = std::num::NonZeroU32::new(events_per_second).unwrap_or(std::num::NonZeroU32::MIN);
        Self {
            open: std::sync::Mutex::default(),
            max_open,
            pace: governor::RateLimiter::keyed(governor::Quota::per_second(rate)),
            probes: tokio::sync::broadcast::channel(64).0,
        }
    }

    /// The probes a stream of one caller listens to: a caller named here is making room (see
    /// [`Subscribers::make_room`]), and its streams write at once.
    pub fn probes(&self) -> tokio::sync::broadcast::Receiver<Arc<str>> {
        self.probes.subscribe()
    }

    /// Makes room for one more subscription of `caller` if it has its most open: an event stream whose
    /// client has gone is only noticed when it next writes, so its streams are asked to write at once
    /// (twice: the first write to a closed connection can still succeed), and this waits up to `patience`
    /// for one of them to close.
    pub async fn make_room(&self, caller: &str, patience: std::time::Duration) {
        let full = || {
            let open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            open.get(caller).is_some_and(|count| *count >= self.max_open)
        };
        let deadline = tokio::time::Instant::now() + patience;
        let mut probes = 0;
        while full() && tokio::time::Instant::now() < deadline {
            if probes < 2 {
                let _ = self.probes.send(caller.into());
                probes += 1;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// Opens a subscription for `caller`, or `TOO_MANY_SUBSCRIPTIONS` if it has its most open already.
    pub fn open(self: &Arc<Self>, caller: &str) -> Result<OpenSubscription, async_graphql::ServerError> {
        let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let count = open.entry(caller.to_owned()).or_default();
        if *count >= self.max_open {
            let message = format!("A caller may keep at most {} subscriptions open.", self.max_open);
            return Err(super::limits::refusal(message, "TOO_MANY_SUBSCRIPTIONS", |_| {}));
        }
        *count += 1;
        // The pace of callers not heard from lately is forgotten, so many callers cannot grow it for good.
        if self.pace.len() > 10_000 {
            self.pace.retain_recent();
        }
        Ok(OpenSubscription { subscribers: self.clone(), caller: caller.to_owned() })
    }

    /// Waits until `caller` may be sent its next event.
    pub async fn pace(&self, caller: &String) {
        self.pace.until_key_ready(caller).await;
    }

    /// How many subscriptions are open, of every caller.
    pub fn count(&self) -> usize {
        self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner).values().sum()
    }
}
