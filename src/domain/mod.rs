//! Domain newtypes for constrained values, parsed once at the edge (GraphQL, CSV, CLI) so that the rest of
//! the code can rely on them.

/// GPhC registration numbers.
pub mod gphc;
/// ODS organisation codes and their formats by organisation kind.
pub mod ods;
/// Whether text shows anything.
pub mod text;

pub use gphc::GphcNumber;
pub use ods::OdsCode;
