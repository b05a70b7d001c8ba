/// Medicines optimisation: pillar shares, training, work mix, pathways, redesigns.
mod medicines;

use super::Scale;
use super::names::{FAMILY_NAMES, GIVEN_NAMES, LEAVING_REASONS, PLACE_ENDS, PLACE_STARTS, SPECIALISM_DETAILS};
use crate::reference::succession::SuccessionGraph;
use crate::reference::{ReferenceData, derived_id, organisation_id};
use chrono::{Datelike, Months, NaiveDate};
use entity::enums::{
    AfcBand, CredentialKind, CredentialStatus, EducationOffer, FundingSource, IcsAim, MedicinesRole, MembershipStatus,
    OrganisationKind, PharmacyContractType, PlacementStatus, PostStatus, ProgrammeLeadRole, ProgrammeStatus,
    RegistrationStatus, RelationshipKind, Sector, Specialism, SuccessionKind,
};
use entity::{
    cohort, consultant_lead, consultant_pillar_share, credential, icb_medicines_role, medicines_optimisation_team,
    organisation, organisation_relationship, pathway_icb, pathway_participant, pathway_sector, patient_pathway,
    pharmacist, placement, programme_education_offer, programme_funding_source, programme_ics_aim, programme_lead,
    programme_membership, programme_sector, rotation_programme, rotational_post, service_redesign,
    service_redesign_sector, team_work_kind, team_work_mix, vacancy,
};
use rand::{Rng, SeedableRng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use uuid::Uuid;

/// The date the generated statuses describe: memberships that ended before it are completed, placements
/// far after it are only planned. Fixed, so that the network does not depend on the day it is generated.
pub const SNAPSHOT_DATE: NaiveDate = date(2026, 11, 1);
/// The day the 2026 ICB mergers took effect.
const MERGER_DATE: NaiveDate = date(2026, 4, 1);
/// The day ICBs were established.
const ICB_ERA_START: NaiveDate = date(2022, 7, 1);
/// No generated placement ends after this day.
const LAST_PLACEMENT_DAY: NaiveDate = date(2027, 12, 31);
/// Intake of the cohorts still recruiting (offers made, nobody started).
const NEXT_INTAKE: NaiveDate = date(2027, 3, 1);
const STAR_INTAKES: [NaiveDate; 3] = [date(2023, 9, 1), date(2024, 9, 1), date(2025, 9, 1)];
const OTHER_INTAKES: [NaiveDate; 5] =
    [date(2022, 9, 1), date(2023, 3, 1), date(2023, 9, 1), date(2024, 9, 1), date(2025, 9, 1)];
const STAR_PLACES: i32 = 20;
const BLOCKS_PER_ROTATION: u32 = 4;

const fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid constant date"),
    }
}

/// Every generated row, by table, in an order that satisfies the foreign keys.
#[derive(Debug, Default)]
pub struct Network {
    pub organisations: Vec<organisation::Model>,
    pub relationships: Vec<organisation_relationship::Model>,
    pub programmes: Vec<rotation_programme::Model>,
    pub funding_sources: Vec<programme_funding_source::Model>,
    pub education_offers: Vec<programme_education_offer::Model>,
    pub sectors: Vec<programme_sector::Model>,
    pub ics_aims: Vec<programme_ics_aim::Model>,
    pub cohorts: Vec<cohort::Model>,
    pub vacancies: Vec<vacancy::Model>,
    pub pharmacists: Vec<pharmacist::Model>,
    pub posts: Vec<rotational_post::Model>,
    pub credentials: Vec<credential::Model>,
    pub memberships: Vec<programme_membership::Model>,
    pub placements: Vec<placement::Model>,
    pub consultant_leads: Vec<consultant_lead::Model>,
    pub programme_leads: Vec<programme_lead::Model>,
    pub medicines_roles: Vec<icb_medicines_role::Model>,
    pub medicines_teams: Vec<medicines_optimisation_team::Model>,
    pub pillar_shares: Vec<consultant_pillar_share::Model>,
    pub work_mixes: Vec<team_work_mix::Model>,
    pub work_kinds: Vec<team_work_kind::Model>,
    pub pathways: Vec<patient_pathway::Model>,
    pub pathway_icbs: Vec<pathway_icb::Model>,
    pub pathway_sectors: Vec<pathway_sector::Model>,
    pub pathway_participants: Vec<pathway_participant::Model>,
    pub redesigns: Vec<service_redesign::Model>,
    pub redesign_sectors: Vec<service_redesign_sector::Model>,
}

/// The sizes of a scale.
struct ScaleSpec {
    icbs: Option<&'static [&'static str]>,
    trusts: usize,
    pcns: usize,
    practices: usize,
    pharmacies: usize,
    /// Members who started a rotation (four placements each).
    members: usize,
    /// Members with an offer for the next intake (no placements yet).
    offered_members: usize,
    /// Pharmacists outside any programme (consultant leads come from these).
    other_pharmacists: usize,
    open_vacancies_per_icb: usize,
    /// Two programmes per ICB, or one (STAR for Norfolk and Suffolk).
    programmes_per_icb: usize,
}

impl ScaleSpec {
    /// Every count multiplied by `factor` (the ICBs stay the same).
    fn times(self, factor: usize) -> Self {
        Self {
            trusts: self.trusts * factor,
            pcns: self.pcns * factor,
            practices: self.practices * factor,
            pharmacies: self.pharmacies * factor,
            members: self.members * factor,
            offered_members: self.offered_members * factor,
            other_pharmacists: self.other_pharmacists * factor,
            open_vacancies_per_icb: self.open_vacancies_per_icb * factor,
            ..self
        }
    }

    fn of(scale: Scale) -> Self {
        match scale {
            Scale::Demo => Self {
                icbs: Some(&["T6Y0W", "D7T5G", "S1Y5D"]),
                trusts: 9,
                pcns: 18,
                practices: 72,
                pharmacies: 45,
                members: 150,
                offered_members: 12,
                other_pharmacists: 40,
                open_vacancies_per_icb: 6,
                programmes_per_icb: 1,
            },
            Scale::England => Self {
                icbs: None,
                trusts: 215,
                pcns: 1_250,
                practices: 6_300,
                pharmacies: 10_400,
                members: 50_000,
                offered_members: 1_000,
                other_pharmacists: 9_000,
                open_vacancies_per_icb: 40,
                programmes_per_icb: 2,
            },
        }
    }
}

/// An ICB's part of the network: the ICB it belonged to before 2026-04-01 and the one after.
#[derive(Clone, Debug)]
struct IcbHistory {
    former: String,
    current: String,
}

impl IcbHistory {
    fn icb_at(&self, day: NaiveDate) -> &str {
        if day < MERGER_DATE { &self.former } else { &self.current }
    }
}

/// A sub-ICB location and the organisations generated in it.
#[derive(Debug)]
struct Area {
    history: IcbHistory,
    sub_icb_location: Uuid,
}

/// Host organisations of one current ICB, by sector.
#[derive(Debug, Default)]
struct Hosts {
    general_practice: Vec<Uuid>,
    community_pharmacy: Vec<Uuid>,
    secondary_care: Vec<Uuid>,
    pcns: Vec<Uuid>,
    trusts: Vec<Uuid>,
}

impl Hosts {
    fn for_sector(&self, sector: Sector) -> &[Uuid] {
        match sector {
            Sector::GeneralPractice => &self.general_practice,
            Sector::CommunityPharmacy => &self.community_pharmacy,
            Sector::SecondaryCare | Sector::IcbMedicinesOptimisation => &self.secondary_care,
        }
    }
}

/// What a new post tells the rest of the rotation.
#[derive(Debug)]
struct PostInfo {
    id: Uuid,
    wte: f64,
    employer_sector: Sector,
}

/// How a programme rotates and recruits.
#[derive(Debug)]
struct ProgrammePlan {
    id: Uuid,
    code: String,
    owner: String,
    current_icb: String,
    rotation: Vec<Sector>,
    intakes: Vec<NaiveDate>,
    max_months: u32,
    is_star: bool,
}

struct Builder<'a> {
    rng: ChaCha8Rng,
    reference: &'a ReferenceData,
    graph: SuccessionGraph<String>,
    spec: ScaleSpec,
    network: Network,
    /// Each organisation's ICB history (for the host ICB of a placement).
    histories: HashMap<Uuid, IcbHistory>,
    hosts: HashMap<String, Hosts>,
    areas: Vec<Area>,
    programmes: Vec<ProgrammePlan>,
    /// Pharmacists outside programmes, for leads and medicines roles.
    other_pharmacists: Vec<Uuid>,
    next_code: HashMap<OrganisationKind, usize>,
}

/// Builds the network of `scale`, every count multiplied by `factor`, from the reference data with `seed`.
pub fn build(scale: Scale, factor: usize, reference: &ReferenceData, seed: u64) -> Network {
    let mut builder = Builder {
        rng: ChaCha8Rng::seed_from_u64(seed),
        reference,
        graph: SuccessionGraph::from_reference(reference),
        spec: ScaleSpec::of(scale).times(factor),
        network: Network::default(),
        histories: HashMap::new(),
        hosts: HashMap::new(),
        areas: Vec::new(),
        programmes: Vec::new(),
        other_pharmacists: Vec::new(),
        next_code: HashMap::new(),
    };
    let icbs = builder.selected_icbs();
    builder.build_organisations(&icbs);
    builder.build_programmes(&icbs);
    builder.build_other_pharmacists();
    builder.build_memberships();
    builder.build_open_vacancies(&icbs);
    builder.build_leads();
    builder.build_medicines_leadership(&icbs);
    builder.build_medicines_optimisation(&icbs);
    builder.network
}

/// Splits `total` into `parts` shares as equal as possible (the first shares get the remainder).
fn apportion(total: usize, parts: usize) -> Vec<usize> {
    (0..parts).map(|index| total / parts + usize::from(index < total % parts)).collect()
}

/// Base-36 digit (0-9 then A-Z).
fn alnum(value: usize) -> char {
    char::from_digit((value % 36) as u32, 36).map_or('0', |c| c.to_ascii_uppercase())
}

fn add_months(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_add_months(Months::new(months)).unwrap_or(day)
}

fn short_icb_name(name: &str) -> &str {
    name.trim_start_matches("NHS ").trim_end_matches(" Integrated Care Board").trim_end_matches(" ICB")
}

impl Builder<'_> {
    fn selected_icbs(&self) -> Vec<String> {
        match self.spec.icbs {
            Some(codes) => codes.iter().map(|code| (*code).to_owned()).collect(),
            None => self.reference.current_icbs().map(|icb| icb.ods_code.clone()).collect(),
        }
    }

    fn chance(&mut self, probability: f64) -> bool {
        self.rng.random_bool(probability)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        *items.choose(&mut self.rng).unwrap_or_else(|| unreachable!("picked from an empty list"))
    }

    fn day_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days().max(0);
        from + chrono::Duration::days(self.rng.random_range(0..=span))
    }

    fn random_id(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(self.rng.random()).into_uuid()
    }

    fn place_name(&mut self) -> String {
        format!("{}{}", self.pick(&PLACE_STARTS), self.pick(&PLACE_ENDS))
    }

    fn person_name(&mut self) -> (String, String) {
        (self.pick(&GIVEN_NAMES).to_owned(), self.pick(&FAMILY_NAMES).to_owned())
    }

    /// The next code in the reserved synthetic range of `kind` (see `domain::ods`).
    fn next_ods_code(&mut self, kind: OrganisationKind) -> String {
        let counter = self.next_code.entry(kind).or_insert(0);
        let index = *counter;
        *counter += 1;
        match kind {
            OrganisationKind::SubIcbLocation => format!("{index:02}Z"),
            OrganisationKind::NhsTrust => format!("T{}{}", index / 36 % 10, alnum(index)),
            OrganisationKind::Pcn => format!("U0{:04}", index + 1),
            OrganisationKind::GpPractice => format!("Z{:05}", index + 1),
            OrganisationKind::CommunityPharmacy => {
                format!("FZ{}{}{}", alnum(index / 1296), alnum(index / 36), alnum(index))
            }
            OrganisationKind::Region | OrganisationKind::Icb | OrganisationKind::TrustSite => {
                unreachable!("no synthetic codes for {kind:?}")
            }
        }
    }

    /// The ICBs whose organisations an ICB of today took over: its predecessors, and itself if it
    /// existed before the 2026 mergers.
    fn histories_of(&self, current: &str) -> Vec<IcbHistory> {
        let mut formers: Vec<String> =
            self.graph.predecessors(&current.to_owned()).map(|step| step.predecessor.clone()).collect();
        if self.graph.is_valid(&current.to_owned(), ICB_ERA_START) {
            formers.insert(0, current.to_owned());
        }
        formers.into_iter().map(|former| IcbHistory { former, current: current.to_owned() }).collect()
    }

    fn add_organisation(
        &mut self,
        kind: OrganisationKind,
        ods_code: String,
        name: String,
        legal_start: NaiveDate,
        history: &IcbHistory,
    ) -> Uuid {
        let id = organisation_id(&ods_code);
        let is_foundation_trust = (kind == OrganisationKind::NhsTrust).then(|| self.chance(0.6));
        let pharmacy_contract_type = (kind == OrganisationKind::CommunityPharmacy).then(|| {
            if self.chance(0.93) { PharmacyContractType::Community } else { PharmacyContractType::DistanceSelling }
        });
        self.network.organisations.push(organisation::Model {
            version: 1,
            id,
            ods_code,
            kind,
            name,
            gss_code: None,
            postcode: None,
            legal_start_date: Some(legal_start),
            legal_end_date: None,
            is_foundation_trust,
            pharmacy_contract_type,
        });
        self.add_icb_links(id, legal_start, history);
        self.histories.insert(id, history.clone());
        id
    }

    fn add_relationship(
        &mut self,
        child_id: Uuid,
        parent_id: Uuid,
        kind: RelationshipKind,
        valid_from: NaiveDate,
        valid_to: Option<NaiveDate>,
    ) {
        self.network.relationships.push(organisation_relationship::Model {
            id: derived_id(&format!("{kind:?}:{child_id}:{valid_from}")),
            child_id,
            parent_id,
            kind,
            valid_from,
            valid_to,
        });
    }

    /// The organisation's ICB membership: one open row, or the former ICB until the mergers and the
    /// current one from then on.
    fn add_icb_links(&mut self, id: Uuid, legal_start: NaiveDate, history: &IcbHistory) {
        let from = legal_start.max(ICB_ERA_START);
        if history.former == history.current {
            self.add_relationship(id, organisation_id(&history.current), RelationshipKind::InIcb, from, None);
        } else {
            let last_day = MERGER_DATE.pred_opt().unwrap_or(MERGER_DATE);
            self.add_relationship(id, organisation_id(&history.former), RelationshipKind::InIcb, from, Some(last_day));
            self.add_relationship(id, organisation_id(&history.current), RelationshipKind::InIcb, MERGER_DATE, None);
        }
    }

    fn build_organisations(&mut self, icbs: &[String]) {
        for current in icbs {
            let histories = self.histories_of(current);
            let count = histories.len().max(2);
            for index in 0..count {
                let history = histories[index % histories.len()].clone();
                let code = self.next_ods_code(OrganisationKind::SubIcbLocation);
                let name = format!("{} Sub-ICB Location", self.place_name());
                let id =
                    self.add_organisation(OrganisationKind::SubIcbLocation, code, name, date(2013, 4, 1), &history);
                self.areas.push(Area { history, sub_icb_location: id });
            }
            self.hosts.insert(current.clone(), Hosts::default());
        }

        let trusts_per_icb = apportion(self.spec.trusts, icbs.len());
        for (current, trusts) in icbs.iter().zip(trusts_per_icb) {
            let histories = self.histories_of(current);
            for index in 0..trusts {
                let history = histories[index % histories.len()].clone();
                self.add_trust(&history);
            }
        }

        let areas = self.areas.len();
        let pcns_per_area = apportion(self.spec.pcns, areas);
        let practices_per_pcn = apportion(self.spec.practices, self.spec.pcns);
        let pharmacies_per_area = apportion(self.spec.pharmacies, areas);
        let mut pcn_index = 0;
        for area in 0..areas {
            for _ in 0..pcns_per_area[area] {
                self.add_pcn_with_practices(area, practices_per_pcn[pcn_index]);
                pcn_index += 1;
            }
            for _ in 0..pharmacies_per_area[area] {
                self.add_pharmacy(area);
            }
        }
    }

    fn add_trust(&mut self, history: &IcbHistory) {
        let code = self.next_ods_code(OrganisationKind::NhsTrust);
        let place = self.place_name();
        let (name, sites) = match self.rng.random_range(0..4) {
            0 => (format!("{place} Community Health Services NHS Trust"), 1),
            1 => (format!("{place} Mental Health NHS Foundation Trust"), 2),
            _ => (format!("{place} Hospitals NHS Foundation Trust"), 2),
        };
        let legal_start = self.day_between(date(1994, 4, 1), date(2020, 4, 1));
        let trust = self.add_organisation(OrganisationKind::NhsTrust, code.clone(), name, legal_start, history);
        let hosts = self.hosts.entry(history.current.clone()).or_default();
        hosts.secondary_care.push(trust);
        hosts.trusts.push(trust);
        for site in 1..=sites {
            let site_name = format!("{} {}", self.place_name(), if site == 1 { "General Hospital" } else { "Clinic" });
            let site_id = self.add_organisation(
                OrganisationKind::TrustSite,
                format!("{code}{site:02}"),
                site_name,
                legal_start,
                history,
            );
            self.add_relationship(site_id, trust, RelationshipKind::SiteOfTrust, legal_start, None);
            self.hosts.entry(history.current.clone()).or_default().secondary_care.push(site_id);
        }
    }

    fn add_pcn_with_practices(&mut self, area: usize, practices: usize) {
        let history = self.areas[area].history.clone();
        let sub_icb_location = self.areas[area].sub_icb_location;
        let code = self.next_ods_code(OrganisationKind::Pcn);
        let name = format!("{} PCN", self.place_name());
        let pcn_start = date(2019, 7, 1);
        let pcn = self.add_organisation(OrganisationKind::Pcn, code, name, pcn_start, &history);
        let hosts = self.hosts.entry(history.current.clone()).or_default();
        hosts.general_practice.push(pcn);
        hosts.pcns.push(pcn);
        for _ in 0..practices {
            let code = self.next_ods_code(OrganisationKind::GpPractice);
            let suffix = self.pick(&["Medical Practice", "Surgery", "Health Centre", "Medical Centre"]);
            let name = format!("{} {suffix}", self.place_name());
            let legal_start = self.day_between(date(1985, 1, 1), date(2018, 12, 31));
            let practice = self.add_organisation(OrganisationKind::GpPractice, code, name, legal_start, &history);
            self.add_relationship(practice, pcn, RelationshipKind::MemberOfPcn, legal_start.max(pcn_start), None);
            self.add_relationship(
                practice,
                sub_icb_location,
                RelationshipKind::CommissionedBySubIcbLocation,
                legal_start.max(date(2013, 4, 1)),
                None,
            );
            self.hosts.entry(history.current.clone()).or_default().general_practice.push(practice);
        }
    }

    fn add_pharmacy(&mut self, area: usize) {
        let history = self.areas[area].history.clone();
        let code = self.next_ods_code(OrganisationKind::CommunityPharmacy);
        let suffix = self.pick(&["Pharmacy", "Chemist", "Pharmacy Ltd", "Healthcare Pharmacy"]);
        let name = format!("{} {suffix}", self.place_name());
        let legal_start = self.day_between(date(1990, 1, 1), date(2021, 12, 31));
        let pharmacy = self.add_organisation(OrganisationKind::CommunityPharmacy, code, name, legal_start, &history);
        self.hosts.entry(history.current).or_default().community_pharmacy.push(pharmacy);
    }

    /// The ICB that owns a programme of `current`: the ICB itself if it existed before the mergers,
    /// otherwise its first predecessor that merged into it whole (so that ownership resolves cleanly).
    fn programme_owner(&self, current: &str) -> String {
        if self.graph.is_valid(&current.to_owned(), ICB_ERA_START) {
            return current.to_owned();
        }
        self.graph
            .predecessors(&current.to_owned())
            .find(|step| step.kind == SuccessionKind::Merger)
            .map_or_else(|| current.to_owned(), |step| step.predecessor.clone())
    }

    fn build_programmes(&mut self, icbs: &[String]) {
        for current in icbs {
            let owner = self.programme_owner(current);
            let icb_name = self.reference.icb(current).map_or(current.as_str(), |icb| short_icb_name(&icb.name));
            let icb_name = icb_name.to_owned();
            let mut plans = Vec::new();
            if current == "T6Y0W" {
                plans.push((
                    "STAR".to_owned(),
                    "STAR: Start, Training, Advantage and Rotation".to_owned(),
                    "QMM".to_owned(),
                    vec![Sector::GeneralPractice, Sector::CommunityPharmacy],
                    true,
                ));
            }
            plans.push((
                format!("{current}-XSR"),
                format!("{icb_name} Cross-Sector Pharmacist Rotation"),
                owner.clone(),
                vec![Sector::GeneralPractice, Sector::CommunityPharmacy, Sector::SecondaryCare],
                false,
            ));
            plans.push((
                format!("{current}-PCR"),
                format!("{icb_name} Primary Care Pharmacist Rotation"),
                owner.clone(),
                vec![Sector::GeneralPractice, Sector::CommunityPharmacy],
                false,
            ));
            plans.truncate(self.spec.programmes_per_icb);
            for (code, name, owner, rotation, is_star) in plans {
                self.add_programme(code, name, owner, current, rotation, is_star);
            }
        }
    }

    fn add_programme(
        &mut self,
        code: String,
        name: String,
        owner: String,
        current: &str,
        rotation: Vec<Sector>,
        is_star: bool,
    ) {
        let id = derived_id(&format!("programme:{code}"));
        let (min_months, max_months, max_years) = if is_star { (24, 30, 3) } else { (24, 30, 5) };
        let description = if is_star {
            "20 places a year for newly qualified pharmacists: 24-30 month posts employed by a PCN or a community \
             pharmacy, rotating between general practice and community pharmacy, funded through existing vacancies \
             and ARRS, with the CPPE primary care pathway and independent-prescribing training."
        } else {
            "A rotation for early-career pharmacists across the sectors of the integrated care system."
        };
        self.network.programmes.push(rotation_programme::Model {
            id,
            code: code.clone(),
            name,
            description: Some(description.to_owned()),
            owner_icb_id: organisation_id(&owner),
            status: ProgrammeStatus::Recruiting,
            min_duration_months: min_months,
            max_duration_months: max_months,
            requires_gphc_registration: true,
            max_years_since_registration: Some(max_years),
            version: 1,
        });
        let funding = if rotation.contains(&Sector::SecondaryCare) {
            vec![FundingSource::Arrs, FundingSource::Trust]
        } else {
            vec![FundingSource::Arrs, FundingSource::ExistingVacancy]
        };
        for funding_source in funding {
            self.network.funding_sources.push(programme_funding_source::Model { programme_id: id, funding_source });
        }
        let mut offers = vec![EducationOffer::CppePrimaryCarePathway, EducationOffer::IndependentPrescribing];
        if !is_star {
            offers.push(EducationOffer::RpsFoundation);
        }
        for offer in offers {
            self.network.education_offers.push(programme_education_offer::Model { programme_id: id, offer });
        }
        for sector in &rotation {
            self.network.sectors.push(programme_sector::Model { programme_id: id, sector: *sector });
        }
        for aim in [IcsAim::ImproveOutcomes, IcsAim::TackleInequalities, IcsAim::EnhanceProductivity] {
            self.network.ics_aims.push(programme_ics_aim::Model { programme_id: id, aim });
        }
        let intakes = if is_star { STAR_INTAKES.to_vec() } else { OTHER_INTAKES.to_vec() };
        self.programmes.push(ProgrammePlan {
            id,
            code,
            owner,
            current_icb: current.to_owned(),
            rotation,
            intakes,
            max_months: max_months as u32,
            is_star,
        });
    }

    fn add_cohort(&mut self, programme: Uuid, intake: NaiveDate, places: i32) -> Uuid {
        let label = format!("{}-{:02} intake", intake.year(), intake.month());
        let id = derived_id(&format!("cohort:{programme}:{intake}"));
        self.network.cohorts.push(cohort::Model {
            version: 1,
            id,
            programme_id: programme,
            label,
            intake_date: intake,
            places_offered: places,
            recruitment_opens_on: Some(intake - chrono::Duration::days(180)),
            recruitment_closes_on: Some(intake - chrono::Duration::days(90)),
        });
        id
    }

    fn add_pharmacist(&mut self, first_registered_on: NaiveDate, status: RegistrationStatus) -> Uuid {
        let id = self.random_id();
        let (given_name, family_name) = self.person_name();
        let number = self.network.pharmacists.len() + 1;
        self.network.pharmacists.push(pharmacist::Model {
            version: 1,
            managed_by_icb_id: None,
            id,
            gphc_number: format!("9{number:06}"),
            given_name,
            family_name,
            first_registered_on,
            registration_status: status,
            independent_prescriber_since: None,
        });
        id
    }

    fn build_other_pharmacists(&mut self) {
        for _ in 0..self.spec.other_pharmacists {
            let registered = self.day_between(date(1985, 7, 1), date(2016, 7, 31));
            let status = match self.rng.random_range(0..100) {
                0 => RegistrationStatus::Suspended,
                1 => RegistrationStatus::Removed,
                _ => RegistrationStatus::Registered,
            };
            let id = self.add_pharmacist(registered, status);
            if self.chance(0.45) {
                let annotated = self.day_between(add_months(registered, 24), SNAPSHOT_DATE);
                self.set_prescriber(id, annotated);
            }
            self.other_pharmacists.push(id);
        }
    }

    fn set_prescriber(&mut self, pharmacist: Uuid, since: NaiveDate) {
        if let Some(row) = self.network.pharmacists.iter_mut().rev().find(|row| row.id == pharmacist) {
            row.independent_prescriber_since = Some(since);
        }
    }

    /// Cohorts, posts, memberships, placements and credentials of every programme.
    fn build_memberships(&mut self) {
        let programmes = std::mem::take(&mut self.programmes);
        // STAR cohorts are capped by their 20 places; the other cohorts share the rest of the members.
        let star_cohorts: usize = programmes.iter().filter(|p| p.is_star).map(|p| p.intakes.len()).sum();
        let mut star_shares: Vec<usize> = (0..star_cohorts).map(|_| self.rng.random_range(16..=20)).collect();
        let star_members: usize = star_shares.iter().sum();
        let other_cohorts: usize = programmes.iter().filter(|p| !p.is_star).map(|p| p.intakes.len()).sum();
        let mut other_shares = apportion(self.spec.members - star_members, other_cohorts.max(1)).into_iter();
        let mut offered_shares = apportion(self.spec.offered_members, programmes.len()).into_iter();
        for programme in &programmes {
            for intake in &programme.intakes {
                let members =
                    if programme.is_star { star_shares.pop().unwrap_or(0) } else { other_shares.next().unwrap_or(0) };
                let places = if programme.is_star { STAR_PLACES } else { (members + members / 10 + 1) as i32 };
                let cohort = self.add_cohort(programme.id, *intake, places);
                for _ in 0..members {
                    self.add_member(programme, cohort, *intake);
                }
            }
            let offered = offered_shares.next().unwrap_or(0);
            let places = if programme.is_star { STAR_PLACES } else { (offered + 5) as i32 };
            let cohort = self.add_cohort(programme.id, NEXT_INTAKE, places);
            for _ in 0..offered.min(places as usize) {
                self.add_offer(programme, cohort);
            }
        }
        self.programmes = programmes;
    }

    /// A post for a member of `programme`, employed in its ICB.
    fn add_post(&mut self, programme: &ProgrammePlan, cohort: Uuid, start: NaiveDate, status: PostStatus) -> PostInfo {
        let hosts = &self.hosts[&programme.current_icb];
        let (pcns, pharmacies, trusts) = (hosts.pcns.clone(), hosts.community_pharmacy.clone(), hosts.trusts.clone());
        let roll = self.rng.random_range(0..10);
        let (employer, band, funding, sector) = if programme.rotation.contains(&Sector::SecondaryCare) && roll < 3 {
            (self.pick(&trusts), Some(AfcBand::Band6), FundingSource::Trust, Sector::SecondaryCare)
        } else if roll < 6 {
            (self.pick(&pcns), Some(AfcBand::Band7), FundingSource::Arrs, Sector::GeneralPractice)
        } else {
            (self.pick(&pharmacies), None, FundingSource::ExistingVacancy, Sector::CommunityPharmacy)
        };
        let wte = if self.chance(0.85) { 1.0 } else { 0.8 };
        let vacancy_id = (funding == FundingSource::ExistingVacancy).then(|| {
            let id = self.random_id();
            let opened_on = start - chrono::Duration::days(self.rng.random_range(120..400));
            self.network.vacancies.push(vacancy::Model {
                version: 1,
                id,
                host_id: employer,
                sector,
                afc_band: band,
                wte,
                funding,
                opened_on,
                closed_on: Some(start - chrono::Duration::days(1)),
            });
            id
        });
        let id = self.random_id();
        let post_number = format!("{}-{}-{:04}", programme.code, start.format("%Y%m"), self.network.posts.len() + 1);
        self.network.posts.push(rotational_post::Model {
            version: 1,
            id,
            cohort_id: cohort,
            post_number,
            employer_id: employer,
            afc_band: band,
            wte,
            status,
            funding,
            vacancy_id,
        });
        PostInfo { id, wte, employer_sector: sector }
    }

    fn add_offer(&mut self, programme: &ProgrammePlan, cohort: Uuid) {
        let registered = self.day_between(NEXT_INTAKE - chrono::Duration::days(900), date(2026, 7, 31));
        let pharmacist = self.add_pharmacist(registered, RegistrationStatus::Registered);
        let post = self.add_post(programme, cohort, NEXT_INTAKE, PostStatus::Offered).id;
        let id = self.random_id();
        self.network.memberships.push(programme_membership::Model {
            version: 1,
            id,
            pharmacist_id: pharmacist,
            cohort_id: cohort,
            post_id: Some(post),
            status: MembershipStatus::Offered,
            offered_on: date(2026, 10, 15),
            accepted_on: None,
            start_date: NEXT_INTAKE,
            planned_end_date: add_months(NEXT_INTAKE, 24).pred_opt().unwrap_or(NEXT_INTAKE),
            actual_end_date: None,
            leaving_reason: None,
            eligibility_checked_on: None,
            eligibility_passed: None,
            eligibility_override_reason: None,
        });
    }

    fn add_member(&mut self, programme: &ProgrammePlan, cohort: Uuid, start: NaiveDate) {
        // Rotation length within the programme's 24-30 months, ending by the last generated day.
        let mut months = self.rng.random_range(24..=programme.max_months);
        while months > 24 && add_months(start, months) > LAST_PLACEMENT_DAY + chrono::Duration::days(1) {
            months -= 1;
        }
        let planned_end = add_months(start, months).pred_opt().unwrap_or(start);

        // Eligibility: registered for under the programme's limit, except a few accepted on an override.
        let eligible = self.chance(0.97);
        let registered = if eligible {
            start - chrono::Duration::days(self.rng.random_range(30..1_000))
        } else {
            start - chrono::Duration::days(self.rng.random_range(1_900..2_400))
        };
        let pharmacist = self.add_pharmacist(registered, RegistrationStatus::Registered);

        let (status, actual_end, leaving_reason) = if planned_end < SNAPSHOT_DATE {
            if self.chance(0.88) {
                (MembershipStatus::Completed, Some(planned_end), None)
            } else {
                let left = self.day_between(add_months(start, 3), planned_end);
                (MembershipStatus::Withdrawn, Some(left), Some(self.pick(&LEAVING_REASONS).to_owned()))
            }
        } else if self.chance(0.94) {
            (MembershipStatus::Active, None, None)
        } else {
            let left = self.day_between(add_months(start, 2).min(SNAPSHOT_DATE), SNAPSHOT_DATE);
            (MembershipStatus::Withdrawn, Some(left), Some(self.pick(&LEAVING_REASONS).to_owned()))
        };
        let post_status = match status {
            MembershipStatus::Active => PostStatus::Filled,
            MembershipStatus::Withdrawn => PostStatus::Frozen,
            _ => PostStatus::Withdrawn,
        };
        let post = self.add_post(programme, cohort, start, post_status);
        let membership = self.random_id();
        self.network.memberships.push(programme_membership::Model {
            version: 1,
            id: membership,
            pharmacist_id: pharmacist,
            cohort_id: cohort,
            post_id: Some(post.id),
            status,
            offered_on: start - chrono::Duration::days(150),
            accepted_on: Some(start - chrono::Duration::days(120)),
            start_date: start,
            planned_end_date: planned_end,
            actual_end_date: actual_end,
            leaving_reason,
            eligibility_checked_on: Some(start - chrono::Duration::days(120)),
            eligibility_passed: Some(eligible),
            eligibility_override_reason: (!eligible)
                .then(|| "Returning to practice after a career break; approved by the programme panel".to_owned()),
        });

        // A member employed by a community pharmacy starts there; everyone else starts in general practice.
        let rotation_offset = usize::from(post.employer_sector == Sector::CommunityPharmacy);
        for block in 0..BLOCKS_PER_ROTATION {
            let block_start = add_months(start, months * block / BLOCKS_PER_ROTATION);
            let block_end = if block + 1 == BLOCKS_PER_ROTATION {
                planned_end
            } else {
                add_months(start, months * (block + 1) / BLOCKS_PER_ROTATION).pred_opt().unwrap_or(block_start)
            };
            let sector = programme.rotation[(block as usize + rotation_offset) % programme.rotation.len()];
            let (end, placement_status) = match actual_end {
                Some(left) if status == MembershipStatus::Withdrawn && left < block_start => {
                    (block_end, PlacementStatus::Cancelled)
                }
                Some(left) if status == MembershipStatus::Withdrawn && left <= block_end => {
                    (left, PlacementStatus::Approved)
                }
                _ if block_start > SNAPSHOT_DATE + chrono::Duration::days(90) => (block_end, PlacementStatus::Planned),
                _ => (block_end, PlacementStatus::Approved),
            };
            self.add_placement(programme, membership, pharmacist, &post, sector, (block_start, end), placement_status);
        }
        self.add_member_education(pharmacist, start, status, actual_end);
    }

    #[expect(clippy::too_many_arguments, reason = "one row's worth of fields")]
    fn add_placement(
        &mut self,
        programme: &ProgrammePlan,
        membership: Uuid,
        pharmacist: Uuid,
        post: &PostInfo,
        sector: Sector,
        (start, end): (NaiveDate, NaiveDate),
        status: PlacementStatus,
    ) {
        // About one placement in sixteen is hosted by another ICB of the network.
        let host_icb = if self.hosts.len() > 1 && self.chance(0.06) {
            let others: Vec<&String> = self.hosts.keys().filter(|icb| **icb != programme.current_icb).collect();
            let mut others: Vec<String> = others.into_iter().cloned().collect();
            others.sort();
            others[self.rng.random_range(0..others.len())].clone()
        } else {
            programme.current_icb.clone()
        };
        let candidates = self.hosts[&host_icb].for_sector(sector).to_vec();
        let host = self.pick(&candidates);
        let host_icb_code = self.histories[&host].icb_at(start).to_owned();
        let owner_at_start = self.graph.resolve_one(&programme.owner, start);
        let id = self.random_id();
        self.network.placements.push(placement::Model {
            version: 1,
            id,
            membership_id: membership,
            pharmacist_id: pharmacist,
            post_id: Some(post.id),
            host_id: host,
            sector,
            start_date: start,
            end_date: end,
            wte: post.wte,
            status,
            host_icb_id: Some(organisation_id(&host_icb_code)),
            is_cross_icb: owner_at_start.as_deref() != Some(host_icb_code.as_str()),
        });
    }

    /// The CPPE pathway for every member, and independent prescribing for about half of them.
    fn add_member_education(
        &mut self,
        pharmacist: Uuid,
        start: NaiveDate,
        status: MembershipStatus,
        left: Option<NaiveDate>,
    ) {
        let started_on = add_months(start, 1);
        let expected = add_months(started_on, 18);
        let (cppe_status, awarded_on, progress) =
            if status == MembershipStatus::Withdrawn && left.is_some_and(|day| day < expected) {
                (CredentialStatus::Withdrawn, None, None)
            } else if expected <= SNAPSHOT_DATE {
                (CredentialStatus::Awarded, Some(expected), Some(100))
            } else if started_on <= SNAPSHOT_DATE {
                let elapsed = (SNAPSHOT_DATE - started_on).num_days() * 100 / (expected - started_on).num_days().max(1);
                (CredentialStatus::InProgress, None, Some(elapsed as i32))
            } else {
                (CredentialStatus::Enrolled, None, Some(0))
            };
        let id = self.random_id();
        self.network.credentials.push(credential::Model {
            version: 1,
            id,
            pharmacist_id: pharmacist,
            kind: CredentialKind::CppePrimaryCarePathway,
            status: cppe_status,
            started_on: Some(started_on),
            expected_completion_on: Some(expected),
            awarded_on,
            progress_percent: progress,
        });
        if self.chance(0.55) {
            let course_start = add_months(start, self.rng.random_range(6..12));
            let annotated = add_months(course_start, 8);
            if annotated <= SNAPSHOT_DATE && left.is_none_or(|day| day >= annotated) {
                self.set_prescriber(pharmacist, annotated);
                let id = self.random_id();
                self.network.credentials.push(credential::Model {
                    version: 1,
                    id,
                    pharmacist_id: pharmacist,
                    kind: CredentialKind::IndependentPrescribingCourse,
                    status: CredentialStatus::Awarded,
                    started_on: Some(course_start),
                    expected_completion_on: Some(annotated),
                    awarded_on: Some(annotated),
                    progress_percent: Some(100),
                });
            }
        }
    }

    fn build_open_vacancies(&mut self, icbs: &[String]) {
        for current in icbs {
            for _ in 0..self.spec.open_vacancies_per_icb {
                let sector = self.pick(&[Sector::GeneralPractice, Sector::CommunityPharmacy, Sector::SecondaryCare]);
                let candidates = self.hosts[current].for_sector(sector).to_vec();
                let host = self.pick(&candidates);
                let (band, funding) = match sector {
                    Sector::GeneralPractice => (Some(AfcBand::Band7), FundingSource::Arrs),
                    Sector::CommunityPharmacy => (None, FundingSource::Other),
                    _ => (Some(self.pick(&[AfcBand::Band6, AfcBand::Band7, AfcBand::Band8a])), FundingSource::Trust),
                };
                let opened_on = self.day_between(date(2026, 1, 1), SNAPSHOT_DATE);
                let wte = if self.chance(0.7) { 1.0 } else { 0.6 };
                let id = self.random_id();
                self.network.vacancies.push(vacancy::Model {
                    version: 1,
                    id,
                    host_id: host,
                    sector,
                    afc_band: band,
                    wte,
                    funding,
                    opened_on,
                    closed_on: None,
                });
            }
        }
    }

    /// Consultant-pharmacist leads in most trusts, and clinical and education leads of programmes.
    fn build_leads(&mut self) {
        let specialisms = [
            Specialism::Antimicrobials,
            Specialism::Cardiology,
            Specialism::CriticalCare,
            Specialism::Frailty,
            Specialism::MentalHealth,
            Specialism::Oncology,
            Specialism::Paediatrics,
            Specialism::PrimaryCare,
            Specialism::Respiratory,
            Specialism::Other,
        ];
        let mut leads_by_icb: HashMap<String, Vec<Uuid>> = HashMap::new();
        let mut pool = self.other_pharmacists.clone().into_iter();
        let mut icbs: Vec<String> = self.hosts.keys().cloned().collect();
        icbs.sort();
        for icb in icbs {
            for trust in self.hosts[&icb].trusts.clone() {
                let leads = match self.rng.random_range(0..10) {
                    0 | 1 => 0,
                    2..=6 => 1,
                    _ => 2,
                };
                let first = self.rng.random_range(0..specialisms.len());
                for offset in 0..leads {
                    let Some(pharmacist) = pool.next() else { return };
                    let specialism = specialisms[(first + offset * 3) % specialisms.len()];
                    let valid_from = self.day_between(date(2017, 4, 1), date(2025, 10, 1));
                    let credentialed = self.chance(0.7).then(|| add_months(valid_from, 6));
                    let specialism_detail =
                        (specialism == Specialism::Other).then(|| self.pick(&SPECIALISM_DETAILS).to_owned());
                    let id = self.random_id();
                    self.network.consultant_leads.push(consultant_lead::Model {
                        version: 1,
                        id,
                        pharmacist_id: pharmacist,
                        trust_id: trust,
                        specialism,
                        specialism_detail,
                        rps_post_approved_on: Some(valid_from - chrono::Duration::days(60)),
                        rps_credentialed_on: credentialed,
                        valid_from,
                        valid_to: None,
                    });
                    leads_by_icb.entry(icb.clone()).or_default().push(id);
                }
            }
        }
        self.other_pharmacists = pool.collect();

        // Every programme but the last has a clinical lead, so that "programmes without a clinical lead"
        // always has an answer; about half also have an education lead.
        let programmes: Vec<(Uuid, String, NaiveDate)> = self
            .programmes
            .iter()
            .map(|programme| (programme.id, programme.current_icb.clone(), programme.intakes[0]))
            .collect();
        let last = programmes.len().saturating_sub(1);
        for (index, (programme, icb, first_intake)) in programmes.into_iter().enumerate() {
            let Some(leads) = leads_by_icb.get(&icb).filter(|leads| !leads.is_empty()).cloned() else { continue };
            let valid_from = first_intake - chrono::Duration::days(180);
            if index != last {
                let lead = self.pick(&leads);
                self.add_programme_lead(programme, lead, ProgrammeLeadRole::Clinical, valid_from);
            }
            if self.chance(0.5) {
                let lead = self.pick(&leads);
                self.add_programme_lead(programme, lead, ProgrammeLeadRole::Education, valid_from);
            }
        }
    }

    fn add_programme_lead(&mut self, programme: Uuid, lead: Uuid, role: ProgrammeLeadRole, valid_from: NaiveDate) {
        let id = self.random_id();
        self.network.programme_leads.push(programme_lead::Model {
            id,
            programme_id: programme,
            consultant_lead_id: lead,
            role,
            valid_from,
            valid_to: None,
        });
    }

    fn add_medicines_role(
        &mut self,
        icb: &str,
        role: MedicinesRole,
        valid_from: NaiveDate,
        valid_to: Option<NaiveDate>,
    ) {
        let (given, family) = self.person_name();
        let pharmacist_id = (role != MedicinesRole::BoardMedicinesLead).then(|| self.other_pharmacists.pop()).flatten();
        let id = self.random_id();
        self.network.medicines_roles.push(icb_medicines_role::Model {
            version: 1,
            id,
            icb_id: organisation_id(icb),
            role,
            holder_name: format!("{given} {family}"),
            pharmacist_id,
            valid_from,
            valid_to,
        });
    }

    /// Medicines leadership of every ICB of the network and of the ICBs they took over, and two
    /// medicines-optimisation teams each. Every fifth ICB (from the third) has no board-level lead.
    fn build_medicines_leadership(&mut self, icbs: &[String]) {
        let last_former_day = MERGER_DATE.pred_opt().unwrap_or(MERGER_DATE);
        let mut formers_done = std::collections::HashSet::new();
        for (index, current) in icbs.iter().enumerate() {
            let histories = self.histories_of(current);
            let from =
                if histories.iter().any(|history| history.former == *current) { ICB_ERA_START } else { MERGER_DATE };
            for history in histories.iter().filter(|history| history.former != *current) {
                if !formers_done.insert(history.former.clone()) {
                    continue;
                }
                self.add_medicines_role(
                    &history.former,
                    MedicinesRole::ChiefPharmacist,
                    ICB_ERA_START,
                    Some(last_former_day),
                );
            }
            if index % 5 != 2 {
                self.add_medicines_role(current, MedicinesRole::BoardMedicinesLead, from, None);
            }
            self.add_medicines_role(current, MedicinesRole::ChiefPharmacist, from, None);
            if self.chance(0.5) {
                self.add_medicines_role(current, MedicinesRole::DirectorOfMedicinesOptimisation, from, None);
            }
            if self.chance(0.6) {
                self.add_medicines_role(current, MedicinesRole::PharmacyWorkforceLead, from, None);
            }
            for (name, focus, wte) in [
                ("Medicines Optimisation Team", "Population health and prescribing quality", 12.4),
                ("High-Cost Drugs Team", "High-cost drugs and biosimilars", 4.6),
            ] {
                let id = self.random_id();
                self.network.medicines_teams.push(medicines_optimisation_team::Model {
                    version: 1,
                    id,
                    icb_id: organisation_id(current),
                    name: name.to_owned(),
                    focus: Some(focus.to_owned()),
                    wte: Some(wte),
                    established_on: from,
                    disbanded_on: None,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_splits_exactly() {
        assert_eq!(apportion(10, 3), vec![4, 3, 3]);
        assert_eq!(apportion(10, 3).iter().sum::<usize>(), 10);
    }
}
