//! Custom scalars: values are validated when the request is parsed, before any resolver or SQL runs.

use crate::domain::OdsCode;
use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// A calendar date in ISO 8601 form, `YYYY-MM-DD` (for example `2026-04-01`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date in ISO 8601 form, `YYYY-MM-DD` (for example `2026-04-01`).
#[Scalar(name = "Date", specified_by_url = "https://www.iso.org/iso-8601-date-and-time-format.html")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            // chrono alone would also take `2026-1-1` or `26-01-01`: the shape is checked first.
            Value::String(text) if is_iso_date_shape(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Self)
                .map_err(|_| InputValueError::custom("is not a date in the form YYYY-MM-DD")),
            Value::String(_) => Err(InputValueError::custom("is not a date in the form YYYY-MM-DD")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    /// Checked during validation, so a bad date in a variable is a request error, like a wrong type.
    fn is_valid(value: &Value) -> bool {
        Self::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// Whether `text` is ten characters `DDDD-DD-DD`.
fn is_iso_date_shape(text: &str) -> bool {
    text.len() == 10
        && text.bytes().enumerate().all(|(index, byte)| match index {
            4 | 7 => byte == b'-',
            _ => byte.is_ascii_digit(),
        })
}

/// An ODS organisation code in one of the published formats (for example `QMM`, `T6Y0W`, `RGN`, `U59980`,
/// `F81749`, `FW844`). Letters are upper-cased and surrounding spaces ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OdsCodeScalar(pub OdsCode);

/// An ODS organisation code in one of the published formats (for example `QMM`, `T6Y0W`, `RGN`, `U59980`,
/// `F81749`, `FW844`). Letters are upper-cased and surrounding spaces ignored.
#[Scalar(name = "OdsCode", specified_by_url = "https://digital.nhs.uk/services/organisation-data-service")]
impl ScalarType for OdsCodeScalar {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(text) => OdsCode::parse(text)
                .map(Self)
                .map_err(|_| InputValueError::custom("is not an ODS code in any published format")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    /// Checked during validation, so a bad code in a variable is a request error, like a wrong type.
    fn is_valid(value: &Value) -> bool {
        Self::parse(value.clone()).is_ok()
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}
