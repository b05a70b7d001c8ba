//! DataLoaders: every relation, `node`/`nodes` and federation lookup resolves through one of these, so a
//! request runs a number of statements that depends on the shape of its query, never on the number of
//! rows it returns. A loader is built per request with the reader's [`Scope`], and every statement it
//! runs is filtered by [`Scoped::visible`], so no relation can reach an out-of-scope row.

use super::response_size::ResponseBudget;
use crate::services::access::{Scope, Scoped};
use crate::services::organisations::{self, Direction};
use crate::services::pagination::{self, Page, Slice};
use async_graphql::ResultExt;
use async_graphql::dataloader::{DataLoader, Loader};
use chrono::NaiveDate;
use entity::enums::RelationshipKind;
use entity::{organisation, organisation_succession};
use futures_util::future::BoxFuture;
use futures_util::stream::FuturesUnordered;
use futures_util::{Stream, StreamExt};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, IdenStatic, Iterable, ModelTrait, QueryFilter, QueryOrder,
};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;
use uuid::Uuid;

/// The loader of one request.
#[derive(Clone, Debug)]
pub struct DbLoader {
    db: DatabaseConnection,
    scope: Arc<Scope>,
    /// What the request's answer may still take: every row read is charged to it.
    budget: Arc<ResponseBudget>,
}

/// The loader of one request. A batch is fetched only once the request's execution can go no further
/// without it: the loader queues each batch's fetch in the request's [`Fetches`] instead of spawning it,
/// and [`drive`] starts the queued fetches only when the execution is blocked, by which point every
/// resolver of the level (every sibling in a list, however long) has asked for its keys. So the number of
/// statements depends on the shape of the query, not on the number of rows or on timing; there is no
/// timer, quiet period or extra task in the batching path.
pub struct RequestLoader {
    loader: DataLoader<DbLoader>,
    budget: Arc<ResponseBudget>,
}

/// The most keys in one statement: far below both databases' parameter limits.
const MAX_BATCH: usize = 20_000;

/// The fetches a request's loader has queued and [`drive`] has not yet started.
#[derive(Clone, Default)]
pub struct Fetches(Arc<Mutex<Vec<BoxFuture<'static, ()>>>>);

impl Fetches {
    fn push(&self, fetch: BoxFuture<'static, ()>) {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(fetch);
    }

    fn take(&self) -> Vec<BoxFuture<'static, ()>> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

/// Runs `execution` and the fetches its loader queues in `fetches`, in one task. The queued fetches start
/// only when the execution is blocked: polled, it made no progress and did not ask to be polled again (a
/// list resolving many items yields part-way by waking itself; it is polled on until every item has
/// asked for its keys). So each batch holds every key of its level, and whenever a fetch completes the
/// execution goes on with its rows.
pub async fn drive<F: Future>(execution: F, fetches: &Fetches) -> F::Output {
    let mut execution = std::pin::pin!(execution);
    let mut driver = Driver::default();
    std::future::poll_fn(|cx| driver.poll(cx, fetches, |cx| execution.as_mut().poll(cx))).await
}

/// [`drive`] for a stream of answers (a subscription): each answer is worked out as [`drive`] works out
/// one.
pub fn drive_stream<S: Stream + Send + 'static>(execution: S, fetches: Fetches) -> impl Stream<Item = S::Item> + Send {
    let mut execution = Box::pin(execution);
    let mut driver = Driver::default();
    futures_util::stream::poll_fn(move |cx| driver.poll(cx, &fetches, |cx| execution.as_mut().poll_next(cx)))
}

/// The fetches [`drive`] has started, and how many times in a row the execution woke itself.
#[derive(Default)]
struct Driver {
    running: FuturesUnordered<BoxFuture<'static, ()>>,
    spins: u32,
}

impl Driver {
    fn poll<T>(
        &mut self,
        cx: &mut std::task::Context<'_>,
        fetches: &Fetches,
        mut execution: impl FnMut(&mut std::task::Context<'_>) -> Poll<T>,
    ) -> Poll<T> {
        let woken = Arc::new(WakeFlag { woken: AtomicBool::new(false), task: cx.waker().clone() });
        let waker = Waker::from(woken.clone());
        loop {
            woken.woken.store(false, Ordering::SeqCst);
            if let Poll::Ready(output) = execution(&mut std::task::Context::from_waker(&waker)) {
                return Poll::Ready(output);
            }
            if woken.woken.load(Ordering::SeqCst) {
                // It can go on without any fetch. After a few rounds, hand the thread back to the runtime
                // (the task is already woken), so that the runtime's own budgets are renewed.
                self.spins += 1;
                if self.spins > MAX_SPINS {
                    self.spins = 0;
                    return Poll::Pending;
                }
                continue;
            }
            self.spins = 0;
            let queued = fetches.take();
            let started = !queued.is_empty();
            self.running.extend(queued);
            match self.running.poll_next_unpin(cx) {
                Poll::Ready(Some(())) => {}
                Poll::Ready(None) | Poll::Pending if !started => return Poll::Pending,
                Poll::Ready(None) | Poll::Pending => {}
            }
        }
    }
}

/// How many times in a row [`drive`] polls an execution that wakes itself before yielding the thread.
const MAX_SPINS: u32 = 32;

/// A waker that records that it was woken, and wakes the task.
struct WakeFlag {
    woken: AtomicBool,
    task: Waker,
}

impl std::task::Wake for WakeFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.task.wake_by_ref();
    }
}

impl RequestLoader {
    /// A batching loader over `db` for a reader with `scope`, whose fetches `fetches` holds until
    /// [`drive`] runs them.
    pub fn new(db: DatabaseConnection, scope: Arc<Scope>, budget: Arc<ResponseBudget>, fetches: Fetches) -> Self {
        let spawner = move |fetch: BoxFuture<'static, ()>| fetches.push(fetch);
        let loader = DataLoader::new(DbLoader { db, scope, budget: budget.clone() }, spawner)
            .max_batch_size(MAX_BATCH)
            .delay(Duration::ZERO);
        Self { loader, budget }
    }

    /// Loads one value.
    pub async fn load_one<K>(&self, key: K) -> Result<Option<<DbLoader as Loader<K>>::Value>, async_graphql::Error>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        DbLoader: Loader<K, Error = async_graphql::Error>,
    {
        self.refuse_past_the_bound()?;
        self.loader.load_one(key).await
    }

    /// Loads several values.
    pub async fn load_many<K, I>(
        &self,
        keys: I,
    ) -> Result<HashMap<K, <DbLoader as Loader<K>>::Value>, async_graphql::Error>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        I: IntoIterator<Item = K>,
        DbLoader: Loader<K, Error = async_graphql::Error>,
    {
        self.refuse_past_the_bound()?;
        self.loader.load_many(keys).await
    }

    /// Once the request is past its answer-size bound, nothing more is read.
    fn refuse_past_the_bound(&self) -> Result<(), async_graphql::Error> {
        if self.budget.exceeded() { Err(self.budget.error()) } else { Ok(()) }
    }
}

fn column_named<E: EntityTrait>(name: &str) -> Option<E::Column> {
    E::Column::iter().find(|column| column.as_str() == name)
}

fn uuid_of<M: ModelTrait>(model: &M, column: <M::Entity as EntityTrait>::Column) -> Option<Uuid> {
    match model.get(column) {
        sea_orm::Value::Uuid(Some(uuid)) => Some(uuid),
        _ => None,
    }
}

impl DbLoader {
    /// The rows of `E` that match `condition` and the reader may see, charged to the answer's budget.
    async fn visible<E>(
        &self,
        condition: impl sea_orm::sea_query::IntoCondition,
    ) -> async_graphql::Result<Vec<E::Model>>
    where
        E: Scoped,
    {
        let rows = E::find()
            .filter(condition)
            .filter(E::visible(&self.scope))
            .all(&self.db)
            .await
            .map_err(crate::AppError::from)
            .extend()?;
        self.budget.charge(&rows)?;
        Ok(rows)
    }
}

/// A row of `E` by id.
pub struct ById<E> {
    pub id: Uuid,
    entity: PhantomData<fn() -> E>,
}

impl<E> ById<E> {
    pub fn new(id: Uuid) -> Self {
        Self { id, entity: PhantomData }
    }
}

impl<E> Clone for ById<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E> Copy for ById<E> {}
impl<E> PartialEq for ById<E> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl<E> Eq for ById<E> {}
impl<E> Hash for ById<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl<E> Loader<ById<E>> for DbLoader
where
    E: Scoped + Send + Sync + 'static,
    E::Model: Send + Sync + Clone,
{
    type Value = E::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ById<E>]) -> Result<HashMap<ById<E>, Self::Value>, Self::Error> {
        let Some(id) = column_named::<E>("id") else { return Ok(HashMap::new()) };
        let rows = self.visible::<E>(id.is_in(keys.iter().map(|key| key.id))).await?;
        Ok(rows.into_iter().filter_map(|row| uuid_of(&row, id).map(|uuid| (ById::new(uuid), row))).collect())
    }
}

/// The rows of `E` whose `column` holds `value`, ordered by `order` then id (a has-many relation).
pub struct ByColumn<E> {
    pub column: &'static str,
    pub value: Uuid,
    pub order: &'static str,
    entity: PhantomData<fn() -> E>,
}

impl<E> ByColumn<E> {
    pub fn new(column: &'static str, value: Uuid, order: &'static str) -> Self {
        Self { column, value, order, entity: PhantomData }
    }
}

impl<E> Clone for ByColumn<E> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<E> Copy for ByColumn<E> {}
impl<E> PartialEq for ByColumn<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.column, self.value, self.order) == (other.column, other.value, other.order)
    }
}
impl<E> Eq for ByColumn<E> {}
impl<E> Hash for ByColumn<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.column, self.value, self.order).hash(state);
    }
}

impl<E> Loader<ByColumn<E>> for DbLoader
where
    E: Scoped + Send + Sync + 'static,
    E::Model: Send + Sync + Clone,
{
    type Value = Vec<E::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ByColumn<E>]) -> Result<HashMap<ByColumn<E>, Self::Value>, Self::Error> {
        let mut groups: HashMap<(&'static str, &'static str), Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups.entry((key.column, key.order)).or_default().push(key.value);
        }
        let mut loaded: HashMap<ByColumn<E>, Vec<E::Model>> = HashMap::new();
        for ((column_name, order_name), values) in groups {
            let (Some(column), Some(order)) = (column_named::<E>(column_name), column_named::<E>(order_name)) else {
                continue;
            };
            let mut select = E::find().filter(column.is_in(values)).filter(E::visible(&self.scope)).order_by_asc(order);
            if let Some(id) = column_named::<E>("id") {
                select = select.order_by_asc(id);
            }
            let rows = select.all(&self.db).await.map_err(crate::AppError::from).extend()?;
            self.budget.charge(&rows)?;
            for row in rows {
                if let Some(value) = uuid_of(&row, column) {
                    loaded.entry(ByColumn::new(column_name, value, order_name)).or_default().push(row);
                }
            }
        }
        Ok(loaded)
    }
}

/// The parent of an organisation by a relationship of `kind` on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParentOn {
    pub child: Uuid,
    pub kind: RelationshipKind,
    pub on: NaiveDate,
}

/// The children of an organisation by a relationship of `kind` on a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ChildrenOn {
    pub parent: Uuid,
    pub kind: RelationshipKind,
    pub on: NaiveDate,
}

/// The succession steps into or out of an organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SuccessionsOf {
    pub organisation: Uuid,
    pub direction: Direction,
}

/// The ICBs that carry an ICB on at a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResolvedOn {
    pub icb: Uuid,
    pub on: NaiveDate,
}

/// Groups keys by the part that must be equal within one statement.
fn group_by<K: Copy, G: Eq + Hash>(keys: &[K], group: impl Fn(&K) -> G) -> HashMap<G, Vec<K>> {
    let mut groups: HashMap<G, Vec<K>> = HashMap::new();
    for key in keys {
        groups.entry(group(key)).or_default().push(*key);
    }
    groups
}

impl Loader<ParentOn> for DbLoader {
    type Value = organisation::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ParentOn]) -> Result<HashMap<ParentOn, Self::Value>, Self::Error> {
        let mut loaded = HashMap::new();
        for ((kind, on), group) in group_by(keys, |key| (key.kind, key.on)) {
            let children: Vec<Uuid> = group.iter().map(|key| key.child).collect();
            for (child, parent) in organisations::parents_on(&self.db, &children, kind, on).await.extend()? {
                loaded.insert(ParentOn { child, kind, on }, parent);
            }
        }
        Ok(loaded)
    }
}

impl Loader<ChildrenOn> for DbLoader {
    type Value = Vec<organisation::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ChildrenOn]) -> Result<HashMap<ChildrenOn, Self::Value>, Self::Error> {
        let mut loaded = HashMap::new();
        for ((kind, on), group) in group_by(keys, |key| (key.kind, key.on)) {
            let parents: Vec<Uuid> = group.iter().map(|key| key.parent).collect();
            for (parent, children) in organisations::children_on(&self.db, &parents, kind, on).await.extend()? {
                self.budget.charge(&children)?;
                loaded.insert(ChildrenOn { parent, kind, on }, children);
            }
        }
        Ok(loaded)
    }
}

impl Loader<SuccessionsOf> for DbLoader {
    type Value = Vec<organisation_succession::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[SuccessionsOf]) -> Result<HashMap<SuccessionsOf, Self::Value>, Self::Error> {
        let mut loaded = HashMap::new();
        for (direction, group) in group_by(keys, |key| key.direction) {
            let ids: Vec<Uuid> = group.iter().map(|key| key.organisation).collect();
            for (organisation, steps) in organisations::successions_of(&self.db, &ids, direction).await.extend()? {
                loaded.insert(SuccessionsOf { organisation, direction }, steps);
            }
        }
        Ok(loaded)
    }
}

impl Loader<ResolvedOn> for DbLoader {
    type Value = Vec<Uuid>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ResolvedOn]) -> Result<HashMap<ResolvedOn, Self::Value>, Self::Error> {
        let graph = organisations::succession_graph(&self.db).await.extend()?;
        Ok(keys.iter().map(|key| (*key, graph.resolve(&key.icb, key.on).into_iter().collect())).collect())
    }
}

/// The ICB with this ODS code and every ICB it took over (the ICBs a filter on the code rolls up): asked
/// for by every sibling's filter alike, it is looked up once per level.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RolledUpIcbs(pub String);

impl Loader<RolledUpIcbs> for DbLoader {
    type Value = Vec<Uuid>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[RolledUpIcbs]) -> Result<HashMap<RolledUpIcbs, Self::Value>, Self::Error> {
        let codes: Vec<String> = keys.iter().map(|key| key.0.clone()).collect();
        let by_code = organisations::icbs_with_predecessors_by_code(&self.db, &codes).await.extend()?;
        Ok(by_code.into_iter().map(|(code, ids)| (RolledUpIcbs(code), ids)).collect())
    }
}

/// A row of `E` by a natural key: a unique text column such as an organisation's ODS code, a
/// pharmacist's GPhC number or a programme's code (federation lookups).
pub struct ByNaturalKey<E> {
    pub column: &'static str,
    pub value: String,
    entity: PhantomData<fn() -> E>,
}

impl<E> ByNaturalKey<E> {
    pub fn new(column: &'static str, value: String) -> Self {
        Self { column, value, entity: PhantomData }
    }
}

impl<E> Clone for ByNaturalKey<E> {
    fn clone(&self) -> Self {
        Self::new(self.column, self.value.clone())
    }
}
impl<E> PartialEq for ByNaturalKey<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.column, &self.value) == (other.column, &other.value)
    }
}
impl<E> Eq for ByNaturalKey<E> {}
impl<E> Hash for ByNaturalKey<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.column, &self.value).hash(state);
    }
}

impl<E> Loader<ByNaturalKey<E>> for DbLoader
where
    E: Scoped + Send + Sync + 'static,
    E::Model: Send + Sync + Clone,
{
    type Value = E::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[ByNaturalKey<E>]) -> Result<HashMap<ByNaturalKey<E>, Self::Value>, Self::Error> {
        let mut groups: HashMap<&'static str, Vec<&str>> = HashMap::new();
        for key in keys {
            groups.entry(key.column).or_default().push(key.value.as_str());
        }
        let mut loaded = HashMap::new();
        for (column_name, values) in groups {
            let Some(column) = column_named::<E>(column_name) else { continue };
            for row in self.visible::<E>(column.is_in(values)).await? {
                if let sea_orm::Value::String(Some(value)) = row.get(column) {
                    loaded.insert(ByNaturalKey::new(column_name, value), row);
                }
            }
        }
        Ok(loaded)
    }
}

/// The page of a nested connection under one parent. The pages of siblings (the same relation, filter,
/// order, cursor and size: the same [`Slice::signature`]) are read by one windowed statement.
pub struct PageOf<E: EntityTrait> {
    pub parent: Uuid,
    pub slice: Arc<Slice<E>>,
}

impl<E: EntityTrait> Clone for PageOf<E> {
    fn clone(&self) -> Self {
        Self { parent: self.parent, slice: self.slice.clone() }
    }
}
impl<E: EntityTrait> PartialEq for PageOf<E> {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent && self.slice.signature() == other.slice.signature()
    }
}
impl<E: EntityTrait> Eq for PageOf<E> {}
impl<E: EntityTrait> Hash for PageOf<E> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.parent.hash(state);
        self.slice.signature().hash(state);
    }
}

impl<E> Loader<PageOf<E>> for DbLoader
where
    E: Scoped + Send + Sync + 'static,
    E::Model: Send + Sync + Clone,
{
    type Value = Page<E::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[PageOf<E>]) -> Result<HashMap<PageOf<E>, Self::Value>, Self::Error> {
        let mut groups: HashMap<&str, (Arc<Slice<E>>, Vec<Uuid>)> = HashMap::new();
        for key in keys {
            groups.entry(key.slice.signature()).or_insert_with(|| (key.slice.clone(), Vec::new())).1.push(key.parent);
        }
        let mut loaded = HashMap::new();
        for (slice, parents) in groups.into_values() {
            let pages =
                pagination::pages_by_parent(&self.db, &slice, E::visible(&self.scope), &parents).await.extend()?;
            for (parent, page) in pages {
                self.budget.charge(page.rows.iter().map(|(row, _)| row))?;
                loaded.insert(PageOf { parent, slice: slice.clone() }, page);
            }
        }
        Ok(loaded)
    }
}
