use super::{actor, id_of, payload, respond};
use crate::graphql::common::{ConnectionOf, NodeType, Paging, connection, counting, decode_global_id, global_id};
use crate::graphql::organisation::Organisation;
use crate::graphql::{db, scope};
use crate::services::access::Principal;
use crate::services::audit;
use crate::services::organisations::{self, OrganisationChanges};
use async_graphql::{Context, ID, InputObject, Json, MaybeUndefined, Object, Result, ResultExt};
use entity::{audit_log, organisation};

/// Changes to an organisation (reference data, `national` administrators only); omitted fields stay.
#[derive(InputObject)]
pub struct UpdateOrganisationInput {
    /// The organisation.
    pub id: ID,
    /// The `version` you read.
    pub expected_version: i32,
    /// New name.
    pub name: Option<String>,
    /// New postcode (null clears it).
    pub postcode: MaybeUndefined<String>,
    /// The last day it existed (it closed) (null clears it).
    pub legal_end_date: MaybeUndefined<crate::graphql::scalars::Date>,
}

payload!(
    /// The result of a mutation of an organisation.
    OrganisationPayload { organisation: Organisation = Organisation::from, from organisation::Model }
);

/// Mutations over reference data.
#[derive(Default)]
pub struct OrganisationMutation;

/// Mutations over reference data.
#[Object]
impl OrganisationMutation {
    /// Updates an organisation. Only `national` administrators change reference data.
    async fn update_organisation(
        &self,
        ctx: &Context<'_>,
        input: UpdateOrganisationInput,
    ) -> Result<OrganisationPayload> {
        let id = id_of(NodeType::Organisation, "id", &input.id)?;
        let changes = OrganisationChanges {
            name: input.name,
            postcode: input.postcode.into(),
            legal_end_date: input.legal_end_date.map_value(|date| date.0).into(),
        };
        respond(organisations::update_organisation(db(ctx)?, &actor(ctx)?, id, input.expected_version, &changes).await)
    }
}

/// One change in the append-only audit trail.
pub struct AuditEntry(audit_log::Model);

/// The node type of the records of an audited table.
fn node_type_of(table: &str) -> Option<NodeType> {
    Some(match table {
        "organisation" => NodeType::Organisation,
        "rotation_programme" => NodeType::RotationProgramme,
        "cohort" => NodeType::Cohort,
        "rotational_post" => NodeType::RotationalPost,
        "vacancy" => NodeType::Vacancy,
        "pharmacist" => NodeType::Pharmacist,
        "credential" => NodeType::Credential,
        "programme_membership" => NodeType::Membership,
        "placement" => NodeType::Placement,
        "consultant_lead" => NodeType::ConsultantLead,
        "programme_lead" => NodeType::ProgrammeLead,
        "icb_medicines_role" => NodeType::IcbMedicinesRole,
        "medicines_optimisation_team" => NodeType::MedicinesOptimisationTeam,
        _ => return None,
    })
}

/// One change in the append-only audit trail.
#[Object]
impl AuditEntry {
    /// When the change was committed (UTC, RFC 3339).
    async fn occurred_at(&self) -> String {
        self.0.occurred_at.to_rfc3339()
    }

    /// Who made it (the token's subject).
    async fn actor(&self) -> &str {
        &self.0.actor
    }

    /// ODS code of the ICB the changed record belongs to.
    async fn icb(&self) -> Option<&str> {
        self.0.actor_icb.as_deref()
    }

    /// The mutation, for example `acceptMembership`.
    async fn operation(&self) -> &str {
        &self.0.operation
    }

    /// The kind of record changed (its table).
    async fn entity_type(&self) -> &str {
        &self.0.entity_type
    }

    /// The global id of the changed record (see `node`).
    async fn entity_id(&self) -> Option<ID> {
        node_type_of(&self.0.entity_type).map(|node_type| global_id(node_type, self.0.entity_id))
    }

    /// The record before the change (null for a creation).
    async fn before(&self) -> Option<Json<serde_json::Value>> {
        self.0.before.clone().map(Json)
    }

    /// The record after the change.
    async fn after(&self) -> Option<Json<serde_json::Value>> {
        self.0.after.clone().map(Json)
    }

    /// The id of the request that made the change.
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
}

/// Which audit entries.
#[derive(InputObject, Default)]
pub struct AuditFilter {
    /// Changes to this record.
    pub entity_id: Option<ID>,
    /// Changes made by this mutation.
    pub operation: Option<String>,
}

/// Reading the audit trail.
#[derive(Default)]
pub struct AuditQuery;

/// Reading the audit trail.
#[Object]
impl AuditQuery {
    /// The audit trail, newest first: for `icb_admin`, the changes to its ICBs' records (and those of
    /// the ICBs they took over); for `national` administrators, all. Anyone else: `FORBIDDEN`.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which entries.")] filter: Option<AuditFilter>,
        #[graphql(desc = "Rows after this cursor.")] after: Option<String>,
        #[graphql(desc = "Rows before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many rows from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "At most this many rows from the end (at most 100).")] last: Option<i32>,
    ) -> Result<ConnectionOf<AuditEntry>> {
        let reader = audit::AuditReader::of(ctx.data::<Principal>()?, scope(ctx)?).extend()?;
        let paging = Paging::new(after, before, first, last)?;
        let filter = filter.unwrap_or_default();
        let filter = audit::AuditFilter {
            entity_id: filter.entity_id.as_ref().map(decode_global_id).transpose().extend()?.map(|(_, id)| id),
            operation: filter.operation,
        };
        let ordering = audit::ordering();
        let window = paging.window(&ordering).extend()?;
        let page = reader.page(db(ctx)?, &filter, &window, counting(ctx)).await.extend()?;
        Ok(connection(page, &ordering, AuditEntry))
    }
}
