//! Metadata, calendar, organisations, people, roles, themes, participants and
//! templates: everything a stage refers to.

use jalon_calendar::{Closure, HolidayRegion, WorkingCalendar};
use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::dates::Windows;
use super::stages::StageTable;
use super::{Checker, IdIndex};
use crate::diagnostic::{suggestion_hint, Diagnostic};
use crate::expr::parse_date;
use crate::model::{self, ParticipantStatus};
use crate::resolved::{self, Actor, Attached, Edition};

/// Everything stages can refer to, checked.
pub(crate) struct Directory {
    pub organisations: IdIndex,
    pub people: IdIndex,
    pub roles: IdIndex,
    pub themes: IdIndex,
    pub templates: IdIndex,
    pub calendar: WorkingCalendar,
    /// Organisations' own calendars, and which is whose (organisation id).
    pub calendars: Vec<WorkingCalendar>,
    pub calendar_of_organisation: std::collections::HashMap<String, usize>,
    pub time_zone: Option<(String, TimeZone)>,
    pub edition_start: Option<Date>,
    pub edition_end: Option<Date>,
}

/// Where a list of actors is written, which decides whether it may name
/// a participant or the roles attached to one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Owners and recipients of a stage run per participant: anyone.
    PerParticipant,
    /// Validators of a stage run per participant: its attached roles, not
    /// the participant itself (nobody approves their own work).
    Validators,
    /// A stage run once for the edition.
    EditionStage,
    /// A jury: its members score the participants.
    Jury,
    /// A digest: it covers the whole edition.
    Digest,
}

impl Reach {
    /// Why `name` cannot be written here, or `None` if it can.
    fn refusal(self, name: &str) -> Option<(String, &'static str)> {
        let contact = name == "participant";
        match self {
            Self::PerParticipant => None,
            Self::Validators if !contact => None,
            Self::Validators => Some((
                "a participant cannot validate its own work".into(),
                "name the participant's service (`participant.service`) or a role",
            )),
            Self::EditionStage => Some((
                format!(
                    "`{name}` means {} of the participant a stage is about, but this stage runs once for the whole edition",
                    match name {
                        "participant" => "the contact",
                        "participant.service" => "the service",
                        _ => "the directions",
                    }
                ),
                "add `for_each: laureate` (or another status) to run the stage per participant, or name roles",
            )),
            Self::Jury => Some((
                format!("a jury cannot have `{name}` among its members: it scores the participants"),
                "name the jurors' roles or people",
            )),
            Self::Digest => Some((
                format!("a digest covers the whole edition, so `{name}` means no one in particular"),
                "name roles or people",
            )),
        }
    }
}

/// `participant`, `participant.directions`, `participant.service`.
fn participant_actor(name: &str) -> Option<Actor> {
    match name {
        "participant" => Some(Actor::Participant),
        "participant.directions" => Some(Actor::Attached(Attached::Directions)),
        "participant.service" => Some(Actor::Attached(Attached::Service)),
        _ => None,
    }
}

impl Directory {
    pub fn actor(
        &self,
        checker: &mut Checker<'_>,
        pointer: impl std::fmt::Display,
        id: &str,
        reach: Reach,
    ) -> Option<Actor> {
        if let Some(actor) = participant_actor(id) {
            if let Some((message, hint)) = reach.refusal(id) {
                checker.push(
                    Diagnostic::error("participant-not-here", message)
                        .at(checker.span(&pointer.to_string()))
                        .hint(hint),
                );
                return None;
            }
            return Some(actor);
        }
        if let Some(i) = self.roles.get(id) {
            return Some(Actor::Role(i));
        }
        if let Some(i) = self.people.get(id) {
            return Some(Actor::Person(i));
        }
        // Written out only now, for the report.
        let pointer = &pointer.to_string();
        if checker.removed_but_named(pointer, "role or person", id) {
            return None;
        }
        let mut known = self.roles.names();
        known.extend(self.people.names());
        if reach != Reach::Digest && reach != Reach::Jury {
            known.extend([
                "participant",
                "participant.directions",
                "participant.service",
            ]);
        }
        checker.push(
            Diagnostic::error(
                "unknown-reference",
                format!("there is no role or person with the id `{id}`"),
            )
            .at(checker.span(pointer))
            .label("unknown role or person")
            .hint(suggestion_hint(id, &known, "role or person")),
        );
        None
    }

    /// How many distinct people an actor list reaches.
    pub fn head_count(&self, checker: &Checker<'_>, actors: &[Actor]) -> usize {
        let mut people: Vec<usize> = Vec::new();
        for actor in actors {
            match *actor {
                Actor::Person(p) => people.push(p),
                Actor::Role(r) => people.extend(role_members(checker, self, r)),
                Actor::Participant | Actor::Attached(_) => {}
            }
        }
        people.sort_unstable();
        people.dedup();
        people.len()
    }

    pub fn build_edition(
        &self,
        checker: &Checker<'_>,
        stages: StageTable,
        windows: Windows,
        participants: Vec<model::Participant>,
    ) -> Option<Edition> {
        let doc = checker.doc;
        let programme = doc.programme.clone().unwrap_or_default();
        let info = doc.edition.clone().unwrap_or_default();
        let (time_zone_name, time_zone) = self.time_zone.clone()?;
        let organisations = doc
            .organisations
            .iter()
            .flatten()
            .map(|o| resolved::Organisation {
                id: o.id.clone().unwrap_or_default(),
                name: o.name.clone().or_else(|| o.id.clone()).unwrap_or_default(),
                kind: o.kind,
            })
            .collect();
        let people = doc
            .people
            .iter()
            .flatten()
            .map(|p| resolved::Person {
                id: p.id.clone().unwrap_or_default(),
                name: p.name.clone().unwrap_or_default(),
                email: p.email.clone(),
                organisation: p
                    .organisation
                    .as_deref()
                    .and_then(|o| self.organisations.get(o)),
                title: p.title.clone(),
                language: p.language,
            })
            .collect();
        let roles = doc
            .roles
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, r)| resolved::Role {
                id: r.id.clone().unwrap_or_default(),
                name: r.name.clone().or_else(|| r.id.clone()).unwrap_or_default(),
                kind: r.kind,
                organisation: r
                    .organisation
                    .as_deref()
                    .and_then(|o| self.organisations.get(o)),
                members: role_members(checker, self, i),
            })
            .collect();
        let themes = doc
            .themes
            .iter()
            .flatten()
            .map(|t| resolved::Theme {
                id: t.id.clone().unwrap_or_default(),
                title: t.title.clone().unwrap_or_default(),
                directions: ids_to_indices(t.directions.as_ref(), &self.roles),
            })
            .collect();
        let participants = participants
            .into_iter()
            .map(|p| resolved::Participant {
                themes: p
                    .theme
                    .iter()
                    .chain(p.themes.iter().flatten())
                    .filter_map(|t| self.themes.get(t))
                    .collect(),
                directions: ids_to_indices(p.directions.as_ref(), &self.roles),
                service: p.service.as_deref().and_then(|r| self.roles.get(r)),
                id: p.id.unwrap_or_default(),
                name: p.name.unwrap_or_else(|| "(unnamed)".into()),
                organisation: p.organisation,
                description: p.description,
                contact_name: p.contact.as_ref().and_then(|c| c.name.clone()),
                contact_email: p.contact.and_then(|c| c.email),
                status: p.status.unwrap_or(ParticipantStatus::Candidate),
                unnamed: p.unnamed.unwrap_or(false),
                language: p.language,
                feminine: p.gender == Some(crate::model::Gender::Feminine),
                award: resolved::Award::default(),
            })
            .collect();
        let language = doc.language.unwrap_or_default();
        let templates = doc
            .templates
            .iter()
            .flatten()
            .map(|t| resolved::Template {
                id: t.id.clone().unwrap_or_default(),
                subject: t.subject.clone().unwrap_or_default(),
                body: t.body.clone().unwrap_or_default(),
                html: t.html.clone(),
                translations: t
                    .translations
                    .iter()
                    .flatten()
                    .filter(|(l, _)| **l != language)
                    .map(|(l, text)| {
                        let text = resolved::TemplateText {
                            subject: text.subject.clone().unwrap_or_default(),
                            body: text.body.clone().unwrap_or_default(),
                            html: text.html.clone(),
                        };
                        (*l, text)
                    })
                    .collect(),
            })
            .collect();
        let sender = programme.sender.as_ref().and_then(|s| {
            Some(resolved::Sender {
                name: s
                    .name
                    .clone()
                    .or_else(|| programme.name.clone())
                    .unwrap_or_default(),
                email: s.email.clone()?,
            })
        });
        Some(Edition {
            version: String::new(),
            programme_id: programme.id.unwrap_or_default(),
            programme_name: programme.name.unwrap_or_default(),
            territory: programme.territory,
            sender,
            id: info.id.unwrap_or_default(),
            name: info.name.unwrap_or_default(),
            start: self.edition_start?,
            end: self.edition_end?,
            time_zone_name,
            time_zone,
            language,
            calendar: self.calendar.clone(),
            calendars: self.calendars.clone(),
            organisations,
            people,
            roles,
            themes,
            participants,
            stages: stages.into_resolved(windows),
            templates,
            digests: Vec::new(),
            sessions: Vec::new(),
            budget: None,
        })
    }
}

fn ids_to_indices(ids: Option<&Vec<String>>, index: &IdIndex) -> Vec<usize> {
    ids.into_iter()
        .flatten()
        .filter_map(|id| index.get(id))
        .collect()
}

fn role_members(checker: &Checker<'_>, directory: &Directory, role: usize) -> Vec<usize> {
    checker
        .doc
        .roles
        .as_ref()
        .and_then(|roles| roles.get(role))
        .and_then(|r| r.members.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|m| directory.people.get(m))
        .collect()
}

pub(crate) fn check(checker: &mut Checker<'_>) -> Directory {
    let doc = checker.doc;
    let is_edition = doc.edition.is_some();
    let (edition_start, edition_end) = check_edition_info(checker);
    let time_zone = check_time_zone(checker);
    let calendar = check_calendar(checker, doc.calendar.as_ref(), "/calendar");
    // Organisations' own calendars, for the stages that follow them.
    let mut calendars = Vec::new();
    let mut calendar_of_organisation = std::collections::HashMap::new();
    for (i, organisation) in doc.organisations.iter().flatten().enumerate() {
        if let (Some(id), Some(own)) = (&organisation.id, &organisation.calendar) {
            let checked =
                check_calendar(checker, Some(own), &format!("/organisations/{i}/calendar"));
            calendar_of_organisation.insert(id.clone(), calendars.len());
            calendars.push(checked);
        }
    }

    let organisations = checker.index_ids(
        "/organisations",
        "organisation",
        doc.organisations.iter().flatten().map(|o| o.id.as_ref()),
        true,
    );
    let people = checker.index_ids(
        "/people",
        "person",
        doc.people.iter().flatten().map(|p| p.id.as_ref()),
        true,
    );
    let roles = checker.index_ids(
        "/roles",
        "role",
        doc.roles.iter().flatten().map(|r| r.id.as_ref()),
        true,
    );
    for (i, role) in doc.roles.iter().flatten().enumerate() {
        if let Some(id) = &role.id {
            if let Some(p) = people.get(id) {
                let first = checker.span(&format!("/people/{p}/id"));
                checker.push(
                    Diagnostic::error(
                        "duplicate-id",
                        format!("`{id}` is both a person and a role"),
                    )
                    .at(checker.span(&format!("/roles/{i}/id")))
                    .label("also a person's id")
                    .related(Some(first), "the person")
                    .hint("stages name people and roles alike, so their ids must differ"),
                );
            }
        }
    }
    let themes = checker.index_ids(
        "/themes",
        "theme",
        doc.themes.iter().flatten().map(|t| t.id.as_ref()),
        true,
    );
    checker.index_ids(
        "/participants",
        "participant",
        doc.participants.iter().flatten().map(|p| p.id.as_ref()),
        true,
    );
    let templates = checker.index_ids(
        "/templates",
        "template",
        doc.templates.iter().flatten().map(|t| t.id.as_ref()),
        true,
    );

    for (i, person) in doc.people.iter().flatten().enumerate() {
        let at = format!("/people/{i}");
        if person.name.is_none() {
            checker.missing(
                "/people",
                i,
                "this person",
                "name",
                "add the person's full name, as used in emails",
            );
        }
        match &person.email {
            Some(email) => check_email(checker, format_args!("{at}/email"), email),
            None => {
                let span = checker.item_span("/people", i);
                checker.push(
                    Diagnostic::warning(
                        "missing-email",
                        format!(
                            "`{}` has no email address and will receive no email",
                            person.id.as_deref().unwrap_or("this person")
                        ),
                    )
                    .at(span)
                    .hint("add `email:`"),
                );
            }
        }
        if let Some(org) = &person.organisation {
            checker.reference(
                format_args!("{at}/organisation"),
                "organisation",
                &organisations,
                org,
            );
        }
    }
    for (i, role) in doc.roles.iter().flatten().enumerate() {
        let at = format!("/roles/{i}");
        if let Some(org) = &role.organisation {
            checker.reference(
                format_args!("{at}/organisation"),
                "organisation",
                &organisations,
                org,
            );
        }
        for (j, member) in role.members.iter().flatten().enumerate() {
            checker.reference(format_args!("{at}/members/{j}"), "person", &people, member);
        }
        if is_edition && role.members.as_ref().is_none_or(Vec::is_empty) {
            let span = checker.item_span("/roles", i);
            checker.push(
                Diagnostic::warning(
                    "empty-role",
                    format!(
                        "the role `{}` has no members: its emails reach no one",
                        role.id.as_deref().unwrap_or("?")
                    ),
                )
                .at(span)
                .hint("list the people who hold it under `members:`"),
            );
        }
    }
    for (i, theme) in doc.themes.iter().flatten().enumerate() {
        if theme.title.is_none() {
            checker.missing(
                "/themes",
                i,
                "this theme",
                "title",
                "say the need in a sentence",
            );
        }
        for (j, d) in theme.directions.iter().flatten().enumerate() {
            checker.reference(
                format_args!("/themes/{i}/directions/{j}"),
                "role",
                &roles,
                d,
            );
        }
    }
    for (i, participant) in doc.participants.iter().flatten().enumerate() {
        check_participant(checker, i, participant, &themes, &roles);
    }
    check_template_fields(checker);
    if let Some(sender) = doc.programme.as_ref().and_then(|p| p.sender.as_ref()) {
        match &sender.email {
            Some(email) => check_email(checker, "/programme/sender/email", email),
            None if !checker.was_removed("/programme/sender/email") => checker.push(
                Diagnostic::error("missing-field", "the programme's `sender` has no `email`")
                    .at(checker.key_span("/programme/sender"))
                    .label("`email` is missing here")
                    .hint("add the address emails come from, e.g. `email: experimentations@example.org`"),
            ),
            None => {}
        }
    }
    for (kind, id) in doc.messages.iter().flatten() {
        checker.reference(
            format_args!("/messages/{}", kind.as_str()),
            "template",
            &templates,
            id,
        );
    }

    Directory {
        organisations,
        people,
        roles,
        themes,
        templates,
        calendar,
        calendars,
        calendar_of_organisation,
        time_zone,
        edition_start,
        edition_end,
    }
}

/// Every template has a subject and a body, and so has each translation;
/// a translation into the edition's own language would never be used.
fn check_template_fields(checker: &mut Checker<'_>) {
    let doc = checker.doc;
    let language = doc.language.unwrap_or_default();
    for (i, template) in doc.templates.iter().flatten().enumerate() {
        if template.subject.is_none() {
            checker.missing(
                "/templates",
                i,
                "this template",
                "subject",
                "add the email's subject line",
            );
        }
        if template.body.is_none() {
            checker.missing(
                "/templates",
                i,
                "this template",
                "body",
                "add the email's text",
            );
        }
        let id = template.id.as_deref().unwrap_or("?");
        for (lang, text) in template.translations.iter().flatten() {
            let at = format!("/templates/{i}/translations/{lang}");
            if *lang == language {
                checker.push(
                    Diagnostic::warning(
                        "unused-translation",
                        format!("template `{id}` has a `{lang}` translation, but `{lang}` is already the language of its own text"),
                    )
                    .at(checker.key_span(&at))
                    .label("never used")
                    .hint(format!("the template's `subject` and `body` are written in the edition's language (`language: {language}`); remove this translation, or put its text there")),
                );
            }
            for (field, value, hint) in [
                (
                    "subject",
                    &text.subject,
                    "add the subject line in this language",
                ),
                ("body", &text.body, "add the text in this language"),
            ] {
                if value.is_none() && !checker.was_removed(&format!("{at}/{field}")) {
                    checker.push(
                        Diagnostic::error(
                            "missing-field",
                            format!("the `{lang}` translation of template `{id}` has no `{field}`"),
                        )
                        .at(checker.key_span(&at))
                        .label(format!("`{field}` is missing here"))
                        .hint(hint),
                    );
                }
            }
        }
    }
}

fn check_participant(
    checker: &mut Checker<'_>,
    i: usize,
    participant: &model::Participant,
    themes: &IdIndex,
    roles: &IdIndex,
) {
    let unnamed = participant.unnamed.unwrap_or(false);
    if participant.name.is_none() && !unnamed {
        checker.missing(
            "/participants",
            i,
            "this participant",
            "name",
            "add its name, or `unnamed: true` if the sources do not name it",
        );
    }
    match participant.contact.as_ref().and_then(|c| c.email.as_ref()) {
        Some(email) => check_email(
            checker,
            format_args!("/participants/{i}/contact/email"),
            email,
        ),
        None if !unnamed && checker.doc.edition.is_some() => {
            let span = checker.item_span("/participants", i);
            checker.push(
                Diagnostic::warning(
                    "missing-email",
                    format!(
                        "participant `{}` has no contact email and will receive no email",
                        participant.id.as_deref().unwrap_or("?")
                    ),
                )
                .at(span)
                .hint("add `contact: {name: …, email: …}`"),
            );
        }
        None => {}
    }
    if let Some(theme) = &participant.theme {
        checker.reference(
            format_args!("/participants/{i}/theme"),
            "theme",
            themes,
            theme,
        );
        if participant.themes.is_some() {
            checker.push(
                Diagnostic::error(
                    "theme-and-themes",
                    "this participant gives both `theme` and `themes`",
                )
                .at(checker.key_span(&format!("/participants/{i}/themes")))
                .hint("keep one: `themes: [a, b]` lists every theme it answers (over a template, `theme: ~` drops the one it gives)"),
            );
        }
    }
    for (j, theme) in participant.themes.iter().flatten().enumerate() {
        checker.reference(
            format_args!("/participants/{i}/themes/{j}"),
            "theme",
            themes,
            theme,
        );
    }
    if let Some(service) = &participant.service {
        checker.reference(
            format_args!("/participants/{i}/service"),
            "role",
            roles,
            service,
        );
    }
    for (j, d) in participant.directions.iter().flatten().enumerate() {
        checker.reference(
            format_args!("/participants/{i}/directions/{j}"),
            "role",
            roles,
            d,
        );
    }
}

fn check_email(checker: &mut Checker<'_>, pointer: impl std::fmt::Display, email: &str) {
    if !email_address::EmailAddress::is_valid(email) || !email.contains('.') {
        let pointer = &pointer.to_string();
        checker.push(
            Diagnostic::error(
                "invalid-email",
                format!("`{email}` is not a valid email address"),
            )
            .at(checker.span(pointer))
            .label("not an email address")
            .hint("write it as `name@example.org`"),
        );
    }
}

fn check_edition_info(checker: &mut Checker<'_>) -> (Option<Date>, Option<Date>) {
    let Some(info) = &checker.doc.edition else {
        return (None, None);
    };
    if checker
        .doc
        .programme
        .as_ref()
        .and_then(|p| p.name.as_ref())
        .is_none()
    {
        checker.push(
            Diagnostic::error("missing-field", "the programme has no `name`")
                .at(checker.key_span("/programme"))
                .hint("add `programme: {name: …}` here or in the template; emails use it"),
        );
    }
    if info.id.is_none() {
        checker.push(
            Diagnostic::error("missing-field", "the edition has no `id`")
                .at(checker.key_span("/edition"))
                .hint("add `id:` under `edition:`, e.g. `id: 2024-2025`"),
        );
    }
    let date = |checker: &mut Checker<'_>, field: &str, value: &Option<String>| match value {
        None => {
            checker.push(
                Diagnostic::error(
                    "missing-field",
                    format!("the edition has no `{field}` date"),
                )
                .at(checker.key_span("/edition"))
                .hint(format!("add `{field}: YYYY-MM-DD` under `edition:`")),
            );
            None
        }
        Some(text) => match parse_date(text) {
            Ok(d) => Some(d),
            Err(e) => {
                checker.expr_error(&format!("/edition/{field}"), &format!("edition {field}"), e);
                None
            }
        },
    };
    let start = date(checker, "start", &info.start);
    let end = date(checker, "end", &info.end);
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            checker.push(
                Diagnostic::error(
                    "due-before-start",
                    format!("the edition ends ({e}) before it starts ({s})"),
                )
                .at(checker.span("/edition/end"))
                .related(Some(checker.span("/edition/start")), "the start")
                .hint("swap the dates or fix the year"),
            );
        }
    }
    (start, end)
}

fn check_time_zone(checker: &mut Checker<'_>) -> Option<(String, TimeZone)> {
    let name = checker
        .doc
        .time_zone
        .clone()
        .unwrap_or_else(|| "Europe/Paris".into());
    match jiff::tz::db().get(&name) {
        Ok(tz) => Some((name, tz)),
        Err(_) => {
            let known: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            checker.push(
                Diagnostic::error(
                    "unknown-time-zone",
                    format!("`{name}` is not a known time zone"),
                )
                .at(checker.span("/time_zone"))
                .label("unknown time zone")
                .hint(
                    match crate::diagnostic::did_you_mean(&name, known.iter().copied()) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None => {
                            "use an IANA name such as `Europe/Paris` or `America/Cayenne`".into()
                        }
                    },
                ),
            );
            None
        }
    }
}

/// A calendar block (`at`: the edition's `/calendar`, or an organisation's).
fn check_calendar(
    checker: &mut Checker<'_>,
    calendar: Option<&model::Calendar>,
    at: &str,
) -> WorkingCalendar {
    let Some(calendar) = calendar else {
        return WorkingCalendar::french_default();
    };
    let weekdays: Vec<jiff::civil::Weekday> = match &calendar.working_days {
        None => vec![
            jiff::civil::Weekday::Monday,
            jiff::civil::Weekday::Tuesday,
            jiff::civil::Weekday::Wednesday,
            jiff::civil::Weekday::Thursday,
            jiff::civil::Weekday::Friday,
        ],
        Some(days) => days.iter().map(|d| weekday(*d)).collect(),
    };
    if weekdays.is_empty() {
        checker.push(
            Diagnostic::error("empty-calendar", "no day of the week is a working day")
                .at(checker.span(&format!("{at}/working_days")))
                .hint(
                    "list the working days, e.g. `[monday, tuesday, wednesday, thursday, friday]`",
                ),
        );
        return WorkingCalendar::french_default();
    }
    let region = match calendar
        .public_holidays
        .unwrap_or(model::HolidayRegion::France)
    {
        model::HolidayRegion::France => HolidayRegion::France,
        model::HolidayRegion::AlsaceMoselle => HolidayRegion::AlsaceMoselle,
        model::HolidayRegion::None => HolidayRegion::None,
    };
    let mut closures = Vec::new();
    // The years a yearly closure is laid on: the edition's, and one either
    // side (a stage may be dated a little outside).
    let years = checker.doc.edition.as_ref().and_then(|e| {
        let year = |d: &Option<String>| {
            d.as_deref()
                .and_then(|t| parse_date(t).ok())
                .map(|d| d.year())
        };
        Some((year(&e.start)? - 1)..=(year(&e.end)? + 1))
    });
    for (i, closure) in calendar.closures.iter().flatten().enumerate() {
        let at = format!("{at}/closures/{i}");
        if let Some(text) = &closure.every_year {
            if closure.from.is_some() || closure.to.is_some() {
                checker.push(
                    Diagnostic::error(
                        "closure-dates",
                        "this closure has both `every_year` and `from`/`to`",
                    )
                    .at(checker.span(&format!("{at}/every_year")))
                    .hint("keep `every_year: MM-DD..MM-DD` for the same days each year, or `from` and `to` for one year's"),
                );
                continue;
            }
            let Some((first, last)) = yearly_days(text) else {
                checker.push(
                    Diagnostic::error(
                        "invalid-value",
                        format!("`every_year: {text}` is not two days of the year"),
                    )
                    .at(checker.span(&format!("{at}/every_year")))
                    .label("not MM-DD..MM-DD")
                    .hint("write the first and last closed days as month-day, e.g. `08-01..08-31` or `12-24..01-01` (29 February is not in every year)"),
                );
                continue;
            };
            let name = closure.name.clone().unwrap_or_else(|| "fermeture".into());
            for year in years.clone().into_iter().flatten() {
                let from = jiff::civil::Date::new(year, first.0, first.1);
                let to_year = if last < first { year + 1 } else { year };
                let to = jiff::civil::Date::new(to_year, last.0, last.1);
                if let (Ok(from), Ok(to)) = (from, to) {
                    closures.push(Closure {
                        name: name.clone(),
                        first_day: from,
                        last_day: to,
                    });
                }
            }
            continue;
        }
        let date = |checker: &mut Checker<'_>, field: &str, value: &Option<String>| match value {
            None => {
                checker.push(
                    Diagnostic::error(
                        "missing-field",
                        format!("this closure has no `{field}` date"),
                    )
                    .at(checker.span(&at))
                    .hint(format!("add `{field}: YYYY-MM-DD`")),
                );
                None
            }
            Some(text) => parse_date(text)
                .map_err(|e| {
                    checker.expr_error(&format!("{at}/{field}"), &format!("closure {field}"), e)
                })
                .ok(),
        };
        let (Some(from), Some(to)) = (
            date(checker, "from", &closure.from),
            date(checker, "to", &closure.to),
        ) else {
            continue;
        };
        if to < from {
            checker.push(
                Diagnostic::error(
                    "due-before-start",
                    format!("this closure ends ({to}) before it starts ({from})"),
                )
                .at(checker.span(&format!("{at}/to")))
                .hint("`from` is the first closed day, `to` the last"),
            );
            continue;
        }
        closures.push(Closure {
            name: closure.name.clone().unwrap_or_else(|| "fermeture".into()),
            first_day: from,
            last_day: to,
        });
    }
    WorkingCalendar::new(weekdays, region, closures)
        .unwrap_or_else(|_| WorkingCalendar::french_default())
}

/// `MM-DD..MM-DD`: the first and last (month, day) of a yearly closure,
/// each a day every year has.
fn yearly_days(text: &str) -> Option<((i8, i8), (i8, i8))> {
    let day = |t: &str| -> Option<(i8, i8)> {
        let (month, day) = t.trim().split_once('-')?;
        let (month, day): (i8, i8) = (month.parse().ok()?, day.parse().ok()?);
        // 2023 has no 29 February: a day it has is in every year.
        jiff::civil::Date::new(2023, month, day).ok()?;
        Some((month, day))
    };
    let (first, last) = text.split_once("..")?;
    Some((day(first)?, day(last)?))
}

fn weekday(day: model::Weekday) -> jiff::civil::Weekday {
    use jiff::civil::Weekday as W;
    match day {
        model::Weekday::Monday => W::Monday,
        model::Weekday::Tuesday => W::Tuesday,
        model::Weekday::Wednesday => W::Wednesday,
        model::Weekday::Thursday => W::Thursday,
        model::Weekday::Friday => W::Friday,
        model::Weekday::Saturday => W::Saturday,
        model::Weekday::Sunday => W::Sunday,
    }
}
