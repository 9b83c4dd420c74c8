//! Configuration layering, validation and secrecy, through the same entry points the
//! binary uses, in `figment::Jail` (a private working directory and environment).
#![allow(clippy::unwrap_used, clippy::expect_used)]
// `Jail` closures must return figment's own (large) error type.
#![allow(clippy::result_large_err)]

use std::{net::SocketAddr, path::Path, time::Duration};

use figment::Jail;
use onair_api::ApiConfig;
use onair_server::config::{
    Backend, Config, ConfigError, LogFormat, REDACTED, Sources, settings_reference,
};
use onair_service::ServiceConfig;
use secrecy::ExposeSecret as _;

const KEY_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const KEY_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

/// The configuration the binary would see, or the error text it would print.
fn load(path: Option<&Path>) -> Result<Config, String> {
    Config::load(path).map_err(|e| e.to_string())
}

fn load_err(path: Option<&Path>) -> ConfigError {
    match Config::load(path) {
        Ok(config) => panic!("expected an error, got {config:?}"),
        Err(err) => err,
    }
}

#[test]
fn defaults_alone_make_a_laptop_install() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        let config = load(None)?;
        assert_eq!(config.database_url.expose(), "sqlite://./data/onair.db");
        assert_eq!(
            config.database_url.backend().unwrap(),
            Backend::Sqlite {
                file: Some("./data/onair.db".into())
            }
        );
        assert_eq!(
            config.listen,
            "127.0.0.1:8080".parse::<SocketAddr>().unwrap()
        );
        assert_eq!(config.providers.x.base_url.as_str(), "https://api.x.com/");
        assert!(config.providers.x.bearer_token.is_none());
        assert!(config.providers.x.enabled);
        assert!(config.providers.sandbox.enabled);
        assert!(config.secret_key.is_none());
        assert!(config.previous_secret_keys.is_empty());
        assert_eq!(config.log_format, LogFormat::Text);
        assert_eq!(config.log_level, "info");
        assert_eq!(config.shutdown_grace(), Duration::from_secs(10));
        assert_eq!(config.public_url().as_str(), "http://127.0.0.1:8080/");

        // The API's tunables default to the API's own defaults.
        let api = &config.api;
        let service = &config.service;
        let expected = ApiConfig::default();
        let expected_service = ServiceConfig::default();
        assert_eq!(api.public_url.as_str(), "http://127.0.0.1:8080/");
        assert_eq!(api.rate_limit.per_minute, expected.rate_limit.per_minute);
        assert_eq!(api.rate_limit.burst, expected.rate_limit.burst);
        assert_eq!(service.cache.live_ttl, expected_service.cache.live_ttl);
        assert_eq!(
            service.cache.scheduled_ttl,
            expected_service.cache.scheduled_ttl
        );
        assert_eq!(service.cache.ended_ttl, expected_service.cache.ended_ttl);
        assert_eq!(
            service.cache.not_found_ttl,
            expected_service.cache.not_found_ttl
        );
        assert_eq!(
            service.cache.max_entries,
            expected_service.cache.max_entries
        );
        assert_eq!(service.batch_window, expected_service.batch_window);
        assert_eq!(api.search_timeout, expected.search_timeout);
        assert_eq!(service.link_token_ttl, expected_service.link_token_ttl);
        assert_eq!(api.body_limit_bytes, expected.body_limit_bytes);
        assert_eq!(api.request_timeout, expected.request_timeout);

        let x = config.enabled_x().expect("X is enabled by default");
        let x_default = onair_provider_x::XConfig::default();
        assert_eq!(x.base_url, x_default.base_url);
        assert_eq!(x.timeout, x_default.timeout);
        assert_eq!(x.connect_timeout, x_default.connect_timeout);
        assert_eq!(
            x.creator_ids_min_interval,
            x_default.creator_ids_min_interval
        );
        assert!(x.bearer_token.is_none());
        Ok(())
    });
}

#[test]
fn the_file_overrides_defaults_and_the_environment_overrides_the_file() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file(
            "onair.toml",
            r#"
                listen = "0.0.0.0:9000"
                log_format = "json"
                link_token_ttl_secs = 300
                previous_secret_keys = ["cccccccccccccccccccccccccccccccccccccccc"]
                secret_key = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

                [rate_limit]
                per_minute = 60
                burst = 5

                [cache]
                live_ttl_secs = 3

                [providers.x]
                base_url = "http://127.0.0.1:4010"
                timeout_secs = 4

                [providers.sandbox]
                enabled = false
            "#,
        )?;
        let from_file = load(None)?;
        assert_eq!(from_file.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(from_file.log_format, LogFormat::Json);
        assert_eq!(from_file.service.link_token_ttl, Duration::from_secs(300));
        assert_eq!(from_file.api.rate_limit.per_minute, 60);
        assert_eq!(from_file.api.rate_limit.burst, 5);
        assert_eq!(from_file.service.cache.live_ttl, Duration::from_secs(3));
        // Untouched siblings keep their defaults.
        assert_eq!(
            from_file.service.cache.scheduled_ttl,
            Config::default().service.cache.scheduled_ttl
        );
        assert_eq!(
            from_file.providers.x.base_url.as_str(),
            "http://127.0.0.1:4010/"
        );
        assert!(!from_file.sandbox_enabled());
        assert_eq!(from_file.previous_secret_keys.len(), 1);
        // Unspecified listen address: the derived public URL uses localhost.
        assert_eq!(from_file.public_url().as_str(), "http://localhost:9000/");
        assert_eq!(
            from_file.local_base_url().as_str(),
            "http://127.0.0.1:9000/"
        );

        jail.set_env("ONAIR_LISTEN", "127.0.0.1:7000");
        jail.set_env("ONAIR_RATE_LIMIT__PER_MINUTE", "120");
        jail.set_env("ONAIR_PROVIDERS__X__BASE_URL", "https://x.proxy.internal");
        jail.set_env("ONAIR_PROVIDERS__X__TIMEOUT_SECS", "7");
        jail.set_env("ONAIR_PROVIDERS__SANDBOX__ENABLED", "true");
        jail.set_env("ONAIR_LOG_FORMAT", "text");
        jail.set_env("ONAIR_PUBLIC_URL", "https://onair.example.com/base");
        let both = load(None)?;
        assert_eq!(both.listen.to_string(), "127.0.0.1:7000");
        assert_eq!(both.api.rate_limit.per_minute, 120);
        assert_eq!(both.api.rate_limit.burst, 5, "the file still applies below");
        assert_eq!(
            both.providers.x.base_url.as_str(),
            "https://x.proxy.internal/"
        );
        assert_eq!(both.providers.x.timeout, Duration::from_secs(7));
        assert!(both.sandbox_enabled());
        assert_eq!(both.log_format, LogFormat::Text);
        assert_eq!(both.public_url().as_str(), "https://onair.example.com/base");
        let x = both.enabled_x().unwrap();
        assert_eq!(x.timeout, Duration::from_secs(7));
        assert_eq!(x.base_url.as_str(), "https://x.proxy.internal/");
        Ok(())
    });
}

#[test]
fn every_numeric_and_boolean_setting_is_reachable_through_its_variable() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        let mut checked = 0;
        for setting in settings_reference() {
            let default: serde_json::Value = match serde_json::from_str(&setting.default) {
                Ok(v) => v,
                Err(_) => continue, // text settings are covered one by one elsewhere
            };
            let value = match default {
                serde_json::Value::Number(_) => serde_json::json!(7),
                serde_json::Value::Bool(b) => serde_json::json!(!b),
                _ => continue,
            };
            jail.set_env(&setting.env, &value);
            let sources = Sources::discover(None).map_err(|e| e.to_string())?;
            assert!(sources.is_set(&setting.key), "{}", setting.env);
            // Extract without the range checks: this is about names, not values.
            let config: Config = sources.figment.extract()?;
            let json = serde_json::to_value(&config).unwrap();
            let pointer = format!("/{}", setting.key.replace('.', "/"));
            assert_eq!(json.pointer(&pointer), Some(&value), "{}", setting.env);
            jail.set_env(&setting.env, "");
            checked += 1;
        }
        assert!(checked >= 18, "only {checked} settings checked");
        Ok(())
    });
}

#[test]
fn an_explicit_file_must_exist_and_replaces_the_default_file() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file("onair.toml", "listen = \"127.0.0.1:1111\"")?;
        jail.create_dir("etc")?;
        jail.create_file("etc/prod.toml", "listen = \"127.0.0.1:2222\"")?;
        let explicit = load(Some(Path::new("etc/prod.toml")))?;
        assert_eq!(explicit.listen.port(), 2222);
        assert_eq!(load(None)?.listen.port(), 1111);

        let err = load_err(Some(Path::new("etc/missing.toml")));
        assert!(matches!(err, ConfigError::MissingFile(_)));
        assert!(err.to_string().contains("etc/missing.toml"), "{err}");

        // A file in a parent directory is not picked up.
        jail.create_dir("sub")?;
        jail.change_dir("sub")?;
        assert_eq!(load(None)?.listen.port(), 8080);
        Ok(())
    });
}

#[test]
fn unknown_keys_in_the_file_are_errors_naming_the_key() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.create_file("onair.toml", "databse_url = \"sqlite://x.db\"")?;
        let err = load_err(None);
        let text = err.to_string();
        assert_eq!(err.problems()[0].key, "databse_url");
        assert!(text.contains("`databse_url` is not a setting"), "{text}");
        assert!(text.contains("onair.toml"), "{text}");
        assert!(text.contains("did you mean `database_url`"), "{text}");

        jail.create_file(
            "onair.toml",
            "[providers.x]\nbearer = \"AAAA\"\n[cache]\nmax_entries = 5",
        )?;
        let err = load_err(None);
        assert_eq!(err.problems()[0].key, "providers.x.bearer");
        let text = err.to_string();
        assert!(
            text.contains("did you mean `providers.x.bearer_token`"),
            "{text}"
        );
        assert!(!text.contains("AAAA"), "{text}");

        jail.create_file("onair.toml", "[provider.x]\nenabled = false")?;
        assert_eq!(load_err(None).problems()[0].key, "provider");
        Ok(())
    });
}

#[test]
fn unknown_environment_variables_are_reported_not_fatal() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env("ONAIR_LISTN", "0.0.0.0:1");
        jail.set_env("ONAIR_TEST_POSTGRES_URL", "postgres://elsewhere");
        jail.set_env("ONAIR_CONFIG", "ignored-here.toml");
        let sources = Sources::discover(None).map_err(|e| e.to_string())?;
        assert_eq!(
            sources.unknown_env,
            ["ONAIR_LISTN", "ONAIR_TEST_POSTGRES_URL"]
        );
        assert_eq!(
            sources.extract().map_err(|e| e.to_string())?.listen.port(),
            8080
        );
        Ok(())
    });
}

#[test]
fn bad_values_name_the_setting_its_variable_and_the_expected_form() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env("ONAIR_RATE_LIMIT__PER_MINUTE", "lots");
        let text = load_err(None).to_string();
        assert!(text.contains("`rate_limit.per_minute`"), "{text}");
        assert!(text.contains("ONAIR_RATE_LIMIT__PER_MINUTE"), "{text}");
        assert!(text.contains("whole number"), "{text}");
        assert!(text.contains("lots"), "{text}");
        jail.set_env("ONAIR_RATE_LIMIT__PER_MINUTE", "");

        jail.create_file("onair.toml", "listen = \"localhost:8080\"")?;
        let err = load_err(None);
        assert_eq!(err.problems()[0].key, "listen");
        let text = err.to_string();
        assert!(text.contains("IP address and port"), "{text}");
        assert!(text.contains("127.0.0.1:8080"), "{text}");

        jail.create_file("onair.toml", "log_format = \"xml\"")?;
        let text = load_err(None).to_string();
        assert!(text.contains("`log_format`"), "{text}");
        assert!(text.contains("`text`, `json`"), "{text}");

        jail.create_file("onair.toml", "link_token_ttl_secs = 1000")?;
        let text = load_err(None).to_string();
        assert!(
            text.contains("`link_token_ttl_secs` (ONAIR_LINK_TOKEN_TTL_SECS)"),
            "{text}"
        );
        assert!(text.contains("from 1 to 900"), "{text}");

        jail.create_file(
            "onair.toml",
            "database_url = \"mysql://root:hunter2@db/onair\"",
        )?;
        let text = load_err(None).to_string();
        assert!(text.contains("`database_url`"), "{text}");
        assert!(text.contains("`mysql:`"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");

        jail.create_file("onair.toml", "log_level = \"info,[[[\"")?;
        assert_eq!(load_err(None).problems()[0].key, "log_level");

        jail.create_file("onair.toml", "public_url = \"onair.example.com\"")?;
        let text = load_err(None).to_string();
        assert!(text.contains("`public_url`"), "{text}");
        assert!(text.contains("http:// or https://"), "{text}");

        jail.create_file(
            "onair.toml",
            "[providers.x]\nbase_url = \"https://u:p@api.x.com\"",
        )?;
        assert_eq!(load_err(None).problems()[0].key, "providers.x.base_url");

        // Several problems are reported together.
        jail.create_file(
            "onair.toml",
            "batch_window_ms = 5000\n[cache]\nmax_entries = 0",
        )?;
        let keys: Vec<String> = load_err(None)
            .problems()
            .iter()
            .map(|p| p.key.clone())
            .collect();
        assert_eq!(keys, ["batch_window_ms", "cache.max_entries"]);
        Ok(())
    });
}

#[test]
fn every_value_of_the_wrong_type_is_named_in_one_report() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env("ONAIR_RATE_LIMIT__BURST", "-1");
        jail.set_env("ONAIR_CACHE__LIVE_TTL_SECS", "abc");
        jail.create_file("onair.toml", "log_format = \"xml\"\nlisten = \"here\"")?;
        let mut keys: Vec<String> = load_err(None)
            .problems()
            .iter()
            .map(|p| p.key.clone())
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "cache.live_ttl_secs",
                "listen",
                "log_format",
                "rate_limit.burst"
            ]
        );

        Ok(())
    });
}

#[test]
fn short_secret_keys_are_refused_without_showing_them() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env("ONAIR_SECRET_KEY", "tooshort-Zq81");
        let text = load_err(None).to_string();
        assert!(text.contains("ONAIR_SECRET_KEY"), "{text}");
        assert!(text.contains("at least 32 characters"), "{text}");
        assert!(!text.contains("tooshort-Zq81"), "{text}");

        jail.set_env("ONAIR_SECRET_KEY", KEY_A);
        jail.set_env("ONAIR_PREVIOUS_SECRET_KEYS", format!("{KEY_B},short-Zq82"));
        let text = load_err(None).to_string();
        assert!(text.contains("`previous_secret_keys`"), "{text}");
        assert!(text.contains("entry 2"), "{text}");
        assert!(!text.contains("short-Zq82"), "{text}");

        jail.set_env("ONAIR_PREVIOUS_SECRET_KEYS", KEY_A);
        let text = load_err(None).to_string();
        assert!(text.contains("must not repeat"), "{text}");
        Ok(())
    });
}

#[test]
fn secrets_arrive_verbatim_and_empty_means_unset() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        // All digits: must stay text, not become a (lossy) number.
        let digits = "12345678901234567890123456789012345678";
        jail.set_env("ONAIR_SECRET_KEY", digits);
        jail.set_env(
            "ONAIR_PREVIOUS_SECRET_KEYS",
            format!(" {KEY_A} , {KEY_B} ,"),
        );
        jail.set_env("ONAIR_PROVIDERS__X__BEARER_TOKEN", "AAAA%2Fbearer%3Dtoken");
        jail.set_env("ONAIR_LOG_LEVEL", "[request]=debug,info");
        let config = load(None)?;
        assert_eq!(config.secret_key.as_ref().unwrap().expose_secret(), digits);
        let previous: Vec<&str> = config
            .previous_secret_keys
            .iter()
            .map(|s| s.expose_secret())
            .collect();
        assert_eq!(previous, [KEY_A, KEY_B]);
        assert_eq!(
            config
                .enabled_x()
                .unwrap()
                .bearer_token
                .as_ref()
                .unwrap()
                .expose_secret(),
            "AAAA%2Fbearer%3Dtoken"
        );
        assert_eq!(config.log_level, "[request]=debug,info");

        // docker-compose's `${VAR:-}` passes empty values: they mean "unset".
        jail.set_env("ONAIR_SECRET_KEY", "");
        jail.set_env("ONAIR_PREVIOUS_SECRET_KEYS", "");
        jail.set_env("ONAIR_PROVIDERS__X__BEARER_TOKEN", "");
        let config = load(None)?;
        assert!(config.secret_key.is_none());
        assert!(config.previous_secret_keys.is_empty());
        assert!(config.providers.x.bearer_token.is_none());
        Ok(())
    });
}

#[test]
fn secrets_never_appear_in_debug_or_shown_settings() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        let secret = "SECRETKEY-Zq1-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        let previous = "PREVKEY-Zq2-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
        jail.set_env("ONAIR_SECRET_KEY", secret);
        jail.set_env("ONAIR_PREVIOUS_SECRET_KEYS", previous);
        jail.set_env("ONAIR_PROVIDERS__X__BEARER_TOKEN", "BEARER-Zq3");
        jail.set_env(
            "ONAIR_DATABASE_URL",
            "postgres://onair:DBPASS-Zq4@db:5432/onair?sslmode=require",
        );
        let config = load(None)?;
        let debug = format!("{config:?} {:?} {:?}", config.api, config.enabled_x());
        let shown = serde_json::to_string(&config).unwrap();
        for text in [&debug, &shown] {
            for needle in ["SECRETKEY-Zq1", "PREVKEY-Zq2", "BEARER-Zq3", "DBPASS-Zq4"] {
                assert!(!text.contains(needle), "{needle} leaked: {text}");
            }
        }
        assert!(shown.contains(REDACTED));
        assert!(
            shown.contains("postgres://onair:***@db:5432/onair"),
            "{shown}"
        );
        assert!(
            debug.contains("postgres://onair:***@db:5432/onair"),
            "{debug}"
        );
        assert_eq!(config.database_url.backend().unwrap(), Backend::Postgres);
        Ok(())
    });
}

#[test]
fn disabling_x_removes_its_adapter_config() {
    Jail::expect_with(|jail| {
        jail.clear_env();
        jail.set_env("ONAIR_PROVIDERS__X__ENABLED", "false");
        assert!(load(None)?.enabled_x().is_none());
        jail.set_env("ONAIR_PROVIDERS__X__ENABLED", "maybe");
        let text = load_err(None).to_string();
        assert!(text.contains("`providers.x.enabled`"), "{text}");
        assert!(text.contains("`true` or `false`"), "{text}");
        Ok(())
    });
}
