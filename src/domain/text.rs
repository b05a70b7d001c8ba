//! Text as people see it.

/// Whether `text` holds a character that shows: not white space, and not a zero-width or other
/// format character.
pub fn has_visible(text: &str) -> bool {
    text.chars().any(is_visible)
}

/// Whether `text` can be a name: one line, with no tab and no invisible character that would let two
/// names look the same (zero-width spaces, word joiners, soft hyphens...). Zero-width joiners and
/// variation selectors, which some scripts and emoji need, are allowed.
pub fn is_one_line_name(text: &str) -> bool {
    !text.chars().any(|character| {
        matches!(character, '\t' | '\n' | '\r' | '\u{0085}' | '\u{2028}' | '\u{2029}')
            || (!is_visible(character)
                && !character.is_whitespace()
                && !matches!(character, '\u{200C}' | '\u{200D}' | '\u{FE00}'..='\u{FE0F}'))
    })
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
    use super::{has_visible, is_one_line_name};

    #[test]
    fn only_spaces_and_zero_width_characters_show_nothing() {
        for text in ["", " ", "\u{200B}", "\u{200B}\u{FEFF} \u{2060}", "\u{3000}", "\u{00AD}\u{180E}"] {
            assert!(!has_visible(text), "{text:?}");
        }
        assert!(has_visible("\u{200B}Ann"));
    }

    #[test]
    fn a_name_is_one_line_without_invisible_characters() {
        for name in ["Ada Lovelace", "Siân Jones", "O'Brien-Smith", "नमस्ते", "STAR 2026/27"] {
            assert!(is_one_line_name(name), "{name:?}");
        }
        for name in ["Ada\nLovelace", "Ada\tLovelace", "Ada\u{200B}", "A\u{00AD}da", "Ada\u{2028}", "Ada\u{FEFF}"] {
            assert!(!is_one_line_name(name), "{name:?}");
        }
    }
}
