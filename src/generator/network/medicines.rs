//! Medicines optimisation across the system, synthetic: consultant leads' time across the RPS pillars
//! and their change-management training, teams' work mix, patient pathways and service redesigns.

use super::{Builder, MERGER_DATE, SNAPSHOT_DATE, add_months, date};
use chrono::NaiveDate;
use entity::enums::{
    CredentialKind, CredentialStatus, PathwayStatus, RedesignStatus, Sector, Specialism, TeamInvolvement, WorkKind,
};
use entity::{
    consultant_pillar_share, credential, pathway_icb, pathway_participant, pathway_sector, patient_pathway,
    service_redesign, service_redesign_sector, team_work_kind, team_work_mix,
};
use rand::Rng;
use std::collections::HashSet;
use uuid::Uuid;

/// Pathways recorded per ICB of today.
const PATHWAYS_PER_ICB: usize = 5;
/// Service redesigns per ICB of today.
const REDESIGNS_PER_ICB: usize = 6;

const REDESIGN_TITLES: [&str; 12] = [
    "Anticoagulation service",
    "Discharge medicines service",
    "Care home medicines reviews",
    "Respiratory inhaler switch",
    "Hypertension case finding",
    "Polypharmacy in frailty",
    "Antimicrobial prescribing in urgent care",
    "Mental health medicines in primary care",
    "Lipid management",
    "Pain and opioid deprescribing",
    "Diabetes medicines optimisation",
    "Heart failure titration clinics",
];

const WORK_KINDS: [WorkKind; 10] = [
    WorkKind::PrescribingQuality,
    WorkKind::CareHomeReviews,
    WorkKind::Formulary,
    WorkKind::PathwayRedesign,
    WorkKind::HighCostDrugs,
    WorkKind::PopulationHealth,
    WorkKind::AntimicrobialStewardship,
    WorkKind::MedicinesSafety,
    WorkKind::WorkforceDevelopment,
    WorkKind::Other,
];

const SECTORS: [Sector; 3] = [Sector::GeneralPractice, Sector::CommunityPharmacy, Sector::SecondaryCare];

const TEAM_STAGES: [TeamInvolvement; 7] = [
    TeamInvolvement::FromTheStart,
    TeamInvolvement::FromTheStart,
    TeamInvolvement::Design,
    TeamInvolvement::Design,
    TeamInvolvement::Implementation,
    TeamInvolvement::Implementation,
    TeamInvolvement::NotInvolved,
];

impl Builder<'_> {
    /// Everything the medicines-optimisation reports read, for every ICB of the network.
    pub(super) fn build_medicines_optimisation(&mut self, icbs: &[String]) {
        self.build_pillar_shares_and_training();
        self.build_work_mix();
        for icb in icbs {
            self.build_pathways(icb);
            self.build_redesigns(icb);
        }
    }

    /// Two or three of `items`, without repeats.
    fn some_of<T: Copy + PartialEq>(&mut self, items: &[T], most: usize) -> Vec<T> {
        let count = self.rng.random_range(1..=most.min(items.len()));
        let mut chosen = Vec::new();
        while chosen.len() < count {
            let item = self.pick(items);
            if !chosen.contains(&item) {
                chosen.push(item);
            }
        }
        chosen
    }

    /// Each consultant lead's time across the four pillars (a second split for some), and
    /// change-management training for most.
    fn build_pillar_shares_and_training(&mut self) {
        let leads = self.network.consultant_leads.clone();
        for lead in leads {
            let mut from = lead.valid_from;
            let splits = if self.chance(0.4) { 2 } else { 1 };
            for split in 0..splits {
                let clinical = self.rng.random_range(35..=50);
                let leadership = self.rng.random_range(10..=25);
                let education = self.rng.random_range(10..=20);
                let next = (split + 1 < splits).then(|| self.day_between(add_months(from, 6), date(2026, 6, 1)));
                let id = self.random_id();
                self.network.pillar_shares.push(consultant_pillar_share::Model {
                    id,
                    consultant_lead_id: lead.id,
                    valid_from: from,
                    valid_to: next.map(|next| next.pred_opt().unwrap_or(next)),
                    clinical_practice_percent: clinical,
                    leadership_percent: leadership,
                    education_percent: education,
                    research_percent: 100 - clinical - leadership - education,
                    version: 1,
                });
                if let Some(next) = next {
                    from = next;
                }
            }
            let training = self.rng.random_range(0..20);
            if training < 14 {
                let started = self.day_between(lead.valid_from, date(2026, 3, 1));
                let (status, awarded, progress) = if training < 10 {
                    let awarded = add_months(started, 6).min(SNAPSHOT_DATE);
                    (CredentialStatus::Awarded, Some(awarded), Some(100))
                } else {
                    (CredentialStatus::InProgress, None, Some(self.rng.random_range(10..90)))
                };
                let id = self.random_id();
                self.network.credentials.push(credential::Model {
                    version: 1,
                    id,
                    pharmacist_id: lead.pharmacist_id,
                    kind: CredentialKind::ChangeManagement,
                    status,
                    started_on: Some(started),
                    expected_completion_on: Some(add_months(started, 6)),
                    awarded_on: awarded,
                    progress_percent: progress,
                });
            }
        }
    }

    /// Each team's split between operational and transformational work, moving towards transformation
    /// for some from April 2025.
    fn build_work_mix(&mut self) {
        let teams = self.network.medicines_teams.clone();
        let shift = date(2025, 4, 1);
        for team in teams {
            let wte = team.wte.unwrap_or(1.0);
            let mut periods = vec![(team.established_on, self.rng.random_range(10..=35))];
            if team.established_on < shift && self.chance(0.5) {
                periods.push((shift, self.rng.random_range(30..=55)));
            }
            for (index, (from, transformational_percent)) in periods.iter().enumerate() {
                let to = periods.get(index + 1).map(|(next, _)| next.pred_opt().unwrap_or(*next));
                let transformational = (wte * f64::from(*transformational_percent) / 10.0).round() / 10.0;
                let id = self.random_id();
                self.network.work_mixes.push(team_work_mix::Model {
                    id,
                    team_id: team.id,
                    valid_from: *from,
                    valid_to: to,
                    operational_wte: ((wte - transformational) * 10.0).round() / 10.0,
                    transformational_wte: transformational,
                    version: 1,
                });
                for kind in self.some_of(&WORK_KINDS, 4) {
                    self.network.work_kinds.push(team_work_kind::Model { work_mix_id: id, kind });
                }
            }
        }
    }

    /// Patient pathways recorded by `current` (by its predecessor, for those that started before the
    /// mergers), spanning it and now and then a neighbour, with trusts, PCNs and pharmacies taking part;
    /// most led by a consultant lead of its trusts.
    fn build_pathways(&mut self, current: &str) {
        let Some(hosts) = self.hosts.get(current) else { return };
        let organisations: Vec<Uuid> =
            hosts.trusts.iter().chain(&hosts.pcns).chain(&hosts.community_pharmacy).copied().collect();
        let trusts: HashSet<Uuid> = hosts.trusts.iter().copied().collect();
        let leads: Vec<(Uuid, Specialism, NaiveDate)> = self
            .network
            .consultant_leads
            .iter()
            .filter(|lead| trusts.contains(&lead.trust_id))
            .map(|lead| (lead.id, lead.specialism, lead.valid_from))
            .collect();
        let mut neighbours: Vec<String> = self.hosts.keys().filter(|icb| icb.as_str() != current).cloned().collect();
        // In a fixed order, so that the same seed gives the same rows.
        neighbours.sort();
        for _ in 0..PATHWAYS_PER_ICB {
            let start_on = self.day_between(date(2023, 1, 1), date(2027, 1, 31));
            let Some(home) = organisations
                .first()
                .and_then(|first| self.histories.get(first))
                .map(|history| history.icb_at(start_on).to_owned())
            else {
                return;
            };
            let mut spanned = vec![home.clone()];
            if self.chance(0.2) && !neighbours.is_empty() {
                let neighbour = neighbours[self.rng.random_range(0..neighbours.len())].clone();
                if let Some(history) = self
                    .hosts
                    .get(&neighbour)
                    .and_then(|hosts| hosts.trusts.first())
                    .and_then(|trust| self.histories.get(trust))
                {
                    let icb = history.icb_at(start_on).to_owned();
                    if !spanned.contains(&icb) {
                        spanned.push(icb);
                    }
                }
            }
            let lead = (!leads.is_empty() && self.chance(0.75)).then(|| leads[self.rng.random_range(0..leads.len())]);
            let specialism = lead.map_or_else(
                || self.pick(&[Specialism::Frailty, Specialism::Respiratory, Specialism::Cardiology]),
                |lead| lead.1,
            );
            let specialism = if specialism == Specialism::Other { Specialism::PrimaryCare } else { specialism };
            let (status, end_on) = if start_on > SNAPSHOT_DATE {
                (PathwayStatus::Planned, None)
            } else {
                match self.rng.random_range(0..10) {
                    0 => (PathwayStatus::Paused, None),
                    1 if start_on < date(2025, 6, 1) => {
                        (PathwayStatus::Closed, Some(self.day_between(add_months(start_on, 6), date(2026, 9, 30))))
                    }
                    _ => (PathwayStatus::Active, None),
                }
            };
            // A lead must be in post at some time while the pathway runs.
            let lead = lead.filter(|lead| end_on.is_none_or(|end| lead.2 <= end)).map(|lead| lead.0);
            let id = self.random_id();
            let owner = if start_on < MERGER_DATE { home.clone() } else { current.to_owned() };
            self.network.pathways.push(patient_pathway::Model {
                id,
                owner_icb_id: crate::reference::organisation_id(&owner),
                name: format!("{} pathway {}", specialism_words(specialism), self.network.pathways.len() + 1),
                specialism,
                specialism_detail: None,
                status,
                start_on,
                end_on,
                consultant_lead_id: lead,
                version: 1,
            });
            for icb in &spanned {
                let icb_id = crate::reference::organisation_id(icb);
                self.network.pathway_icbs.push(pathway_icb::Model { pathway_id: id, icb_id });
            }
            for sector in self.some_of(&SECTORS, 3) {
                self.network.pathway_sectors.push(pathway_sector::Model { pathway_id: id, sector });
            }
            let mut taking_part = HashSet::new();
            for _ in 0..self.rng.random_range(2..=5) {
                let organisation = organisations[self.rng.random_range(0..organisations.len())];
                let inside = self
                    .histories
                    .get(&organisation)
                    .is_some_and(|history| spanned.iter().any(|icb| icb == history.icb_at(start_on)));
                if inside && taking_part.insert(organisation) {
                    self.network
                        .pathway_participants
                        .push(pathway_participant::Model { pathway_id: id, organisation_id: organisation });
                }
            }
        }
    }

    /// Service redesigns of `current` (of its predecessor, for those that started before the mergers),
    /// some of them of its pathways.
    fn build_redesigns(&mut self, current: &str) {
        let Some(first) = self.hosts.get(current).and_then(|hosts| hosts.trusts.first().copied()) else { return };
        for _ in 0..REDESIGNS_PER_ICB {
            let start_on = self.day_between(date(2023, 1, 1), date(2027, 1, 31));
            let Some(icb) = self.histories.get(&first).map(|history| history.icb_at(start_on).to_owned()) else {
                return;
            };
            let icb_id = crate::reference::organisation_id(&icb);
            let spanning: Vec<Uuid> = self
                .network
                .pathway_icbs
                .iter()
                .filter(|span| span.icb_id == icb_id)
                .map(|span| span.pathway_id)
                .collect();
            let pathway =
                (!spanning.is_empty() && self.chance(0.4)).then(|| spanning[self.rng.random_range(0..spanning.len())]);
            let status = if start_on > SNAPSHOT_DATE {
                RedesignStatus::Planned
            } else {
                match self.rng.random_range(0..10) {
                    0 => RedesignStatus::Stopped,
                    1..=4 if start_on < date(2025, 9, 1) => RedesignStatus::Completed,
                    _ => RedesignStatus::InProgress,
                }
            };
            let title = format!("{} redesign", self.pick(&REDESIGN_TITLES));
            let (team_joined_at, social_care_involved) = (self.pick(&TEAM_STAGES), self.chance(0.35));
            let id = self.random_id();
            self.network.redesigns.push(service_redesign::Model {
                id,
                icb_id,
                title,
                pathway_id: pathway,
                start_on,
                status,
                team_joined_at,
                social_care_involved,
                version: 1,
            });
            for sector in self.some_of(&SECTORS, 3) {
                self.network.redesign_sectors.push(service_redesign_sector::Model { redesign_id: id, sector });
            }
        }
    }
}

/// A specialism in words, for pathway names.
fn specialism_words(specialism: Specialism) -> &'static str {
    match specialism {
        Specialism::Antimicrobials => "Antimicrobial stewardship",
        Specialism::Cardiology => "Heart failure",
        Specialism::CriticalCare => "Critical care step-down",
        Specialism::Frailty => "Frailty and falls",
        Specialism::MentalHealth => "Severe mental illness physical health",
        Specialism::Oncology => "Oral anticancer medicines",
        Specialism::Paediatrics => "Children's asthma",
        Specialism::PrimaryCare => "Polypharmacy",
        Specialism::Respiratory => "COPD",
        Specialism::Other => "Medicines",
    }
}
