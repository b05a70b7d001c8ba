//! What "today" is. Every default and rule that depends on the date (each `asOf`, "today's successor",
//! a registration date not in the future) reads it from one [`Clock`], chosen when the server starts, so
//! a server, a demonstration or a test can answer as of a fixed day.

use chrono::{NaiveDate, Utc};

/// Where today's date comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Clock {
    /// The calendar day in England (Europe/London).
    #[default]
    System,
    /// This day, whatever the calendar says.
    Fixed(NaiveDate),
}

impl Clock {
    /// A clock fixed at `day`, or the calendar's when `None`.
    pub fn fixed_at(day: Option<NaiveDate>) -> Self {
        day.map_or(Self::System, Self::Fixed)
    }

    /// Today's date by this clock.
    pub fn today(self) -> NaiveDate {
        match self {
            Self::System => Utc::now().with_timezone(&chrono_tz::Europe::London).date_naive(),
            Self::Fixed(day) => day,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Clock;
    use chrono::NaiveDate;

    #[test]
    fn a_fixed_clock_answers_its_day() {
        let day = NaiveDate::from_ymd_opt(2025, 6, 1).expect("date");
        assert_eq!(Clock::fixed_at(Some(day)).today(), day);
        assert_eq!(Clock::fixed_at(None), Clock::System);
    }
}
