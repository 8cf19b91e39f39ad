//! `jalon`: the programme manager's and operator's command.

mod render;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
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
    }
}

/// Colours only for a person at a terminal who has not opted out.
fn color_wanted() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}
