//! The access matrix: each principal × each kind of record, through lists, `totalCount`, relations,
//! `node` and `_entities`. No out-of-scope record is ever returned, and no personal data reaches
//! anonymous callers or the `reporter` role.

use crate::helpers::{TestApp, error_codes, spawn_app, token};
use entity::enums::{RelationshipKind, SuccessionKind};
use entity::{
    cohort, consultant_lead, icb_medicines_role, organisation, organisation_relationship, organisation_succession,
    placement, programme_membership, rotation_programme, vacancy,
};
use rotagraph::app::DemoData;
use rotagraph::graphql::common::{NodeType, global_id};
use rotagraph::services::access::Role;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

/// Who is asking, and what they may see.
struct Case {
    name: &'static str,
    token: Option<String>,
    /// ICB ODS codes the principal answers for, before adding predecessors; `None` means every ICB.
    icbs: Option<Vec<&'static str>>,
    /// Whether the principal may read workforce records at all.
    workforce: bool,
    personal_data: bool,
}

fn cases() -> Vec<Case> {
    vec![
        Case { name: "anonymous", token: None, icbs: Some(vec![]), workforce: false, personal_data: false },
        Case {
            name: "icb_viewer T6Y0W",
            token: Some(token(Role::IcbViewer, &["T6Y0W"], None)),
            icbs: Some(vec!["T6Y0W"]),
            workforce: true,
            personal_data: true,
        },
        Case {
            name: "icb_admin D7T5G",
            token: Some(token(Role::IcbAdmin, &["D7T5G"], None)),
            icbs: Some(vec!["D7T5G"]),
            workforce: true,
            personal_data: true,
        },
        Case {
            name: "regional Y61",
            token: Some(token(Role::Regional, &[], Some("Y61"))),
            icbs: Some(vec!["S1Y5D", "D7T5G", "T6Y0W"]),
            workforce: true,
            personal_data: true,
        },
        Case {
            name: "regional Y56",
            token: Some(token(Role::Regional, &[], Some("Y56"))),
            icbs: Some(vec!["QMF", "QKK", "QWE", "Z9B2Z"]),
            workforce: true,
            personal_data: true,
        },
        Case {
            name: "national",
            token: Some(token(Role::National, &[], None)),
            icbs: None,
            workforce: true,
            personal_data: true,
        },
        Case {
            name: "reporter",
            token: Some(token(Role::Reporter, &[], None)),
            icbs: None,
            workforce: true,
            personal_data: false,
        },
    ]
}

/// The ground truth, computed from the rows directly.
struct Truth {
    all_pharmacists: Vec<Uuid>,
    medicines_roles: Vec<icb_medicines_role::Model>,
    placements: Vec<placement::Model>,
    memberships: Vec<programme_membership::Model>,
    vacancies: Vec<vacancy::Model>,
    leads: Vec<consultant_lead::Model>,
    owner_of_cohort: HashMap<Uuid, Uuid>,
    icb_links: Vec<organisation_relationship::Model>,
    successions: Vec<organisation_succession::Model>,
    icb_ids: HashMap<String, Uuid>,
}

impl Truth {
    async fn load(db: &DatabaseConnection) -> Self {
        let programmes = rotation_programme::Entity::find().all(db).await.expect("programmes");
        let owners: HashMap<Uuid, Uuid> = programmes.iter().map(|p| (p.id, p.owner_icb_id)).collect();
        let cohorts = cohort::Entity::find().all(db).await.expect("cohorts");
        Self {
            all_pharmacists: entity::pharmacist::Entity::find()
                .all(db)
                .await
                .expect("pharmacists")
                .into_iter()
                .map(|p| p.id)
                .collect(),
            medicines_roles: icb_medicines_role::Entity::find().all(db).await.expect("roles"),
            placements: placement::Entity::find().all(db).await.expect("placements"),
            memberships: programme_membership::Entity::find().all(db).await.expect("memberships"),
            vacancies: vacancy::Entity::find().all(db).await.expect("vacancies"),
            leads: consultant_lead::Entity::find().all(db).await.expect("leads"),
            owner_of_cohort: cohorts.iter().map(|c| (c.id, owners[&c.programme_id])).collect(),
            icb_links: organisation_relationship::Entity::find()
                .filter(organisation_relationship::Column::Kind.eq(RelationshipKind::InIcb))
                .all(db)
                .await
                .expect("links"),
            successions: organisation_succession::Entity::find().all(db).await.expect("successions"),
            icb_ids: organisation::Entity::find()
                .all(db)
                .await
                .expect("organisations")
                .into_iter()
                .map(|o| (o.ods_code, o.id))
                .collect(),
        }
    }

    /// The ICB ids a case answers for, with every predecessor, and those among them that were split
    /// between the case's ICBs and others (answered for only through the organisations that moved in).
    fn scope(&self, codes: &[&str]) -> (BTreeSet<Uuid>, BTreeSet<Uuid>) {
        let mut scope: BTreeSet<Uuid> = codes.iter().map(|code| self.icb_ids[*code]).collect();
        let mut split = BTreeSet::new();
        loop {
            let before = scope.len();
            for step in &self.successions {
                if scope.contains(&step.successor_id)
                    && scope.insert(step.predecessor_id)
                    && step.kind == SuccessionKind::Split
                {
                    split.insert(step.predecessor_id);
                }
            }
            if scope.len() == before {
                break;
            }
        }
        split.retain(|icb| {
            self.successions.iter().any(|s| s.predecessor_id == *icb && !scope.contains(&s.successor_id))
        });
        (scope, split)
    }

    /// Whether an organisation belonged at any time to one of the ICBs answered for as a whole.
    fn in_scope_organisation(&self, organisation: Uuid, whole: &BTreeSet<Uuid>) -> bool {
        self.icb_links.iter().any(|link| link.child_id == organisation && whole.contains(&link.parent_id))
    }

    /// Whether a placement's host is answered for: in an ICB answered for as a whole, or in a split one
    /// at an organisation that went to one of those.
    fn hosted_in_scope(&self, placement: &placement::Model, whole: &BTreeSet<Uuid>, split: &BTreeSet<Uuid>) -> bool {
        placement.host_icb_id.is_some_and(|host_icb| {
            whole.contains(&host_icb)
                || (split.contains(&host_icb) && self.in_scope_organisation(placement.host_id, whole))
        })
    }

    fn expected(&self, case: &Case) -> Expected {
        if !case.workforce {
            return Expected::default();
        }
        let Some(codes) = &case.icbs else {
            let memberships: BTreeSet<Uuid> = self.memberships.iter().map(|m| m.id).collect();
            let leads: BTreeSet<Uuid> = self.leads.iter().map(|l| l.id).collect();
            let pharmacists = self.all_pharmacists.iter().copied().collect();
            return Expected {
                placements: self.placements.iter().map(|p| p.id).collect(),
                memberships,
                vacancies: self.vacancies.iter().map(|v| v.id).collect(),
                leads,
                pharmacists,
            };
        };
        let (scope, split) = self.scope(codes);
        let whole: BTreeSet<Uuid> = scope.difference(&split).copied().collect();
        let membership_owner: HashMap<Uuid, Uuid> =
            self.memberships.iter().map(|m| (m.id, self.owner_of_cohort[&m.cohort_id])).collect();
        let placements: BTreeSet<Uuid> = self
            .placements
            .iter()
            .filter(|p| scope.contains(&membership_owner[&p.membership_id]) || self.hosted_in_scope(p, &whole, &split))
            .map(|p| p.id)
            .collect();
        let memberships: BTreeSet<Uuid> = self
            .memberships
            .iter()
            .filter(|m| {
                scope.contains(&membership_owner[&m.id])
                    || self
                        .placements
                        .iter()
                        .any(|p| p.membership_id == m.id && self.hosted_in_scope(p, &whole, &split))
            })
            .map(|m| m.id)
            .collect();
        let leads: BTreeSet<Uuid> =
            self.leads.iter().filter(|l| self.in_scope_organisation(l.trust_id, &whole)).map(|l| l.id).collect();
        let pharmacists = self.pharmacists(&memberships, &leads, Some(&scope));
        Expected {
            placements,
            memberships,
            vacancies: self
                .vacancies
                .iter()
                .filter(|v| self.in_scope_organisation(v.host_id, &whole))
                .map(|v| v.id)
                .collect(),
            leads,
            pharmacists,
        }
    }

    /// Pharmacists with a visible membership or lead role, or holding a medicines role in scope.
    fn pharmacists(
        &self,
        memberships: &BTreeSet<Uuid>,
        leads: &BTreeSet<Uuid>,
        scope: Option<&BTreeSet<Uuid>>,
    ) -> BTreeSet<Uuid> {
        let members = self.memberships.iter().filter(|m| memberships.contains(&m.id)).map(|m| m.pharmacist_id);
        let lead_people = self.leads.iter().filter(|l| leads.contains(&l.id)).map(|l| l.pharmacist_id);
        let role_holders = self
            .medicines_roles
            .iter()
            .filter(|role| scope.is_none_or(|scope| scope.contains(&role.icb_id)))
            .filter_map(|role| role.pharmacist_id);
        members.chain(lead_people).chain(role_holders).collect()
    }
}

#[derive(Default, Debug)]
struct Expected {
    pharmacists: BTreeSet<Uuid>,
    placements: BTreeSet<Uuid>,
    memberships: BTreeSet<Uuid>,
    vacancies: BTreeSet<Uuid>,
    leads: BTreeSet<Uuid>,
}

fn ids(node_type: NodeType, ids: &BTreeSet<Uuid>) -> BTreeSet<String> {
    ids.iter().map(|id| global_id(node_type, *id).0).collect()
}

/// Every id of a root connection, page by page, and its `totalCount`.
async fn all_ids(app: &TestApp, token: Option<&str>, field: &str) -> (BTreeSet<String>, u64) {
    let query = format!(
        "query($after: String) {{ {field}(first: 100, after: $after) {{ totalCount pageInfo {{ hasNextPage endCursor }} nodes {{ id }} }} }}"
    );
    let mut found = BTreeSet::new();
    let mut after = Value::Null;
    loop {
        let response = app.graphql_as(token, &query, json!({ "after": after })).await;
        let connection = &response["data"][field];
        assert!(response["errors"].is_null(), "{field}: {response}");
        for node in connection["nodes"].as_array().into_iter().flatten() {
            found.insert(node["id"].as_str().unwrap_or_default().to_owned());
        }
        if connection["pageInfo"]["hasNextPage"] != json!(true) {
            return (found, connection["totalCount"].as_u64().unwrap_or_default());
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test]
async fn every_principal_sees_exactly_its_scope_through_lists_counts_relations_node_and_entities() {
    let app = spawn_app(DemoData::Load).await;
    let truth = Truth::load(app.db()).await;
    let everything = truth.expected(&cases()[5]);
    assert!(everything.placements.len() > 100, "the demo network is big enough to page");

    for case in cases() {
        let token = case.token.as_deref();
        let expected = truth.expected(&case);

        for (field, node_type, expected) in [
            ("placements", NodeType::Placement, &expected.placements),
            ("memberships", NodeType::Membership, &expected.memberships),
            ("vacancies", NodeType::Vacancy, &expected.vacancies),
            ("consultantLeads", NodeType::ConsultantLead, &expected.leads),
            ("pharmacists", NodeType::Pharmacist, &expected.pharmacists),
        ] {
            let (found, total) = all_ids(&app, token, field).await;
            let expected_ids = ids(node_type, expected);
            assert!(
                found == expected_ids,
                "{}: {field}: {} returned, {} expected, {} unexpected, {} missing",
                case.name,
                found.len(),
                expected_ids.len(),
                found.difference(&expected_ids).count(),
                expected_ids.difference(&found).count()
            );
            assert_eq!(total, expected.len() as u64, "{}: {field} totalCount", case.name);
        }

        // Relations: memberships and placements reached through the public programmes and cohorts.
        let response = app
            .graphql_as(
                token,
                "{ programmes(first: 4) { pageInfo { hasNextPage } nodes {
                   cohorts(first: 6) { pageInfo { hasNextPage } nodes {
                     memberships(first: 20) { pageInfo { hasNextPage } nodes {
                       id placements(first: 6) { pageInfo { hasNextPage } nodes { id } } } } } } } } }",
                json!({}),
            )
            .await;
        assert!(response["errors"].is_null(), "{}: {response}", case.name);
        assert!(crate::helpers::every_page_complete(&response), "{}: relations read in full", case.name);
        let mut memberships = BTreeSet::new();
        let mut placements = BTreeSet::new();
        for programme in response["data"]["programmes"]["nodes"].as_array().into_iter().flatten() {
            for cohort in programme["cohorts"]["nodes"].as_array().into_iter().flatten() {
                for membership in cohort["memberships"]["nodes"].as_array().into_iter().flatten() {
                    memberships.insert(membership["id"].as_str().unwrap_or_default().to_owned());
                    for placement in membership["placements"]["nodes"].as_array().into_iter().flatten() {
                        placements.insert(placement["id"].as_str().unwrap_or_default().to_owned());
                    }
                }
            }
        }
        assert_eq!(memberships, ids(NodeType::Membership, &expected.memberships), "{}: relations", case.name);
        assert_eq!(placements, ids(NodeType::Placement, &expected.placements), "{}: relations", case.name);

        // node and _entities: in scope is found, out of scope is exactly like unknown.
        let mut probes = Vec::new();
        for (node_type, typename, expected, all) in [
            (NodeType::Placement, "Placement", &expected.placements, &everything.placements),
            (NodeType::Pharmacist, "Pharmacist", &expected.pharmacists, &everything.pharmacists),
        ] {
            let inside = expected.iter().next().map(|id| global_id(node_type, *id).0);
            let outside = all.difference(expected).next().map(|id| global_id(node_type, *id).0);
            let unknown = Some(global_id(node_type, Uuid::new_v4()).0);
            probes.extend([(typename, inside, true), (typename, outside, false), (typename, unknown, false)]);
        }
        for (typename, id, visible) in probes {
            let Some(id) = id else { continue };
            let node = app.graphql_as(token, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
            let entity = app
                .graphql_as(
                    token,
                    "query($r: [_Any!]!) { _entities(representations: $r) { ... on Placement { id } ... on Pharmacist { id } } }",
                    json!({ "r": [{ "__typename": typename, "id": id }] }),
                )
                .await;
            if visible {
                assert_eq!(node["data"]["node"]["id"], json!(id), "{}: node", case.name);
                assert_eq!(entity["data"]["_entities"][0]["id"], json!(id), "{}: _entities", case.name);
            } else {
                assert_eq!(node["data"], json!({ "node": null }), "{}: node", case.name);
                assert!(node["errors"].is_null(), "{}: node", case.name);
                assert_eq!(entity["data"], json!({ "_entities": [null] }), "{}: _entities", case.name);
                assert!(entity["errors"].is_null(), "{}: _entities", case.name);
            }
        }

        // Public records are the same for everyone.
        for field in ["programmes", "posts", "organisations"] {
            let response = app.graphql_as(token, &format!("{{ {field}(first: 1) {{ totalCount }} }}"), json!({})).await;
            let everyone = app.graphql(&format!("{{ {field}(first: 1) {{ totalCount }} }}"), json!({})).await;
            assert_eq!(response["data"], everyone["data"], "{}: {field} are public", case.name);
        }

        // Personal data.
        let people = app
            .graphql_as(
                token,
                "{ pharmacists(first: 5) { totalCount nodes { id gphcNumber givenName familyName } } }",
                json!({}),
            )
            .await;
        let count = people["data"]["pharmacists"]["totalCount"].as_u64().unwrap_or_default();
        if !case.workforce {
            assert_eq!(count, 0, "{}: no pharmacists for anonymous callers", case.name);
        } else if case.personal_data {
            assert!(people["errors"].is_null(), "{}: {people}", case.name);
            let first = &people["data"]["pharmacists"]["nodes"][0];
            assert!(count == 0 || first["gphcNumber"].is_string(), "{}: {people}", case.name);
        } else {
            assert!(count > 0);
            assert!(error_codes(&people).iter().all(|code| code == "FORBIDDEN") && !error_codes(&people).is_empty());
            for node in people["data"]["pharmacists"]["nodes"].as_array().into_iter().flatten() {
                assert!(node["id"].is_string(), "{}: {people}", case.name);
                for field in ["gphcNumber", "givenName", "familyName"] {
                    assert!(node[field].is_null(), "{}: {field} is personal data", case.name);
                }
            }
        }
        let roles = app.graphql_as(token, "{ icbs { medicinesLeadership { role holderName } } }", json!({})).await;
        let holders: Vec<&Value> = roles["data"]["icbs"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|icb| icb["medicinesLeadership"].as_array().into_iter().flatten())
            .map(|role| &role["holderName"])
            .collect();
        if case.personal_data {
            assert!(holders.iter().all(|holder| holder.is_string()), "{}", case.name);
        } else {
            assert!(holders.iter().all(|holder| holder.is_null()), "{}: holder names are personal data", case.name);
        }
    }
    let medicines_roles = icb_medicines_role::Entity::find().all(app.db()).await.expect("roles");
    assert!(!medicines_roles.is_empty());
}

#[tokio::test]
async fn public_information_is_open_to_anonymous_callers() {
    let app = spawn_app(DemoData::Load).await;

    let response = app
        .graphql(
            r#"{ programmes(filter: { code: ["STAR"] }) { totalCount nodes { code ownerIcb { odsCode }
                   ownerIcbAsOf(asOf: "2026-06-01") { odsCode } sectors fundingSources educationOffers
                   maxYearsSinceRegistration cohorts(first: 5) { nodes { placesOffered posts { nodes { postNumber status } } } } } }
                 posts(first: 1) { totalCount } organisations(first: 1) { totalCount } }"#,
            json!({}),
        )
        .await;

    assert!(response["errors"].is_null(), "{response}");
    let star = &response["data"]["programmes"]["nodes"][0];
    assert_eq!(response["data"]["programmes"]["totalCount"], 1);
    assert_eq!(star["ownerIcb"]["odsCode"], "QMM");
    assert_eq!(star["ownerIcbAsOf"]["odsCode"], "T6Y0W");
    assert_eq!(star["sectors"], json!(["COMMUNITY_PHARMACY", "GENERAL_PRACTICE"]));
    assert_eq!(star["fundingSources"], json!(["ARRS", "EXISTING_VACANCY"]));
    assert_eq!(star["maxYearsSinceRegistration"], 3);
    assert!(
        star["cohorts"]["nodes"].as_array().is_some_and(|cohorts| cohorts.iter().all(|c| c["placesOffered"] == 20))
    );
    assert!(response["data"]["posts"]["totalCount"].as_u64() > Some(0));
    assert!(response["data"]["organisations"]["totalCount"].as_u64() > Some(55));
}

#[tokio::test]
async fn an_invalid_or_foreign_token_is_refused_with_401() {
    let app = spawn_app(DemoData::Skip).await;
    let foreign = rotagraph::auth::TokenKeys::hs256(b"another-secret-another-secret-0000")
        .mint(
            &rotagraph::services::access::Principal {
                subject: "x".to_owned(),
                role: Some(Role::National),
                icbs: vec![],
                region: None,
            },
            std::time::Duration::from_secs(60),
        )
        .expect("mint");

    for bad in ["not-a-token", foreign.as_str()] {
        let response = app
            .client
            .post(app.url("/graphql"))
            .bearer_auth(bad)
            .json(&json!({ "query": "{ icbs { odsCode } }" }))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 401);
        let body: Value = response.json().await.expect("json");
        assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
    }
}
