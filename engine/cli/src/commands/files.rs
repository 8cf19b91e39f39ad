//! The commands on definition files, before anything is recorded: `check`,
//! `plan`, `simulate`, `graph`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jalon_definition::resolved::Edition;
use jalon_definition::{check_paths, Limits};
use jalon_runtime::check_report;
use jalon_runtime::load::{self, LoadError};

use crate::args::{Format, GraphFormat, PlanFormat};
use crate::failure::Failure;
use crate::{graph, plan, simulate};
use jalon_runtime::script;

/// Colours only for a person at a terminal who has not opted out.
pub fn color_wanted() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn color_wanted_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

pub struct Check {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub deny_warnings: bool,
    pub limits: Limits,
}

/// Every problem of the files, with its place; exit 1 on errors (or
/// warnings, when denied).
pub fn check(check: &Check) -> Result<String, Failure> {
    let report = check_paths(&check.paths, &check.limits)
        .map_err(|usage| Failure::Usage(usage.to_string()))?;
    let out = match check.format {
        Format::Text => check_report::text(&report, color_wanted()),
        Format::Json => check_report::json(&report),
    };
    let failed = report.errors() > 0 || (check.deny_warnings && report.warnings() > 0);
    if !failed {
        return Ok(out);
    }
    print_out(&out)?;
    Err(Failure::Told(1))
}

/// The one edition an edition file describes; its problems are shown
/// exactly as `jalon check` shows them.
fn edition_file(path: &Path) -> Result<Arc<Edition>, Failure> {
    match load::edition_file(path) {
        Ok(edition) => Ok(edition),
        Err(LoadError::Invalid { report, .. }) => {
            eprint!("{}", check_report::text(&report, color_wanted_stderr()));
            eprintln!(
                "error: `{}` has errors; fix them first (`jalon check {}`)",
                path.display(),
                path.display()
            );
            Err(Failure::Told(2))
        }
        Err(other) => Err(Failure::Usage(other.to_string())),
    }
}

pub fn plan(file: &Path, format: PlanFormat, outcome: Option<String>) -> Result<String, Failure> {
    let edition = edition_file(file)?;
    if let Some(wanted) = &outcome {
        let known: Vec<&str> = edition
            .stages
            .iter()
            .flat_map(|s| s.outcomes.iter().map(|o| o.id.as_str()))
            .collect();
        if !known.contains(&wanted.as_str()) {
            return Err(Failure::Usage(format!(
                "no decision of this edition has the outcome `{wanted}`; the outcomes are: {}",
                known.join(", ")
            )));
        }
    }
    let (edition, _) = plan::with_placeholders(&edition);
    let plan = plan::build(jalon_core::State::new(edition), outcome)
        .map_err(|e| Failure::Refused(e.to_string()))?;
    let text = match format {
        PlanFormat::Text => plan::text(&plan),
        PlanFormat::Json => plan::json(&plan),
        PlanFormat::Ics => plan::ics(&plan),
    };
    let broken = plan.messages.iter().filter(|m| m.subject.is_err()).count();
    if broken > 0 {
        print_out(&text)?;
        return Err(Failure::Refused(format!(
            "{broken} message(s) could not be rendered (see TEMPLATE ERROR above)"
        )));
    }
    Ok(text)
}

/// What a changed definition would send now, given what a database
/// recorded: each message not yet queued, due by now, and whether its
/// window is still open (sent) or closed (recorded expired). Writes nothing.
pub fn plan_against(file: &Path, db: &Path, at: Option<&str>) -> Result<String, Failure> {
    use jalon_core::clock::deliver_until;
    use jalon_runtime::compose::messages;
    use jalon_runtime::local_time::short;
    use jalon_store::{Backend, Database, Store};

    let edition = edition_file(file)?;
    let now = super::clock(&edition, at)?.now();
    let database = Database::from_setting(db, "jalon-cli")?;
    let history = match database.open_read_only()? {
        Some(store) => store.history(&edition.id)?,
        None => {
            return Err(Failure::Usage(format!(
                "there is no database `{}` (give the daemon's with --against)",
                database.describe()
            )))
        }
    };
    let mut state = jalon_runtime::replay::replay(edition.clone(), &history)?;
    let templates = messages::templates(&edition)
        .map_err(|e| Failure::Usage(format!("a template does not compile: {e}")))?;
    let mut out = crate::plan::dates_side_by_side(&state);
    let mut due = Vec::new();
    deliver_until(&mut state, now, |_, action| due.push(action.clone()));
    out.push_str(&format!(
        "\nWhat `{}` would send now ({}), given the {} event(s) recorded in `{}`:\n",
        file.display(),
        short(&edition, now),
        history.events.len(),
        db.display()
    ));
    if due.is_empty() {
        out.push_str("  nothing\n");
    }
    for action in &due {
        let open = action.expires_at.is_none_or(|t| t >= now);
        let subject = messages::render(&templates, &state, action, None)
            .map_or_else(|e| format!("TEMPLATE ERROR: {e}"), |r| r.subject);
        let to = messages::mailbox(&edition, action.recipient)
            .map_or_else(|| "(no address)".to_owned(), |m| m.name);
        out.push_str(&format!(
            "  {}  {}  {} → {}  « {} »\n",
            short(&edition, action.due_at),
            if open { "SENT   " } else { "EXPIRED" },
            crate::plan::kind_word(action.kind),
            to,
            subject
        ));
    }
    // As the daemon judges it: late by more than the hold's grace.
    let late_since = now
        .checked_sub(jalon_runtime::hold::HOLD_GRACE)
        .unwrap_or(now);
    let late = due
        .iter()
        .filter(|a| a.expires_at.is_none_or(|t| t >= now) && a.due_at < late_since)
        .count();
    if late > 0 {
        out.push_str(&format!(
            "{late} message(s) would go at once although their date has passed: check the dates before saving \
             (a running daemon holds such messages until `jalon release`).\n"
        ));
    }
    Ok(out)
}

pub fn simulate(file: &Path, script_path: &Path, out: &Path) -> Result<String, Failure> {
    let edition = edition_file(file)?;
    let script = match script::read(script_path, &edition) {
        Ok(script) => script,
        Err(report) => {
            eprint!("{}", check_report::text(&report, color_wanted_stderr()));
            return Err(Failure::Told(2));
        }
    };
    let summary = simulate::run(jalon_core::State::new(edition), &script, out)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    let mut text = summary.status.clone();
    text.push_str(&format!(
        "\n{} steps ({} refused), {} messages written to {}\n",
        summary.steps,
        summary.rejected,
        summary.messages,
        out.join("messages").display()
    ));
    if summary.problems.is_empty() && summary.surprises.is_empty() {
        return Ok(text);
    }
    print_out(&text)?;
    for problem in summary.problems.iter().chain(&summary.surprises) {
        eprintln!("error: {problem}");
    }
    Err(Failure::Told(1))
}

pub fn graph(file: &Path, format: GraphFormat) -> Result<String, Failure> {
    let edition = edition_file(file)?;
    Ok(match format {
        GraphFormat::Mermaid => graph::mermaid(&edition),
        GraphFormat::Dot => graph::dot(&edition),
    })
}

/// Writes to standard output; a closed pipe is a usage failure (exit 2).
pub fn print_out(text: &str) -> Result<(), Failure> {
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|_| Failure::Told(2))
}

/// `jalon copy`: a SQLite database into an empty PostgreSQL one, checked.
pub fn copy(from: &Path, to: &str) -> Result<String, Failure> {
    use jalon_store::{Backend, PostgresBackend, SqliteStore};

    if !jalon_store::is_postgres_url(to) {
        return Err(Failure::Usage(format!(
            "--to `{}` is not a PostgreSQL address: write postgres://USER:PASSWORD@HOST/DATABASE",
            jalon_store::without_password(to)
        )));
    }
    if !from.is_file() {
        return Err(Failure::Usage(format!(
            "--from `{}`: there is no such database file",
            from.display()
        )));
    }
    let source = SqliteStore::open(from)?;
    let target = PostgresBackend::new(to, "jalon-copy")?;
    let store = Backend::open(&target)?;
    let copied = jalon_store::copy(&source, &store).map_err(|e| Failure::Usage(e.to_string()))?;
    let mut out = format!(
        "Copied `{}` into `{}`; both sides read back the same.\n",
        from.display(),
        target.describe()
    );
    for (table, rows) in &copied.tables {
        out.push_str(&format!("  {table:<12} {rows:>9} row(s)\n"));
    }
    out.push_str(&format!(
        "Checksum (SHA-256 of every table, both sides): {}\n\
         Run the daemon with --db '{}' (the SQLite file is left as it was).\n",
        copied.checksum,
        target.describe()
    ));
    Ok(out)
}
