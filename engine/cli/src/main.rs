//! `jalon`: the programme manager's and operator's command.

mod compose;
mod config;
mod daemon;
mod digest;
mod dispatch;
mod edition;
mod export;
mod graph;
mod links;
mod live;
mod messages;
mod outbox;
mod plan;
mod render;
mod script;
mod send;
mod simulate;
mod status;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use jalon_core::EventKind;
use jalon_definition::{check_paths, schema, Limits};

#[derive(Parser)]
#[command(
    name = "jalon",
    version,
    about = "Run social-innovation experimentation programmes: check editions, preview and send what is due."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check definition files (or every *.yaml in folders) and report every problem with its place.
    Check {
        /// Files or folders to check.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// How to print the problems.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Fail (exit 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// Largest definition file accepted, in bytes.
        #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_bytes)]
        max_bytes: u64,
        /// Most values (keys, items, scalars) accepted in one file.
        #[arg(long, value_name = "COUNT", default_value_t = Limits::default().max_nodes)]
        max_values: usize,
    },
    /// Print the JSON Schema of the definition format (for editors).
    Schema,
    /// Preview an edition on time: every stage's dates and every message that would go out.
    Plan {
        /// The edition file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
        format: PlanFormat,
        /// The outcome assumed for scale-up decisions (default: the first that leads somewhere).
        #[arg(long, value_name = "ID")]
        outcome: Option<String>,
    },
    /// Play a scripted year with a virtual clock; write every message (.eml), the event log and the final status.
    Simulate {
        /// The edition file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The script of what happens (see definitions/simulations/).
        #[arg(long, value_name = "SCRIPT.yaml")]
        script: PathBuf,
        /// Folder for the results (created; an earlier simulation's results there are replaced).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Every stage of a live edition: its state, its dates, who is late, what awaits whom.
    Status {
        #[command(flatten)]
        place: Where,
        /// Show the status at this local time instead of now.
        #[arg(long, value_name = "WHEN")]
        at: Option<String>,
    },
    /// Record that a stage is done or its deliverable handed in (it then awaits validation, if it has one).
    Complete {
        #[command(flatten)]
        place: Where,
        /// The stage's id.
        stage: String,
        /// The participant, for a stage run once per participant.
        #[arg(long)]
        participant: Option<String>,
        #[command(flatten)]
        who: Who,
        /// A note kept in the log.
        #[arg(long)]
        comment: Option<String>,
    },
    /// Record a validator's approval.
    Approve {
        #[command(flatten)]
        place: Where,
        /// The stage's id.
        stage: String,
        /// The participant, for a stage run once per participant.
        #[arg(long)]
        participant: Option<String>,
        #[command(flatten)]
        who: Who,
        /// A note kept in the log.
        #[arg(long)]
        comment: Option<String>,
    },
    /// Record a validator's refusal: the stage opens again with the comment.
    Refuse {
        #[command(flatten)]
        place: Where,
        /// The stage's id.
        stage: String,
        /// The participant, for a stage run once per participant.
        #[arg(long)]
        participant: Option<String>,
        #[command(flatten)]
        who: Who,
        /// What to change (required).
        #[arg(long)]
        comment: String,
    },
    /// Record a short-list: the participants invited to the next step.
    Shortlist {
        #[command(flatten)]
        place: Where,
        /// The stage's id.
        stage: String,
        #[arg(required = true, value_name = "PARTICIPANT")]
        participants: Vec<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Record one jury member's scores for one participant (CRITERION=VALUE ...).
    Score {
        #[command(flatten)]
        place: Where,
        /// The stage's id.
        stage: String,
        /// The participant scored.
        participant: String,
        /// One score per criterion of the jury.
        #[arg(required = true, value_name = "CRITERION=VALUE")]
        scores: Vec<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Record who is selected (the laureates); without names, the best jury scores.
    Select {
        #[command(flatten)]
        place: Where,
        /// The stage's id.
        stage: String,
        #[arg(value_name = "PARTICIPANT")]
        participants: Vec<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Record a scale-up decision for a participant.
    Decide {
        #[command(flatten)]
        place: Where,
        /// The stage's id.
        stage: String,
        /// The outcome's id (implanter, prolonger, arreter…).
        outcome: String,
        /// The participant, for a stage run once per participant.
        #[arg(long)]
        participant: Option<String>,
        #[command(flatten)]
        who: Who,
        /// A note kept in the log.
        #[arg(long)]
        comment: Option<String>,
    },
    /// Record a measured value of an indicator.
    Record {
        #[command(flatten)]
        place: Where,
        /// The stage's id.
        stage: String,
        /// The indicator's id, as the stage declares it.
        indicator: String,
        /// The measured value, as written.
        value: String,
        /// The participant, for a stage run once per participant.
        #[arg(long)]
        participant: Option<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Record that a participant leaves the edition: nothing more is sent to them.
    Withdraw {
        #[command(flatten)]
        place: Where,
        /// The participant's id.
        participant: String,
        #[command(flatten)]
        who: Who,
        /// Why, kept in the log.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Move a stage's dates (stages dated from it follow).
    Postpone {
        #[command(flatten)]
        place: Where,
        /// The stage's id.
        stage: String,
        /// The participant, for a stage run once per participant.
        #[arg(long)]
        participant: Option<String>,
        /// New start date (YYYY-MM-DD).
        #[arg(long)]
        start: Option<jiff::civil::Date>,
        /// New due date (YYYY-MM-DD).
        #[arg(long)]
        due: Option<jiff::civil::Date>,
        #[command(flatten)]
        who: Who,
        /// Why, kept in the log.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Send what is due: queue what time has made due, then deliver every pending message (an .eml folder by default, or SMTP).
    Send {
        #[command(flatten)]
        place: Where,
        /// Deliver through this SMTP relay, e.g. smtp://user:pass@host:587?tls=required or smtps://host:465.
        #[arg(
            long,
            value_name = "URL",
            env = "JALON_SMTP",
            hide_env_values = true,
            conflicts_with = "folder"
        )]
        smtp: Option<String>,
        /// Write each message as an .eml file in this folder (the default, `outbox`).
        #[arg(long, value_name = "DIR")]
        folder: Option<PathBuf>,
        /// SMTP connections used at once.
        #[arg(
            long,
            value_name = "N",
            default_value_t = 4,
            env = "JALON_SMTP_CONNECTIONS"
        )]
        connections: usize,
        /// At most this many messages per second (a relay's quota), e.g. 2 or 0.5.
        #[arg(long, value_name = "PER_SECOND", env = "JALON_SMTP_RATE")]
        rate: Option<f64>,
        /// Act as if it were this local time (default: now).
        #[arg(long, value_name = "WHEN")]
        at: Option<String>,
        /// The address of the daemon that answers validation links, written into emails.
        #[arg(
            long,
            value_name = "URL",
            env = "JALON_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
        /// The key validation links are signed with: the daemon's (created if absent, mode 0600).
        #[arg(
            long,
            value_name = "FILE",
            env = "JALON_SECRET_FILE",
            default_value = "jalon.secret"
        )]
        secret_file: PathBuf,
    },
    /// Run as a service: every edition of the definitions folder, each message sent when it falls due; a saved definition or SIGHUP reloads them, SIGTERM stops. Settings: flags, JALON_* variables, jalon.toml, defaults.
    Daemon(config::DaemonArgs),
    /// Write a commented jalon.toml (every setting of `jalon daemon` with its default) in DIR.
    Init {
        /// The folder to write it in (created if needed).
        #[arg(value_name = "DIR", default_value = ".")]
        dir: PathBuf,
    },
    /// Every message of the edition and where it stands: pending (with its next attempt), sent, failed (with the server's answer), expired.
    Outbox {
        #[command(flatten)]
        place: Where,
        /// Only the messages in this state: pending, sent, failed or expired.
        #[arg(long, value_name = "STATE")]
        status: Option<String>,
    },
    /// The audit trail: every recorded event, who, when, how.
    Log {
        #[command(flatten)]
        place: Where,
    },
    /// Export an edition's progress for the impact lab and the département.
    Export {
        #[command(flatten)]
        place: Where,
        #[arg(long, value_enum, default_value_t = ExportFormat::Json)]
        format: ExportFormat,
        /// The state at this local time instead of now.
        #[arg(long, value_name = "WHEN")]
        at: Option<String>,
    },
    /// Draw the stage graph of an edition.
    Graph {
        /// The edition file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
}

/// Which edition, and where its definitions and progress are.
#[derive(Args)]
struct Where {
    /// The edition's id (as in its `edition: id:`).
    edition: String,
    /// The definitions folder.
    #[arg(
        long,
        value_name = "DIR",
        env = "JALON_DEFINITIONS",
        default_value = "definitions"
    )]
    definitions: PathBuf,
    /// The database of recorded progress (created on first use).
    #[arg(
        long,
        value_name = "FILE",
        env = "JALON_DB",
        default_value = "jalon.db"
    )]
    db: PathBuf,
}

/// The edition and places of a command that has them.
fn place_of(command: &mut Command) -> Option<&mut Where> {
    match command {
        Command::Status { place, .. }
        | Command::Complete { place, .. }
        | Command::Approve { place, .. }
        | Command::Refuse { place, .. }
        | Command::Shortlist { place, .. }
        | Command::Score { place, .. }
        | Command::Select { place, .. }
        | Command::Decide { place, .. }
        | Command::Record { place, .. }
        | Command::Withdraw { place, .. }
        | Command::Postpone { place, .. }
        | Command::Send { place, .. }
        | Command::Outbox { place, .. }
        | Command::Log { place }
        | Command::Export { place, .. } => Some(place),
        Command::Check { .. }
        | Command::Schema
        | Command::Plan { .. }
        | Command::Simulate { .. }
        | Command::Daemon(_)
        | Command::Init { .. }
        | Command::Graph { .. } => None,
    }
}

impl Where {
    fn target(self) -> live::Target {
        live::Target {
            edition: self.edition,
            definitions: self.definitions,
            db: self.db,
        }
    }
}

/// Who did it and when.
#[derive(Args)]
struct Who {
    /// Who did it: a person's id for approvals, refusals and scores; otherwise a person or your name.
    #[arg(long, value_name = "WHO")]
    by: String,
    /// When it happened, local time of the edition (default: now), e.g. "2025-01-09 10:00".
    #[arg(long, value_name = "WHEN")]
    at: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ExportFormat {
    Json,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
enum PlanFormat {
    /// A readable timeline.
    Text,
    /// One JSON document.
    Json,
    /// An iCalendar file of stage windows and seminar days.
    Ics,
}

#[derive(Clone, Copy, ValueEnum)]
enum GraphFormat {
    /// Mermaid flowchart, for Markdown documents.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Readable report with the offending lines.
    Text,
    /// One JSON document, for editors and tools.
    Json,
}

fn main() -> ExitCode {
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
    if let (Some(place), Some((_, sub))) = (place_of(&mut command), matches.subcommand()) {
        if let Err(report) = config::command_paths(sub, &mut place.definitions, &mut place.db) {
            eprint!("{report}");
            return ExitCode::from(2);
        }
    }
    match command {
        Command::Check {
            paths,
            format,
            deny_warnings,
            max_bytes,
            max_values,
        } => {
            let limits = Limits {
                max_bytes,
                max_nodes: max_values,
                ..Limits::default()
            };
            let report = match check_paths(&paths, &limits) {
                Ok(report) => report,
                Err(usage) => {
                    eprintln!("error: {usage}");
                    return ExitCode::from(2);
                }
            };
            let out = match format {
                Format::Text => render::text(&report, color_wanted()),
                Format::Json => render::json(&report),
            };
            if std::io::stdout().lock().write_all(out.as_bytes()).is_err() {
                return ExitCode::from(2);
            }
            let failed = report.errors() > 0 || (deny_warnings && report.warnings() > 0);
            ExitCode::from(u8::from(failed))
        }
        Command::Schema => {
            print!("{}", schema::json_schema_text());
            ExitCode::SUCCESS
        }
        Command::Plan {
            file,
            format,
            outcome,
        } => plan_command(&file, format, outcome),
        Command::Simulate { file, script, out } => simulate_command(&file, &script, &out),
        Command::Status { place, at } => finish(live::status(&place.target(), at.as_deref())),
        Command::Log { place } => finish(live::log(&place.target())),
        Command::Outbox { place, status } => {
            finish(outbox::outbox(&place.target(), status.as_deref()))
        }
        Command::Send {
            place,
            smtp,
            folder,
            connections,
            rate,
            at,
            public_url,
            secret_file,
        } => {
            let options = send::Options {
                smtp,
                folder: folder.unwrap_or_else(|| PathBuf::from("outbox")),
                connections,
                rate,
            };
            let links = send::LinkOptions {
                public_url,
                secret_file,
            };
            finish(send::send(&place.target(), &options, &links, at.as_deref()))
        }
        Command::Daemon(args) => {
            let Some(matches) = matches.subcommand_matches("daemon") else {
                return ExitCode::from(2);
            };
            match config::daemon_options(args, matches) {
                Ok(options) => daemon::run(options),
                Err(report) => {
                    eprint!("{report}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Init { dir } => finish(config::init(&dir)),
        Command::Export { place, format, at } => {
            finish(export_command(&place.target(), format, at.as_deref()))
        }
        Command::Complete {
            place,
            stage,
            participant,
            who,
            comment,
        } => record(
            place,
            who,
            EventKind::Complete {
                stage,
                participant,
                comment,
            },
        ),
        Command::Approve {
            place,
            stage,
            participant,
            who,
            comment,
        } => record(
            place,
            who,
            EventKind::Approve {
                stage,
                participant,
                comment,
            },
        ),
        Command::Refuse {
            place,
            stage,
            participant,
            who,
            comment,
        } => record(
            place,
            who,
            EventKind::Refuse {
                stage,
                participant,
                comment,
            },
        ),
        Command::Shortlist {
            place,
            stage,
            participants,
            who,
        } => record(
            place,
            who,
            EventKind::Select {
                stage,
                participants: Some(participants),
            },
        ),
        Command::Select {
            place,
            stage,
            participants,
            who,
        } => record(
            place,
            who,
            EventKind::Select {
                stage,
                participants: (!participants.is_empty()).then_some(participants),
            },
        ),
        Command::Score {
            place,
            stage,
            participant,
            scores,
            who,
        } => match parse_scores(&scores) {
            Ok(scores) => record(
                place,
                who,
                EventKind::Score {
                    stage,
                    participant,
                    scores,
                },
            ),
            Err(message) => finish(Err(live::Failure { message, code: 2 })),
        },
        Command::Decide {
            place,
            stage,
            outcome,
            participant,
            who,
            comment,
        } => record(
            place,
            who,
            EventKind::Decide {
                stage,
                participant,
                outcome,
                comment,
            },
        ),
        Command::Record {
            place,
            stage,
            indicator,
            value,
            participant,
            who,
        } => record(
            place,
            who,
            EventKind::Record {
                stage,
                participant,
                indicator,
                value,
            },
        ),
        Command::Withdraw {
            place,
            participant,
            who,
            reason,
        } => record(
            place,
            who,
            EventKind::Withdraw {
                participant,
                reason,
            },
        ),
        Command::Postpone {
            place,
            stage,
            participant,
            start,
            due,
            who,
            reason,
        } => record(
            place,
            who,
            EventKind::Postpone {
                stage,
                participant,
                start,
                due,
                reason,
            },
        ),
        Command::Graph { file, format } => {
            let Ok(edition) = edition::load(&file) else {
                return ExitCode::from(2);
            };
            let text = match format {
                GraphFormat::Mermaid => graph::mermaid(&edition),
                GraphFormat::Dot => graph::dot(&edition),
            };
            print_out(&text)
        }
    }
}

fn plan_command(file: &Path, format: PlanFormat, outcome: Option<String>) -> ExitCode {
    let Ok(edition) = edition::load(file) else {
        return ExitCode::from(2);
    };
    if let Some(wanted) = &outcome {
        let known: Vec<&str> = edition
            .stages
            .iter()
            .flat_map(|s| s.outcomes.iter().map(|o| o.id.as_str()))
            .collect();
        if !known.contains(&wanted.as_str()) {
            eprintln!(
                "error: no decision of this edition has the outcome `{wanted}`; the outcomes are: {}",
                known.join(", ")
            );
            return ExitCode::from(2);
        }
    }
    let plan = match plan::build(jalon_core::State::new(edition), outcome) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let text = match format {
        PlanFormat::Text => plan::text(&plan),
        PlanFormat::Json => plan::json(&plan),
        PlanFormat::Ics => plan::ics(&plan),
    };
    let broken = plan.messages.iter().filter(|m| m.subject.is_err()).count();
    let code = print_out(&text);
    if broken > 0 {
        eprintln!("error: {broken} message(s) could not be rendered (see TEMPLATE ERROR above)");
        return ExitCode::from(1);
    }
    code
}

fn simulate_command(file: &Path, script_path: &Path, out: &Path) -> ExitCode {
    let Ok(edition) = edition::load(file) else {
        return ExitCode::from(2);
    };
    let script = match script::read(script_path, &edition) {
        Ok(script) => script,
        Err(report) => {
            eprint!("{}", render::text(&report, color_wanted_stderr()));
            return ExitCode::from(2);
        }
    };
    let summary = match simulate::run(jalon_core::State::new(edition), &script, out) {
        Ok(summary) => summary,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut text = summary.status.clone();
    text.push_str(&format!(
        "\n{} steps ({} refused), {} messages written to {}\n",
        summary.steps,
        summary.rejected,
        summary.messages,
        out.join("messages").display()
    ));
    let code = print_out(&text);
    for problem in &summary.problems {
        eprintln!("error: {problem}");
    }
    for surprise in &summary.surprises {
        eprintln!("error: {surprise}");
    }
    if summary.problems.is_empty() && summary.surprises.is_empty() {
        code
    } else {
        ExitCode::from(1)
    }
}

fn record(place: Where, who: Who, kind: EventKind) -> ExitCode {
    finish(live::record(
        &place.target(),
        &who.by,
        who.at.as_deref(),
        kind,
    ))
}

/// `besoin=4 impact=3`.
fn parse_scores(items: &[String]) -> Result<std::collections::BTreeMap<String, i64>, String> {
    let mut scores = std::collections::BTreeMap::new();
    for item in items {
        let parsed = item.split_once('=').and_then(|(k, v)| {
            v.trim()
                .parse::<i64>()
                .ok()
                .map(|v| (k.trim().to_owned(), v))
        });
        match parsed {
            Some((criterion, value)) if !criterion.is_empty() => {
                scores.insert(criterion, value);
            }
            _ => {
                return Err(format!(
                    "`{item}` is not a score: write CRITERION=VALUE, such as impact=4"
                ))
            }
        }
    }
    Ok(scores)
}

fn export_command(
    target: &live::Target,
    format: ExportFormat,
    at: Option<&str>,
) -> Result<String, live::Failure> {
    let edition = live::edition(&target.definitions, &target.edition)?;
    let now = live::instant(&edition, at)?;
    let history = if target.db.exists() {
        use jalon_store::Store;
        jalon_store::SqliteStore::open_read_only(&target.db)
            .and_then(|s| s.history(&edition.id))
            .map_err(|e| live::Failure {
                message: e.to_string(),
                code: 2,
            })?
    } else {
        jalon_store::History::default()
    };
    let state = live::rebuild(edition, &history)?;
    match format {
        ExportFormat::Json => Ok(export::json(&state, now)),
        ExportFormat::Csv => {
            export::csv(&state, now).map_err(|message| live::Failure { message, code: 2 })
        }
    }
}

/// Prints what a command says, or its failure on stderr with its code.
fn finish(result: Result<String, live::Failure>) -> ExitCode {
    match result {
        Ok(text) => print_out(&text),
        Err(failure) => {
            eprintln!("error: {}", failure.message.trim_end());
            ExitCode::from(failure.code)
        }
    }
}

fn print_out(text: &str) -> ExitCode {
    if std::io::stdout().lock().write_all(text.as_bytes()).is_err() {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

/// Colours only for a person at a terminal who has not opted out.
fn color_wanted() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn color_wanted_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}
