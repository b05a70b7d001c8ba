//! Mutations: named verb + noun, one input object each, returning a payload with the changed object and
//! `userErrors { field message code }` for expected failures (nothing is written then). The rules, the
//! access checks, the transaction and the audit row live in the domain services; these resolvers only
//! translate.
//!
//! Only `icb_admin` principals change records, and only those of their own ICBs (an id outside them
//! behaves exactly like an unknown id: `NOT_FOUND`); only `national` administrators change organisations.
//! Any other caller gets a `FORBIDDEN` error.

/// Consultant leads, ICB medicines roles and medicines-optimisation teams.
pub mod leadership;
/// Pillar shares, patient pathways, teams' work mix and service redesigns.
pub mod medicines;
/// Organisations (reference data) and the audit trail.
pub mod organisations;
/// Programmes, cohorts and posts.
pub mod programmes;
/// Memberships and placements.
pub mod rotations;
/// Pharmacists, credentials and vacancies.
pub mod workforce;

use super::common::{NodeType, decode_id_of};
use crate::services::access::Principal;
use crate::services::events::EventHub;
use crate::services::writes::{self, Actor, Outcome, UserError};
use async_graphql::{Context, ErrorExtensions, ID, Result, ResultExt, SimpleObject};
use uuid::Uuid;

/// An expected failure of a mutation: nothing was written.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "UserError")]
pub struct UserErrorObject {
    /// The input field at fault.
    pub field: String,
    /// What is wrong, in words.
    pub message: String,
    /// A stable code to match on, for example `NOT_FOUND`, `STALE_VERSION`, `COHORT_FULL`,
    /// `IDEMPOTENCY_KEY_REUSED` (the README lists them all).
    pub code: String,
}

impl From<UserError> for UserErrorObject {
    fn from(error: UserError) -> Self {
        Self { field: error.field, message: error.message, code: error.code.to_owned() }
    }
}

/// The request's id, recorded in the audit trail.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// The caller of a mutation, for the services.
fn actor(ctx: &Context<'_>) -> Result<Actor> {
    let principal = ctx.data::<Principal>()?.clone();
    let request_id = ctx.data_opt::<RequestId>().map(|id| id.0.clone());
    let scope = super::scope(ctx)?.clone();
    let events = ctx.data::<EventHub>()?.clone();
    Ok(Actor { principal, scope, request_id, today: super::today(ctx)?, events })
}

/// The row id behind a global id of `node_type` given in `field`.
fn id_of(node_type: NodeType, field: &'static str, id: &ID) -> Result<Uuid> {
    decode_id_of(node_type, field, id).extend()
}

/// A change to an optional reference given in `field`: `None` when absent, `Some(None)` when null.
fn optional_id_of(
    node_type: NodeType,
    field: &'static str,
    id: &async_graphql::MaybeUndefined<ID>,
) -> Result<Option<Option<Uuid>>> {
    Ok(match id {
        async_graphql::MaybeUndefined::Undefined => None,
        async_graphql::MaybeUndefined::Null => Some(None),
        async_graphql::MaybeUndefined::Value(id) => Some(Some(id_of(node_type, field, id)?)),
    })
}

/// Declares a mutation payload: the changed object (null when there are user errors) and the user errors.
macro_rules! payload {
    ($(#[doc = $doc:literal])* $payload:ident { $field:ident: $object:ty = $wrap:path, from $model:ty }) => {
        $(#[doc = $doc])*
        #[derive(async_graphql::SimpleObject)]
        pub struct $payload {
            /// The changed record; null when there are user errors.
            pub $field: Option<$object>,
            /// Why nothing was written, if so.
            pub user_errors: Vec<$crate::graphql::mutation::UserErrorObject>,
        }

        impl From<$crate::services::writes::Outcome<$model>> for $payload {
            fn from(outcome: $crate::services::writes::Outcome<$model>) -> Self {
                match outcome {
                    Ok(record) => Self { $field: Some($wrap(record)), user_errors: Vec::new() },
                    Err(errors) => Self { $field: None, user_errors: errors.into_iter().map(Into::into).collect() },
                }
            }
        }
    };
}
pub(crate) use payload;

/// A payload from a service's answer: user errors in the payload (a refusal by a database constraint
/// among them, as its code), other errors as GraphQL errors.
fn respond<M, P: From<Outcome<M>>>(answer: Result<Outcome<M>, crate::error::AppError>) -> Result<P> {
    match answer {
        Ok(outcome) => Ok(P::from(outcome)),
        Err(error) => match writes::refusal_of(&error) {
            Some(refusal) => Ok(P::from(Err(vec![refusal]))),
            None => Err(error.extend()),
        },
    }
}
