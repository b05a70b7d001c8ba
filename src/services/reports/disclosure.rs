//! Disclosure control of the figures shown to readers who could not count them from their lists.

use crate::services::access::{RecordScope, Scope};

/// A count, or suppressed (below the threshold for a reader who could not count it from its lists).
pub type Count = Option<u64>;

/// Disclosure control for readers who could not count a figure from the lists they are given (anonymous
/// callers for every figure, and `reporter` for figures from people's credentials), in the style of NHS Digital's published statistics: a count below the threshold is suppressed, every
/// other count is rounded to the nearest multiple of the rounding base (5 by default; halves up), and
/// every figure derived from counts (totals, rates, shares) is computed from the rounded counts. So two
/// answers over overlapping ranges differ by a multiple of the base, and their difference never states
/// a small number exactly. What it does not promise: repeated queries can still bound a count (a rounded
/// 10 means 8 to 12); places offered and dates are published as they are.
#[derive(Clone, Copy, Debug)]
pub struct Suppression {
    /// The threshold for figures over the records and roles the reader lists (none for every reader with
    /// a role: they list them; anonymous callers list none).
    threshold: Option<u64>,
    rounding: u64,
    /// The threshold for figures over people's credentials (none for readers with access to personal
    /// data, the only readers who list them).
    credentials_threshold: Option<u64>,
}

impl Suppression {
    /// The disclosure control `scope` calls for, as [`Counted`] decides it: counts below `threshold`
    /// suppressed, the rest rounded to multiples of `rounding` (1: not rounded), for the figures the reader
    /// could not count from its lists; every other figure exact.
    pub fn for_scope(scope: &Scope, threshold: u64, rounding: u64) -> Self {
        Self {
            threshold: (scope.records == RecordScope::Public).then_some(threshold),
            rounding: rounding.max(1),
            credentials_threshold: (!scope.personal_data).then_some(threshold),
        }
    }

    /// A measure derived from records (WTE summed, pharmacist-months), as published with the `count` of
    /// those records: suppressed with it, and under disclosure control rounded like a count (so it
    /// cannot give the exact count back, nor a suppressed one by subtraction); otherwise to 2 places.
    pub fn measure(&self, value: f64, count: Count) -> Option<f64> {
        count?;
        Some(match self.threshold {
            Some(_) => {
                let base = self.rounding as f64;
                (value / base).round() * base
            }
            None => (value * 100.0).round() / 100.0,
        })
    }

    /// `value` as published: `None` if it must be suppressed, otherwise rounded.
    pub fn count(&self, value: u64) -> Count {
        match self.threshold {
            None => Some(value),
            Some(threshold) if value < threshold => None,
            Some(_) => Some((value + self.rounding / 2) / self.rounding * self.rounding),
        }
    }
}

/// What a figure counts, for disclosure control. Suppression protects only what the reader could not
/// count from the lists they are given: a figure the lists give exactly is published exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    /// People's records: pharmacists, programme memberships and placements. Every reader with a role lists
    /// them (a `reporter` without names or GPhC numbers, but with every field the reports group and count
    /// by), so counts of them are exact to those readers; anonymous callers list none, and keep the
    /// disclosure control.
    People,
    /// Roles and posts, not people's records: consultant-pharmacist leads (a post at a trust) and
    /// vacancies. `consultantLeads` and `vacancies` list them to every reader with a role, as the records
    /// above.
    RolesAndPosts,
    /// People's credentials, a person's education record: listed only to readers with access to personal
    /// data, so disclosure-controlled for every other reader (`reporter` included).
    Credentials,
}

impl Suppression {
    /// The disclosure control of a figure that counts `counted`. The figures of [`Suppression::for_scope`]
    /// count people's records, roles or posts; only credentials are controlled more widely.
    pub fn of(self, counted: Counted) -> Self {
        match counted {
            Counted::People | Counted::RolesAndPosts => self,
            Counted::Credentials => Self { threshold: self.credentials_threshold, ..self },
        }
    }
}

/// `part ÷ whole`, or `None` if either is suppressed or the whole is zero.
pub(super) fn share(part: Count, whole: Option<u64>) -> Option<f64> {
    match (part, whole) {
        (Some(part), Some(whole)) if whole > 0 => Some(part as f64 / whole as f64),
        _ => None,
    }
}

/// Suppresses the parts of a total so that no suppressed part can be recovered by subtraction: while the
/// suppressed parts add up to less than the threshold, the smallest part still shown is suppressed too.
pub(super) fn suppress_parts(suppression: Suppression, parts: &[u64]) -> Vec<Count> {
    let mut shown: Vec<Count> = parts.iter().map(|part| suppression.count(*part)).collect();
    let Some(threshold) = suppression.threshold else { return shown };
    loop {
        let hidden: Vec<usize> = (0..parts.len()).filter(|index| shown[*index].is_none()).collect();
        let hidden_sum: u64 = hidden.iter().map(|index| parts[*index]).sum();
        if hidden.is_empty() || hidden_sum >= threshold || hidden.len() == parts.len() {
            return shown;
        }
        let Some(next) = (0..parts.len()).filter(|index| shown[*index].is_some()).min_by_key(|index| parts[*index])
        else {
            return shown;
        };
        shown[next] = None;
    }
}

#[cfg(test)]
mod tests {
    use super::{Suppression, suppress_parts};

    #[test]
    fn a_suppressed_part_is_never_alone_below_the_threshold() {
        let suppression = Suppression { threshold: Some(5), rounding: 1, credentials_threshold: Some(5) };
        assert_eq!(suppress_parts(suppression, &[12, 3, 9, 7]), [Some(12), None, Some(9), None]);
        assert_eq!(suppress_parts(suppression, &[12, 3, 2, 7]), [Some(12), None, None, Some(7)]);
        assert_eq!(suppress_parts(suppression, &[12, 1, 2, 7]), [Some(12), None, None, None]);
        assert_eq!(suppress_parts(suppression, &[12, 6, 9, 7]), [Some(12), Some(6), Some(9), Some(7)]);
        assert_eq!(suppress_parts(suppression, &[1, 2]), [None, None]);
        assert_eq!(
            suppress_parts(Suppression { threshold: None, rounding: 5, credentials_threshold: None }, &[1, 2]),
            [Some(1), Some(2)]
        );
    }
}
