//! The grammar of the `jalon` command: every subcommand, its arguments and
//! their help. Parsing only; `main` dispatches.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use jalon_core::EventKind;
use jalon_definition::Limits;

use crate::commands::live::ExportFormat;
use crate::commands::record::{parse_reasons, parse_scores};
use crate::commands::Target;
use crate::config;
use crate::failure::Failure;

#[derive(Parser)]
#[command(
    name = "jalon",
    version,
    about = "Run social-innovation experimentation programmes: check editions, preview and send what is due."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
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
        /// Instead of the on-time year: what this (changed) definition would send now, given what this database recorded.
        #[arg(long, value_name = "DB")]
        against: Option<PathBuf>,
        /// With --against: as if it were this local time (default: now).
        #[arg(long, value_name = "WHEN", requires = "against")]
        at: Option<String>,
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
        #[command(flatten)]
        instance: Instance,
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
        #[command(flatten)]
        instance: Instance,
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
        #[command(flatten)]
        instance: Instance,
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
        /// Why a participant left out is not retained, as PARTICIPANT=REASON
        /// (repeatable); it reaches them in the "not retained" email.
        #[arg(long = "reason", value_name = "PARTICIPANT=REASON")]
        reasons: Vec<String>,
        #[command(flatten)]
        who: Who,
    },
    /// Record a scale-up decision for a participant.
    Decide {
        #[command(flatten)]
        place: Where,
        #[command(flatten)]
        instance: Instance,
        /// The outcome's id (implanter, prolonger, arreter…).
        outcome: String,
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
        #[command(flatten)]
        instance: Instance,
        /// The indicator's id, as the stage declares it.
        indicator: String,
        /// The measured value, as written.
        value: String,
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
    /// Call off an event of a stage (a seminar day, a jury): everyone invited gets it withdrawn from their calendar, with the reason.
    CancelEvent {
        #[command(flatten)]
        place: Where,
        #[command(flatten)]
        instance: Instance,
        /// The event's id, as in the stage's `events`.
        #[arg(long, value_name = "EVENT")]
        event: String,
        #[command(flatten)]
        who: Who,
        /// Why, told to those invited and kept in the log.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Record a history (a file in the simulation-script format, such as definitions/history/2024-2025.yaml): all or nothing, each event checked; importing it again records nothing twice. The messages those past acts made due are recorded expired, never sent.
    Import {
        #[command(flatten)]
        place: Where,
        /// The history file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Cancel an event recorded by mistake (its number is in `jalon log`): the state is rebuilt without it, the messages it queued and not yet sent are withdrawn; the log keeps both.
    Void {
        #[command(flatten)]
        place: Where,
        /// The number of the event to cancel (`#12` in `jalon log`).
        #[arg(value_name = "SEQ")]
        seq: i64,
        #[command(flatten)]
        who: Who,
        /// Why, kept in the log.
        #[arg(long)]
        reason: String,
    },
    /// Close the edition: nothing more is sent for it, nothing more recorded; its record stays readable.
    Close {
        #[command(flatten)]
        place: Where,
        #[command(flatten)]
        who: Who,
        /// Why, kept in the log.
        #[arg(long)]
        reason: String,
    },
    /// Let go the messages the daemon held because they were already late
    /// when their definition came in — or, with --drop, record them expired.
    Release {
        #[command(flatten)]
        place: Where,
        #[command(flatten)]
        who: Who,
        /// Never send them: record them expired.
        #[arg(long)]
        drop: bool,
        /// Why, kept in the log.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Try again messages that failed for good (all, or one by --key): after
    /// fixing the relay settings or an address. Recorded in the log.
    Retry {
        #[command(flatten)]
        place: Where,
        #[command(flatten)]
        who: Who,
        /// Only this message (its key, as `jalon outbox` shows it).
        #[arg(long)]
        key: Option<String>,
    },
    /// Print a sign-in link to the web workspace for a person of the edition,
    /// valid 15 minutes and once: the operator's way in, without email.
    LoginLink {
        #[command(flatten)]
        place: Where,
        /// The person: an id of the edition's people, or the email address of
        /// one of them or of a participant's contact.
        person: String,
        /// The address of the daemon people reach (as in the emails' links).
        #[arg(
            long,
            value_name = "URL",
            env = "JALON_PUBLIC_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        public_url: String,
    },
    /// Move a stage's dates (stages dated from it follow).
    Postpone {
        #[command(flatten)]
        place: Where,
        #[command(flatten)]
        instance: Instance,
        /// New start date: a date (2025-03-07) or relative, as in definitions (`start + 1 week`, `jury.due + 3 working days`).
        #[arg(long, value_name = "DATE")]
        start: Option<String>,
        /// New due date: a date or relative (`start + 35 working days`; `start` is the new start when one is given).
        #[arg(long, value_name = "DATE")]
        due: Option<String>,
        #[command(flatten)]
        who: Who,
        /// Why, kept in the log.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Send a stage dated from sessions (`commission-permanente after …`) to the next session: a file not ready, or put off by the assembly. Its later stages move with it, as after a postponement.
    Adjourn {
        #[command(flatten)]
        place: Where,
        #[command(flatten)]
        instance: Instance,
        #[command(flatten)]
        who: Who,
        /// Why, kept in the log and told in the new invitations.
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
        /// Sign every email with DKIM with this RSA private key (PEM), in its sender's domain.
        #[arg(
            long,
            value_name = "FILE",
            env = "JALON_DKIM_KEY",
            requires = "dkim_selector"
        )]
        dkim_key: Option<PathBuf>,
        /// The selector the DKIM key's public half is published under (SELECTOR._domainkey.DOMAIN).
        #[arg(
            long,
            value_name = "NAME",
            env = "JALON_DKIM_SELECTOR",
            requires = "dkim_key"
        )]
        dkim_selector: Option<String>,
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
    /// Copy a SQLite database into an empty PostgreSQL one (history, definition versions, outbox, attempts, links), then check both sides agree, table by table.
    Copy {
        /// The SQLite database to copy (left as it is).
        #[arg(long, value_name = "FILE")]
        from: PathBuf,
        /// The PostgreSQL database to fill, which must be empty: postgres://USER:PASSWORD@HOST/DATABASE.
        #[arg(long, value_name = "URL")]
        to: String,
    },
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
        /// Only the messages in this state: pending, held, sent, failed or expired.
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
pub struct Where {
    /// The edition's id (as in its `edition: id:`).
    pub edition: String,
    /// The definitions folder.
    #[arg(
        long,
        value_name = "DIR",
        env = "JALON_DEFINITIONS",
        default_value = "definitions"
    )]
    pub definitions: PathBuf,
    /// The database of recorded progress: a SQLite file (created on first use) or postgres://HOST/DATABASE.
    #[arg(
        long,
        value_name = "FILE_OR_URL",
        hide_env_values = true,
        env = "JALON_DB",
        default_value = "jalon.db"
    )]
    pub db: PathBuf,
}

/// The places an operator's command takes from `jalon.toml` when no flag or
/// variable gives them: the definitions and the database, and for `send`
/// the links' address and key, so that it writes the links the daemon
/// answers.
pub struct Places<'a> {
    pub definitions: &'a mut PathBuf,
    pub db: &'a mut PathBuf,
    /// The links' address, and for `send` their key.
    pub links: Option<(&'a mut String, Option<&'a mut PathBuf>)>,
}

/// The places of a command that has them.
pub fn places_of(command: &mut Command) -> Option<Places<'_>> {
    if let Command::Send {
        place,
        public_url,
        secret_file,
        ..
    } = command
    {
        return Some(Places {
            definitions: &mut place.definitions,
            db: &mut place.db,
            links: Some((public_url, Some(secret_file))),
        });
    }
    if let Command::LoginLink {
        place, public_url, ..
    } = command
    {
        return Some(Places {
            definitions: &mut place.definitions,
            db: &mut place.db,
            links: Some((public_url, None)),
        });
    }
    let place = place_of(command)?;
    Some(Places {
        definitions: &mut place.definitions,
        db: &mut place.db,
        links: None,
    })
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
        | Command::CancelEvent { place, .. }
        | Command::Close { place, .. }
        | Command::Release { place, .. }
        | Command::Retry { place, .. }
        | Command::Import { place, .. }
        | Command::Void { place, .. }
        | Command::Postpone { place, .. }
        | Command::Adjourn { place, .. }
        | Command::Send { place, .. }
        | Command::LoginLink { place, .. }
        | Command::Outbox { place, .. }
        | Command::Log { place }
        | Command::Export { place, .. } => Some(place),
        Command::Check { .. }
        | Command::Schema
        | Command::Plan { .. }
        | Command::Simulate { .. }
        | Command::Daemon(_)
        | Command::Init { .. }
        | Command::Copy { .. }
        | Command::Graph { .. } => None,
    }
}

impl Where {
    pub fn target(self) -> Target {
        Target::new(self.edition, self.definitions, self.db)
    }
}

/// The stage instance an act is about.
#[derive(Args)]
pub struct Instance {
    /// The stage's id.
    pub stage: String,
    /// The participant, for a stage run once per participant.
    #[arg(long)]
    pub participant: Option<String>,
}

/// Who did it and when.
#[derive(Args)]
pub struct Who {
    /// Who did it: a person's id for approvals, refusals and scores; otherwise a person or your name.
    #[arg(long, value_name = "WHO")]
    pub by: String,
    /// When it happened, local time of the edition (default: now), e.g. "2025-01-09 10:00".
    #[arg(long, value_name = "WHEN")]
    pub at: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum PlanFormat {
    /// A readable timeline.
    Text,
    /// One JSON document.
    Json,
    /// An iCalendar file of stage windows and seminar days.
    Ics,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum GraphFormat {
    /// Mermaid flowchart, for Markdown documents.
    Mermaid,
    /// Graphviz DOT.
    Dot,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// Readable report with the offending lines.
    Text,
    /// One JSON document, for editors and tools.
    Json,
}

/// A recording command taken apart: where, who, and the event it records.
pub struct Recording {
    pub place: Where,
    pub who: Who,
    pub kind: EventKind,
    /// A postponement's dates as written, to be read against the state.
    pub new_dates: Option<NewDates>,
}

/// `--start` and `--due` of `postpone`, as written.
pub struct NewDates {
    pub start: Option<String>,
    pub due: Option<String>,
}

impl Command {
    /// The event a recording command records (the one place the grammar
    /// becomes events); any other command is given back.
    pub fn recording(self) -> Result<Result<Recording, Failure>, Box<Command>> {
        let (place, who, kind) = match self {
            Command::Complete {
                place,
                instance: Instance { stage, participant },
                who,
                comment,
            } => (
                place,
                who,
                EventKind::Complete {
                    stage,
                    participant,
                    comment,
                    documents: Vec::new(),
                },
            ),
            Command::Approve {
                place,
                instance: Instance { stage, participant },
                who,
                comment,
            } => (
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
                instance: Instance { stage, participant },
                who,
                comment,
            } => (
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
            } => (
                place,
                who,
                EventKind::Select {
                    stage,
                    participants: Some(participants),
                    reasons: Default::default(),
                },
            ),
            Command::Select {
                place,
                stage,
                participants,
                reasons,
                who,
            } => match parse_reasons(&reasons) {
                Ok(reasons) => (
                    place,
                    who,
                    EventKind::Select {
                        stage,
                        participants: (!participants.is_empty()).then_some(participants),
                        reasons,
                    },
                ),
                Err(failure) => return Ok(Err(failure)),
            },
            Command::Score {
                place,
                stage,
                participant,
                scores,
                who,
            } => match parse_scores(&scores) {
                Ok(scores) => (
                    place,
                    who,
                    EventKind::Score {
                        stage,
                        participant,
                        scores,
                        comment: None,
                    },
                ),
                Err(failure) => return Ok(Err(failure)),
            },
            Command::Decide {
                place,
                instance: Instance { stage, participant },
                outcome,
                who,
                comment,
            } => (
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
                instance: Instance { stage, participant },
                indicator,
                value,
                who,
            } => (
                place,
                who,
                EventKind::Record {
                    stage,
                    participant,
                    indicator,
                    value,
                },
            ),
            Command::Close { place, who, reason } => (place, who, EventKind::Close { reason }),
            Command::Release {
                place,
                who,
                drop,
                reason,
            } => (place, who, EventKind::Release { drop, reason }),
            Command::Retry { place, who, key } => (place, who, EventKind::Retry { key }),
            Command::CancelEvent {
                place,
                instance: Instance { stage, participant },
                event,
                who,
                reason,
            } => (
                place,
                who,
                EventKind::CancelEvent {
                    stage,
                    participant,
                    event,
                    reason,
                },
            ),
            Command::Withdraw {
                place,
                participant,
                who,
                reason,
            } => (
                place,
                who,
                EventKind::Withdraw {
                    participant,
                    reason,
                },
            ),
            Command::Adjourn {
                place,
                instance: Instance { stage, participant },
                who,
                reason,
            } => (
                place,
                who,
                EventKind::Adjourn {
                    stage,
                    participant,
                    reason,
                },
            ),
            Command::Postpone {
                place,
                instance: Instance { stage, participant },
                start,
                due,
                who,
                reason,
            } => {
                // The dates are read against the edition's state when recorded.
                return Ok(Ok(Recording {
                    place,
                    who,
                    kind: EventKind::Postpone {
                        stage,
                        participant,
                        start: None,
                        due: None,
                        reason,
                    },
                    new_dates: Some(NewDates { start, due }),
                }));
            }
            other => return Err(Box::new(other)),
        };
        Ok(Ok(Recording {
            place,
            who,
            kind,
            new_dates: None,
        }))
    }
}
