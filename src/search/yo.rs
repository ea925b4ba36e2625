//! Folds «ё» into «е» in search terms: Russian texts and readers use both
//! spellings of the same word («счёт», «счет»), and the stemmer treats them as
//! different letters. Runs after lower-casing.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

#[derive(Clone)]
pub struct YoFolding;

impl TokenFilter for YoFolding {
    type Tokenizer<T: Tokenizer> = YoFoldingFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> Self::Tokenizer<T> {
        YoFoldingFilter { tokenizer }
    }
}

#[derive(Clone)]
pub struct YoFoldingFilter<T> {
    tokenizer: T,
}

impl<T: Tokenizer> Tokenizer for YoFoldingFilter<T> {
    type TokenStream<'a> = YoFoldingStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        YoFoldingStream {
            tail: self.tokenizer.token_stream(text),
        }
    }
}

pub struct YoFoldingStream<T> {
    tail: T,
}

impl<T: TokenStream> TokenStream for YoFoldingStream<T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let text = &mut self.tail.token_mut().text;
        if text.contains('ё') {
            *text = text.replace('ё', "е");
        }
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}
