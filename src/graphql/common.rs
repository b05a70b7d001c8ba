//! Building blocks shared by every part of the schema: opaque global ids, keyset cursors, Relay
//! connections with `totalCount`, and the reusable filter inputs.

use super::scalars::{Date, OdsCodeScalar};
use crate::error::AppError;
use crate::services::pagination::{Counting, Key, Ordering, Page, Window};
use crate::services::queries;
use async_graphql::connection::{Connection, CursorType, Edge, EmptyFields};
use async_graphql::{ErrorExtensions, ID, InputObject, OutputType};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use std::sync::Arc;
use uuid::Uuid;

/// The object types that have global ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeType {
    Organisation,
    RotationProgramme,
    Cohort,
    RotationalPost,
    Vacancy,
    Pharmacist,
    Credential,
    Membership,
    Placement,
    ConsultantLead,
    ProgrammeLead,
    IcbMedicinesRole,
    MedicinesOptimisationTeam,
    ConsultantPillarShare,
    PatientPathway,
    TeamWorkMix,
    ServiceRedesign,
}

const NODE_TYPES: [(NodeType, &str); 17] = [
    (NodeType::Organisation, "Organisation"),
    (NodeType::RotationProgramme, "RotationProgramme"),
    (NodeType::Cohort, "Cohort"),
    (NodeType::RotationalPost, "RotationalPost"),
    (NodeType::Vacancy, "Vacancy"),
    (NodeType::Pharmacist, "Pharmacist"),
    (NodeType::Credential, "Credential"),
    (NodeType::Membership, "Membership"),
    (NodeType::Placement, "Placement"),
    (NodeType::ConsultantLead, "ConsultantLead"),
    (NodeType::ProgrammeLead, "ProgrammeLead"),
    (NodeType::IcbMedicinesRole, "IcbMedicinesRole"),
    (NodeType::MedicinesOptimisationTeam, "MedicinesOptimisationTeam"),
    (NodeType::ConsultantPillarShare, "ConsultantPillarShare"),
    (NodeType::PatientPathway, "PatientPathway"),
    (NodeType::TeamWorkMix, "TeamWorkMix"),
    (NodeType::ServiceRedesign, "ServiceRedesign"),
];

impl NodeType {
    fn name(self) -> &'static str {
        NODE_TYPES.iter().find(|(node_type, _)| *node_type == self).map_or("", |(_, name)| name)
    }
}

/// An opaque global id: URL-safe base64 of `Type:uuid`. Clients must not take it apart.
pub fn global_id(node_type: NodeType, id: Uuid) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", node_type.name())))
}

/// Decodes a global id into its type and row id. Only the id [`global_id`] writes is accepted (not
/// another spelling of the same UUID), so each record has exactly one id for clients' caches.
pub fn decode_global_id(id: &ID) -> Result<(NodeType, Uuid), AppError> {
    let invalid = || AppError::invalid("id", "is not a rotagraph id");
    let bytes = URL_SAFE_NO_PAD.decode(id.as_bytes()).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (name, uuid) = text.split_once(':').ok_or_else(invalid)?;
    let node_type = NODE_TYPES.iter().find(|(_, type_name)| *type_name == name).map(|(t, _)| *t).ok_or_else(invalid)?;
    let uuid = Uuid::parse_str(uuid).map_err(|_| invalid())?;
    if global_id(node_type, uuid) != *id {
        return Err(invalid());
    }
    Ok((node_type, uuid))
}

/// Decodes a global id that must be of `expected` type.
pub fn decode_id_of(expected: NodeType, field: &'static str, id: &ID) -> Result<Uuid, AppError> {
    match decode_global_id(id) {
        Ok((node_type, uuid)) if node_type == expected => Ok(uuid),
        _ => Err(AppError::invalid(field, format!("is not the id of an object of type {}", expected.name()))),
    }
}

/// Fields every connection has beside `edges`, `nodes` and `pageInfo`.
pub struct ConnectionFields {
    /// The count, when the request selects `totalCount` (it is computed only then).
    total: Option<u64>,
}

#[async_graphql::Object]
impl ConnectionFields {
    /// Rows in the whole filtered list (not only this page).
    async fn total_count(&self) -> async_graphql::Result<u64> {
        self.total.ok_or_else(|| "totalCount was not computed for this request".into())
    }
}

/// A Relay connection of `T`. Its cursors are opaque: URL-safe base64 of the row's position in the
/// list's order (its sort values and id).
pub type ConnectionOf<T> = Connection<RowCursor, T, ConnectionFields, EmptyFields>;

/// A row's cursor: its position in its list's order, written out (as JSON in URL-safe base64) only if
/// the request selects it, so a request for `nodes` writes none.
pub struct RowCursor {
    key: Key,
    /// The [`Ordering::signature`] of the list's order, shared by the page's rows.
    order: Arc<str>,
}

impl CursorType for RowCursor {
    type Error = AppError;

    /// Cursors are read with their list's order, by [`Paging::window`]; never without it.
    fn decode_cursor(_: &str) -> Result<Self, AppError> {
        Err(AppError::invalid("cursor", "is not a cursor of this list and order"))
    }

    fn encode_cursor(&self) -> String {
        crate::services::cursors::seal(self.key.to_json(&self.order).to_string().as_bytes())
    }
}

/// Relay paging arguments, as given: the cursors are read once the list's order is known.
#[derive(Clone, Debug, Default)]
pub struct Paging {
    after: Option<String>,
    before: Option<String>,
    first: Option<u64>,
    last: Option<u64>,
}

impl Paging {
    /// Takes `after`/`before` cursors and `first`/`last` counts (negative counts and counts above the
    /// largest page are refused: see [`crate::services::pagination::page_size`]).
    pub fn new(
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> async_graphql::Result<Self> {
        let count = |field: &'static str, value: Option<i32>| -> async_graphql::Result<Option<u64>> {
            value
                .map(|value| {
                    crate::services::pagination::page_size(field, i64::from(value)).map_err(|error| error.extend())
                })
                .transpose()
        };
        Ok(Self { after, before, first: count("first", first)?, last: count("last", last)? })
    }

    /// Forward paging only (`first` and `after`), as nested connections take it.
    pub fn forward(after: Option<String>, first: Option<i32>) -> async_graphql::Result<Self> {
        Self::new(after, None, first, None)
    }

    /// The window of a list in `ordering`: the cursors read as positions in that order (a cursor of
    /// another list or order, or altered, is refused).
    pub fn window<E: sea_orm::EntityTrait>(&self, ordering: &Ordering<E>) -> Result<Window, AppError> {
        let key = |field: &'static str, cursor: &Option<String>| -> Result<Option<Key>, AppError> {
            let Some(cursor) = cursor else { return Ok(None) };
            let invalid = || AppError::invalid(field, "is not a cursor of this list and order");
            let bytes = crate::services::cursors::open(cursor).ok_or_else(invalid)?;
            let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
            ordering.key_from_json(&json).map(Some).map_err(|_| invalid())
        };
        Ok(Window {
            after: key("after", &self.after)?,
            before: key("before", &self.before)?,
            first: self.first,
            last: self.last,
        })
    }
}

/// Whether the request selects `totalCount` of the connection being resolved.
pub fn counting(ctx: &async_graphql::Context<'_>) -> Counting {
    if ctx.look_ahead().field("totalCount").exists() { Counting::Count } else { Counting::Skip }
}

/// Turns a page of rows into a connection of `T`, each edge with its row's cursor.
pub fn connection<E: sea_orm::EntityTrait, T: OutputType>(
    page: Page<E::Model>,
    ordering: &Ordering<E>,
    node: impl Fn(E::Model) -> T,
) -> ConnectionOf<T> {
    let mut connection =
        Connection::with_additional_fields(page.has_previous, page.has_next, ConnectionFields { total: page.total });
    let order: Arc<str> = ordering.signature().into();
    connection
        .edges
        .extend(page.rows.into_iter().map(|(row, key)| Edge::new(RowCursor { key, order: order.clone() }, node(row))));
    connection
}

/// Sort direction.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

impl From<OrderDirection> for sea_orm::Order {
    fn from(direction: OrderDirection) -> Self {
        match direction {
            OrderDirection::Asc => Self::Asc,
            OrderDirection::Desc => Self::Desc,
        }
    }
}

/// Matches ODS codes. Where both `eq` and `in` are given, both must hold; a filter with neither
/// (`{}`, or both null) sets no condition; `in: []` matches nothing.
#[derive(InputObject, Clone, Debug, Default)]
pub struct OdsCodeFilter {
    /// Equal to this code.
    pub eq: Option<OdsCodeScalar>,
    /// One of these codes.
    #[graphql(name = "in")]
    pub in_: Option<Vec<OdsCodeScalar>>,
}

/// What an `eq`/`in` pair accepts, the one rule of every such filter: `None` (no condition) when neither
/// is given (`{}`, or both `null`); otherwise the values that meet all that is given: `eq` alone, `in`
/// alone (`in: []` accepts nothing), or `eq` only if `in` holds it.
fn accepted<T: PartialEq>(eq: Option<T>, in_: Option<Vec<T>>) -> Option<Vec<T>> {
    match (eq, in_) {
        (None, None) => None,
        (Some(eq), None) => Some(vec![eq]),
        (None, Some(values)) => Some(values),
        (Some(eq), Some(values)) => Some(if values.contains(&eq) { vec![eq] } else { Vec::new() }),
    }
}

impl OdsCodeFilter {
    /// The codes the filter accepts; `None` for no condition (see [`accepted`]).
    pub fn codes(&self) -> Option<Vec<String>> {
        let code = |code: &OdsCodeScalar| code.0.to_string();
        accepted(self.eq.as_ref().map(code), self.in_.as_ref().map(|codes| codes.iter().map(code).collect()))
    }
}

/// Matches global ids. Where both `eq` and `in` are given, both must hold; a filter with neither
/// (`{}`, or both null) sets no condition; `in: []` matches nothing.
#[derive(InputObject, Clone, Debug, Default)]
pub struct IdFilter {
    /// Equal to this id.
    pub eq: Option<ID>,
    /// One of these ids.
    #[graphql(name = "in")]
    pub in_: Option<Vec<ID>>,
}

impl IdFilter {
    /// The row ids the filter accepts, each checked to be of `node_type`; `None` for no condition (see
    /// [`accepted`]).
    pub fn uuids(&self, node_type: NodeType, field: &'static str) -> Result<Option<Vec<Uuid>>, AppError> {
        let eq = self.eq.as_ref().map(|id| decode_id_of(node_type, field, id)).transpose()?;
        let in_ = self
            .in_
            .as_ref()
            .map(|ids| ids.iter().map(|id| decode_id_of(node_type, field, id)).collect::<Result<Vec<_>, _>>())
            .transpose()?;
        Ok(accepted(eq, in_))
    }

    /// The row ids of `filter`, if given, checked to be of `node_type`; `None` for no condition.
    pub fn uuids_of(
        filter: Option<&Self>,
        node_type: NodeType,
        field: &'static str,
    ) -> Result<Option<Vec<Uuid>>, AppError> {
        Ok(filter.map(|ids| ids.uuids(node_type, field)).transpose()?.flatten())
    }
}

/// Matches dates in an inclusive range; either end may be open.
#[derive(InputObject, Clone, Copy, Debug, Default)]
pub struct DateRange {
    /// On or after this date.
    pub from: Option<Date>,
    /// On or before this date.
    pub to: Option<Date>,
}

impl From<DateRange> for queries::DateRange {
    fn from(range: DateRange) -> Self {
        Self { from: range.from.map(|day| day.0), to: range.to.map(|day| day.0) }
    }
}

/// Matches text, ignoring case.
#[derive(InputObject, Clone, Debug, Default)]
pub struct TextFilter {
    /// Contains this text.
    pub contains: Option<String>,
    /// Starts with this text.
    pub starts_with: Option<String>,
}

impl From<&TextFilter> for queries::TextMatch {
    fn from(filter: &TextFilter) -> Self {
        Self { contains: filter.contains.clone(), starts_with: filter.starts_with.clone() }
    }
}

/// `date`, or the request's today (by the server's clock) when absent.
pub fn as_of_or_today(ctx: &async_graphql::Context<'_>, as_of: Option<Date>) -> async_graphql::Result<NaiveDate> {
    Ok(as_of.map_or(super::today(ctx)?, |date| date.0))
}

/// Matches values of an enum. Where both `eq` and `in` are given, both must hold; a filter with neither
/// (`{}`, or both null) sets no condition; `in: []` matches nothing.
#[derive(InputObject, Clone, Debug)]
#[graphql(concrete(name = "SectorFilter", params(super::enums::Sector)))]
#[graphql(concrete(name = "ProgrammeStatusFilter", params(super::enums::ProgrammeStatus)))]
#[graphql(concrete(name = "PostStatusFilter", params(super::enums::PostStatus)))]
#[graphql(concrete(name = "FundingSourceFilter", params(super::enums::FundingSource)))]
#[graphql(concrete(name = "MembershipStatusFilter", params(super::enums::MembershipStatus)))]
#[graphql(concrete(name = "PlacementStatusFilter", params(super::enums::PlacementStatus)))]
#[graphql(concrete(name = "RegistrationStatusFilter", params(super::enums::RegistrationStatus)))]
#[graphql(concrete(name = "SpecialismFilter", params(super::enums::Specialism)))]
#[graphql(concrete(name = "OrganisationKindFilter", params(super::enums::OrganisationKind)))]
#[graphql(concrete(name = "AfcBandFilter", params(super::enums::AfcBand)))]
#[graphql(concrete(name = "PathwayStatusFilter", params(super::enums::PathwayStatus)))]
#[graphql(concrete(name = "RedesignStatusFilter", params(super::enums::RedesignStatus)))]
#[graphql(concrete(name = "TeamInvolvementFilter", params(super::enums::TeamInvolvement)))]
pub struct EnumFilter<T: async_graphql::InputType + Copy> {
    /// Equal to this value.
    pub eq: Option<T>,
    /// One of these values.
    #[graphql(name = "in")]
    pub in_: Option<Vec<T>>,
}

impl<T: async_graphql::InputType + Copy + PartialEq> EnumFilter<T> {
    /// The values the filter accepts, as the stored enum `S`; `None` for no condition (see [`accepted`]).
    pub fn values<S>(&self) -> Option<Vec<S>>
    where
        T: Into<S>,
    {
        accepted(self.eq, self.in_.clone()).map(|values| values.into_iter().map(Into::into).collect())
    }
}

#[cfg(test)]
mod id_tests {
    use super::{NodeType, decode_global_id, global_id};
    use async_graphql::ID;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    #[test]
    fn a_record_has_one_id_only() {
        let uuid = uuid::Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef);
        let id = global_id(NodeType::Placement, uuid);
        assert_eq!(decode_global_id(&id).ok(), Some((NodeType::Placement, uuid)));
        for spelling in [
            uuid.simple().to_string(),
            uuid.to_string().to_uppercase(),
            uuid.braced().to_string(),
            uuid.urn().to_string(),
        ] {
            let other = ID(URL_SAFE_NO_PAD.encode(format!("Placement:{spelling}")));
            assert!(decode_global_id(&other).is_err(), "{spelling}");
        }
    }
}
