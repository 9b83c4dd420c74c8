//! Reading `oha`'s JSON report (`--output-format json`) of an open-loop run.

use anyhow::{Context, ensure};
use serde_json::Value;

/// What one open-loop run measured; latencies in microseconds, corrected for coordinated
/// omission when oha ran with `--latency-correction` (each request's latency counts from
/// when the schedule meant to send it, not from when a connection was free to).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenLoad {
    pub rps: f64,
    pub p50_us: f64,
    pub p99_us: f64,
    pub p999_us: f64,
    pub responses: u64,
}

impl std::fmt::Display for OpenLoad {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:>9.0} requests/s   p50 {:>7.0} µs   p99 {:>7.0} µs   p99.9 {:>7.0} µs",
            self.rps, self.p50_us, self.p99_us, self.p999_us
        )
    }
}

/// Parses oha's report, which must show every response as a 200 and no errors.
pub fn parse(report: &str) -> anyhow::Result<OpenLoad> {
    let value: Value = serde_json::from_str(report).context("oha's report is JSON")?;
    let errors = value["errorDistribution"]
        .as_object()
        .context("no errorDistribution in oha's report")?;
    ensure!(errors.is_empty(), "oha saw errors: {errors:?}");
    let statuses = value["statusCodeDistribution"]
        .as_object()
        .context("no statusCodeDistribution in oha's report")?;
    let mut responses = 0;
    for (status, count) in statuses {
        let count = count.as_u64().context("a status count")?;
        ensure!(
            status == "200",
            "oha saw {count} responses with status {status}"
        );
        responses += count;
    }
    ensure!(responses > 0, "oha saw no responses");
    let seconds = |name: &str| {
        value["latencyPercentiles"][name]
            .as_f64()
            .map(|s| s * 1e6)
            .with_context(|| format!("no {name} latency in oha's report"))
    };
    Ok(OpenLoad {
        rps: value["summary"]["requestsPerSec"]
            .as_f64()
            .context("no requestsPerSec in oha's report")?,
        p50_us: seconds("p50")?,
        p99_us: seconds("p99")?,
        p999_us: seconds("p99.9")?,
        responses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"{
        "summary": {"successRate": 1.0, "total": 10.0, "slowest": 0.02, "fastest": 0.0001,
                    "average": 0.0004, "requestsPerSec": 14999.5, "totalData": 1000,
                    "sizePerRequest": 1162, "sizePerSec": 17000000.0},
        "latencyPercentiles": {"p10": 0.0002, "p25": 0.0003, "p50": 0.0004, "p75": 0.0005,
                               "p90": 0.0008, "p95": 0.001, "p99": 0.0031, "p99.9": 0.009,
                               "p99.99": 0.015},
        "statusCodeDistribution": {"200": 149995},
        "errorDistribution": {}
    }"#;

    #[test]
    fn reads_rate_and_percentiles() {
        let load = parse(REPORT).unwrap();
        assert_eq!(load.responses, 149_995);
        assert!((load.rps - 14_999.5).abs() < 1e-9);
        assert!((load.p50_us - 400.0).abs() < 1e-6);
        assert!((load.p99_us - 3_100.0).abs() < 1e-6);
        assert!((load.p999_us - 9_000.0).abs() < 1e-6);
    }

    #[test]
    fn refuses_failed_requests() {
        let other = REPORT.replace(r#"{"200": 149995}"#, r#"{"200": 10, "429": 3}"#);
        assert!(parse(&other).unwrap_err().to_string().contains("429"));
        let errors = REPORT.replace(
            r#""errorDistribution": {}"#,
            r#""errorDistribution": {"timeout": 2}"#,
        );
        assert!(parse(&errors).unwrap_err().to_string().contains("errors"));
        assert!(parse("not json").is_err());
    }
}
