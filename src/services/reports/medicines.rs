//! Medicines optimisation across the system, as of a date: the ICB comparison (and its spread across
//! ICBs), pathways without a consultant lead, consultant leads without change-management training, and
//! the recruitment competition between primary care and trusts.
//!
//! Attribution: records an ICB owns as a whole (medicines roles, teams, programmes, redesigns, the ICBs a
//! pathway spans) go to the ICB that answered for their ICB on `asOf` (`AT_EVENT`) or today
//! (`CURRENT_SUCCESSOR`), a split ICB staying itself; records attributed through an organisation
//! (consultant leads through their trust, vacancies through their host) go to the organisation's own ICB
//! on that day, so a split ICB is resolved per organisation.

use super::disclosure::{Count, Counted, Suppression, share, suppress_parts};
use super::sql::{
    Successions, answered_icbs, answered_organisations, col, count_as_integer, is, is_not, is_one_of, name, one_if,
    parent_on, parents_on, sum_as_integer, valid_on, visible,
};
use super::{IcbResolution, ReportFilter, ReportGroup, get_u64, number, organisation_labels, rows};
use crate::error::AppError;
use crate::services::access::{RecordScope, Role, Scope};
use crate::services::organisations;
use chrono::NaiveDate;
use entity::enums::{
    AfcBand, CredentialKind, CredentialStatus, MedicinesRole, OrganisationKind, PathwayStatus, ProgrammeStatus,
    RelationshipKind, Sector, Specialism, TeamInvolvement,
};
use entity::{
    cohort, consultant_lead, credential, icb_medicines_role, medicines_optimisation_team, organisation,
    organisation_relationship, pathway_icb, patient_pathway, rotation_programme, service_redesign, team_work_mix,
    vacancy,
};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{CaseStatement, Expr, ExprTrait, Func, JoinType, Query, SelectStatement};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

/// The day ICBs are resolved on: `asOf` (`AT_EVENT`) or today (`CURRENT_SUCCESSOR`).
fn icb_day(filter: &ReportFilter) -> NaiveDate {
    match filter.resolution {
        IcbResolution::AtEvent => filter.as_of(),
        IcbResolution::CurrentSuccessor => filter.today,
    }
}

/// `value` where `condition` holds, null elsewhere.
fn when(condition: Expr, value: Expr) -> Expr {
    CaseStatement::new().case(condition, value).into()
}

/// `COUNT(DISTINCT column)` as a 64-bit integer.
fn count_distinct(column: Expr) -> Expr {
    Func::cast_as(Func::count_distinct(column), name("BIGINT")).into()
}

/// The pathway `pw` runs on `day` (started, and not ended before it).
fn runs_on(day: NaiveDate) -> Expr {
    let end = col("pw", patient_pathway::Column::EndOn);
    col("pw", patient_pathway::Column::StartOn).lte(day).and(end.clone().is_null().or(end.gte(day)))
}

/// The pathways `pw` the reader may read that run on `day`, each once per ICB it spans (`pi`).
fn pathway_spans(day: NaiveDate, scope: &Scope) -> SelectStatement {
    use patient_pathway::Column;
    Query::select()
        .from_as(patient_pathway::Entity, name("pw"))
        .join_as(
            JoinType::InnerJoin,
            pathway_icb::Entity,
            name("pi"),
            col("pi", pathway_icb::Column::PathwayId).equals((name("pw"), Column::Id)),
        )
        .and_where(runs_on(day))
        .and_where_option(visible::<patient_pathway::Entity>(col("pw", Column::Id), scope))
        .take()
}

/// The pathway `pw` has a consultant lead in post on `day`.
fn led_on(day: NaiveDate) -> Expr {
    use consultant_lead::Column;
    let in_post = Query::select()
        .expr(Expr::val(1))
        .from_as(consultant_lead::Entity, name("pl"))
        .and_where(col("pl", Column::Id).equals((name("pw"), patient_pathway::Column::ConsultantLeadId)))
        .and_where(valid_on("pl", Column::ValidFrom, Column::ValidTo, day))
        .take();
    Expr::exists(in_post)
}

/// A change-management credential of the lead `l`'s pharmacist in one of `statuses`, started or awarded
/// by `day`.
fn change_management(statuses: &[CredentialStatus], day: NaiveDate) -> Expr {
    use credential::Column;
    let started = col("cm", Column::StartedOn);
    let awarded = col("cm", Column::AwardedOn);
    let held = Query::select()
        .expr(Expr::val(1))
        .from_as(credential::Entity, name("cm"))
        .and_where(col("cm", Column::PharmacistId).equals((name("l"), consultant_lead::Column::PharmacistId)))
        .and_where(is(col("cm", Column::Kind), CredentialKind::ChangeManagement))
        .and_where(is_one_of(col("cm", Column::Status), statuses.iter().copied()))
        .and_where(awarded.clone().lte(day).or(awarded.is_null().and(started.clone().is_null().or(started.lte(day)))))
        .take();
    Expr::exists(held)
}

/// The consultant leads `l` in post on the filter's `asOf` that the reader may read, each with its trust,
/// the trust's ICB and that ICB's region (on the resolution day), and whether the lead had completed
/// change-management training (`trained`) or was in it (`in_training`) by then.
fn leads_with_training(filter: &ReportFilter, scope: &Scope) -> SelectStatement {
    use consultant_lead::Column;
    let (as_of, day) = (filter.as_of(), icb_day(filter));
    let trained = change_management(&[CredentialStatus::Awarded], as_of);
    let in_training = change_management(&[CredentialStatus::Enrolled, CredentialStatus::InProgress], as_of);
    // Each lead's trust's ICB and that ICB's region, probed by index per lead (a few hundred): cheaper
    // than ranking every organisation's links.
    let trust_icb = parent_on(RelationshipKind::InIcb, col("l", Column::TrustId), Expr::val(day));
    let mut leads = Query::select();
    leads
        .expr_as(col("l", Column::Id), name("lead"))
        .expr_as(col("l", Column::TrustId), name("trust"))
        .expr_as(trust_icb.clone(), name("icb"))
        .expr_as(parent_on(RelationshipKind::IcbInRegion, trust_icb, Expr::val(day)), name("region"))
        .expr_as(one_if(trained.clone()), name("trained"))
        .expr_as(one_if(trained.not().and(in_training)), name("in_training"))
        .from_as(consultant_lead::Entity, name("l"))
        .and_where(valid_on("l", Column::ValidFrom, Column::ValidTo, as_of))
        .and_where_option(visible::<consultant_lead::Entity>(col("l", Column::Id), scope));
    leads
}

// --- The ICB comparison ---

/// One ICB's medicines optimisation on a date.
#[derive(Clone, Debug, PartialEq)]
pub struct IcbComparisonRow {
    pub icb: ReportGroup,
    /// The ICB's region (on the resolution day).
    pub region: Option<ReportGroup>,
    pub board_medicines_lead: bool,
    pub chief_pharmacist: bool,
    /// WTE of the medicines-optimisation teams in existence.
    pub team_wte: f64,
    /// Transformational WTE ÷ all WTE of the teams' work mix in force (none without a work mix).
    pub transformational_share: Option<f64>,
    /// Programmes (not in draft) with a cohort taking its intake in the window.
    pub programmes: u64,
    /// Places those cohorts offer.
    pub places: u64,
    /// Consultant leads in post at the ICB's trusts (people: disclosure-controlled).
    pub consultant_leads: Count,
    /// Patient pathways running that span the ICB.
    pub pathways: u64,
    /// Of which with a consultant lead in post.
    pub consultant_led_pathways: u64,
    /// Service redesigns started (from `from`, if given) by `asOf`.
    pub redesigns: u64,
    /// Of which the medicines-optimisation team joined from the start.
    pub redesigns_team_from_start: u64,
    /// Of which social care took part.
    pub redesigns_with_social_care: u64,
}

impl IcbComparisonRow {
    /// Redesigns with the team involved from the start ÷ redesigns.
    pub fn team_from_start_share(&self) -> Option<f64> {
        share(Some(self.redesigns_team_from_start), Some(self.redesigns))
    }

    /// Redesigns with social care ÷ redesigns.
    pub fn social_care_share(&self) -> Option<f64> {
        share(Some(self.redesigns_with_social_care), Some(self.redesigns))
    }
}

/// The statement of one family of the comparison's figures (one row per attributed ICB, `icb`) and the
/// names of its figures.
type Source = (SelectStatement, Vec<&'static str>);

/// `SELECT x.icb, <figures> FROM (<inner>) x GROUP BY x.icb`: the figures of `inner`'s rows per ICB.
fn per_icb(inner: SelectStatement, figures: Vec<(Expr, &'static str)>) -> Source {
    let mut select = Query::select();
    select.expr_as(col("x", name("icb")), name("icb")).from_subquery(inner, name("x"));
    let names = figures.iter().map(|(_, figure_name)| *figure_name).collect();
    for (figure, figure_name) in figures {
        select.expr_as(figure, name(figure_name));
    }
    select.and_where(col("x", name("icb")).is_not_null()).group_by_col((name("x"), name("icb")));
    (select, names)
}

/// The sum of the inner column `column` as a 64-bit integer.
fn total(column: &'static str) -> (Expr, &'static str) {
    (sum_as_integer(col("x", name(column))), column)
}

/// What the comparison's sources share: the reader, the filter, and how an ICB-owned record's ICB is
/// attributed.
struct Comparison<'a> {
    scope: &'a Scope,
    filter: &'a ReportFilter,
    successions: Successions,
}

impl Comparison<'_> {
    /// `icb` attributed on `asOf` as the filter's resolution says.
    fn attributed(&self, icb: Expr) -> Expr {
        let as_of = Expr::val(self.filter.as_of());
        self.successions.answering(icb, &as_of, self.filter.resolution, self.filter.today)
    }

    /// Medicines leadership roles held on the day.
    fn roles(&self) -> Source {
        use icb_medicines_role::Column;
        let mut roles = Query::select();
        roles
            .expr_as(self.attributed(col("r", Column::IcbId)), name("icb"))
            .expr_as(one_if(is(col("r", Column::Role), MedicinesRole::BoardMedicinesLead)), name("board"))
            .expr_as(one_if(is(col("r", Column::Role), MedicinesRole::ChiefPharmacist)), name("chief"))
            .from_as(icb_medicines_role::Entity, name("r"))
            .and_where(valid_on("r", Column::ValidFrom, Column::ValidTo, self.filter.as_of()))
            .and_where_option(visible::<icb_medicines_role::Entity>(col("r", Column::Id), self.scope));
        per_icb(roles, vec![total("board"), total("chief")])
    }

    /// Teams in existence on the day, with their work mix in force.
    fn teams(&self) -> Source {
        use medicines_optimisation_team::Column;
        let as_of = self.filter.as_of();
        let disbanded = col("t", Column::DisbandedOn);
        let mix_in_force = col("m", team_work_mix::Column::TeamId).equals((name("t"), Column::Id)).and(valid_on(
            "m",
            team_work_mix::Column::ValidFrom,
            team_work_mix::Column::ValidTo,
            as_of,
        ));
        let mut teams = Query::select();
        teams
            .expr_as(self.attributed(col("t", Column::IcbId)), name("icb"))
            .expr_as(col("t", Column::Wte), name("wte"))
            .expr_as(col("m", team_work_mix::Column::Id), name("mix"))
            .expr_as(col("m", team_work_mix::Column::OperationalWte), name("operational"))
            .expr_as(col("m", team_work_mix::Column::TransformationalWte), name("transformational"))
            .from_as(medicines_optimisation_team::Entity, name("t"))
            .join_as(JoinType::LeftJoin, team_work_mix::Entity, name("m"), mix_in_force)
            .and_where(col("t", Column::EstablishedOn).lte(as_of))
            .and_where(disbanded.clone().is_null().or(disbanded.gte(as_of)))
            .and_where_option(answered_icbs(col("t", Column::IcbId), self.scope));
        let sum = |column: &'static str| (Func::sum(col("x", name(column))).into(), column);
        let mixes = (Func::cast_as(Func::count(col("x", name("mix"))), name("BIGINT")).into(), "mixes");
        per_icb(teams, vec![sum("wte"), mixes, sum("operational"), sum("transformational")])
    }

    /// Rotational programmes (not in draft) and the places of their cohorts taking their intake in the
    /// window: the filter's `from`-`to`, by default the year up to `asOf`.
    fn programmes(&self) -> Source {
        let as_of = self.filter.as_of();
        let from = self.filter.from.unwrap_or_else(|| as_of - chrono::Months::new(12) + chrono::Days::new(1));
        let to = self.filter.to.unwrap_or(as_of);
        let intake = col("c", cohort::Column::IntakeDate);
        let owner = || col("p", rotation_programme::Column::OwnerIcbId);
        let mut cohorts = Query::select();
        cohorts
            .expr_as(self.attributed(owner()), name("icb"))
            .expr_as(col("p", rotation_programme::Column::Id), name("programme"))
            .expr_as(col("c", cohort::Column::PlacesOffered), name("places"))
            .from_as(cohort::Entity, name("c"))
            .join_as(
                JoinType::InnerJoin,
                rotation_programme::Entity,
                name("p"),
                col("p", rotation_programme::Column::Id).equals((name("c"), cohort::Column::ProgrammeId)),
            )
            .and_where(intake.clone().gte(from).and(intake.lte(to)))
            .and_where(is_not(col("p", rotation_programme::Column::Status), ProgrammeStatus::Draft))
            .and_where_option(answered_icbs(owner(), self.scope));
        per_icb(cohorts, vec![(count_distinct(col("x", name("programme"))), "programmes"), total("places")])
    }

    /// Consultant leads in post at the ICB's trusts.
    fn leads(&self) -> Source {
        per_icb(leads_with_training(self.filter, self.scope), vec![(count_as_integer(), "leads")])
    }

    /// Pathways running on the day that span the ICB, and those led by a consultant lead in post.
    fn pathways(&self) -> Source {
        use patient_pathway::Column;
        let as_of = self.filter.as_of();
        let mut pathways = pathway_spans(as_of, self.scope);
        pathways
            .expr_as(self.attributed(col("pi", pathway_icb::Column::IcbId)), name("icb"))
            .expr_as(col("pw", Column::Id), name("pathway"))
            .expr_as(when(led_on(as_of), col("pw", Column::Id)), name("led"));
        let distinct = |column: &'static str| (count_distinct(col("x", name(column))), column);
        per_icb(pathways, vec![distinct("pathway"), distinct("led")])
    }

    /// Service redesigns started by the day (from the filter's `from`, if given).
    fn redesigns(&self) -> Source {
        use service_redesign::Column;
        let mut redesigns = Query::select();
        redesigns
            .expr_as(self.attributed(col("sr", Column::IcbId)), name("icb"))
            .expr_as(one_if(is(col("sr", Column::TeamJoinedAt), TeamInvolvement::FromTheStart)), name("from_start"))
            .expr_as(one_if(col("sr", Column::SocialCareInvolved).eq(true)), name("social_care"))
            .from_as(service_redesign::Entity, name("sr"))
            .and_where(col("sr", Column::StartOn).lte(self.filter.as_of()))
            .and_where_option(self.filter.from.map(|from| col("sr", Column::StartOn).gte(from)))
            .and_where_option(visible::<service_redesign::Entity>(col("sr", Column::Id), self.scope));
        per_icb(redesigns, vec![(count_as_integer(), "redesigns"), total("from_start"), total("social_care")])
    }
}

/// One row per ICB the reader answers for (that existed on the resolution day, or that figures are
/// attributed to: a split ICB), limited to the filter's ICBs and regions, with its medicines leadership,
/// teams, rotational programmes, consultant leads, pathways and redesigns on the filter's `asOf`.
/// Programmes and places count cohorts taking their intake from `from` to `to` (default: the year up to
/// `asOf`). Seven grouped statements and two constant-size lookups.
pub async fn icb_comparison<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    suppression: Suppression,
    filter: &ReportFilter,
) -> Result<Vec<IcbComparisonRow>, AppError> {
    let comparison = Comparison { scope, filter, successions: Successions::load(db).await? };
    let sources = [
        comparison.roles(),
        comparison.teams(),
        comparison.programmes(),
        comparison.leads(),
        comparison.pathways(),
        comparison.redesigns(),
    ];
    let mut figures: HashMap<Uuid, HashMap<&'static str, f64>> = HashMap::new();
    for (select, names) in sources {
        for row in rows(db, &select).await? {
            let icb: Uuid = row.try_get("", "icb")?;
            let entry = figures.entry(icb).or_default();
            for figure in names.iter().copied() {
                entry.insert(figure, number(&row, figure)?);
            }
        }
    }
    let day = icb_day(filter);
    let mut report = Vec::new();
    for place in icbs_with_regions(db, scope, day).await? {
        let figures = figures.remove(&place.icb.id);
        if !(place.existed_on(day) || figures.is_some()) || !place.matches(filter) {
            continue;
        }
        let figures = figures.unwrap_or_default();
        let get = |figure: &str| figures.get(figure).copied().unwrap_or(0.0);
        let count = |figure: &str| get(figure).max(0.0).round() as u64;
        let mix = get("operational") + get("transformational");
        report.push(IcbComparisonRow {
            icb: place.icb,
            region: place.region,
            board_medicines_lead: count("board") > 0,
            chief_pharmacist: count("chief") > 0,
            team_wte: (get("wte") * 100.0).round() / 100.0,
            transformational_share: (count("mixes") > 0 && mix > 0.0).then(|| get("transformational") / mix),
            programmes: count("programmes"),
            places: count("places"),
            consultant_leads: suppression.of(Counted::RolesAndPosts).count(count("leads")),
            pathways: count("pathway"),
            consultant_led_pathways: count("led"),
            redesigns: count("redesigns"),
            redesigns_team_from_start: count("from_start"),
            redesigns_with_social_care: count("social_care"),
        });
    }
    report.sort_by(|a, b| a.icb.code.cmp(&b.icb.code));
    Ok(report)
}

/// An ICB with its region on a day and its legal dates.
struct IcbPlace {
    icb: ReportGroup,
    region: Option<ReportGroup>,
    legal_start: Option<NaiveDate>,
    legal_end: Option<NaiveDate>,
}

impl IcbPlace {
    fn existed_on(&self, day: NaiveDate) -> bool {
        self.legal_start.is_none_or(|start| start <= day) && self.legal_end.is_none_or(|end| end >= day)
    }

    /// Whether the ICB is one of the filter's ICBs and in one of its regions.
    fn matches(&self, filter: &ReportFilter) -> bool {
        let in_icbs = filter.icbs.is_empty() || filter.icbs.contains(&self.icb.code);
        let in_regions = filter.regions.is_empty()
            || self.region.as_ref().is_some_and(|region| filter.regions.contains(&region.code));
        in_icbs && in_regions
    }
}

/// Every ICB the reader answers for, with its region on `day` (the latest it had by then), in one
/// statement.
async fn icbs_with_regions<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    day: NaiveDate,
) -> Result<Vec<IcbPlace>, AppError> {
    use organisation::Column;
    let mut select = Query::select();
    select
        .expr_as(col("o", Column::Id), name("icb"))
        .expr_as(col("o", Column::OdsCode), name("code"))
        .expr_as(col("o", Column::Name), name("name"))
        .expr_as(col("o", Column::LegalStartDate), name("legal_start"))
        .expr_as(col("o", Column::LegalEndDate), name("legal_end"))
        .expr_as(col("r", Column::Id), name("region"))
        .expr_as(col("r", Column::OdsCode), name("region_code"))
        .expr_as(col("r", Column::Name), name("region_name"))
        .from_as(organisation::Entity, name("o"))
        .join_subquery(
            JoinType::LeftJoin,
            parents_on(RelationshipKind::IcbInRegion, day),
            name("region_link"),
            col("region_link", organisation_relationship::Column::ChildId).equals((name("o"), Column::Id)),
        )
        .join_as(
            JoinType::LeftJoin,
            organisation::Entity,
            name("r"),
            col("r", Column::Id).equals((name("region_link"), organisation_relationship::Column::ParentId)),
        )
        .and_where(is(col("o", Column::Kind), OrganisationKind::Icb))
        .and_where_option(answered_icbs(col("o", Column::Id), scope));
    let mut places = Vec::new();
    for row in rows(db, &select).await? {
        let region: Option<Uuid> = row.try_get("", "region")?;
        let region = match region {
            Some(id) => {
                Some(ReportGroup { id, code: row.try_get("", "region_code")?, name: row.try_get("", "region_name")? })
            }
            None => None,
        };
        places.push(IcbPlace {
            icb: ReportGroup {
                id: row.try_get("", "icb")?,
                code: row.try_get("", "code")?,
                name: row.try_get("", "name")?,
            },
            region,
            legal_start: row.try_get("", "legal_start")?,
            legal_end: row.try_get("", "legal_end")?,
        });
    }
    Ok(places)
}

/// A figure of the ICB comparison whose spread across ICBs is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComparisonMeasure {
    TeamWte,
    TransformationalShare,
    Programmes,
    Places,
    ConsultantLeads,
    ConsultantLedPathways,
    TeamFromStartShare,
    SocialCareShare,
}

impl ComparisonMeasure {
    /// Every measure, in the order spreads list them.
    pub const ALL: [Self; 8] = [
        Self::TeamWte,
        Self::TransformationalShare,
        Self::Programmes,
        Self::Places,
        Self::ConsultantLeads,
        Self::ConsultantLedPathways,
        Self::TeamFromStartShare,
        Self::SocialCareShare,
    ];

    /// The measure's name, as the API spells it.
    pub fn code(self) -> &'static str {
        match self {
            Self::TeamWte => "TEAM_WTE",
            Self::TransformationalShare => "TRANSFORMATIONAL_SHARE",
            Self::Programmes => "PROGRAMMES",
            Self::Places => "PLACES",
            Self::ConsultantLeads => "CONSULTANT_LEADS",
            Self::ConsultantLedPathways => "CONSULTANT_LED_PATHWAYS",
            Self::TeamFromStartShare => "TEAM_FROM_START_SHARE",
            Self::SocialCareShare => "SOCIAL_CARE_SHARE",
        }
    }

    /// The measure's value in `row`, if it has one (a share with nothing to divide, or a suppressed
    /// count, has none and is left out of the spread).
    fn of(self, row: &IcbComparisonRow) -> Option<f64> {
        match self {
            Self::TeamWte => Some(row.team_wte),
            Self::TransformationalShare => row.transformational_share,
            Self::Programmes => Some(row.programmes as f64),
            Self::Places => Some(row.places as f64),
            Self::ConsultantLeads => row.consultant_leads.map(|leads| leads as f64),
            Self::ConsultantLedPathways => Some(row.consultant_led_pathways as f64),
            Self::TeamFromStartShare => row.team_from_start_share(),
            Self::SocialCareShare => row.social_care_share(),
        }
    }
}

/// The minimum, median and maximum of a measure across the ICBs of a group.
#[derive(Clone, Debug, PartialEq)]
pub struct MeasureSpread {
    pub measure: ComparisonMeasure,
    /// The ICBs with a value of the measure.
    pub icbs: u64,
    pub minimum: Option<f64>,
    pub median: Option<f64>,
    pub maximum: Option<f64>,
}

/// The spread of the ICB comparison across the ICBs of a region, or of England.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonSpread {
    /// The region; `None` for England.
    pub region: Option<ReportGroup>,
    pub icbs: u64,
    pub with_board_medicines_lead: u64,
    pub with_chief_pharmacist: u64,
    pub measures: Vec<MeasureSpread>,
}

/// The median of sorted values (the mean of the middle two of an even number).
fn median(sorted: &[f64]) -> Option<f64> {
    let middle = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        length if length % 2 == 1 => Some(sorted[middle]),
        _ => Some((sorted[middle - 1] + sorted[middle]) / 2.0),
    }
}

fn spread_of(region: Option<ReportGroup>, rows: &[&IcbComparisonRow]) -> ComparisonSpread {
    let measures = ComparisonMeasure::ALL
        .iter()
        .map(|measure| {
            let mut values: Vec<f64> = rows.iter().filter_map(|row| measure.of(row)).collect();
            values.sort_by(f64::total_cmp);
            MeasureSpread {
                measure: *measure,
                icbs: values.len() as u64,
                minimum: values.first().copied(),
                median: median(&values),
                maximum: values.last().copied(),
            }
        })
        .collect();
    ComparisonSpread {
        region,
        icbs: rows.len() as u64,
        with_board_medicines_lead: rows.iter().filter(|row| row.board_medicines_lead).count() as u64,
        with_chief_pharmacist: rows.iter().filter(|row| row.chief_pharmacist).count() as u64,
        measures,
    }
}

/// The spread of the comparison `rows` across ICBs: for national readers (`national`, `reporter`),
/// across England and then across each region; for a `regional` reader, across each region it reads.
/// Any other reader sees a handful of ICBs, whose spread would compare them with nothing:
/// `FORBIDDEN`.
pub fn comparison_spread(
    role: Option<Role>,
    scope: &Scope,
    rows: &[IcbComparisonRow],
) -> Result<Vec<ComparisonSpread>, AppError> {
    let national = scope.records == RecordScope::All;
    if !(national || role == Some(Role::Regional)) {
        return Err(AppError::Forbidden("spread"));
    }
    let mut spreads = Vec::new();
    if national {
        spreads.push(spread_of(None, &rows.iter().collect::<Vec<_>>()));
    }
    let mut regions: BTreeMap<String, (ReportGroup, Vec<&IcbComparisonRow>)> = BTreeMap::new();
    for row in rows {
        if let Some(region) = &row.region {
            regions.entry(region.code.clone()).or_insert_with(|| (region.clone(), Vec::new())).1.push(row);
        }
    }
    spreads.extend(regions.into_values().map(|(region, rows)| spread_of(Some(region), &rows)));
    Ok(spreads)
}

// --- Pathways without a consultant lead ---

/// A patient pathway running on a date without a consultant lead in post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathwayWithoutLeadRow {
    pub id: Uuid,
    pub name: String,
    pub specialism: Specialism,
    pub status: PathwayStatus,
    pub start_on: NaiveDate,
    pub owner_icb: ReportGroup,
    /// The ICBs it spans, attributed as the filter's resolution says, by ODS code.
    pub icbs: Vec<ReportGroup>,
    /// Whether it names a lead whose appointment does not cover the date (rather than naming none).
    pub lead_not_in_post: bool,
}

/// Patient pathways the reader may see running on the filter's `asOf` without a consultant lead in post
/// then (none named, or the one named not in post), limited to those spanning one of the filter's ICBs
/// (or an ICB of its regions), by start date and name. One statement, and two constant-size lookups.
pub async fn pathways_without_lead<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    filter: &ReportFilter,
) -> Result<Vec<PathwayWithoutLeadRow>, AppError> {
    use patient_pathway::Column;
    let as_of = filter.as_of();
    let successions = Successions::load(db).await?;
    let attributed = successions.answering(
        col("pi", pathway_icb::Column::IcbId),
        &Expr::val(as_of),
        filter.resolution,
        filter.today,
    );
    let mut select = pathway_spans(as_of, scope);
    select
        .columns([
            (name("pw"), Column::Id),
            (name("pw"), Column::Name),
            (name("pw"), Column::Specialism),
            (name("pw"), Column::Status),
            (name("pw"), Column::StartOn),
            (name("pw"), Column::OwnerIcbId),
            (name("pw"), Column::ConsultantLeadId),
        ])
        .expr_as(attributed, name("icb"))
        .and_where(led_on(as_of).not());
    let mut pathways: BTreeMap<Uuid, (patient_pathway::Model, BTreeSet<Uuid>)> = BTreeMap::new();
    for row in rows(db, &select).await? {
        let id: Uuid = row.try_get("", "id")?;
        let icb: Uuid = row.try_get("", "icb")?;
        let entry = match pathways.entry(id) {
            std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::btree_map::Entry::Vacant(entry) => entry.insert((
                patient_pathway::Model {
                    id,
                    owner_icb_id: row.try_get("", "owner_icb_id")?,
                    name: row.try_get("", "name")?,
                    specialism: row.try_get("", "specialism")?,
                    specialism_detail: None,
                    status: row.try_get("", "status")?,
                    start_on: row.try_get("", "start_on")?,
                    end_on: None,
                    consultant_lead_id: row.try_get("", "consultant_lead_id")?,
                    version: 0,
                },
                BTreeSet::new(),
            )),
        };
        entry.1.insert(icb);
    }
    let wanted = wanted_icbs(db, filter, icb_day(filter)).await?;
    pathways.retain(|_, (_, icbs)| wanted.as_ref().is_none_or(|wanted| icbs.iter().any(|icb| wanted.contains(icb))));
    let ids: Vec<Uuid> = pathways
        .values()
        .flat_map(|(pathway, icbs)| icbs.iter().copied().chain([pathway.owner_icb_id]))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let labels = organisation_labels(db, &ids).await?;
    let mut report: Vec<PathwayWithoutLeadRow> = pathways
        .into_values()
        .filter_map(|(pathway, icbs)| {
            let mut icbs: Vec<ReportGroup> = icbs.iter().filter_map(|icb| labels.get(icb).cloned()).collect();
            icbs.sort_by(|a, b| a.code.cmp(&b.code));
            Some(PathwayWithoutLeadRow {
                id: pathway.id,
                owner_icb: labels.get(&pathway.owner_icb_id)?.clone(),
                name: pathway.name,
                specialism: pathway.specialism,
                status: pathway.status,
                start_on: pathway.start_on,
                icbs,
                lead_not_in_post: pathway.consultant_lead_id.is_some(),
            })
        })
        .collect();
    report.sort_by(|a, b| (a.start_on, &a.name, a.id).cmp(&(b.start_on, &b.name, b.id)));
    Ok(report)
}

/// The ICBs the filter limits a report to (its ICBs, and the ICBs of its regions on `day`); `None` when
/// it limits nothing.
async fn wanted_icbs<C: ConnectionTrait>(
    db: &C,
    filter: &ReportFilter,
    day: NaiveDate,
) -> Result<Option<BTreeSet<Uuid>>, AppError> {
    if !filter.limits_places() {
        return Ok(None);
    }
    let mut wanted: BTreeSet<Uuid> = organisations::ids_of_codes(db, &filter.icbs).await?.into_iter().collect();
    if !filter.regions.is_empty() {
        let regions = organisations::ids_of_codes(db, &filter.regions).await?;
        let icbs = organisations::children_on(db, &regions, RelationshipKind::IcbInRegion, day).await?;
        wanted.extend(icbs.into_values().flatten().map(|icb| icb.id));
    }
    Ok(Some(wanted))
}

// --- Consultant leads and change-management training ---

/// How the rows of a report over places are grouped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PlaceGrouping {
    /// One row per trust (consultant leads only).
    Trust,
    /// One row per ICB.
    #[default]
    Icb,
    /// One row per region.
    Region,
}

impl PlaceGrouping {
    fn column(self) -> &'static str {
        match self {
            Self::Trust => "trust",
            Self::Icb => "icb",
            Self::Region => "region",
        }
    }
}

/// Consultant leads of a group and their change-management training.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeManagementRow {
    pub group: ReportGroup,
    /// Consultant leads in post.
    pub leads: Count,
    /// Of which had completed change-management training.
    pub trained: Count,
    /// Of which were in training.
    pub in_training: Count,
    /// Of which had none.
    pub untrained: Count,
}

/// Consultant leads in post on the filter's `asOf` (that the reader may read) and their
/// change-management training then (a `CHANGE_MANAGEMENT` credential awarded; or enrolled or in
/// progress), by trust, by the trust's ICB or by region (the ICB on `asOf`, or today for
/// `CURRENT_SUCCESSOR`), limited to the filter's ICBs and regions. One grouped statement and a
/// constant-size lookup.
pub async fn change_management_training<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    suppression: Suppression,
    filter: &ReportFilter,
    grouping: PlaceGrouping,
) -> Result<Vec<ChangeManagementRow>, AppError> {
    let key = col("x", name(grouping.column()));
    let mut select = Query::select();
    select
        .expr_as(key.clone(), name("group_id"))
        .expr_as(count_as_integer(), name("leads"))
        .expr_as(sum_as_integer(col("x", name("trained"))), name("trained"))
        .expr_as(sum_as_integer(col("x", name("in_training"))), name("in_training"))
        .from_subquery(leads_with_training(filter, scope), name("x"))
        // Leads at a trust outside any ICB on the day are in no group.
        .and_where(col("x", name("icb")).is_not_null())
        .add_group_by([key]);
    if !filter.icbs.is_empty() {
        select.and_where(col("x", name("icb")).is_in(organisations::ids_of_codes(db, &filter.icbs).await?));
    }
    if !filter.regions.is_empty() {
        select.and_where(col("x", name("region")).is_in(organisations::ids_of_codes(db, &filter.regions).await?));
    }
    let mut figures = Vec::new();
    for row in rows(db, &select).await? {
        let group: Uuid = row.try_get("", "group_id")?;
        let (leads, trained, in_training) =
            (get_u64(&row, "leads")?, get_u64(&row, "trained")?, get_u64(&row, "in_training")?);
        figures.push((group, leads, trained, in_training));
    }
    let ids: Vec<Uuid> = figures.iter().map(|figure| figure.0).collect();
    let labels = organisation_labels(db, &ids).await?;
    let mut report: Vec<ChangeManagementRow> = figures
        .into_iter()
        .filter_map(|(group, leads, trained, in_training)| {
            // The leads are roles, listed exactly; whether they trained is in their credentials.
            let leads_shown = suppression.of(Counted::RolesAndPosts).count(leads);
            let parts = [trained, in_training, leads.saturating_sub(trained + in_training)];
            let parts = if leads_shown.is_some() {
                suppress_parts(suppression.of(Counted::Credentials), &parts)
            } else {
                vec![None; 3]
            };
            Some(ChangeManagementRow {
                group: labels.get(&group)?.clone(),
                leads: leads_shown,
                trained: parts[0],
                in_training: parts[1],
                untrained: parts[2],
            })
        })
        .collect();
    report.sort_by(|a, b| a.group.code.cmp(&b.group.code));
    Ok(report)
}

// --- Recruitment competition ---

/// Open vacancies of one band in one ICB (or region) both in primary care and in trusts.
#[derive(Clone, Debug, PartialEq)]
pub struct CompetitionRow {
    pub group: ReportGroup,
    pub afc_band: AfcBand,
    /// Open vacancies in general practice and community pharmacy.
    pub primary_care_vacancies: Count,
    /// Their WTE, suppressed with the count.
    pub primary_care_wte: Option<f64>,
    /// Open vacancies in NHS trusts (secondary care).
    pub trust_vacancies: Count,
    /// Their WTE, suppressed with the count.
    pub trust_wte: Option<f64>,
}

/// Where primary care and trusts recruit for the same band at the same time: vacancies open on the
/// filter's `asOf` (that the reader may read), by the host's ICB (on `asOf`, or today for
/// `CURRENT_SUCCESSOR`) or its region, and band, for the bands with at least one open vacancy on each side.
/// Vacancies without a band (community pharmacy employers off Agenda for Change) are left out. One
/// grouped statement and a constant-size lookup.
pub async fn recruitment_competition<C: ConnectionTrait>(
    db: &C,
    scope: &Scope,
    suppression: Suppression,
    filter: &ReportFilter,
    grouping: PlaceGrouping,
) -> Result<Vec<CompetitionRow>, AppError> {
    use vacancy::Column;
    if grouping == PlaceGrouping::Trust {
        return Err(AppError::invalid("groupBy", "must be ICB or REGION"));
    }
    let day = icb_day(filter);
    let primary = [Sector::GeneralPractice, Sector::CommunityPharmacy];
    let is_primary = || is_one_of(col("open", Column::Sector), primary);
    let is_trust = || is(col("open", Column::Sector), Sector::SecondaryCare);
    let wte_if = |condition: Expr| -> Expr { Func::sum(when(condition, col("open", Column::Wte))).into() };
    let key = match grouping {
        PlaceGrouping::Region => col("region_link", organisation_relationship::Column::ParentId),
        _ => col("open", name("icb")),
    };
    let mut select = Query::select();
    select
        .expr_as(key.clone(), name("group_id"))
        .expr_as(col("open", Column::AfcBand), name("afc_band"))
        .expr_as(sum_as_integer(one_if(is_primary())), name("primary_care"))
        .expr_as(wte_if(is_primary()), name("primary_care_wte"))
        .expr_as(sum_as_integer(one_if(is_trust())), name("trust"))
        .expr_as(wte_if(is_trust()), name("trust_wte"))
        .from_subquery(super::vacancies::open_on(filter.as_of(), day), name("open"))
        .join_subquery(
            JoinType::InnerJoin,
            parents_on(RelationshipKind::IcbInRegion, day),
            name("region_link"),
            col("region_link", organisation_relationship::Column::ChildId).equals((name("open"), name("icb"))),
        )
        .and_where(col("open", Column::AfcBand).is_not_null())
        .and_where(is_one_of(
            col("open", Column::Sector),
            [Sector::GeneralPractice, Sector::CommunityPharmacy, Sector::SecondaryCare],
        ))
        .add_group_by([key, col("open", Column::AfcBand)]);
    if matches!(scope.records, RecordScope::Icbs(_)) {
        // An ICB reader counts the vacancies the vacancy list shows it (as the open-vacancies report).
        select.and_where_option(answered_organisations(col("open", Column::HostId), scope));
    }
    if !filter.icbs.is_empty() {
        select.and_where(col("open", name("icb")).is_in(organisations::ids_of_codes(db, &filter.icbs).await?));
    }
    if !filter.regions.is_empty() {
        let regions = organisations::ids_of_codes(db, &filter.regions).await?;
        select.and_where(col("region_link", organisation_relationship::Column::ParentId).is_in(regions));
    }
    let mut figures = Vec::new();
    for row in rows(db, &select).await? {
        let (primary_care, trust) = (get_u64(&row, "primary_care")?, get_u64(&row, "trust")?);
        if primary_care == 0 || trust == 0 {
            continue;
        }
        let group: Uuid = row.try_get("", "group_id")?;
        let band: AfcBand = row.try_get("", "afc_band")?;
        figures.push((group, band, primary_care, number(&row, "primary_care_wte")?, trust, number(&row, "trust_wte")?));
    }
    let ids: Vec<Uuid> = figures.iter().map(|figure| figure.0).collect();
    let labels = organisation_labels(db, &ids).await?;
    let mut report: Vec<CompetitionRow> = figures
        .into_iter()
        .filter_map(|(group, afc_band, primary_care, primary_care_wte, trust, trust_wte)| {
            let suppression = suppression.of(Counted::RolesAndPosts);
            let (primary_care, trust) = (suppression.count(primary_care), suppression.count(trust));
            Some(CompetitionRow {
                group: labels.get(&group)?.clone(),
                afc_band,
                primary_care_vacancies: primary_care,
                primary_care_wte: suppression.measure(primary_care_wte, primary_care),
                trust_vacancies: trust,
                trust_wte: suppression.measure(trust_wte, trust),
            })
        })
        .collect();
    report.sort_by_key(|row| (row.group.code.clone(), sea_orm::ActiveEnum::to_value(&row.afc_band)));
    Ok(report)
}
