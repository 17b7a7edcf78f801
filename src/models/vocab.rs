//! Whisper's byte-level BPE vocabulary as whisper.cpp wants it: raw token bytes.
//!
//! CTranslate2 stores tokens in GPT-2's printable form, where every byte is mapped to a
//! visible Unicode character (`Ġ` for a space and so on). We undo that mapping and keep only
//! the ordinary tokens, those before `<|endoftext|>`; whisper.cpp derives the special tokens
//! from the model's vocabulary size.

use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum VocabError {
    #[error("the vocabulary has no <|endoftext|> token")]
    NoEndOfText,
    #[error("token {index} ('{token}') has a character outside GPT-2's byte alphabet")]
    NotByteLevel { index: usize, token: String },
    #[error("vocabulary.json is not a JSON list of strings: {0}")]
    Json(#[from] serde_json::Error),
}

/// GPT-2's `bytes_to_unicode` table, inverted: printable character → byte.
fn unicode_to_byte() -> HashMap<char, u8> {
    let printable = |b: u32| (0x21..=0x7e).contains(&b) || (0xa1..=0xac).contains(&b) || (0xae..=0xff).contains(&b);
    let mut map = HashMap::with_capacity(256);
    let mut shifted = 0u32;
    for b in 0u32..256 {
        let c = if printable(b) {
            b
        } else {
            shifted += 1;
            255 + shifted
        };
        map.insert(char::from_u32(c).expect("valid code point"), b as u8);
    }
    map
}

/// Parses `vocabulary.txt` (one token a line) or `vocabulary.json` (a list).
pub fn parse_tokens(text: &str, json: bool) -> Result<Vec<String>, VocabError> {
    if json { Ok(serde_json::from_str(text)?) } else { Ok(text.lines().map(str::to_string).collect()) }
}

/// The raw bytes of every token before `<|endoftext|>`.
pub fn ordinary_token_bytes(tokens: &[String]) -> Result<Vec<Vec<u8>>, VocabError> {
    let eot = tokens.iter().position(|t| t == "<|endoftext|>").ok_or(VocabError::NoEndOfText)?;
    let table = unicode_to_byte();
    tokens[..eot]
        .iter()
        .enumerate()
        .map(|(index, token)| {
            token
                .chars()
                .map(|c| table.get(&c).copied())
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| VocabError::NotByteLevel { index, token: token.clone() })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undoes_gpt2_byte_mapping() {
        let tokens: Vec<String> =
            ["!", "Ġthe", "ĊĊ", "Ã©", "<|endoftext|>", "<|startoftranscript|>"].iter().map(|s| s.to_string()).collect();
        let bytes = ordinary_token_bytes(&tokens).unwrap();
        assert_eq!(bytes.len(), 4, "stops at <|endoftext|>");
        assert_eq!(bytes[0], b"!");
        assert_eq!(bytes[1], b" the");
        assert_eq!(bytes[2], b"\n\n");
        assert_eq!(String::from_utf8(bytes[3].clone()).unwrap(), "é");
    }

    #[test]
    fn table_is_a_bijection() {
        let t = unicode_to_byte();
        assert_eq!(t.len(), 256);
        let mut seen: Vec<u8> = t.values().copied().collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 256);
    }

    #[test]
    fn rejects_non_byte_level_and_missing_eot() {
        let bad = vec!["日本".to_string(), "<|endoftext|>".to_string()];
        assert!(matches!(ordinary_token_bytes(&bad), Err(VocabError::NotByteLevel { index: 0, .. })));
        assert!(matches!(ordinary_token_bytes(&["a".to_string()]), Err(VocabError::NoEndOfText)));
        assert_eq!(parse_tokens("[\"a\",\"b\"]", true).unwrap(), vec!["a", "b"]);
        assert_eq!(parse_tokens("a\nb\n", false).unwrap(), vec!["a", "b"]);
    }
}
