//! Periodic digests: on each firing of a digest's schedule while the edition
//! runs, one email per recipient saying what is late, what awaits whom, and
//! what falls due in the next seven days. The outbox row only says which
//! firing it is; the text is written when it is sent, from the state then.

use jalon_core::{Addressee, Lifecycle, Progress, Recipient, State};
use jalon_definition::model::Language;
use jalon_definition::resolved::{Digest, Edition};
use jalon_message::{html_page, text_to_html, Email};
use jalon_store::{NewMessage, OutboxEntry};
use jiff::{SignedDuration, Timestamp, Zoned};

use super::messages::{self, date_in, reader_language};
use crate::payload::Firing;
use crate::texts::{self, Args};

/// How far back a missed firing is still sent (after downtime): the latest
/// firing within this window, never the ones before it.
const LOOK_BACK: SignedDuration = SignedDuration::from_hours(31 * 24);

/// How far ahead "falls due soon" looks.
const SOON: SignedDuration = SignedDuration::from_hours(7 * 24);

/// The messages of each digest's latest firing at `now` (within the
/// edition's dates), one per recipient with an address; each expires at the
/// digest's next firing, when a fresher one replaces it. Keys make queueing
/// the same firing twice harmless.
pub fn due(edition: &Edition, now: Timestamp) -> Vec<NewMessage> {
    let mut out = Vec::new();
    for digest in &edition.digests {
        let Some(firing) = latest_firing(edition, digest, now) else {
            continue;
        };
        let expires_at = digest
            .schedule
            .next_after(&firing)
            .map(|next| next.timestamp());
        let stamp = firing.strftime("%Y-%m-%dT%H:%M");
        let row = Firing {
            digest: digest.id.clone(),
            at: firing.timestamp(),
        };
        for person in recipients(edition, digest) {
            let id = &edition.people[person].id;
            let addressee = Addressee::Person(id);
            let key = format!("{}/digest/{}/{stamp}/{addressee}", edition.id, digest.id);
            out.push(row.message(key, id, expires_at));
        }
    }
    out
}

/// When a digest of the edition fires next after `now`, if it ever does
/// within the edition's dates.
pub fn next(edition: &Edition, now: Timestamp) -> Option<Timestamp> {
    let now = now.to_zoned(edition.time_zone.clone());
    edition
        .digests
        .iter()
        .filter_map(|d| d.schedule.next_after(&now))
        .filter(|at| within(edition, at))
        .map(|at| at.timestamp())
        .min()
}

fn latest_firing(edition: &Edition, digest: &Digest, now: Timestamp) -> Option<Zoned> {
    let from = now.checked_sub(LOOK_BACK).ok()?;
    digest
        .schedule
        .iter_after(&from.to_zoned(edition.time_zone.clone()))
        .take_while(|at| at.timestamp() <= now)
        .filter(|at| within(edition, at))
        .last()
}

fn within(edition: &Edition, at: &Zoned) -> bool {
    (edition.start..=edition.end).contains(&at.date())
}

/// Recipients with an email address, roles expanded.
fn recipients(edition: &Edition, digest: &Digest) -> Vec<usize> {
    let mut people: Vec<usize> = Vec::new();
    for actor in &digest.to {
        // Digests name no participant's own (`check` refuses it).
        for p in edition.people_named(std::slice::from_ref(actor), None) {
            if edition.people[p].email.is_some() && !people.contains(&p) {
                people.push(p);
            }
        }
    }
    people
}

/// The digest email of an outbox row, written from the state at `now`.
pub fn email(
    state: &State,
    entry: &OutboxEntry,
    now: Timestamp,
    links: Option<&crate::links::Links>,
) -> Result<Email, String> {
    let edition = state.edition();
    let person = Addressee::parse(&entry.recipient)
        .and_then(Addressee::person)
        .and_then(|id| edition.people.iter().position(|p| p.id == id))
        .ok_or("the recipient is no longer in the definition")?;
    let to = messages::mailbox(edition, Recipient::Person(person))
        .ok_or("the recipient has no email address in the definition")?;
    let language = reader_language(edition, Recipient::Person(person));
    let summary = Summary::of(state, now);
    // The edition's page in the workspace, where each line can be acted on.
    let path = format!("/editions/{}", edition.id);
    let workspace = links.map_or_else(|| format!("http://127.0.0.1:8080{path}"), |l| l.page(&path));
    let (subject, text) = write(edition, &summary, &to.name, language, now, &workspace);
    let html = html_page(&text_to_html(&text), Some(language.as_str()), &subject);
    Ok(Email {
        idempotency_key: entry.key.clone(),
        date: now.to_zoned(edition.time_zone.clone()),
        from: messages::sender(edition),
        reply_to: None,
        to: vec![to],
        subject,
        text,
        html: Some(html),
        invite: None,
        thread: None,
        list: Some(super::messages::list_of(edition)),
        language: Some(language.as_str().to_owned()),
        signature: Some(super::messages::signature(edition)),
        typeset: false,
    })
}

/// One line of a digest: a stage (and participant), a date, and who.
struct Line {
    what: String,
    date: jiff::civil::Date,
    who: Vec<String>,
}

/// What a digest says, computed from the state.
struct Summary {
    late: Vec<Line>,
    awaiting: Vec<Line>,
    soon: Vec<Line>,
}

impl Summary {
    fn of(state: &State, now: Timestamp) -> Summary {
        let edition = state.edition();
        let zone = &edition.time_zone;
        let horizon = now
            .checked_add(SOON)
            .unwrap_or(now)
            .to_zoned(zone.clone())
            .date();
        let names = |people: Vec<usize>| -> Vec<String> {
            people
                .into_iter()
                .map(|p| edition.people[p].name.clone())
                .collect()
        };
        let mut summary = Summary {
            late: Vec::new(),
            awaiting: Vec::new(),
            soon: Vec::new(),
        };
        let mut instances: Vec<_> = state.instances().iter().collect();
        instances.sort_by_key(|i| (i.window.due, i.stage, i.participant));
        for instance in instances {
            let stage = &edition.stages[instance.stage];
            let what = match instance.participant {
                Some(p) => format!("{} — {}", stage.title, edition.participants[p].name),
                None => stage.title.clone(),
            };
            let (life, late) = state.lifecycle(instance, now);
            match (&instance.progress, life) {
                (_, Lifecycle::Done | Lifecycle::Skipped) => {}
                (Progress::AwaitingValidation { since }, _) => {
                    let validators = crate::status::awaited_validators(state, instance);
                    summary.awaiting.push(Line {
                        what,
                        date: since.to_zoned(zone.clone()).date(),
                        who: names(validators),
                    });
                }
                (_, Lifecycle::Open) if late => summary.late.push(Line {
                    what,
                    date: instance.window.due,
                    who: names(state.people_of(&stage.owners, instance.participant)),
                }),
                (_, Lifecycle::Open | Lifecycle::Scheduled) if instance.window.due <= horizon => {
                    summary.soon.push(Line {
                        what,
                        date: instance.window.due,
                        who: names(state.people_of(&stage.owners, instance.participant)),
                    });
                }
                _ => {}
            }
        }
        summary
    }
}

/// Subject and text in the reader's language.
fn write(
    edition: &Edition,
    summary: &Summary,
    name: &str,
    language: Language,
    now: Timestamp,
    workspace: &str,
) -> (String, String) {
    let today = date_in(language, now.to_zoned(edition.time_zone.clone()).date());
    let (late, awaiting, soon) = (
        summary.late.len(),
        summary.awaiting.len(),
        summary.soon.len(),
    );
    let words = |id: &str| texts::plain(language, id);
    let subject = texts::text(
        language,
        "digest-subject",
        &Args::new()
            .text("edition", &edition.name)
            .number("late", late)
            .number("awaiting", awaiting),
    );
    let mut text = texts::text(language, "digest-greeting", &Args::new().text("name", name));
    text.push_str("\n\n");
    text.push_str(&texts::text(
        language,
        "digest-lead",
        &Args::new()
            .text("today", today)
            .text("edition", &edition.name)
            .text("programme", &edition.programme_name),
    ));
    text.push('\n');
    for (lines, kind) in [
        (&summary.late, "late"),
        (&summary.awaiting, "awaiting"),
        (&summary.soon, "soon"),
    ] {
        let section = Section {
            title: words(&format!("digest-{kind}")),
            dated: words(&format!("digest-{kind}-date")),
            who: words(&format!("digest-{kind}-who")),
        };
        section.write(&mut text, lines, language);
    }
    if late + awaiting + soon == 0 {
        text.push('\n');
        text.push_str(&words("digest-nothing"));
        text.push('\n');
    }
    text.push('\n');
    text.push_str(&texts::text(
        language,
        "digest-workspace",
        &Args::new().text("url", workspace),
    ));
    text.push_str("\n\n");
    text.push_str(&words("digest-footer"));
    text.push('\n');
    (subject, text)
}

/// The words of one section of a digest.
struct Section {
    title: String,
    /// Before a line's date.
    dated: String,
    /// Before a line's people.
    who: String,
}

impl Section {
    fn write(&self, out: &mut String, lines: &[Line], language: Language) {
        if lines.is_empty() {
            return;
        }
        out.push_str(&format!("\n{} ({})\n", self.title, lines.len()));
        for line in lines {
            out.push_str(&format!(
                "- {}, {} {}",
                line.what,
                self.dated,
                date_in(language, line.date)
            ));
            if !line.who.is_empty() {
                out.push_str(&format!(" — {} {}", self.who, line.who.join(", ")));
            }
            out.push('\n');
        }
    }
}
