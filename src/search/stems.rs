//! The stems of a text as the index sees them (split on non-letters,
//! lower-cased, «ё» folded into «е», Russian stemming), for features that
//! match words outside the index: «департаментом строительства» and
//! «департамент строительства» give the same stems.

use std::cell::RefCell;

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

thread_local! {
    // An analyzer keeps a buffer and takes `&mut self`: one per thread,
    // built once, instead of one per call.
    static RUSSIAN: RefCell<TextAnalyzer> =
        RefCell::new(super::schema::russian_up_to(usize::MAX));
}

/// The stems of `text`, in order. Unlike the index, which leaves out
/// words of 40 bytes and more («неудовлетворительный»), every word is
/// kept: a phrase must not skip one.
pub fn stems(text: &str) -> Vec<String> {
    RUSSIAN.with(|a| {
        let mut analyzer = a.borrow_mut();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    })
}

/// The stem of one word (the first stem of `word`, or empty).
pub fn stem(word: &str) -> String {
    stems(word).into_iter().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflected_forms_share_their_stems() {
        assert_eq!(
            stems("Департаментом строительства"),
            stems("департамент строительства")
        );
        assert_eq!(stems("Счёт, счет!"), vec!["счет", "счет"]);
        assert_eq!(stem("Кубани"), stem("Кубань"));
        assert!(stems("").is_empty());
    }
}
