//! The definition format, as programme managers write it. Every field is
//! optional here: an edition file often restates only what differs from its
//! template, and what must be present is checked after `extends` is merged,
//! with messages that say where. The doc comments become the JSON Schema's
//! descriptions, which editors show on hover.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A Jalon definition: a programme template (no `edition`) or one edition of a programme.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// Path of the programme template this file builds on, relative to this file. Everything the template says applies unless this file says otherwise; lists of items with an `id` (stages, roles, people…) are merged item by item.
    pub extends: Option<String>,
    /// The programme this definition belongs to.
    pub programme: Option<Programme>,
    /// The edition (promotion) this file describes. Absent in a programme template.
    pub edition: Option<EditionInfo>,
    /// IANA time zone in which every date and time of the edition is read, e.g. `Europe/Paris` (the default).
    pub time_zone: Option<String>,
    /// Language of the emails: `fr` (the default) or `en`. Templates' own texts are written in it; people and participants who read another language get a template's `translations` when it has one.
    pub language: Option<Language>,
    /// Working days, public holidays and closures used for offsets in working days.
    pub calendar: Option<Calendar>,
    /// Organisations taking part: the public body, the accelerator, the impact lab…
    pub organisations: Option<Vec<Organisation>>,
    /// People who receive emails or act in the programme, with their address.
    pub people: Option<Vec<Person>>,
    /// Roles (coordination, directions, jury, impact lab…), each with its members. Stages name roles as owners, validators and recipients.
    pub roles: Option<Vec<Role>>,
    /// The priority social needs of the edition (themes of the call for applications).
    pub themes: Option<Vec<Theme>>,
    /// Candidates and laureates, each with the status it holds now.
    pub participants: Option<Vec<Participant>>,
    /// The stages of the edition, linked by `needs`.
    pub stages: Option<Vec<Stage>>,
    /// Email templates, referred to by id from `messages`.
    pub templates: Option<Vec<Template>>,
    /// The template used for each kind of message, unless a stage says otherwise.
    pub messages: Option<BTreeMap<MessageKind, String>>,
    /// Periodic summaries emailed while the edition runs (by `jalon daemon`): what is late, what awaits whom, what falls due in the next seven days.
    pub digests: Option<Vec<Digest>>,
    /// Dated sessions of an assembly or a committee (the « commission permanente » that votes the grants, a selection committee), set ahead. A stage dated `commission-permanente after instruction.due + 10 working days` falls on the first session on or after that date; `jalon adjourn` moves a participant's file to the next session.
    pub sessions: Option<Vec<Session>>,
    /// The budget for the participants' grants and prizes, in euros: `390000` or `"390 000 €"`. `jalon check` reports an edition whose participants still in the running (not `not_retained` nor `withdrawn`) are awarded more. A programme template may state it; an edition's own replaces it.
    pub budget: Option<AmountText>,
}

/// One assembly or committee and the dates it sits, e.g. `{id: commission-permanente, name: Commission permanente, dates: [2025-03-17, 2025-04-14]}`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// Identifier, used in dates (`commission-permanente after instruction.due + 10 working days`).
    pub id: Option<String>,
    /// Name, as the plan and emails show it, e.g. `Commission permanente`.
    pub name: Option<String>,
    /// The days it sits (YYYY-MM-DD), in order. An edition file adds to its template's with `dates: {append: [2025-09-22]}`.
    pub dates: Option<Vec<String>>,
}

/// An amount in euros (and only euros): a number (`25000`, `25000.50`) or a text as typed (`"25 000 €"`, `"25 000,50 €"`): thousands separated by spaces or not, a comma or point before at most two decimals.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum AmountText {
    Number(serde_json::Number),
    Text(String),
}

// By hand: a number or a text, one JSON type list, so that a wrong value
// reads "should be a number or a text" rather than "not any of the schemas".
impl JsonSchema for AmountText {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "AmountText".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["number", "string"] })
    }
}

/// A periodic summary of the edition, e.g. every Monday at 08:00 to the coordination.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Digest {
    /// Identifier, e.g. `weekly`.
    pub id: Option<String>,
    /// When it is sent, in standard 5-field cron syntax read in the edition's time zone: minute hour day-of-month month day-of-week, e.g. `0 8 * * 1` (Mondays at 08:00). Sunday is 0 or 7.
    pub schedule: Option<String>,
    /// Roles or people who receive it.
    pub to: Option<Vec<String>>,
}

/// The programme: one template, many editions and territories.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Programme {
    /// Short identifier, e.g. `experimentations-val-doise`.
    pub id: Option<String>,
    /// Full name, as it appears in emails.
    pub name: Option<String>,
    /// The territory the programme serves, e.g. `Val d'Oise`.
    pub territory: Option<String>,
    /// A few words on the programme.
    pub description: Option<String>,
    /// Who the programme's emails come from. Without it, emails come from a placeholder address (`programme@jalon.invalid`) that no one can answer; replies always go to the coordination.
    pub sender: Option<Sender>,
}

/// The `From` of the programme's emails.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sender {
    /// Name shown as the sender (default: the programme's name).
    pub name: Option<String>,
    /// Address the emails come from, e.g. `experimentations@valdoise.example`. Use an address of a domain the mail server may send for (SPF, DKIM), or emails land in spam. Message-IDs use its domain.
    pub email: Option<String>,
}

/// A language emails can be written in: `fr` (French, the default) or `en` (English).
// No doc comments on the variants: schemars would then describe the enum as
// `oneOf`, and maps keyed by it (`translations`) would accept any key.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    Serialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    #[default]
    Fr,
    En,
}

impl Language {
    pub const ALL: [Language; 2] = [Self::Fr, Self::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fr => "fr",
            Self::En => "en",
        }
    }
}

impl std::fmt::Display for Language {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One edition (promotion) of the programme.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EditionInfo {
    /// Short identifier, e.g. `2024-2025`.
    pub id: Option<String>,
    /// Name, e.g. `4e promotion`.
    pub name: Option<String>,
    /// First day of the edition (YYYY-MM-DD). Stage dates may be given relative to it (`edition.start + 2 weeks`).
    pub start: Option<String>,
    /// Last day of the edition (YYYY-MM-DD). Every date of the edition must fall between `start` and `end`.
    pub end: Option<String>,
    /// Free notes: sources, assumptions.
    pub notes: Option<String>,
}

/// The working calendar.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// Days of the week that are worked (default: monday to friday).
    pub working_days: Option<Vec<Weekday>>,
    /// Which public holidays are not worked (default: `france`).
    pub public_holidays: Option<HolidayRegion>,
    /// Periods when the programme is closed (summer, end of year); no deadline or reminder falls on them.
    pub closures: Option<Vec<Closure>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

/// Public holidays: `france` (the 11 national holidays, Easter-based ones included), `alsace_moselle` (plus Good Friday and 26 December), or `none`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HolidayRegion {
    France,
    AlsaceMoselle,
    None,
}

/// A period when the programme is closed.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Closure {
    /// What the closure is, e.g. `Fermeture estivale`.
    pub name: Option<String>,
    /// First closed day (YYYY-MM-DD).
    pub from: Option<String>,
    /// Last closed day (YYYY-MM-DD).
    pub to: Option<String>,
    /// Instead of `from` and `to`: the same days every year, `MM-DD..MM-DD` (`08-01..08-31`; `12-24..01-01` runs into the next year), so a programme template can state it once.
    pub every_year: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// Identifier (lowercase letters, digits, `-` and `_`).
    pub id: Option<String>,
    /// Name, e.g. `Conseil départemental du Val d'Oise`.
    pub name: Option<String>,
    /// What the organisation is to the programme.
    pub kind: Option<OrganisationKind>,
    /// The organisation's own working calendar (working days, public holidays, closures), for the stages that follow it rather than the edition's: a stage says `calendar: <this organisation's id>`.
    pub calendar: Option<Calendar>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    PublicBody,
    Accelerator,
    ImpactLab,
    Partner,
    Other,
}

/// A person who acts in the programme or receives its emails.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Identifier, unique among people and roles.
    pub id: Option<String>,
    /// Full name, as used in emails.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Id of the person's organisation.
    pub organisation: Option<String>,
    /// Job title, e.g. `Chef de projet Coordination & Expérimentations`.
    pub title: Option<String>,
    /// Language the person reads (`fr` or `en`; default: the edition's `language`).
    pub language: Option<Language>,
}

/// A role: a group of people that stages name as owners, validators or recipients.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Identifier, unique among people and roles.
    pub id: Option<String>,
    /// Name, e.g. `Direction des Personnes Âgées`.
    pub name: Option<String>,
    /// What the role is.
    pub kind: Option<RoleKind>,
    /// Id of the organisation the role belongs to.
    pub organisation: Option<String>,
    /// Ids of the people who hold the role.
    pub members: Option<Vec<String>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleKind {
    /// The programme's coordination (e.g. the département's innovation lab).
    Coordination,
    /// An operational direction of the public body (direction métier).
    Direction,
    /// General management.
    Management,
    /// The team that sources and supports the laureates.
    Accelerator,
    /// The team that helps measure impact.
    ImpactLab,
    /// A selection jury.
    Jury,
    Other,
}

/// A priority social need of the edition.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// Identifier.
    pub id: Option<String>,
    /// The need, in a sentence.
    pub title: Option<String>,
    /// Ids of the direction roles that carry this theme.
    pub directions: Option<Vec<String>>,
}

/// A candidate solution and the organisation behind it.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    /// Identifier.
    pub id: Option<String>,
    /// Name of the solution or organisation, e.g. `Atchoum`.
    pub name: Option<String>,
    /// Legal structure carrying the solution, e.g. `Association Papoto`.
    pub organisation: Option<String>,
    /// What the solution does, in a sentence.
    pub description: Option<String>,
    /// Id of the theme the solution answers.
    pub theme: Option<String>,
    /// Ids of the themes the solution answers, when it answers several (instead of `theme`).
    pub themes: Option<Vec<String>>,
    /// Ids of the direction roles the participant works with (default: the directions of its themes). Stages name them `participant.directions`.
    pub directions: Option<Vec<String>>,
    /// Id of the role (a service) in charge of this participant's file, e.g. the service that instructs it. Stages run per participant name it `participant.service`, so each file's notices go to its own service (default: the participant's directions).
    pub service: Option<String>,
    /// Who receives the participant's emails.
    pub contact: Option<Contact>,
    /// Where the participant stands now (default: `candidate`).
    pub status: Option<ParticipantStatus>,
    /// True when the sources do not name this participant; it then needs no contact.
    pub unnamed: Option<bool>,
    /// Language the participant's contact reads (`fr` or `en`; default: the edition's `language`).
    pub language: Option<Language>,
    /// The grammatical gender of the participant's name in French, for the agreements of templates (`{{ participant_e }}`): `feminine` for « l'association Atchoum est retenue »; default `masculine`, as « le projet ».
    pub gender: Option<Gender>,
    /// The grant (subvention) awarded, in euros: `25000`, `25000.50` or `"25 000 €"`. Counted against the `budget`; in templates as `{{ grant }}`, and with the prize in `{{ amount }}`.
    pub grant: Option<AmountText>,
    /// A prize awarded besides the grant, in euros, written as `grant`; in templates as `{{ prize }}`.
    pub prize: Option<AmountText>,
}

/// A grammatical gender.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Feminine,
    Masculine,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Full name.
    pub name: Option<String>,
    /// Email address.
    pub email: Option<String>,
}

/// Where a participant stands. `candidate` → `shortlisted` → `laureate`; `not_retained` and `withdrawn` end the way.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantStatus {
    Candidate,
    Shortlisted,
    Laureate,
    NotRetained,
    Withdrawn,
}

impl ParticipantStatus {
    /// Not out of the way (`not_retained`, `withdrawn`): its amounts count
    /// against the budget.
    pub fn in_the_running(self) -> bool {
        !matches!(self, Self::NotRetained | Self::Withdrawn)
    }
}

/// One stage of the edition.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
// The optional blocks are boxed: most stages have none of them, and a
// generated file of thousands of stages must check within 64 MiB.
pub struct Stage {
    /// Identifier, used in `needs`, in relative dates (`sourcing.due + 1 week`) and in outcomes.
    pub id: Option<String>,
    /// What happens in this stage.
    pub kind: Option<StageKind>,
    /// Title, as it appears in emails.
    pub title: Option<String>,
    /// A few words on the stage, included in its opening notice.
    pub description: Option<String>,
    /// Roles or people responsible for the stage; they receive its notices and reminders. In a stage run per participant (`for_each`), `participant.service` and `participant.directions` name that participant's own service and directions, and `participant` its contact.
    pub owners: Option<Vec<String>>,
    /// Stages that must be done before this one opens.
    pub needs: Option<Vec<String>>,
    /// Run this stage once for each participant holding this status (usually `laureate`).
    pub for_each: Option<ParticipantStatus>,
    /// When the stage opens: a date (`2024-11-25`) or a date relative to the edition or another stage (`edition.start`, `sourcing.due + 1 week`, `jury.due + 3 working days`), or to when its needs are actually done (`needs.done + 1 working day`: finishing them early or late moves it, for each participant). Default: the first working day after the last of its `needs` is due, or the edition's start.
    pub start: Option<String>,
    /// When the stage is due: a date or relative date, as for `start`; `start + 4 weeks` counts from this stage's start. `à fixer` (or `to be fixed`), for `start` or `due`, when the date is not known yet: the stage waits, `plan` shows it as such, dates written from it follow once fixed (`jalon postpone EDITION STAGE --due DATE`), and the stage's owners are reminded to fix it by `fix_by`.
    pub due: Option<String>,
    /// For a date `à fixer`: by when the coordination must fix it (a date or relative date). The stage's owners get a `date_to_fix` message 10 working days before and on that day while it is not fixed. Default: the stage's start, when that is known.
    pub fix_by: Option<String>,
    /// Which participants move on, and how many.
    pub selection: Option<Box<Selection>>,
    /// How a jury scores the participants.
    pub jury: Option<Box<Jury>>,
    /// Who must validate the stage's work before it is done.
    pub validation: Option<Box<Validation>>,
    /// Reminders sent to the owners (and participants, for per-participant stages).
    pub reminders: Option<Vec<Reminder>>,
    /// Who is told, and when, if the stage is overdue.
    pub escalation: Option<Box<Escalation>>,
    /// For decisions: the possible outcomes and the stages each one leads to.
    pub outcomes: Option<Vec<Outcome>>,
    /// What the stage must produce.
    pub deliverables: Option<Vec<Deliverable>>,
    /// Impact indicators set at launch and measured at the end.
    pub indicators: Option<Vec<Indicator>>,
    /// Seminar days and meetings; participants get a calendar invitation.
    pub events: Option<Vec<Event>>,
    /// A public call for applications, open from this stage's start to its due date (on one edition-wide stage, usually `sourcing`).
    pub call: Option<Box<Call>>,
    /// Templates for this stage's messages, overriding the edition's.
    pub messages: Option<BTreeMap<MessageKind, String>>,
    /// Id of the organisation whose `calendar` this stage follows: its working days count its dates, reminders, escalation and validation lead time (e.g. the accelerator's, closed in August when the département is not). Default: the edition's `calendar`.
    pub calendar: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageKind {
    /// The public body names priority needs; the accelerator interviews the directions and drafts the call.
    NeedsDiagnosis,
    /// Detection of candidate solutions.
    Sourcing,
    /// Choice of the candidates invited to pitch.
    Shortlisting,
    /// The jury scores the pitches and selects the laureates.
    PitchJury,
    /// Collective seminar days.
    Seminar,
    /// Introductions to field partners and the experimentation itself.
    FieldImmersion,
    /// Measure of impact with the impact lab.
    ImpactReview,
    /// Implant, extend or stop.
    ScaleUpDecision,
    /// Any other task.
    Task,
}

/// Which participants move on, and how many.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// Status of the pool chosen from (absent for sourcing, which brings new candidates).
    pub from: Option<ParticipantStatus>,
    /// Status given to those chosen.
    pub to: Option<ParticipantStatus>,
    /// Fewest chosen.
    pub min: Option<u32>,
    /// Most chosen (default: `min`).
    pub max: Option<u32>,
}

/// How a jury scores.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Jury {
    /// Roles or people on the jury.
    pub members: Option<Vec<String>>,
    /// What is scored, each with its weight.
    pub criteria: Option<Vec<Criterion>>,
    /// The scale of each score.
    pub scale: Option<Scale>,
    /// How many jurors score each candidate, the candidates shared out by Jalon so that each juror has about as many (default: every juror scores every candidate).
    pub per_candidate: Option<u32>,
    /// Which candidates each juror scores, by person id: `{marie-dupont: [atchoum, papoto]}` (instead of `per_candidate`).
    pub assign: Option<BTreeMap<String, Vec<String>>>,
    /// The lowest weighted average a candidate may be retained with, on the jury's scale.
    pub minimum: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Identifier.
    pub id: Option<String>,
    /// What is judged, e.g. `Potentiel d'impact social`.
    pub title: Option<String>,
    /// Weight of this criterion in the total (default 1).
    pub weight: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// Lowest score (default 0).
    pub min: Option<i64>,
    /// Highest score.
    pub max: Option<i64>,
}

/// Validation by a public body takes time: build it into the backward planning.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Validation {
    /// Roles or people who validate. In a stage run per participant, `participant.service` or `participant.directions` (that participant's own).
    pub by: Option<Vec<String>>,
    /// How many distinct validators must approve (default 1).
    pub quorum: Option<u32>,
    /// Time the validators need before the due date, e.g. `10 working days`: the work must be submitted that long before `due`.
    pub lead_time: Option<String>,
}

/// A reminder.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reminder {
    /// When, relative to this stage: `due - 3 working days`, `start + 1 week`, `due`.
    pub when: Option<String>,
    /// Time of day, HH:MM (default 09:00).
    pub time: Option<String>,
    /// Roles or people reminded (default: the stage's owners, and the participant for per-participant stages). In a stage run per participant, `participant` (its contact), `participant.service` and `participant.directions` may be named.
    pub to: Option<Vec<String>>,
}

/// What happens when a stage is overdue.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// How long after the due date, e.g. `3 working days`.
    pub after: Option<String>,
    /// Roles or people told (in a stage run per participant, `participant.service`, `participant.directions` and `participant` may be named).
    pub to: Option<Vec<String>>,
    /// Time of day, HH:MM (default 09:00).
    pub time: Option<String>,
}

/// A possible outcome of a decision.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    /// Identifier, e.g. `implant`, `extend`, `stop`.
    pub id: Option<String>,
    /// Title, e.g. `Implantation (convention d'un an)`.
    pub title: Option<String>,
    /// Stages that run only when this outcome is chosen.
    pub leads_to: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deliverable {
    /// Identifier.
    pub id: Option<String>,
    /// Title, e.g. `Feuille de route`.
    pub title: Option<String>,
    /// What it must contain.
    pub description: Option<String>,
    /// What may be handed in for it: `pdf`, `office` (Word, Excel, PowerPoint, OpenDocument), `image` (PNG, JPEG, GIF, WebP) and `link` (an address). Default: all four.
    pub accepts: Option<Vec<Accept>>,
    /// Fewest pieces (files and links) handed in for it (default 1; 0 makes it optional).
    pub min: Option<u32>,
    /// Most pieces handed in for it at once (default 5, at most 20).
    pub max: Option<u32>,
}

/// A public call for applications. The form always asks for the project's name, the organisation, a description, the contact's name and email, and the theme when the edition has themes; `questions` adds others.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Call {
    /// The time the call closes on its due date, e.g. `12:00` (default: the end of that day).
    pub closes_at: Option<String>,
    /// A few words shown above the form: who may apply, what happens next.
    pub introduction: Option<String>,
    /// Questions asked beyond the fixed ones, in this order.
    pub questions: Option<Vec<Question>>,
}

/// One question of a call's form.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Identifier, as exports name the answer.
    pub id: Option<String>,
    /// The question, as the form shows it.
    pub title: Option<String>,
    /// A hint shown under the question.
    pub help: Option<String>,
    /// `text` (one line), `paragraph`, `number`, `choice` (one of `choices`), `yes_no`, `date` or `url`. Default: `text`.
    #[serde(rename = "type")]
    pub kind: Option<QuestionKind>,
    /// Whether an answer is needed (default `true`).
    pub required: Option<bool>,
    /// For `choice`: the answers offered.
    pub choices: Option<Vec<String>>,
    /// For `text` and `paragraph`: most characters (default 200 and 2000; at most 500 and 10000). For `number`: the largest value.
    pub max: Option<i64>,
    /// For `number`: the smallest value.
    pub min: Option<i64>,
}

/// What kind of answer a question takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    Text,
    Paragraph,
    Number,
    Choice,
    YesNo,
    Date,
    Url,
}

/// A kind of piece a deliverable accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Accept {
    Pdf,
    Office,
    Image,
    Link,
}

impl Accept {
    pub const ALL: [Accept; 4] = [Accept::Pdf, Accept::Office, Accept::Image, Accept::Link];
}

/// An impact indicator, set at launch with the impact lab.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Identifier.
    pub id: Option<String>,
    /// The objective it measures.
    pub objective: Option<String>,
    /// What is counted or observed.
    pub indicator: Option<String>,
    /// How the data is collected.
    pub method: Option<String>,
    /// The value hoped for, e.g. `200 bénéficiaires`.
    pub target: Option<String>,
}

/// A seminar day or meeting.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Identifier.
    pub id: Option<String>,
    /// Title, e.g. `Séminaire de lancement`.
    pub title: Option<String>,
    /// Day it starts: a date or a relative date (`start`, `start + 1 day`).
    pub date: Option<String>,
    /// Time it starts each day, HH:MM (default 09:00).
    pub time: Option<String>,
    /// How long: `2 days` (whole days from `time`), or `3 hours`, `90 minutes` (default `1 day`).
    pub duration: Option<String>,
    /// Where, as printed in the invitation.
    pub place: Option<String>,
    /// Repeats it: `1 week`, `2 weeks`, `1 month`, `3 months` (`1 mois`, `2 semaines`). Months keep the day of the month, or take the month's last day when it has none. Needs `until` or `count`.
    pub every: Option<String>,
    /// With `every`: the last day a session may fall on, a date or a relative date as `date` accepts.
    pub until: Option<String>,
    /// With `every`: how many sessions in all, the first included (2 to 60).
    pub count: Option<u32>,
    /// When a session falls on a day not worked (weekend, public holiday, closure): `next_working_day` (the default), `previous_working_day`, `keep` (held anyway; `jalon check` warns) or `refuse` (`jalon check` reports an error).
    pub on_closed_day: Option<ClosedDayRule>,
}

/// What to do with an event that falls on a day not worked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClosedDayRule {
    /// Held on the next working day.
    #[default]
    NextWorkingDay,
    /// Held on the working day before.
    PreviousWorkingDay,
    /// Held anyway, on the day written.
    Keep,
    /// Not allowed: `jalon check` reports an error.
    Refuse,
}

/// An email template, in Jinja syntax: `{{ stage }}`, `{% if comment %}…{% endif %}`. `jalon check` lists the variables and reports any other name.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// Identifier, used in `messages`.
    pub id: Option<String>,
    /// Subject line, in the edition's `language`.
    pub subject: Option<String>,
    /// Body as plain text, in the edition's `language`. Blank lines separate paragraphs; web addresses become links in the HTML version.
    pub body: Option<String>,
    /// Body as HTML (paragraphs, links, emphasis; no `<html>` or `<head>`), sent beside the text. Variables in it are HTML-escaped. Default: made from `body`.
    pub html: Option<String>,
    /// The same message in other languages, e.g. `en: {subject: …, body: …}`, for people and participants whose `language` differs from the edition's.
    pub translations: Option<BTreeMap<Language, Translation>>,
}

/// The variables every message's template can use, and the only ones: each
/// message gets all of them (empty when they do not apply to it), so that a
/// misspelt name is an error `jalon check` reports, not a blank in an email.
pub const TEMPLATE_VARIABLES: &[&str] = &[
    // The programme's and edition's names.
    "programme",
    "edition",
    // The stage: title, description, and its window as dates in words;
    // `overdue_since`: its due date, when the message goes after it (a
    // validation request for work handed in late), else empty.
    "stage",
    "description",
    "start",
    "due",
    "overdue_since",
    // When the work must be handed in for the validators to have their
    // lead time (`validation: {lead_time}`): the due date less it, on a
    // working day; empty for a stage without one, or once that day passed.
    "hand_in_by",
    // For a date `à fixer`: the day it must be fixed by (empty otherwise);
    // `start` and `due` are empty while the stage's dates are not fixed.
    "fix_by",
    // Who reads the message, and the participant it is about.
    "recipient",
    "participant",
    // `e` when the participant's name is feminine (`gender: feminine`),
    // else empty: « {{ participant }} est retenu{{ participant_e }} ».
    "participant_e",
    // What the participant is awarded, in euros in words of the message's
    // language (« 25 000 € »): the grant, the prize, and both together;
    // empty when none is stated.
    "amount",
    "grant",
    "prize",
    // A decision's outcome; a refusal's validator and comment.
    "outcome",
    "validator",
    "comment",
    // A seminar invitation: the event, its day (a series: « tous les mois
    // du … au …, 6 séances ») and time in words, where; after a
    // postponement of its stage, the day it replaces (a series': its first
    // session's) and the reason in `comment`.
    "event",
    "event_date",
    "event_time",
    "place",
    "former_date",
    // In an invitation's cancellation: `yes` when the event itself is
    // called off (the reason in `comment`), empty when the reader's
    // participant withdrew.
    "event_cancelled",
    // A validation request's one-click answers, and what was handed in.
    "approve_link",
    "refuse_link",
    "documents",
    // The page where a participant hands in the stage's deliverables (in
    // messages to a participant's contact about a stage that asks for some).
    "hand_in_link",
    // The jury's page in the workspace (in messages to its jurors).
    "jury_link",
    // An application as recorded, question by question; the private page
    // where its applicant changes it until the call closes; and, to the
    // call's owners, the participants it looks like and its workspace page.
    "answers",
    "application_link",
    "look_alikes",
    "participant_link",
];

/// A template's texts in another language.
#[derive(Clone, Debug, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Translation {
    /// Subject line.
    pub subject: Option<String>,
    /// Body as plain text.
    pub body: Option<String>,
    /// Body as HTML (default: made from this translation's `body`).
    pub html: Option<String>,
}

/// The kinds of message Jalon sends.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    StageOpened,
    Reminder,
    ValidationRequest,
    ValidationRefused,
    Escalation,
    SeminarInvitation,
    SelectionRetained,
    SelectionNotRetained,
    DecisionNotice,
    /// To an applicant, each time their application is recorded or changed.
    ApplicationReceived,
    /// To the stage's owners and its participant, once the validators
    /// approved the work (sent when a template is chosen for it).
    ValidationApproved,
    /// To the call's owners, when an application looks like another one.
    DuplicateApplication,
    /// To a participant who withdrew, for each seminar they were invited
    /// to: the invitation cancelled (sent when a template is chosen).
    InvitationCancelled,
    /// To a stage's owners, while a date of it written `à fixer` is not
    /// fixed: 10 working days before `fix_by`, and on that day.
    DateToFix,
}

impl MessageKind {
    pub const ALL: [MessageKind; 14] = [
        Self::StageOpened,
        Self::Reminder,
        Self::ValidationRequest,
        Self::ValidationRefused,
        Self::Escalation,
        Self::SeminarInvitation,
        Self::SelectionRetained,
        Self::SelectionNotRetained,
        Self::DecisionNotice,
        Self::ApplicationReceived,
        Self::DuplicateApplication,
        Self::ValidationApproved,
        Self::InvitationCancelled,
        Self::DateToFix,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::StageOpened => "stage_opened",
            Self::Reminder => "reminder",
            Self::ValidationRequest => "validation_request",
            Self::ValidationRefused => "validation_refused",
            Self::Escalation => "escalation",
            Self::SeminarInvitation => "seminar_invitation",
            Self::SelectionRetained => "selection_retained",
            Self::SelectionNotRetained => "selection_not_retained",
            Self::DecisionNotice => "decision_notice",
            Self::ApplicationReceived => "application_received",
            Self::DuplicateApplication => "duplicate_application",
            Self::ValidationApproved => "validation_approved",
            Self::InvitationCancelled => "invitation_cancelled",
            Self::DateToFix => "date_to_fix",
        }
    }
}
