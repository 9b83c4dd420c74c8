//! X's id rules, checked before any call: Space ids match `^[a-zA-Z0-9]{1,13}$`, user ids
//! `^[0-9]{1,19}$` (X's 2.166 spec). The messages say what is wrong with the given id.

const MAX_SPACE_ID_CHARS: usize = 13;
const MAX_USER_ID_DIGITS: usize = 19;

/// How much of a bad id is quoted back, so an error never echoes a huge or unprintable input.
const MAX_QUOTED_CHARS: usize = 32;

pub(crate) fn validate_space_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("an X Space id cannot be empty".to_owned());
    }
    if let Some((position, c)) = id
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
    {
        return Err(format!(
            "X Space ids contain only letters and digits, but `{}` has {} at position {}",
            quote(id),
            describe(c),
            position + 1
        ));
    }
    if id.len() > MAX_SPACE_ID_CHARS {
        return Err(format!(
            "X Space ids are at most {MAX_SPACE_ID_CHARS} characters, but `{}` has {}",
            quote(id),
            id.len()
        ));
    }
    Ok(())
}

pub(crate) fn validate_user_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("an X user id cannot be empty".to_owned());
    }
    if let Some((position, c)) = id.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(format!(
            "X user ids are numbers, but `{}` has {} at position {}",
            quote(id),
            describe(c),
            position + 1
        ));
    }
    if id.len() > MAX_USER_ID_DIGITS {
        return Err(format!(
            "X user ids are at most {MAX_USER_ID_DIGITS} digits, but `{}` has {}",
            quote(id),
            id.len()
        ));
    }
    Ok(())
}

fn quote(id: &str) -> String {
    let mut quoted: String = id
        .chars()
        .take(MAX_QUOTED_CHARS)
        .flat_map(char::escape_debug)
        .collect();
    if id.chars().count() > MAX_QUOTED_CHARS {
        quoted.push('…');
    }
    quoted
}

fn describe(c: char) -> String {
    if c.is_whitespace() || c.is_control() {
        format!("the character {}", c.escape_unicode())
    } else {
        format!("`{c}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_real_ids() {
        for id in ["1DXxyRYNejbKM", "1YpKkzBgBlVxj", "1", "abcXYZ019"] {
            assert_eq!(validate_space_id(id), Ok(()), "{id}");
        }
        for id in [
            "2244994945",
            "1517225601463205888",
            "9999999999999999999",
            "0",
        ] {
            assert_eq!(validate_user_id(id), Ok(()), "{id}");
        }
    }

    #[test]
    fn says_what_is_wrong_with_space_ids() {
        assert_eq!(
            validate_space_id("").unwrap_err(),
            "an X Space id cannot be empty"
        );
        let e = validate_space_id("1DXxyRYNejbKMa").unwrap_err();
        assert!(e.contains("at most 13") && e.contains("has 14"), "{e}");
        let e = validate_space_id("1DX-yRY").unwrap_err();
        assert!(e.contains("`-` at position 4"), "{e}");
        let e = validate_space_id("1DX yRY").unwrap_err();
        assert!(e.contains("\\u{20}"), "{e}");
        let e = validate_space_id("ébc").unwrap_err();
        assert!(e.contains("`é` at position 1"), "{e}");
    }

    #[test]
    fn says_what_is_wrong_with_user_ids() {
        assert_eq!(
            validate_user_id("").unwrap_err(),
            "an X user id cannot be empty"
        );
        let e = validate_user_id("TwitterDev").unwrap_err();
        assert!(
            e.contains("are numbers") && e.contains("`T` at position 1"),
            "{e}"
        );
        let e = validate_user_id("12345678901234567890").unwrap_err();
        assert!(
            e.contains("at most 19 digits") && e.contains("has 20"),
            "{e}"
        );
        assert!(validate_user_id("-1").is_err());
    }

    #[test]
    fn long_or_control_input_is_quoted_safely() {
        let e = validate_space_id(&format!("\n{}", "a".repeat(1000))).unwrap_err();
        assert!(!e.contains('\n') && e.contains('…') && e.len() < 200, "{e}");
    }

    proptest! {
        #[test]
        fn space_ids_match_the_pattern_exactly(id in "\\PC{0,20}") {
            let expected = !id.is_empty() && id.len() <= 13 && id.bytes().all(|b| b.is_ascii_alphanumeric());
            prop_assert_eq!(validate_space_id(&id).is_ok(), expected);
        }

        #[test]
        fn user_ids_match_the_pattern_exactly(id in "[0-9a-z]{0,22}|\\PC{0,5}") {
            let expected = !id.is_empty() && id.len() <= 19 && id.bytes().all(|b| b.is_ascii_digit());
            prop_assert_eq!(validate_user_id(&id).is_ok(), expected);
        }
    }
}
