//! DataLoaders: every relation resolves through one of these, so a request runs a number of statements
//! that depends on the shape of its query, never on the number of rows it returns.

use crate::services::organisations::{self, Direction};
use async_graphql::ResultExt;
use async_graphql::dataloader::Loader;
use chrono::NaiveDate;
use entity::enums::RelationshipKind;
use entity::{organisation, organisation_succession};
use sea_orm::DatabaseConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// The one loader of the schema, holding the database connection.
#[derive(Clone, Debug)]
pub struct DbLoader {
    db: DatabaseConnection,
}

impl DbLoader {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// An organisation by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OrganisationById(pub Uuid);

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
fn group_by<K: Copy, G: Eq + std::hash::Hash>(keys: &[K], group: impl Fn(&K) -> G) -> HashMap<G, Vec<K>> {
    let mut groups: HashMap<G, Vec<K>> = HashMap::new();
    for key in keys {
        groups.entry(group(key)).or_default().push(*key);
    }
    groups
}

impl Loader<OrganisationById> for DbLoader {
    type Value = organisation::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[OrganisationById]) -> Result<HashMap<OrganisationById, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|key| key.0).collect();
        let rows = organisations::by_ids(&self.db, &ids).await.extend()?;
        Ok(rows.into_iter().map(|(id, row)| (OrganisationById(id), row)).collect())
    }
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
