//! Text as people see it.

/// Whether `text` holds a character that shows: not white space, and not a zero-width or other
/// format character.
pub fn has_visible(text: &str) -> bool {
    text.chars().any(is_visible)
}

/// Whether a character shows: not white space, and not a zero-width or other format character.
fn is_visible(character: char) -> bool {
    !character.is_whitespace()
        && !matches!(
            character,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200D}'
                | '\u{2060}'..='\u{2064}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

#[cfg(test)]
mod tests {
    use super::has_visible;

    #[test]
    fn only_spaces_and_zero_width_characters_show_nothing() {
        for text in ["", " ", "\u{200B}", "\u{200B}\u{FEFF} \u{2060}", "\u{3000}", "\u{00AD}\u{180E}"] {
            assert!(!has_visible(text), "{text:?}");
        }
        assert!(has_visible("\u{200B}Ann"));
    }
}
