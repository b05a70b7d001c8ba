use crate::error::AppError;
use entity::enums::OrganisationKind;
use regex::Regex;
use std::{fmt, sync::LazyLock};

/// The ODS code formats of each organisation kind (regexes for upper-case input), as published by NHS
/// England's Organisation Data Service. The database holds the same rules as CHECK constraints.
const FORMATS: [(OrganisationKind, &str); 9] = [
    (OrganisationKind::Region, r"^Y[0-9]{2}$"),
    (OrganisationKind::Icb, r"^Q[A-Z0-9]{2}$"),
    (OrganisationKind::Icb, r"^[A-Z][0-9][A-Z][0-9][A-Z]$"),
    (OrganisationKind::SubIcbLocation, r"^[0-9]{2}[A-Z0-9]$"),
    (OrganisationKind::NhsTrust, r"^[RT][A-Z0-9]{2}$"),
    (OrganisationKind::TrustSite, r"^[RT][A-Z0-9]{4}$"),
    (OrganisationKind::Pcn, r"^U[0-9]{5}$"),
    (OrganisationKind::GpPractice, r"^[A-Z][0-9]{5}$"),
    (OrganisationKind::CommunityPharmacy, r"^F[A-Z0-9]{4}$"),
];

/// The ranges rotagraph reserves for synthetic organisations (see the README). Each lies inside the real
/// format of its kind, so synthetic data passes every check, but is recognisable at a glance.
const SYNTHETIC: [(OrganisationKind, &str); 6] = [
    (OrganisationKind::SubIcbLocation, r"^[0-9]{2}Z$"),
    (OrganisationKind::NhsTrust, r"^T[0-9][A-Z0-9]$"),
    (OrganisationKind::TrustSite, r"^T[0-9][A-Z0-9][0-9]{2}$"),
    (OrganisationKind::Pcn, r"^U0[0-9]{4}$"),
    (OrganisationKind::GpPractice, r"^Z[0-9]{5}$"),
    (OrganisationKind::CommunityPharmacy, r"^FZ[A-Z0-9]{3}$"),
];

fn compile(table: &[(OrganisationKind, &str)]) -> Vec<(OrganisationKind, Regex)> {
    table
        .iter()
        .map(|(kind, pattern)| (*kind, Regex::new(pattern).unwrap_or_else(|_| unreachable!("constant regex"))))
        .collect()
}

static FORMAT_REGEXES: LazyLock<Vec<(OrganisationKind, Regex)>> = LazyLock::new(|| compile(&FORMATS));
static SYNTHETIC_REGEXES: LazyLock<Vec<(OrganisationKind, Regex)>> = LazyLock::new(|| compile(&SYNTHETIC));

/// An ODS organisation code in one of the published formats, stored upper-case.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OdsCode(String);

impl OdsCode {
    /// Parses a code of any organisation kind. Surrounding spaces are ignored and letters are upper-cased.
    pub fn parse(input: &str) -> Result<Self, AppError> {
        let code = input.trim().to_ascii_uppercase();
        if Self::kinds_of(&code).next().is_some() {
            Ok(Self(code))
        } else {
            Err(AppError::invalid("odsCode", "is not an ODS code in any published format"))
        }
    }

    /// Parses a code that must be in the format of `kind`.
    pub fn parse_for(kind: OrganisationKind, input: &str) -> Result<Self, AppError> {
        let code = Self::parse(input)?;
        if code.fits(kind) {
            Ok(code)
        } else {
            Err(AppError::invalid("odsCode", format!("is not in the ODS format of {}", kind_label(kind))))
        }
    }

    fn kinds_of(code: &str) -> impl Iterator<Item = OrganisationKind> + '_ {
        FORMAT_REGEXES.iter().filter(move |(_, regex)| regex.is_match(code)).map(|(kind, _)| *kind)
    }

    /// Whether the code is in the format of `kind`. Formats overlap (a 5-character code can be a 2026 ICB,
    /// a trust site or a pharmacy), so a code alone does not always tell its kind.
    pub fn fits(&self, kind: OrganisationKind) -> bool {
        Self::kinds_of(&self.0).any(|fitting| fitting == kind)
    }

    /// Whether the code lies in rotagraph's reserved synthetic range for `kind`.
    pub fn is_synthetic(&self, kind: OrganisationKind) -> bool {
        SYNTHETIC_REGEXES.iter().any(|(synthetic_kind, regex)| *synthetic_kind == kind && regex.is_match(&self.0))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OdsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A readable name of an organisation kind for messages.
pub fn kind_label(kind: OrganisationKind) -> &'static str {
    match kind {
        OrganisationKind::Region => "an NHS England region",
        OrganisationKind::Icb => "an ICB",
        OrganisationKind::SubIcbLocation => "a sub-ICB location",
        OrganisationKind::NhsTrust => "an NHS trust",
        OrganisationKind::TrustSite => "a trust site",
        OrganisationKind::Pcn => "a PCN",
        OrganisationKind::GpPractice => "a GP practice",
        OrganisationKind::CommunityPharmacy => "a community pharmacy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_codes_of_every_kind_parse_for_their_kind() {
        let examples = [
            (OrganisationKind::Region, "Y61"),
            (OrganisationKind::Icb, "QMM"),
            (OrganisationKind::Icb, "T6Y0W"),
            (OrganisationKind::SubIcbLocation, "26A"),
            (OrganisationKind::NhsTrust, "RGN"),
            (OrganisationKind::TrustSite, "RAA01"),
            (OrganisationKind::Pcn, "U59980"),
            (OrganisationKind::GpPractice, "F81749"),
            (OrganisationKind::CommunityPharmacy, "FW844"),
        ];
        for (kind, code) in examples {
            assert!(OdsCode::parse_for(kind, code).is_ok(), "{code} should be {kind:?}");
            assert!(!OdsCode::parse_for(kind, code).is_ok_and(|c| c.is_synthetic(kind)), "{code} is real");
        }
    }

    #[test]
    fn codes_are_trimmed_and_upper_cased() {
        assert_eq!(OdsCode::parse(" qmm ").map(|c| c.to_string()).ok(), Some("QMM".to_owned()));
    }

    #[test]
    fn badly_formatted_codes_are_rejected() {
        for bad in ["", "Q", "QMMM", "Q-M", "12345678", "Y5", "U5998", "F817", "QMM; DROP TABLE organisation"] {
            assert!(OdsCode::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(OdsCode::parse_for(OrganisationKind::CommunityPharmacy, "F81749").is_err());
        assert!(OdsCode::parse_for(OrganisationKind::GpPractice, "FW844").is_err());
    }

    #[test]
    fn synthetic_ranges_sit_inside_the_real_formats() {
        let examples = [
            (OrganisationKind::SubIcbLocation, "07Z"),
            (OrganisationKind::NhsTrust, "T0A"),
            (OrganisationKind::TrustSite, "T0A01"),
            (OrganisationKind::Pcn, "U00001"),
            (OrganisationKind::GpPractice, "Z00001"),
            (OrganisationKind::CommunityPharmacy, "FZ001"),
        ];
        for (kind, code) in examples {
            let parsed = OdsCode::parse_for(kind, code);
            assert!(parsed.as_ref().is_ok_and(|c| c.is_synthetic(kind)), "{code}");
        }
    }
}
