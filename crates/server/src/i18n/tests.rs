//! The catalogue is whole: every entry has both languages with the same placeholders, no key is
//! defined twice, and every key the source asks for is in it.

#![allow(clippy::unwrap_used)]

use super::{Lang, fill, words};
use std::collections::{BTreeSet, HashMap};

/// The `{name}` placeholders of a template.
fn placeholders(s: &str) -> BTreeSet<&str> {
    s.match_indices('{')
        .filter_map(|(i, _)| s[i + 1..].find('}').map(|j| &s[i + 1..i + 1 + j]))
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .collect()
}

#[test]
fn every_entry_has_both_languages_and_the_same_placeholders() {
    let mut seen = HashMap::new();
    for &(key, zh, en) in super::words::PARTS.iter().flat_map(|p| p.iter()) {
        assert!(seen.insert(key, zh).is_none(), "{key} is defined twice");
        assert!(!zh.trim().is_empty() && !en.trim().is_empty(), "{key} lacks a language");
        // the language switch names the other language, so its Chinese entry is English
        if key != "switch_lang" {
            assert!(!zh.is_ascii(), "{key}: the Chinese words are not Chinese: {zh:?}");
            assert!(
                !en.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "{key}: the English has Chinese: {en:?}"
            );
        }
        assert_eq!(placeholders(zh), placeholders(en), "{key}: the languages fill in different arguments");
        assert_eq!(Lang::Zh.t(key), zh);
        assert_eq!(Lang::En.t(key), en);
    }
    assert!(seen.len() > 100, "the catalogue has {} entries", seen.len());
}

/// Every `lang.t("key")` and `tr!(lang, "key", …)` in the server's source names a key of the catalogue,
/// and each `tr!` passes exactly the arguments its words fill in.
#[test]
fn every_key_the_source_uses_is_in_the_catalogue() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![src];
    let mut used = 0;
    let mut problems = Vec::new();
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        // the catalogue's own code and tests name keys only as examples
        let example = p.parent().is_some_and(|d| d.ends_with("i18n"))
            && p.file_name().is_some_and(|f| f == "mod.rs" || f == "tests.rs");
        if p.extension().is_none_or(|e| e != "rs") || example {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        for (i, _) in text.match_indices(".t(\"") {
            let rest = &text[i + 4..];
            let key = &rest[..rest.find('"').unwrap()];
            used += 1;
            if words(key).is_none() {
                problems.push(format!("{}: t(\"{key}\")", p.display()));
            }
        }
        for (i, _) in text.match_indices("tr!(") {
            let call = &text[i + 4..];
            let Some(q) = call.find('"') else { continue };
            if call[..q].contains(')') || !call[..q].trim_end().ends_with(',') {
                continue; // the macro's own definition or its documentation
            }
            let key = &call[q + 1..q + 1 + call[q + 1..].find('"').unwrap()];
            used += 1;
            let Some((zh, _)) = words(key) else {
                problems.push(format!("{}: tr!(…, \"{key}\")", p.display()));
                continue;
            };
            // the named arguments up to the call's closing parenthesis (arguments are plain values)
            let args_text = &call[q + 2 + key.len()..];
            let end = closing_paren(args_text);
            let given: BTreeSet<&str> = args_text[..end]
                .split(',')
                .filter_map(|a| a.split_once('=').map(|(n, _)| n.trim()))
                .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                .collect();
            if given != placeholders(zh) {
                problems.push(format!(
                    "{}: tr!(…, \"{key}\") gives {given:?}, the words need {:?}",
                    p.display(),
                    placeholders(zh)
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(used > 100, "only {used} uses were found: the scan is broken");
}

/// Every string in core, store and server that is shaped like a key of a part of the catalogue
/// (`field.too_long`, `problem.not_found`, `hot.decided`: a field error's reason, a problem's words,
/// a page's words) is in the catalogue.
#[test]
fn every_key_shaped_string_is_in_the_catalogue() {
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let parts: BTreeSet<&str> = super::words::PARTS
        .iter()
        .flat_map(|p| p.iter())
        .filter_map(|(k, _, _)| k.split_once('.').map(|(part, _)| part))
        .collect();
    let mut files: Vec<_> = ["core/src", "store/src", "server/src"].iter().map(|d| crates.join(d)).collect();
    let (mut checked, mut problems) = (0, Vec::new());
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if p.extension().is_none_or(|e| e != "rs") || p.starts_with(crates.join("server/src/i18n")) {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        for lit in text.split('"').skip(1).step_by(2) {
            let shaped = lit.split_once('.').is_some_and(|(part, rest)| {
                parts.contains(part)
                    && !rest.is_empty()
                    && rest.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
            });
            if shaped {
                checked += 1;
                if words(lit).is_none() {
                    problems.push(format!("{}: \"{lit}\"", p.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "not in the catalogue:\n{}", problems.join("\n"));
    assert!(checked > 100, "only {checked} keys were found: the scan is broken");
}

/// Where the parenthesis that closes a macro call's arguments is.
fn closing_paren(s: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return i,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    s.len()
}

#[test]
fn a_missing_key_shows_as_itself_in_brackets() {
    assert_eq!(Lang::En.t("no.such.key"), "⟦no.such.key⟧");
    assert_eq!(Lang::Zh.format("no.such.key", &[]), "⟦no.such.key⟧");
    assert_eq!(Lang::En.word("a measure name"), "a measure name");
}

#[test]
fn arguments_fill_their_placeholders_in_either_order() {
    let (days, n) = (30, 7);
    assert_eq!(
        fill("{n} complaints of the last {days} days", &[("days", &days), ("n", &n)]),
        "7 complaints of the last 30 days"
    );
    assert_eq!(fill("最近 {days} 天 {n} 笔", &[("days", &days), ("n", &n)]), "最近 30 天 7 笔");
    // braces that are no placeholder stay as they are
    assert_eq!(fill("{a} {} {x", &[("a", &1)]), "1 {} {x");
}
