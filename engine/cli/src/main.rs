//! `jalon`: the programme manager's and operator's command.

mod edition;
mod graph;
mod messages;
mod plan;
mod render;
mod script;
mod simulate;
mod status;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
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
    /// Draw the stage graph of an edition.
    Graph {
        /// The edition file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
        format: GraphFormat,
    },
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
    let cli = Cli::parse();
    match cli.command {
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
