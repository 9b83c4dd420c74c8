//! The configuration reference in `docs/self-hosting.md` lists exactly the settings the
//! binary has, with the same environment variables, defaults and descriptions as
//! `onair config settings`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{collections::BTreeMap, fmt::Write as _, path::PathBuf};

use onair_server::{Setting, settings_reference};

const DOC: &str = "docs/self-hosting.md";
const START: &str = "<!-- settings-reference:start -->";
const END: &str = "<!-- settings-reference:end -->";
const HEADER: [&str; 4] = ["Key", "Environment variable", "Default", "Description"];

/// One row of the table as written in the docs, markup removed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DocRow {
    line: usize,
    key: String,
    env: String,
    default: String,
    description: String,
}

fn doc_text() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(DOC);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {DOC}: {e}"))
}

/// A cell's text: `| a \| b |` splits into cells, `\|` is a literal bar.
fn split_cells(line: &str) -> Result<Vec<String>, String> {
    let inner = line
        .trim()
        .strip_prefix('|')
        .and_then(|l| l.strip_suffix('|'))
        .ok_or("a table row starts and ends with `|`")?;
    let mut cells = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cells.last_mut().unwrap().push('|');
                chars.next();
            }
            '|' => cells.push(String::new()),
            c => cells.last_mut().unwrap().push(c),
        }
    }
    Ok(cells.into_iter().map(|c| c.trim().to_owned()).collect())
}

/// `` `text` `` → `text` when the cell is exactly one code span; anything else as written.
fn unquote(cell: &str) -> String {
    cell.strip_prefix('`')
        .and_then(|c| c.strip_suffix('`'))
        .filter(|c| !c.is_empty() && !c.contains('`'))
        .unwrap_or(cell)
        .to_owned()
}

/// How a value is written in the table: a code span, unless it is prose with code spans of
/// its own. Bars are escaped so they stay inside their cell.
fn markup(value: &str, code: bool) -> String {
    let escaped = value.replace('|', "\\|");
    if code && !value.contains('`') {
        format!("`{escaped}`")
    } else {
        escaped
    }
}

fn row_for(setting: &Setting) -> String {
    format!(
        "| {} | {} | {} | {} |",
        markup(&setting.key, true),
        markup(&setting.env, true),
        markup(&setting.default, true),
        markup(setting.description, false)
    )
}

/// The table the docs should hold, for copying into them when this test fails.
fn expected_table() -> String {
    let mut out = format!("{START}\n\n| {} |\n|---|---|---|---|\n", HEADER.join(" | "));
    for setting in settings_reference() {
        writeln!(out, "{}", row_for(&setting)).unwrap();
    }
    out.push('\n');
    out.push_str(END);
    out
}

/// The rows between the markers, or a message saying what is malformed.
fn parse_table(doc: &str) -> Result<Vec<DocRow>, String> {
    let start = doc
        .find(START)
        .ok_or_else(|| format!("{DOC} has no `{START}` marker"))?;
    let end = doc
        .find(END)
        .ok_or_else(|| format!("{DOC} has no `{END}` marker"))?;
    if end < start {
        return Err(format!("`{END}` comes before `{START}`"));
    }
    let first_line = doc[..start].lines().count() + 1;
    let mut rows = Vec::new();
    let mut seen_header = false;
    let mut seen_rule = false;
    for (i, line) in doc[start + START.len()..end].lines().enumerate() {
        let line_no = first_line + i;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let cells = split_cells(trimmed).map_err(|e| format!("{DOC}:{line_no}: {e}"))?;
        if cells.len() != HEADER.len() {
            return Err(format!(
                "{DOC}:{line_no}: expected {} cells, found {}: {trimmed}",
                HEADER.len(),
                cells.len()
            ));
        }
        if !seen_header {
            if cells != HEADER {
                return Err(format!(
                    "{DOC}:{line_no}: the header must be {HEADER:?}, found {cells:?}"
                ));
            }
            seen_header = true;
            continue;
        }
        if !seen_rule {
            if !cells
                .iter()
                .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':')))
            {
                return Err(format!(
                    "{DOC}:{line_no}: expected the header rule `|---|---|---|---|`"
                ));
            }
            seen_rule = true;
            continue;
        }
        rows.push(DocRow {
            line: line_no,
            key: unquote(&cells[0]),
            env: unquote(&cells[1]),
            default: unquote(&cells[2]),
            description: cells[3].clone(),
        });
    }
    if rows.is_empty() {
        return Err(format!("{DOC}: the settings table has no rows"));
    }
    Ok(rows)
}

/// Every difference between the docs' rows and the code's settings, one line each.
fn differences(rows: &[DocRow], settings: &[Setting]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut documented: BTreeMap<&str, &DocRow> = BTreeMap::new();
    for row in rows {
        if let Some(earlier) = documented.insert(&row.key, row) {
            problems.push(format!(
                "{DOC}:{}: `{}` is listed twice (also line {})",
                row.line, row.key, earlier.line
            ));
        }
    }
    for setting in settings {
        let Some(row) = documented.remove(setting.key.as_str()) else {
            problems.push(format!(
                "`{}` is a setting but is missing from the table in {DOC}",
                setting.key
            ));
            continue;
        };
        let mut differs = |what: &str, docs: &str, code: &str| {
            if docs != code {
                problems.push(format!(
                    "{DOC}:{}: `{}` {what}: the docs say `{docs}`, the code says `{code}`",
                    row.line, setting.key
                ));
            }
        };
        differs("environment variable", &row.env, &setting.env);
        differs("default", &row.default, &setting.default);
        differs("description", &row.description, setting.description);
    }
    for row in documented.values() {
        problems.push(format!(
            "{DOC}:{}: `{}` is in the table but is no setting of onair",
            row.line, row.key
        ));
    }
    let order: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    let mut sorted = order.clone();
    sorted.sort_unstable();
    if problems.is_empty() && order != sorted {
        problems.push(format!(
            "{DOC}: the table must be sorted by key, as `onair config settings` lists them"
        ));
    }
    problems
}

#[test]
fn the_docs_list_every_setting_as_the_code_defines_it() {
    let rows = parse_table(&doc_text()).unwrap_or_else(|e| panic!("{e}"));
    let problems = differences(&rows, &settings_reference());
    assert!(
        problems.is_empty(),
        "the configuration reference in {DOC} does not match the code:\n  {}\n\nThe table as the code has it:\n\n{}\n",
        problems.join("\n  "),
        expected_table()
    );
}

// The comparison itself, on made-up tables, so a broken parser cannot pass everything.

fn setting(key: &str, env: &str, default: &str, description: &'static str) -> Setting {
    Setting {
        key: key.to_owned(),
        env: env.to_owned(),
        default: default.to_owned(),
        description,
    }
}

fn doc_with(rows: &[&str]) -> String {
    format!(
        "# Title\n\n{START}\n\n| Key | Environment variable | Default | Description |\n|---|---|---|---|\n{}\n\n{END}\n",
        rows.join("\n")
    )
}

#[test]
fn a_table_written_from_the_settings_matches_them() {
    let settings = vec![
        setting("a.b", "ONAIR_A__B", "1", "Plain `code` and a \\ backslash."),
        setting("listen", "ONAIR_LISTEN", "http://<listen>", "Has a | bar."),
        setting(
            "secret",
            "ONAIR_SECRET",
            "unset: see `secret.key`",
            "Prose default.",
        ),
    ];
    let rows: Vec<String> = settings.iter().map(row_for).collect();
    let parsed = parse_table(&doc_with(
        &rows.iter().map(String::as_str).collect::<Vec<_>>(),
    ))
    .unwrap();
    assert_eq!(parsed.len(), 3);
    assert_eq!(parsed[1].description, "Has a | bar.");
    assert_eq!(parsed[1].default, "http://<listen>");
    assert_eq!(parsed[2].default, "unset: see `secret.key`");
    assert_eq!(differences(&parsed, &settings), Vec::<String>::new());
}

#[test]
fn every_kind_of_mismatch_is_reported() {
    let settings = vec![
        setting("a", "ONAIR_A", "1", "A."),
        setting("b", "ONAIR_B", "2", "B."),
        setting("c", "ONAIR_C", "3", "C."),
    ];
    let doc = doc_with(&[
        "| `a` | `ONAIR_AA` | `1` | A. |",
        "| `b` | `ONAIR_B` | `20` | B. |",
        "| `z` | `ONAIR_Z` | `0` | Z. |",
    ]);
    let problems = differences(&parse_table(&doc).unwrap(), &settings);
    let text = problems.join("\n");
    assert_eq!(problems.len(), 4, "{text}");
    assert!(
        text.contains("`a` environment variable: the docs say `ONAIR_AA`, the code says `ONAIR_A`"),
        "{text}"
    );
    assert!(
        text.contains("`b` default: the docs say `20`, the code says `2`"),
        "{text}"
    );
    assert!(text.contains("`c` is a setting but is missing"), "{text}");
    assert!(
        text.contains("`z` is in the table but is no setting"),
        "{text}"
    );

    let reworded = doc_with(&["| `a` | `ONAIR_A` | `1` | Another text. |"]);
    let problems = differences(&parse_table(&reworded).unwrap(), &settings[..1]);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("description"), "{problems:?}");

    let twice = doc_with(&[
        "| `a` | `ONAIR_A` | `1` | A. |",
        "| `a` | `ONAIR_A` | `1` | A. |",
    ]);
    let problems = differences(&parse_table(&twice).unwrap(), &settings[..1]);
    assert!(
        problems.iter().any(|p| p.contains("listed twice")),
        "{problems:?}"
    );

    let unsorted = doc_with(&[
        "| `b` | `ONAIR_B` | `2` | B. |",
        "| `a` | `ONAIR_A` | `1` | A. |",
    ]);
    let problems = differences(&parse_table(&unsorted).unwrap(), &settings[..2]);
    assert!(
        problems.iter().any(|p| p.contains("sorted")),
        "{problems:?}"
    );
}

#[test]
fn a_malformed_table_is_an_error_naming_the_line() {
    assert!(parse_table("no markers").unwrap_err().contains("marker"));
    let err = parse_table(&doc_with(&["| `a` | `ONAIR_A` | `1` |"])).unwrap_err();
    assert!(
        err.contains("expected 4 cells, found 3") && err.contains(":7:"),
        "{err}"
    );
    let err = parse_table(&format!("{START}\n| K | E | D | X |\n{END}")).unwrap_err();
    assert!(err.contains("header"), "{err}");
    let err = parse_table(&doc_with(&[])).unwrap_err();
    assert!(err.contains("no rows"), "{err}");
}
