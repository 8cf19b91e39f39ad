//! The checked, resolved edition the engine trusts: references are indices,
//! dates are computed, defaults applied. Built only when a definition has no
//! errors.

use std::collections::BTreeMap;

use jalon_calendar::WorkingCalendar;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

pub use crate::amount::Amount;
use crate::expr::{DateExpr, EventLength, Offset};
pub use crate::model::{
    Accept, ClosedDayRule, Language, MessageKind, OrganisationKind, ParticipantStatus,
    QuestionKind, RoleKind, StageKind,
};
pub use crate::series::Occurrence;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Edition {
    /// A hash of the whole definition (template merged in): every recorded
    /// event says which version it was made under.
    pub version: String,
    pub programme_id: String,
    pub programme_name: String,
    pub territory: Option<String>,
    /// The `From` of the emails, when the programme names one.
    pub sender: Option<Sender>,
    pub id: String,
    pub name: String,
    pub start: Date,
    pub end: Date,
    pub time_zone_name: String,
    #[serde(with = "jiff::fmt::serde::tz::required")]
    pub time_zone: TimeZone,
    /// The language of templates' own texts, and of everyone who says none.
    pub language: Language,
    /// The edition's calendar: every stage's, unless it follows one of
    /// [`Edition::calendars`].
    pub calendar: WorkingCalendar,
    /// Organisations' own calendars, which stages may follow.
    pub calendars: Vec<WorkingCalendar>,
    pub organisations: Vec<Organisation>,
    pub people: Vec<Person>,
    pub roles: Vec<Role>,
    pub themes: Vec<Theme>,
    pub participants: Vec<Participant>,
    /// In the order written; `needs` hold indices into this list.
    pub stages: Vec<Stage>,
    pub templates: Vec<Template>,
    /// Periodic summaries, in the order written.
    pub digests: Vec<Digest>,
    /// Assemblies and committees with the days they sit.
    pub sessions: Vec<Session>,
    /// The budget for the participants' grants and prizes.
    pub budget: Option<Amount>,
}

/// An assembly or committee: its sitting days, in order, without repeats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: String,
    pub name: String,
    pub dates: Vec<Date>,
}

impl Session {
    /// The first sitting on or after `date`.
    pub fn on_or_after(&self, date: Date) -> Option<Date> {
        self.dates.iter().copied().find(|d| *d >= date)
    }

    /// The first sitting strictly after `date`: where an adjourned file goes.
    pub fn after(&self, date: Date) -> Option<Date> {
        self.dates.iter().copied().find(|d| *d > date)
    }

    pub fn last(&self) -> Option<Date> {
        self.dates.last().copied()
    }
}

impl Edition {
    pub fn session(&self, id: &str) -> Option<&Session> {
        self.sessions.iter().find(|s| s.id == id)
    }
}

impl Edition {
    /// The calendar whose working days count stage `stage`'s dates.
    pub fn calendar_of(&self, stage: usize) -> &WorkingCalendar {
        self.stages
            .get(stage)
            .and_then(|s| s.calendar)
            .and_then(|c| self.calendars.get(c))
            .unwrap_or(&self.calendar)
    }

    /// The people a list of actors reaches (roles expanded, in id order,
    /// without repeats); `participant` gives the roles attached to it their
    /// meaning, and without one they reach nobody.
    pub fn people_named(&self, actors: &[Actor], participant: Option<usize>) -> Vec<usize> {
        let mut people = std::collections::BTreeSet::new();
        let add_role = |r: usize, people: &mut std::collections::BTreeSet<usize>| {
            people.extend(self.roles[r].members.iter().copied());
        };
        for actor in actors {
            match *actor {
                Actor::Person(p) => {
                    people.insert(p);
                }
                Actor::Role(r) => add_role(r, &mut people),
                Actor::Participant => {}
                Actor::Attached(attached) => {
                    for r in participant.map_or_else(Vec::new, |p| self.attached(p, attached)) {
                        add_role(r, &mut people);
                    }
                }
            }
        }
        people.into_iter().collect()
    }

    /// The roles `participant.directions` or `participant.service` mean
    /// for one participant.
    pub fn attached(&self, participant: usize, attached: Attached) -> Vec<usize> {
        let p = &self.participants[participant];
        match (attached, p.service) {
            (Attached::Service, Some(service)) => vec![service],
            _ if !p.directions.is_empty() => p.directions.clone(),
            _ => {
                let mut roles: Vec<usize> = p
                    .themes
                    .iter()
                    .flat_map(|&t| self.themes[t].directions.iter().copied())
                    .collect();
                roles.sort_unstable();
                roles.dedup();
                roles
            }
        }
    }
}

/// A periodic summary and who receives it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Digest {
    pub id: String,
    pub schedule: jalon_schedule::CronSchedule,
    pub to: Vec<Actor>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub kind: Option<OrganisationKind>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub organisation: Option<usize>,
    pub title: Option<String>,
    /// `None`: the edition's language.
    pub language: Option<Language>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sender {
    pub name: String,
    pub email: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Role {
    pub id: String,
    pub name: String,
    pub kind: Option<RoleKind>,
    pub organisation: Option<usize>,
    /// Indices into [`Edition::people`].
    pub members: Vec<usize>,
}

/// Someone a stage names: a whole role, one person, or (in a stage run per
/// participant) someone attached to that participant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Actor {
    Role(usize),
    Person(usize),
    /// `participant`: the participant's contact (not a person of the
    /// directory, so never among [`Edition::people_named`]).
    Participant,
    /// `participant.directions` or `participant.service`.
    Attached(Attached),
}

/// The roles attached to a participant that a stage may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Attached {
    /// Its `directions`, else those of its themes.
    Directions,
    /// Its `service`, else its directions.
    Service,
}

impl Attached {
    /// As written in a definition.
    pub fn name(self) -> &'static str {
        match self {
            Self::Directions => "participant.directions",
            Self::Service => "participant.service",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Theme {
    pub id: String,
    pub title: String,
    pub directions: Vec<usize>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Participant {
    pub id: String,
    pub name: String,
    pub organisation: Option<String>,
    pub description: Option<String>,
    /// Indices into [`Edition::themes`].
    pub themes: Vec<usize>,
    /// Indices into [`Edition::roles`], as written.
    pub directions: Vec<usize>,
    /// The role in charge of its file, as written.
    pub service: Option<usize>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub status: ParticipantStatus,
    pub unnamed: bool,
    /// `None`: the edition's language.
    pub language: Option<Language>,
    /// Its name is feminine in French (for agreements).
    pub feminine: bool,
    /// What it is awarded.
    pub award: Award,
}

/// What a participant is awarded, as its definition states it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    pub grant: Option<Amount>,
    pub prize: Option<Amount>,
}

impl Award {
    /// The grant and the prize together, in cents; `None` when neither is stated.
    pub fn total(&self) -> Option<u64> {
        if self.grant.is_none() && self.prize.is_none() {
            return None;
        }
        Some(crate::amount::sum(self.grant.into_iter().chain(self.prize)))
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Stage {
    pub id: String,
    pub kind: StageKind,
    pub title: String,
    pub description: Option<String>,
    pub owners: Vec<Actor>,
    /// Indices into [`Edition::stages`].
    pub needs: Vec<usize>,
    pub for_each: Option<ParticipantStatus>,
    /// As written (or defaulted), so that a postponement can be replayed.
    pub start_expr: Option<DateExpr>,
    pub due_expr: DateExpr,
    /// The on-time window (the edition's end, as a placeholder, for a date
    /// still to be fixed).
    pub start: Date,
    pub due: Date,
    /// A date of it is not known yet (`à fixer`, or written from one).
    pub to_be_fixed: Option<ToBeFixed>,
    pub selection: Option<Selection>,
    pub jury: Option<Jury>,
    pub validation: Option<Validation>,
    pub reminders: Vec<Reminder>,
    pub escalation: Option<Escalation>,
    pub outcomes: Vec<Outcome>,
    /// The (decision stage, outcome) pairs that lead to this stage; empty
    /// when it is not a branch. It runs when any of them is chosen.
    pub branch_of: Vec<(usize, usize)>,
    pub deliverables: Vec<Deliverable>,
    pub indicators: Vec<Indicator>,
    pub events: Vec<Event>,
    /// The public call for applications this stage holds (one stage at most).
    pub call: Option<Call>,
    /// The template used for each kind of message this stage sends.
    pub messages: BTreeMap<MessageKind, usize>,
    /// Index into [`Edition::calendars`]: the organisation's calendar it
    /// follows, when not the edition's.
    pub calendar: Option<usize>,
}

/// A stage whose dates are not known yet: it waits until fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToBeFixed {
    /// By when its owners must fix it, for a stage whose own date is
    /// written `à fixer` (`None`: it follows another stage's).
    pub fix_by: Option<Date>,
}

/// A public call for applications: open while its stage is, until
/// `closes_at` (or the end) of its due date.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Call {
    pub closes_at: Option<Time>,
    pub introduction: Option<String>,
    pub questions: Vec<Question>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub title: String,
    pub help: Option<String>,
    pub kind: QuestionKind,
    pub required: bool,
    /// For `choice`; never empty then.
    pub choices: Vec<String>,
    /// Characters for text, the value range for numbers.
    pub min: Option<i64>,
    pub max: Option<i64>,
}

impl Edition {
    /// The stage that holds the call for applications, if any.
    pub fn call(&self) -> Option<(usize, &Call)> {
        self.stages
            .iter()
            .enumerate()
            .find_map(|(s, stage)| stage.call.as_ref().map(|c| (s, c)))
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Selection {
    pub from: Option<ParticipantStatus>,
    pub to: ParticipantStatus,
    pub min: u32,
    pub max: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Jury {
    pub members: Vec<Actor>,
    pub criteria: Vec<Criterion>,
    pub scale_min: i64,
    pub scale_max: i64,
    pub assignment: Assignment,
    /// The lowest weighted average retained.
    pub minimum: Option<f64>,
}

/// Which candidates each juror scores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Assignment {
    /// Every juror, every candidate.
    All,
    /// This many jurors per candidate, shared out evenly.
    PerCandidate(u32),
    /// Declared: (person, participants) pairs, by index.
    Lists(Vec<(usize, Vec<usize>)>),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Criterion {
    pub id: String,
    pub title: String,
    pub weight: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Validation {
    pub by: Vec<Actor>,
    pub quorum: u32,
    pub lead_time: Option<Offset>,
}

/// When a reminder goes, relative to its own stage.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Reminder {
    pub when: DateExpr,
    pub date: Date,
    pub time: Time,
    /// Empty: the stage's owners (and its participant).
    pub to: Vec<Actor>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Escalation {
    pub after: Offset,
    pub to: Vec<Actor>,
    pub time: Time,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Outcome {
    pub id: String,
    pub title: String,
    pub leads_to: Vec<usize>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Deliverable {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    /// Never empty.
    pub accepts: Vec<Accept>,
    pub min: u32,
    pub max: u32,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Indicator {
    pub id: String,
    pub objective: String,
    pub indicator: String,
    pub method: Option<String>,
    pub target: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub title: String,
    /// The first day its rule gives, on time (before any move off a day
    /// not worked): what a postponement shifts.
    pub date: Date,
    pub time: Time,
    pub length: EventLength,
    pub place: Option<String>,
    /// How often it repeats; `None`: once.
    pub every: Option<Offset>,
    pub on_closed_day: ClosedDayRule,
    /// The sessions held on time, in order; one for a single event.
    pub occurrences: Vec<Occurrence>,
}

impl Event {
    /// The sessions once its stage moved by `shift`: as many as planned,
    /// from the shifted first day, each moved off days not worked by the
    /// event's rule (a refused day that a postponement brings is kept: the
    /// manager chose the new dates).
    pub fn held(&self, shift: jiff::Span, calendar: &WorkingCalendar) -> Vec<Occurrence> {
        if shift.is_zero() {
            return self.occurrences.clone();
        }
        let Ok(first) = self.date.checked_add(shift) else {
            return self.occurrences.clone();
        };
        let rule = match self.on_closed_day {
            ClosedDayRule::Refuse => ClosedDayRule::Keep,
            rule => rule,
        };
        let count = u32::try_from(self.occurrences.len()).unwrap_or(1);
        crate::series::occurrences(first, self.every, count, rule, calendar)
    }

    /// Repeats: one invitation stands for several sessions.
    pub fn is_series(&self) -> bool {
        self.every.is_some()
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Template {
    pub id: String,
    /// In the edition's language.
    pub subject: String,
    pub body: String,
    /// `None`: made from `body`.
    pub html: Option<String>,
    /// Other languages (never the edition's own).
    pub translations: BTreeMap<Language, TemplateText>,
}

/// A template's texts in one language.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TemplateText {
    pub subject: String,
    pub body: String,
    pub html: Option<String>,
}
