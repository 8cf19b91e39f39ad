//! `jalon`: the programme manager's and operator's command. Parsing is in
//! [`args`], the settings of the daemon in [`config`], each command in
//! [`commands`]; the work itself in the `jalon-runtime` and `jalon-daemon`
//! libraries.

mod args;
mod commands;
mod config;
mod export;
mod failure;
mod graph;
mod plan;
mod plan_events;
mod simulate;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use jalon_definition::{schema, Limits};
use jalon_runtime::delivery::{DeliveryOptions, DkimOptions};

use args::{Cli, Command};
use commands::files::{self, print_out, Check};
use commands::send::LinkOptions;
use failure::Failure;

// Loading, folding and sending allocate many small values: mimalloc is
// faster at that than the system's allocator (README, "Dependencies").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match run() {
        Ok(text) => match print_out(&text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(failure) => ExitCode::from(failure.code()),
        },
        Err(failure) => {
            if let Some(message) = failure.message() {
                eprintln!("error: {}", message.trim_end());
            }
            ExitCode::from(failure.code())
        }
    }
}

/// Runs the command given; its text to print, or why it failed.
fn run() -> Result<String, Failure> {
    // The matches are kept: they tell a flag from a default, which the
    // daemon's settings need to layer its file under them.
    let matches = Cli::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let mut command = cli.command;
    // An operator's command works on the daemon's definitions and database:
    // what jalon.toml names, unless a flag or a variable says otherwise.
    if let (Some(places), Some((_, sub))) = (args::places_of(&mut command), matches.subcommand()) {
        config::command_paths(sub, places).map_err(|report| {
            eprint!("{report}");
            Failure::Told(2)
        })?;
    }
    let command = match command.recording() {
        Ok(recording) => {
            let recording = recording?;
            let target = recording.place.target();
            let who = recording.who;
            return commands::record::event(
                &target,
                &who.by,
                who.at.as_deref(),
                recording.kind,
                recording.new_dates,
            );
        }
        Err(other) => other,
    };
    match *command {
        Command::Check {
            paths,
            format,
            deny_warnings,
            max_bytes,
            max_values,
        } => files::check(&Check {
            paths,
            format,
            deny_warnings,
            limits: Limits {
                max_bytes,
                max_nodes: max_values,
                ..Limits::default()
            },
        }),
        Command::Schema => Ok(schema::json_schema_text()),
        Command::Plan {
            file,
            against: Some(db),
            at,
            ..
        } => files::plan_against(&file, &db, at.as_deref()),
        Command::Plan {
            file,
            format,
            outcome,
            against: None,
            ..
        } => files::plan(&file, format, outcome),
        Command::Simulate { file, script, out } => files::simulate(&file, &script, &out),
        Command::Graph { file, format } => files::graph(&file, format),
        Command::Status { place, at } => commands::live::status(&place.target(), at.as_deref()),
        Command::Log { place } => commands::live::log(&place.target()),
        Command::Outbox { place, status } => {
            commands::live::outbox(&place.target(), status.as_deref())
        }
        Command::Export { place, format, at } => {
            commands::live::export(&place.target(), format, at.as_deref())
        }
        Command::Send {
            place,
            smtp,
            folder,
            connections,
            rate,
            dkim_key,
            dkim_selector,
            at,
            public_url,
            secret_file,
        } => {
            let delivery = DeliveryOptions {
                smtp,
                folder: folder.unwrap_or_else(|| PathBuf::from("outbox")),
                connections,
                rate,
                dkim: dkim_key.map(|key_file| DkimOptions {
                    key_file,
                    selector: dkim_selector.unwrap_or_default(),
                }),
            };
            let links = LinkOptions {
                public_url,
                secret_file,
            };
            commands::send::send(&place.target(), &delivery, &links, at.as_deref())
        }
        Command::Daemon(args) => {
            let Some(matches) = matches.subcommand_matches("daemon") else {
                return Err(Failure::Told(2));
            };
            commands::daemon::daemon(args, matches)
        }
        Command::Init { dir } => config::init(&dir),
        Command::Copy { from, to } => commands::files::copy(&from, &to),
        Command::LoginLink {
            place,
            person,
            public_url,
        } => commands::record::login_link(&place.target(), &person, &public_url),
        Command::Import { place, file } => commands::record::import(&place.target(), &file),
        Command::Void {
            place,
            seq,
            who,
            reason,
        } => commands::record::void(&place.target(), seq, &who.by, who.at.as_deref(), reason),
        recording => unreachable_recording(recording),
    }
}

/// Recording commands were handled above.
fn unreachable_recording(_: Command) -> Result<String, Failure> {
    Err(Failure::Usage("this command records an event".to_owned()))
}
