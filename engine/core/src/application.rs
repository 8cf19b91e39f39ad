//! Applications to the edition's public call: each answer checked against
//! the call's questions, the applicant folded into the edition as a
//! candidate, and look-alikes found for the coordination.

use std::collections::BTreeMap;
use std::sync::Arc;

use jalon_definition::resolved::{
    Call, Edition, Language, Participant, ParticipantStatus, QuestionKind,
};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::rejection::Rejection;
use crate::state::{ParticipantState, Progress, State};
use crate::time::{end_of_day, local};

/// What an applicant says of themselves and their project.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Application {
    /// The project or solution, as it will be called.
    pub name: String,
    pub organisation: String,
    pub description: String,
    /// A theme id of the edition, when it has themes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    /// The language the applicant wrote in: their emails follow it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
    /// The call's own questions, by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub answers: BTreeMap<String, String>,
}

/// The most characters of each fixed field.
pub const LONGEST_NAME: usize = 120;
pub const LONGEST_ORGANISATION: usize = 200;
pub const LONGEST_DESCRIPTION: usize = 3000;
/// RFC 5321's limit on a path.
pub const LONGEST_EMAIL: usize = 254;
const LONGEST_URL: usize = 2000;

/// What is wrong with one answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("is missing")]
    Missing,
    #[error("is longer than {max} characters")]
    TooLong { max: usize },
    #[error("is not a whole number")]
    NotANumber,
    #[error("is below {min}")]
    TooSmall { min: i64 },
    #[error("is above {max}")]
    TooLarge { max: i64 },
    #[error("is not one of the answers offered")]
    NotAChoice,
    #[error("is not a web address starting with https:// or http://")]
    NotAnAddress,
    #[error("is not a date (YYYY-MM-DD)")]
    NotADate,
    #[error("is not an email address")]
    NotAnEmail,
    #[error("is not a question of this call")]
    UnknownQuestion,
}

/// A look-alike: which other participant, and what they share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Same {
    Organisation,
    Contact,
}

/// One recorded version of an application.
#[derive(Clone, Debug, PartialEq)]
pub struct Revision {
    pub at: Timestamp,
    pub by: String,
    pub application: Application,
}

/// An applicant's history: every version, and when a look-alike was first
/// seen (the coordination is told then).
#[derive(Clone, Debug, PartialEq)]
pub struct ApplicationRecord {
    pub revisions: Vec<Revision>,
    pub flagged_at: Option<(Timestamp, usize)>,
}

/// When the call is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallWindow {
    pub stage: usize,
    /// `None` while the stage waits for its needs.
    pub opens: Option<Timestamp>,
    pub closes: Timestamp,
    /// The eligibility decision was taken (or the stage skipped, or the
    /// edition closed): no more applications, whatever the date.
    pub decided: bool,
}

impl CallWindow {
    pub fn is_open(&self, now: Timestamp) -> bool {
        !self.decided && self.opens.is_some_and(|o| now >= o) && now < self.closes
    }
}

impl Application {
    /// Trimmed, with numbers' spaces and the email's case dropped, yes/no
    /// in one spelling: what is checked and recorded.
    pub fn normalised(mut self, call: &Call) -> Application {
        for text in [
            &mut self.name,
            &mut self.organisation,
            &mut self.description,
            &mut self.contact_name,
            &mut self.contact_email,
        ] {
            *text = text.trim().to_owned();
        }
        self.contact_email = self.contact_email.to_lowercase();
        self.theme = self.theme.filter(|t| !t.trim().is_empty());
        for question in &call.questions {
            let Some(answer) = self.answers.get_mut(&question.id) else {
                continue;
            };
            let trimmed = answer.trim();
            *answer = match question.kind {
                QuestionKind::Number => trimmed
                    .chars()
                    .filter(|c| !c.is_whitespace() && *c != '\u{202F}')
                    .collect(),
                QuestionKind::YesNo => match trimmed.to_lowercase().as_str() {
                    "oui" | "yes" | "true" => "yes".into(),
                    "non" | "no" | "false" => "no".into(),
                    other => other.to_owned(),
                },
                _ => trimmed.to_owned(),
            };
        }
        self.answers.retain(|_, a| !a.is_empty());
        self
    }

    /// Every problem, by field (the fixed ones by name, the call's
    /// questions by id), in the form's order.
    pub fn problems(&self, edition: &Edition, call: &Call) -> Vec<(String, Problem)> {
        let mut out = Vec::new();
        let mut text = |field: &str, value: &str, max: usize, required: bool| {
            if value.trim().is_empty() {
                if required {
                    out.push((field.to_owned(), Problem::Missing));
                }
            } else if value.chars().count() > max {
                out.push((field.to_owned(), Problem::TooLong { max }));
            }
        };
        text("name", &self.name, LONGEST_NAME, true);
        text(
            "organisation",
            &self.organisation,
            LONGEST_ORGANISATION,
            true,
        );
        text("description", &self.description, LONGEST_DESCRIPTION, true);
        text("contact_name", &self.contact_name, LONGEST_NAME, true);
        text("contact_email", &self.contact_email, LONGEST_EMAIL, true);
        if !self.contact_email.trim().is_empty() && !is_email(&self.contact_email) {
            out.push(("contact_email".into(), Problem::NotAnEmail));
        }
        match &self.theme {
            None if !edition.themes.is_empty() => out.push(("theme".into(), Problem::Missing)),
            Some(t) if !edition.themes.iter().any(|x| &x.id == t) => {
                out.push(("theme".into(), Problem::NotAChoice));
            }
            _ => {}
        }
        for question in &call.questions {
            let answer = self.answers.get(&question.id).map(|a| a.trim());
            let Some(answer) = answer.filter(|a| !a.is_empty()) else {
                if question.required {
                    out.push((question.id.clone(), Problem::Missing));
                }
                continue;
            };
            if let Some(problem) = check_answer(question, answer) {
                out.push((question.id.clone(), problem));
            }
        }
        for id in self.answers.keys() {
            if !call.questions.iter().any(|q| &q.id == id) {
                out.push((id.clone(), Problem::UnknownQuestion));
            }
        }
        out
    }
}

fn check_answer(question: &jalon_definition::resolved::Question, answer: &str) -> Option<Problem> {
    let length = answer.chars().count();
    match question.kind {
        QuestionKind::Text | QuestionKind::Paragraph => {
            let max = question.max.unwrap_or(200).max(1) as usize;
            (length > max).then_some(Problem::TooLong { max })
        }
        QuestionKind::Number => match answer.parse::<i64>() {
            Err(_) => Some(Problem::NotANumber),
            Ok(n) if question.min.is_some_and(|m| n < m) => Some(Problem::TooSmall {
                min: question.min.unwrap_or_default(),
            }),
            Ok(n) if question.max.is_some_and(|m| n > m) => Some(Problem::TooLarge {
                max: question.max.unwrap_or_default(),
            }),
            Ok(_) => None,
        },
        QuestionKind::Choice => {
            (!question.choices.iter().any(|c| c == answer)).then_some(Problem::NotAChoice)
        }
        QuestionKind::YesNo => (!matches!(answer, "yes" | "no")).then_some(Problem::NotAChoice),
        QuestionKind::Date => answer
            .parse::<jiff::civil::Date>()
            .is_err()
            .then_some(Problem::NotADate),
        QuestionKind::Url => {
            if length > LONGEST_URL {
                Some(Problem::TooLong { max: LONGEST_URL })
            } else {
                let scheme = answer.starts_with("https://") || answer.starts_with("http://");
                let host = answer.split_once("://").map_or("", |(_, rest)| rest);
                (!scheme
                    || host.is_empty()
                    || answer.chars().any(|c| c.is_whitespace() || c.is_control()))
                .then_some(Problem::NotAnAddress)
            }
        }
    }
}

/// One `@` between a local part and a domain with a dot, nothing blank or
/// invisible: what a mail relay will take. Whether it reaches someone, only
/// the confirmation email tells.
fn is_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && address
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"<>,;:\"()[]\\".contains(c))
}

/// Letters and digits only, lower-case: "L'Atelier  Solidaire" and
/// "l’atelier solidaire" are the same organisation.
fn folded(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl State {
    /// The call for applications and when it is open, if the edition has one.
    pub fn call_window(&self) -> Option<CallWindow> {
        let (stage, call) = self.edition.call()?;
        let instance = self.instance_of(stage, None)?;
        let due = instance.window.due;
        let tz = &self.edition.time_zone;
        let closes = match call.closes_at {
            Some(time) => local(tz, due, time),
            None => end_of_day(tz, due),
        };
        Some(CallWindow {
            stage,
            opens: self.open_at(instance),
            closes,
            decided: !matches!(instance.progress, Progress::Active) || self.closed.is_some(),
        })
    }

    /// The application of a participant who applied through the call.
    pub fn application(&self, participant: usize) -> Option<&ApplicationRecord> {
        self.applications.get(&participant)
    }

    /// Every applicant, in the order they applied.
    pub fn applicants(&self) -> impl Iterator<Item = (usize, &ApplicationRecord)> {
        self.applications.iter().map(|(p, r)| (*p, r))
    }

    /// The other participants with the same organisation or contact address.
    pub fn look_alikes(&self, participant: usize) -> Vec<(usize, Same)> {
        let me = &self.edition.participants[participant];
        let organisation = me
            .organisation
            .as_deref()
            .map(folded)
            .filter(|o| !o.is_empty());
        let email = me.contact_email.as_deref().map(str::to_lowercase);
        let mut out = Vec::new();
        for (p, other) in self.edition.participants.iter().enumerate() {
            if p == participant {
                continue;
            }
            if email.is_some() && other.contact_email.as_deref().map(str::to_lowercase) == email {
                out.push((p, Same::Contact));
            } else if organisation.is_some()
                && other.organisation.as_deref().map(folded) == organisation
            {
                out.push((p, Same::Organisation));
            }
        }
        out
    }

    /// Checks a new application (or a change to one) against the call's
    /// dates and questions; the first wrong answer's problem is the
    /// rejection. See [`State::admit`]: a log replayed is not checked again.
    pub(crate) fn admissible(
        &self,
        application: &Application,
        at: Timestamp,
    ) -> Result<(), Rejection> {
        let (Some(window), Some((_, call))) = (self.call_window(), self.edition.call()) else {
            return Err(Rejection::NoCall);
        };
        if at >= window.closes || window.decided {
            return Err(Rejection::CallClosed {
                at: self.show(window.closes.min(at)),
            });
        }
        if !window.is_open(at) {
            return Err(Rejection::CallNotOpen {
                opens: window.opens.map(|o| self.show(o)),
            });
        }
        if let Some((field, problem)) = application.problems(&self.edition, call).into_iter().next()
        {
            return Err(Rejection::InvalidApplication { field, problem });
        }
        Ok(())
    }

    /// The stage holding the call.
    fn call_stage(&self) -> Result<usize, Rejection> {
        self.edition.call().map(|(s, _)| s).ok_or(Rejection::NoCall)
    }

    pub(crate) fn apply_application(
        &mut self,
        participant: &str,
        application: &Application,
        at: Timestamp,
        by: &str,
    ) -> Result<(), Rejection> {
        let stage = self.call_stage()?;
        if self.ids.participants.contains_key(participant) {
            return Err(Rejection::ParticipantExists {
                participant: participant.to_owned(),
            });
        }
        if participant.is_empty()
            || !participant
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(Rejection::InvalidParticipantId {
                participant: participant.to_owned(),
            });
        }
        let edition = Arc::make_mut(&mut self.edition);
        edition.participants.push(applicant(participant));
        let p = edition.participants.len() - 1;
        self.ids.participants.insert(participant.to_owned(), p);
        self.participants.push(ParticipantState {
            status: ParticipantStatus::Candidate,
            left_at: None,
        });
        self.applications.insert(
            p,
            ApplicationRecord {
                revisions: Vec::new(),
                flagged_at: None,
            },
        );
        self.revise(p, application, at, by);
        let mut created = self.create_participant_instances(p);
        created.extend(self.instance_index(stage));
        self.settle(created, at);
        Ok(())
    }

    pub(crate) fn amend_application(
        &mut self,
        participant: &str,
        application: &Application,
        at: Timestamp,
        by: &str,
    ) -> Result<(), Rejection> {
        let p = self.find_participant(participant)?;
        if !self.applications.contains_key(&p) {
            return Err(Rejection::NotAnApplicant {
                participant: participant.to_owned(),
            });
        }
        if self.participants[p].is_out() {
            return Err(Rejection::AlreadyOut {
                participant: participant.to_owned(),
                status: crate::apply::status_word(Some(self.participants[p].status)).into(),
            });
        }
        let stage = self.call_stage()?;
        self.revise(p, application, at, by);
        if let Some(i) = self.instance_index(stage) {
            self.refresh_actions(i);
        }
        Ok(())
    }

    /// Records a version: the participant's details follow it, and a
    /// look-alike seen for the first time is flagged.
    fn revise(&mut self, p: usize, application: &Application, at: Timestamp, by: &str) {
        let edition = Arc::make_mut(&mut self.edition);
        describe(edition, p, application);
        let flag = !self.look_alikes(p).is_empty();
        let Some(record) = self.applications.get_mut(&p) else {
            return;
        };
        record.revisions.push(Revision {
            at,
            by: by.to_owned(),
            application: application.clone(),
        });
        if flag && record.flagged_at.is_none() {
            record.flagged_at = Some((at, record.revisions.len() - 1));
        }
    }

    fn instance_index(&self, stage: usize) -> Option<usize> {
        self.index.get(&(stage, None)).copied()
    }
}

/// A participant who applied through the call, before their application's
/// details: a candidate known by id only.
pub(crate) fn applicant(id: &str) -> Participant {
    Participant {
        id: id.to_owned(),
        name: String::new(),
        organisation: None,
        description: None,
        themes: Vec::new(),
        directions: Vec::new(),
        service: None,
        contact_name: None,
        contact_email: None,
        status: ParticipantStatus::Candidate,
        unnamed: false,
        language: None,
        feminine: false,
        award: Default::default(),
    }
}

/// Participant `p` as their latest application describes them: what the
/// edition shows of an applicant follows their last version.
pub(crate) fn describe(edition: &mut Edition, p: usize, application: &Application) {
    let theme = application
        .theme
        .as_deref()
        .and_then(|theme| edition.themes.iter().position(|t| t.id == theme));
    let participant = &mut edition.participants[p];
    participant.name = application.name.clone();
    participant.organisation = Some(application.organisation.clone());
    participant.description = Some(application.description.clone());
    participant.themes = theme.into_iter().collect();
    participant.contact_name = Some(application.contact_name.clone());
    participant.contact_email = Some(application.contact_email.clone());
    participant.language = application.language;
}
