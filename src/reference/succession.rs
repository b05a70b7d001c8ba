use chrono::NaiveDate;
use entity::enums::SuccessionKind;
use std::collections::BTreeSet;

/// An ICB's validity period (inclusive; `valid_to` null while it exists).
#[derive(Clone, Debug)]
pub struct IcbValidity<K> {
    pub icb: K,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
}

/// One predecessor → successor step.
#[derive(Clone, Debug)]
pub struct SuccessionStep<K> {
    pub predecessor: K,
    pub successor: K,
    pub effective_date: NaiveDate,
    pub kind: SuccessionKind,
}

/// The ICB succession graph, keyed by whatever identifies an ICB to the caller (an ODS code in the
/// generator, a row id in the services). Small (48 ICBs, 16 steps), so it is held in memory.
#[derive(Clone, Debug)]
pub struct SuccessionGraph<K> {
    validities: Vec<IcbValidity<K>>,
    steps: Vec<SuccessionStep<K>>,
}

impl<K: Clone + Ord> SuccessionGraph<K> {
    /// Builds the graph from ICB validities and succession steps.
    pub fn new(validities: Vec<IcbValidity<K>>, steps: Vec<SuccessionStep<K>>) -> Self {
        Self { validities, steps }
    }

    /// Whether `icb` exists on `date`.
    pub fn is_valid(&self, icb: &K, date: NaiveDate) -> bool {
        self.validities.iter().any(|validity| {
            validity.icb == *icb && validity.valid_from <= date && validity.valid_to.is_none_or(|to| to >= date)
        })
    }

    /// The ICBs that carry `icb` on at `date`: the ICB itself while it exists; after a merger its
    /// successor; after a split every successor (a split ICB cannot be rolled up as a whole: resolve each
    /// organisation by its own ICB instead). Empty before the ICB existed.
    pub fn resolve(&self, icb: &K, date: NaiveDate) -> BTreeSet<K> {
        let mut resolved = BTreeSet::new();
        self.resolve_into(icb, date, &mut resolved, 0);
        resolved
    }

    fn resolve_into(&self, icb: &K, date: NaiveDate, resolved: &mut BTreeSet<K>, depth: usize) {
        // Succession chains are short; the depth bound only guards against a cycle in bad data.
        if depth > self.steps.len() {
            return;
        }
        if self.is_valid(icb, date) {
            resolved.insert(icb.clone());
            return;
        }
        for step in self.steps.iter().filter(|step| step.predecessor == *icb && step.effective_date <= date) {
            self.resolve_into(&step.successor, date, resolved, depth + 1);
        }
    }

    /// The single ICB that carries `icb` on at `date`, or `None` where there is none or the ICB was split.
    pub fn resolve_one(&self, icb: &K, date: NaiveDate) -> Option<K> {
        let resolved = self.resolve(icb, date);
        if resolved.len() == 1 { resolved.into_iter().next() } else { None }
    }

    /// The steps into `icb` (its predecessors).
    pub fn predecessors(&self, icb: &K) -> impl Iterator<Item = &SuccessionStep<K>> {
        self.steps.iter().filter(move |step| step.successor == *icb)
    }
}

impl SuccessionGraph<String> {
    /// The graph of the shipped reference data, keyed by ODS code.
    pub fn from_reference(data: &super::ReferenceData) -> Self {
        Self::new(
            data.icbs
                .iter()
                .map(|icb| IcbValidity {
                    icb: icb.ods_code.clone(),
                    valid_from: icb.valid_from,
                    valid_to: icb.valid_to,
                })
                .collect(),
            data.successions
                .iter()
                .map(|row| SuccessionStep {
                    predecessor: row.predecessor_ods_code.clone(),
                    successor: row.successor_ods_code.clone(),
                    effective_date: row.effective_date,
                    kind: row.kind,
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::ReferenceData;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap_or_default()
    }

    fn resolve(icb: &str, on: &str) -> Vec<String> {
        let data = ReferenceData::shipped().ok();
        data.map(|data| SuccessionGraph::from_reference(&data).resolve(&icb.to_owned(), date(on)).into_iter().collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_merged_icb_resolves_to_its_successor_after_the_merger_and_to_itself_before() {
        assert_eq!(resolve("QMM", "2026-06-01"), ["T6Y0W"]);
        assert_eq!(resolve("QMM", "2026-03-31"), ["QMM"]);
    }

    #[test]
    fn a_split_icb_resolves_to_every_successor() {
        assert_eq!(resolve("QJG", "2026-04-01"), ["D7T5G", "T6Y0W"]);
        assert_eq!(resolve("QNQ", "2026-04-01"), ["QRL", "S0E4D", "S9B9J"]);
    }

    #[test]
    fn a_continuing_icb_resolves_to_itself_and_a_new_icb_to_nothing_before_it_existed() {
        assert_eq!(resolve("QRL", "2027-01-01"), ["QRL"]);
        assert!(resolve("T6Y0W", "2025-01-01").is_empty());
    }
}
