//! `onair config show|settings`.

use std::path::Path;

use super::{print, print_json};
use crate::{
    cli::ConfigCommand,
    config::{Sources, settings_reference},
};

pub(super) fn run(path: Option<&Path>, cmd: ConfigCommand) -> anyhow::Result<()> {
    match cmd {
        ConfigCommand::Show => {
            let sources = Sources::discover(path)?;
            // `show` is how an operator checks a configuration, so it says what it ignores.
            for variable in &sources.unknown_env {
                eprintln!(
                    "warning: ignoring {variable}: it names no setting (`onair config settings` lists them)"
                );
            }
            let config = sources.extract()?;
            let mut shown = serde_json::to_value(&config)?;
            // Show what a derived setting resolves to, not just that it is unset.
            shown["public_url"] = config.public_url().as_str().into();
            print(&(serde_json::to_string_pretty(&shown)? + "\n"))
        }
        ConfigCommand::Settings { json: true } => print_json(&settings_reference()),
        ConfigCommand::Settings { json: false } => {
            let mut out = String::new();
            for s in settings_reference() {
                out.push_str(&format!(
                    "{}\n  env:     {}\n  default: {}\n  {}\n\n",
                    s.key, s.env, s.default, s.description
                ));
            }
            print(&out)
        }
    }
}
