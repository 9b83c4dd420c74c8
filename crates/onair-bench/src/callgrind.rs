//! Reading callgrind's dumps: the instructions a dump counted, and which dump files a run
//! wrote.

use std::path::{Path, PathBuf};

use anyhow::Context;

/// The instructions (`Ir`) a callgrind dump counted: its `totals:` line (or `summary:`,
/// which older versions write), whose first figure is the first event, `Ir` by default.
pub fn total_ir(dump: &str) -> Option<u64> {
    let line = |prefix: &str| {
        dump.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
    };
    line("totals:").or_else(|| line("summary:"))
}

/// The instructions counted by the dump at `path`.
pub fn total_ir_of(path: &Path) -> anyhow::Result<u64> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
    total_ir(&text).with_context(|| format!("no totals line in {}", path.display()))
}

/// The dumps requested while the program ran (`<out>.1`, `<out>.2`, …, as callgrind names
/// them beside its output file `out`), in the order they were taken.
pub fn numbered_dumps(out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let dir = out.parent().context("the output file has no directory")?;
    let name = out
        .file_name()
        .and_then(|n| n.to_str())
        .context("the output file has no name")?;
    let mut dumps: Vec<(u32, PathBuf)> = std::fs::read_dir(dir)?
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let rest = path.file_name()?.to_str()?.strip_prefix(name)?;
            let number = rest.strip_prefix('.')?.parse().ok()?;
            Some((number, path))
        })
        .collect();
    dumps.sort();
    Ok(dumps.into_iter().map(|(_, path)| path).collect())
}

/// Instructions per request from two counts: `(ir2 - ir1) / (n2 - n1)`, which cancels
/// whatever a count costs beyond its requests.
pub fn per_request(ir1: u64, n1: u64, ir2: u64, n2: u64) -> Option<f64> {
    (n2 > n1).then(|| (ir2 as f64 - ir1 as f64) / (n2 - n1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_totals_line() {
        let dump = "version: 1\ncreator: callgrind-3.19.0\npid: 42\ncmd: onair serve\n\
                    part: 1\n\nevents: Ir\n\nfl=(1) x.rs\nfn=(1) main\n3 10\n\n\
                    summary: 7069871\ntotals: 7069872\n";
        assert_eq!(total_ir(dump), Some(7_069_872));
    }

    #[test]
    fn falls_back_to_the_summary_line() {
        assert_eq!(total_ir("events: Ir\nsummary: 12 3\n"), Some(12));
        assert_eq!(total_ir("events: Ir\n"), None);
        assert_eq!(total_ir("totals: lots\n"), None);
    }

    #[test]
    fn per_request_is_the_slope() {
        assert_eq!(per_request(1_000, 300, 71_000, 1_300), Some(70.0));
        assert_eq!(per_request(1_000, 300, 1_000, 300), None);
    }

    #[test]
    fn finds_the_numbered_dumps_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("onair.cg");
        for name in [
            "onair.cg.2",
            "onair.cg.10",
            "onair.cg.1",
            "onair.cg",
            "other.cg.3",
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let names: Vec<String> = numbered_dumps(&out)
            .unwrap()
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["onair.cg.1", "onair.cg.2", "onair.cg.10"]);
    }
}
