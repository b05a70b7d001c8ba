//! A deterministic synthetic network (fixed seed) for the demo and the benchmarks: organisations under
//! the real ICBs and regions, and programmes, posts, pharmacists and placements, without any real
//! personal data. Synthetic ODS codes and GPhC numbers lie in rotagraph's reserved ranges (see
//! [`crate::domain`] and the README), so they are valid in format but never mistaken for real ones.
//!
//! The same seed and scale always give the same rows, byte for byte, on every machine.

/// Word lists for names.
mod names;
/// Building the network in memory.
mod network;
/// Writing the network to the database.
mod writer;

pub use network::{Network, SNAPSHOT_DATE};
pub use writer::{SeedReport, has_network_data, write};

use crate::error::AppError;
use crate::reference::ReferenceData;
use sea_orm::DatabaseConnection;

/// The seed of every generated network.
pub const SEED: u64 = 20_230_601;

/// How big a network to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// Norfolk and Suffolk (with the STAR programme), Essex and Central East: a few hundred pharmacists.
    Demo,
    /// All 36 current ICBs at roughly national size: 215 trusts, 1,250 PCNs, 6,300 GP practices, 10,400
    /// community pharmacies, 60,000 pharmacists and 200,000 placements between 2022 and 2027.
    England,
}

/// Generates the network of `scale` in memory.
pub fn generate(scale: Scale) -> Result<Network, AppError> {
    generate_times(scale, 1)
}

/// Generates the network of `scale` with every count multiplied by `factor` (for statement-count tests
/// and benchmarks that compare sizes).
pub fn generate_times(scale: Scale, factor: usize) -> Result<Network, AppError> {
    let reference = ReferenceData::shipped()?;
    Ok(network::build(scale, factor.max(1), &reference, SEED))
}

/// Generates the network of `scale` and writes it in one transaction. Refuses (with
/// [`AppError::Conflict`]) when the database already holds a network or workforce data; loads the
/// reference data first if it is missing.
pub async fn seed(db: &DatabaseConnection, scale: Scale) -> Result<SeedReport, AppError> {
    seed_times(db, scale, 1).await
}

/// [`seed`] with every count multiplied by `factor`.
pub async fn seed_times(db: &DatabaseConnection, scale: Scale, factor: usize) -> Result<SeedReport, AppError> {
    crate::reference::load(db).await?;
    if has_network_data(db).await? {
        return Err(AppError::Conflict(
            "the database already holds organisations or workforce data; seed only an empty database".to_owned(),
        ));
    }
    let started = std::time::Instant::now();
    let network = generate_times(scale, factor)?;
    let generated = started.elapsed();
    let mut report = write(db, &network).await?;
    report.generate_time = generated;
    Ok(report)
}
