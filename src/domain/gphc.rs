use crate::error::AppError;
use std::fmt;

/// A GPhC registration number: exactly 7 digits. Numbers beginning with 9 are rotagraph's reserved
/// synthetic range (see the README).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GphcNumber(String);

impl GphcNumber {
    /// Parses a GPhC number; surrounding spaces are ignored.
    pub fn parse(input: &str) -> Result<Self, AppError> {
        let number = input.trim();
        if number.len() == 7 && number.bytes().all(|byte| byte.is_ascii_digit()) {
            Ok(Self(number.to_owned()))
        } else {
            Err(AppError::invalid("gphcNumber", "is not a GPhC registration number (7 digits)"))
        }
    }

    /// Whether the number lies in the reserved synthetic range.
    pub fn is_synthetic(&self) -> bool {
        self.0.starts_with('9')
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GphcNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seven_digits_parse() {
        let number = GphcNumber::parse(" 2033467 ");
        assert_eq!(number.as_ref().map(GphcNumber::as_str).ok(), Some("2033467"));
        assert!(number.is_ok_and(|n| !n.is_synthetic()));
        assert!(GphcNumber::parse("9000001").is_ok_and(|n| n.is_synthetic()));
    }

    #[test]
    fn anything_else_is_rejected() {
        for bad in ["", "203346", "20334678", "203346A", "２０３３４６７", "2033 467", "-203346"] {
            assert!(GphcNumber::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
