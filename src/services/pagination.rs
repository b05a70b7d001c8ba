//! Offset windows over ordered, filtered selections: the service half of Relay connections.

use crate::error::AppError;
use sea_orm::{ConnectionTrait, EntityTrait, PaginatorTrait, QuerySelect, Select};

/// Page size when the caller gives neither `first` nor `last`.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// The largest page a caller may ask for; larger `first`/`last` values are capped to it.
pub const MAX_PAGE_SIZE: u64 = 100;

/// Which slice of an ordered list to return, in Relay terms (offsets rather than cursors).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Window {
    /// Return rows after this offset.
    pub after: Option<u64>,
    /// Return rows before this offset.
    pub before: Option<u64>,
    /// At most this many rows from the start of the slice.
    pub first: Option<u64>,
    /// At most this many rows from the end of the slice.
    pub last: Option<u64>,
}

impl Window {
    /// The `[start, end)` offsets of the page within a list of `total` rows.
    pub fn bounds(&self, total: u64) -> (u64, u64) {
        let mut start = self.after.map_or(0, |after| after.saturating_add(1)).min(total);
        let mut end = self.before.unwrap_or(total).min(total).max(start);
        let first = self.first.map(|first| first.min(MAX_PAGE_SIZE));
        let last = self.last.map(|last| last.min(MAX_PAGE_SIZE));
        if let Some(first) = first {
            end = end.min(start + first);
        }
        if let Some(last) = last {
            start = start.max(end.saturating_sub(last));
        }
        if first.is_none() && last.is_none() {
            end = end.min(start + DEFAULT_PAGE_SIZE);
        }
        (start, end)
    }
}

/// One page of a list.
#[derive(Clone, Debug)]
pub struct Page<M> {
    pub rows: Vec<M>,
    /// Offset of the first row.
    pub start: u64,
    /// Rows in the whole list.
    pub total: u64,
}

/// Counts the selection and fetches the window of it: two statements whatever the sizes.
pub async fn page<C, E>(db: &C, select: Select<E>, window: Window) -> Result<Page<E::Model>, AppError>
where
    C: ConnectionTrait,
    E: EntityTrait,
    E::Model: Sync,
{
    let total = select.clone().count(db).await?;
    let (start, end) = window.bounds(total);
    let rows = if end > start { select.offset(start).limit(end - start).all(db).await? } else { Vec::new() };
    Ok(Page { rows, start, total })
}

#[cfg(test)]
mod tests {
    use super::Window;

    fn window(after: Option<u64>, before: Option<u64>, first: Option<u64>, last: Option<u64>) -> Window {
        Window { after, before, first, last }
    }

    #[test]
    fn windows_follow_the_relay_algorithm_with_a_default_and_a_cap() {
        assert_eq!(window(None, None, None, None).bounds(50), (0, 20));
        assert_eq!(window(None, None, Some(5), None).bounds(50), (0, 5));
        assert_eq!(window(Some(4), None, Some(5), None).bounds(50), (5, 10));
        assert_eq!(window(None, None, None, Some(5)).bounds(50), (45, 50));
        assert_eq!(window(None, Some(10), None, Some(3)).bounds(50), (7, 10));
        assert_eq!(window(Some(2), Some(10), None, None).bounds(50), (3, 10));
        assert_eq!(window(None, None, Some(1000), None).bounds(500), (0, 100));
        assert_eq!(window(Some(60), None, Some(5), None).bounds(50), (50, 50));
        assert_eq!(window(None, None, Some(0), None).bounds(50), (0, 0));
        assert_eq!(window(None, None, Some(5), None).bounds(0), (0, 0));
    }
}
