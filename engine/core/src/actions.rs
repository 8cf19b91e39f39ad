//! Which messages an instance's state implies, each with its due instant and
//! a key built only from what identifies it (never from a counter of the
//! run), so the same inputs always give the same keys.

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::fmt::Write;

use jalon_definition::expr::{Anchor, EventLength};
use jalon_definition::resolved::{MessageKind, ParticipantStatus};
use jiff::civil::Time;
use jiff::{Timestamp, ToSpan};

use crate::action::{Action, Addressee, Detail, Recipient};
use crate::state::{Instance, Progress, State};
use crate::time::ANNOUNCEMENT_WINDOW;
use crate::windows::evaluate_shifted;

/// A seminar day ends at this local time when its length is given in days.
const EVENT_DAY_END: Time = Time::constant(17, 30, 0, 0);

/// How long before a date must be fixed its owners are first reminded.
const DAYS_BEFORE_FIXING: i32 = 10;

/// What a refresh writes into, kept from one to the next so that most
/// refreshes allocate nothing but the actions they make.
#[derive(Clone, Debug, Default)]
pub(crate) struct Buffers {
    /// Each action made, with its key's fingerprint; boxed where it is
    /// made, as the pending actions keep it (an action is 168 bytes: it is
    /// not copied into its box afterwards).
    pub actions: Vec<(u128, Box<Action>)>,
    base: String,
    key: String,
}

/// Each action not yet sent, with its key's fingerprint, the pending
/// actions' index, written over `buffers.actions` (emptied first).
pub(crate) fn for_instance(state: &State, i: usize, buffers: &mut Buffers) {
    buffers.actions.clear();
    let instance = &state.instances[i];
    if matches!(instance.progress, Progress::Skipped { .. }) {
        return;
    }
    let edition = &state.edition;
    let participant = instance
        .participant
        .map(|p| edition.participants[p].id.as_str());
    let mut base = std::mem::take(&mut buffers.base);
    crate::action::ActionKey::write_base(
        &mut base,
        &edition.id,
        &edition.stages[instance.stage].id,
        participant,
    );
    let out = Builder {
        state,
        instance,
        actions: RefCell::new(std::mem::take(&mut buffers.actions)),
        base,
        key: RefCell::new(std::mem::take(&mut buffers.key)),
        owners_and_participant: OnceCell::new(),
    };
    out.make_all();
    buffers.actions = out.actions.into_inner();
    buffers.base = out.base;
    buffers.key = out.key.into_inner();
}

struct Builder<'s> {
    state: &'s State,
    instance: &'s Instance,
    actions: RefCell<Vec<(u128, Box<Action>)>>,
    /// `edition/stage[/participant]`: the start of every key it makes.
    base: String,
    /// Where each key is written before it is looked up.
    key: RefCell<String>,
    /// The owners and the participant, as most messages address them:
    /// worked out once.
    owners_and_participant: OnceCell<Vec<Recipient>>,
}

impl<'s> Builder<'s> {
    /// Every action the instance's state implies.
    fn make_all(&self) {
        let instance = self.instance;
        self.selection_results();
        self.applications();
        self.decision_notice();
        self.refusals();
        self.approval();
        if matches!(instance.progress, Progress::Active) {
            self.date_to_fix();
        }
        let Some(open_at) = self.state.open_at(instance) else {
            return;
        };
        if matches!(instance.progress, Progress::Done { .. }) {
            return;
        }
        self.opened(open_at);
        self.invitations();
        self.escalation(open_at);
        match instance.progress {
            Progress::Active => self.reminders(open_at),
            Progress::AwaitingValidation { since } => self.validation_requests(since),
            _ => {}
        }
    }

    fn tz(&self) -> &'s jiff::tz::TimeZone {
        &self.state.edition.time_zone
    }

    fn stage(&self) -> &'s jalon_definition::resolved::Stage {
        &self.state.edition.stages[self.instance.stage]
    }

    /// The key `text` holds up to `stem` (`base/middle/`) ended for the
    /// recipient (`person:ID` or `contact:ID`), with its fingerprint;
    /// `None` once sent (nothing to make). A pending action's key is
    /// shared rather than made again.
    fn key(
        &self,
        text: &mut String,
        stem: usize,
        recipient: Recipient,
    ) -> Option<(u128, crate::action::Key)> {
        crate::action::ActionKey::end_stem(text, stem, self.addressee(recipient));
        let fingerprint = crate::sent::fingerprint(text);
        match self.state.actions.get(&fingerprint) {
            Some(action) => Some((fingerprint, action.key.clone())),
            None if self.state.sent.contains_fingerprint(fingerprint) => None,
            None => Some((fingerprint, crate::action::Key::from(text.as_str()))),
        }
    }

    fn addressee(&self, recipient: Recipient) -> Addressee<'s> {
        let edition = &self.state.edition;
        match recipient {
            Recipient::Person(p) => Addressee::Person(&edition.people[p].id),
            Recipient::Participant(p) => Addressee::Contact(&edition.participants[p].id),
        }
    }

    /// Whether the message of this key was sent.
    fn was_sent(&self, middle: &str, recipient: Recipient) -> bool {
        let mut text = self.key.borrow_mut();
        self.write_key(&mut text, middle, recipient);
        self.state.sent.contains(&text)
    }

    fn write_key(&self, out: &mut String, middle: &str, recipient: Recipient) {
        let addressee = self.addressee(recipient);
        crate::action::ActionKey::write_with_base(out, &self.base, middle, addressee);
    }

    /// People with an address, then the participant's contact when the
    /// participant is still in the edition.
    fn addressable(&self, people: &[usize], participants: &[usize]) -> Vec<Recipient> {
        let edition = &self.state.edition;
        // Room for all at once: most lists gain a contact after the people.
        let mut out = Vec::with_capacity(people.len() + participants.len());
        out.extend(
            people
                .iter()
                .copied()
                .filter(|&p| edition.people[p].email.is_some())
                .map(Recipient::Person),
        );
        for &p in participants {
            if edition.participants[p].contact_email.is_some()
                && !self.state.participants[p].is_out()
            {
                out.push(Recipient::Participant(p));
            }
        }
        out
    }

    /// The calendar the stage's working days follow.
    fn calendar(&self) -> &'s jalon_calendar::WorkingCalendar {
        self.state.edition.calendar_of(self.instance.stage)
    }

    fn people(&self) -> &'s crate::state::StagePeople {
        &self.state.stage_people[self.instance.stage]
    }

    fn owners_and_participant(&self) -> &[Recipient] {
        self.owners_and_participant.get_or_init(|| {
            let participant = self.instance.participant.as_slice();
            self.addressable(&self.named(&self.people().owners), participant)
        })
    }

    /// The people an audience names for this instance's participant.
    fn named<'a>(&self, audience: &'a crate::state::Audience) -> std::borrow::Cow<'a, [usize]> {
        audience.people(&self.state.edition, self.instance.participant)
    }

    /// Everyone an audience names for this instance, the participant's
    /// contact included when it is named (`participant`).
    fn reach(&self, audience: &crate::state::Audience) -> Vec<Recipient> {
        let contact = match audience.contact {
            true => self.instance.participant.as_slice(),
            false => &[],
        };
        self.addressable(&self.named(audience), contact)
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &self,
        kind: MessageKind,
        key_middle: std::fmt::Arguments<'_>,
        recipients: &[Recipient],
        due_at: Timestamp,
        expires_at: Option<Timestamp>,
        detail: Detail,
    ) {
        let Some(&template) = self.stage().messages.get(&kind) else {
            return;
        };
        // Nothing is sent after the edition's end and its grace, and every
        // message has a window after which it is worse than none.
        let ends = self.state.sending_ends;
        if due_at > ends || self.state.closed.is_some() {
            return;
        }
        let relevant_until = match kind {
            MessageKind::ValidationRefused
            | MessageKind::SelectionRetained
            | MessageKind::SelectionNotRetained
            | MessageKind::DecisionNotice
            | MessageKind::ValidationApproved
            | MessageKind::ApplicationReceived
            | MessageKind::DuplicateApplication => due_at.checked_add(ANNOUNCEMENT_WINDOW).ok(),
            _ => expires_at,
        };
        let expires_at = Some(relevant_until.map_or(ends, |t| t.min(ends)));
        // `base/middle/`, written once for every recipient's key.
        let mut text = self.key.borrow_mut();
        let stem = crate::action::ActionKey::write_stem(&mut text, &self.base, key_middle);
        for &recipient in recipients {
            let Some((fingerprint, key)) = self.key(&mut text, stem, recipient) else {
                continue;
            };
            self.actions.borrow_mut().push((
                fingerprint,
                Box::new(Action {
                    key,
                    kind,
                    due_at,
                    expires_at,
                    stage: self.instance.stage,
                    participant: self.instance.participant,
                    recipient,
                    template,
                    detail: detail.clone(),
                }),
            ));
        }
    }

    fn due_end(&self) -> Timestamp {
        self.state.end_of(self.instance.window.due)
    }

    fn opened(&self, open_at: Timestamp) {
        let recipients = self.owners_and_participant();
        let expires = Some(self.due_end());
        self.push(
            MessageKind::StageOpened,
            format_args!("opened"),
            recipients,
            open_at,
            expires,
            Detail::None,
        );
    }

    /// While a date `à fixer` is not fixed, its owners are reminded 10
    /// working days before the day it must be fixed by, and on that day.
    fn date_to_fix(&self) {
        let fix_by = match self.stage().to_be_fixed {
            Some(to_be_fixed) if self.instance.window.to_be_fixed => to_be_fixed.fix_by,
            _ => None,
        };
        let Some(fix_by) = fix_by else {
            return;
        };
        let recipients = self.reach(&self.people().owners);
        let before = self
            .calendar()
            .add_working_days(fix_by, -DAYS_BEFORE_FIXING)
            .unwrap_or(fix_by);
        for (middle, day) in [("before", before), ("on", fix_by)] {
            let due_at = self.state.instant(day, crate::time::NOTICE_TIME);
            self.push(
                MessageKind::DateToFix,
                format_args!("date_to_fix/{middle}"),
                &recipients,
                due_at,
                None,
                Detail::None,
            );
        }
    }

    fn reminders(&self, open_at: Timestamp) {
        let state = self.state;
        let window = self.instance.window;
        for (index, reminder) in self.stage().reminders.iter().enumerate() {
            let needs_done = (reminder.when.anchor == Anchor::NeedsDone)
                .then(|| state.needs_done(self.instance))
                .flatten();
            let stage = self.instance.stage;
            let Some(date) = evaluate_shifted(
                &state.edition,
                &state.ids.stages,
                &reminder.when,
                (Some(window.start), Some(window.due)),
                &state.windows,
                needs_done,
                |offset, date| state.shifted(stage, offset, date),
            ) else {
                continue;
            };
            let date = state.sending_day(self.instance.stage, date);
            let at = state.instant(date, reminder.time);
            // A reminder before the stage opened reminds of nothing.
            if at < open_at {
                continue;
            }
            let mut recipients = if reminder.to.is_empty() {
                Cow::Borrowed(self.owners_and_participant())
            } else {
                Cow::Owned(self.reach(&self.people().reminders[index]))
            };
            // A juror who has scored all their candidates is not reminded.
            let jury_instance = self.stage().jury.as_ref().and_then(|_| {
                state
                    .index
                    .get(&(self.instance.stage, self.instance.participant))
            });
            if let Some(i) = jury_instance {
                let jurors = state.jurors(*i);
                recipients.to_mut().retain(|r| match r {
                    Recipient::Person(p) if jurors.contains(p) => {
                        !state.scores_missing(*i, *p).is_empty()
                    }
                    _ => true,
                });
            }
            let expires = Some(self.due_end());
            self.push(
                MessageKind::Reminder,
                format_args!("reminder/{index}/{}", KeyDate(date)),
                &recipients,
                at,
                expires,
                Detail::Reminder { index },
            );
        }
    }

    fn validation_requests(&self, since: Timestamp) {
        if self.stage().validation.is_none() {
            return;
        }
        let waiting: Vec<usize> = self
            .named(&self.people().validators)
            .iter()
            .copied()
            .filter(|p| !self.instance.approvals.iter().any(|(a, _)| a == p))
            .collect();
        let recipients = self.addressable(&waiting, &[]);
        let round = self.instance.round;
        self.push(
            MessageKind::ValidationRequest,
            format_args!("validation/{round}"),
            &recipients,
            since,
            None,
            Detail::ValidationRequest { round },
        );
    }

    fn refusals(&self) {
        let recipients = self.owners_and_participant();
        for (index, refusal) in self.instance.refusals.iter().enumerate() {
            self.push(
                MessageKind::ValidationRefused,
                format_args!("refused/{}", refusal.round),
                recipients,
                refusal.at,
                None,
                Detail::Refused { index },
            );
        }
    }

    /// Validated work, once approved: its owners and participant are told.
    fn approval(&self) {
        let Progress::Done { at } = self.instance.progress else {
            return;
        };
        if self.stage().validation.is_none() || self.instance.approvals.is_empty() {
            return;
        }
        let recipients = self.owners_and_participant();
        self.push(
            MessageKind::ValidationApproved,
            format_args!("approved/{}", self.instance.round),
            recipients,
            at,
            None,
            Detail::None,
        );
    }

    /// When a stage opens already late (its needs were late), the
    /// escalation goes on the first working day it is open, at its time.
    fn escalation(&self, open_at: Timestamp) {
        let Some(escalation) = &self.stage().escalation else {
            return;
        };
        let due = self.instance.window.due;
        let stage = self.instance.stage;
        let Some(date) = self.state.shifted(stage, escalation.after, due) else {
            return;
        };
        let date = self.state.sending_day(stage, date);
        let recipients = self.reach(&self.people().escalation);
        let mut at = self.state.instant(date, escalation.time);
        let mut day = crate::time::local_date(self.tz(), open_at);
        while at < open_at {
            let Ok(next) = self.calendar().next_working_day(day) else {
                break;
            };
            at = self.state.instant(next, escalation.time);
            let Ok(after) = next.checked_add(1.day()) else {
                break;
            };
            day = after;
        }
        self.push(
            MessageKind::Escalation,
            format_args!("escalation/{}", KeyDate(due)),
            &recipients,
            at,
            None,
            Detail::None,
        );
    }

    /// Seminar invitations go when the stage is ready, and again (with a new
    /// sequence) after each postponement, to the owners, the participants
    /// concerned and the directions working with them.
    fn invitations(&self) {
        let state = self.state;
        let edition = &state.edition;
        let stage = self.stage();
        if stage.events.is_empty() {
            return;
        }
        let Some(ready) = self.instance.ready_at else {
            return;
        };
        let send_at = ready.max(self.instance.postponed_at.unwrap_or(ready));
        // Not before the day's notice time: a stage ready at midnight (the
        // edition's first day) invites people at 09:00, like its opening.
        let day = crate::time::local_date(self.tz(), send_at);
        let send_at = send_at.max(self.state.instant(day, crate::time::NOTICE_TIME));
        let invited: Vec<usize> = match self.instance.participant {
            Some(p) => vec![p],
            None => (0..edition.participants.len())
                .filter(|&p| state.participants[p].status == ParticipantStatus::Laureate)
                .collect(),
        };
        let mut people = self.named(&self.people().owners).into_owned();
        for &p in &invited {
            for &role in &edition.participants[p].directions {
                people.extend(edition.roles[role].members.iter().copied());
            }
        }
        people.sort_unstable();
        people.dedup();
        let recipients = self.addressable(&people, &invited);
        let shift = self.instance.window.start - stage.start;
        let sequence = self.instance.postponements;
        for (index, event) in stage.events.iter().enumerate() {
            // One invitation for a series: its first session's day here,
            // every session in the calendar part.
            let Some(date) = event
                .held(shift, edition.calendar_of(self.instance.stage))
                .first()
                .map(|o| o.date)
            else {
                continue;
            };
            let start = self.state.instant(date, event.time);
            let end = match event.length {
                EventLength::Days(days) => {
                    let last = date
                        .checked_add(i64::from(days.saturating_sub(1)).days())
                        .unwrap_or(date);
                    self.state.instant(last, EVENT_DAY_END)
                }
                EventLength::Minutes(minutes) => start
                    .checked_add(i64::from(minutes).minutes())
                    .unwrap_or(start),
            };
            if let Some(&(_, at, _)) = self.instance.cancelled_events.iter().find(|c| c.0 == index)
            {
                self.event_cancelled(index, at, start, end, &recipients);
                continue;
            }
            self.push(
                MessageKind::SeminarInvitation,
                format_args!("invitation/{}/{sequence}", event.id),
                &recipients,
                send_at,
                Some(start),
                Detail::Invitation {
                    event: index,
                    sequence,
                    start,
                    end,
                },
            );
            self.cancellations(index, sequence, start, end);
        }
    }

    /// An event called off: whoever received its invitation (a participant
    /// who withdrew since too) gets it withdrawn, at the instant it was
    /// called off.
    fn event_cancelled(
        &self,
        index: usize,
        at: Timestamp,
        start: Timestamp,
        end: Timestamp,
        invited: &[Recipient],
    ) {
        let state = self.state;
        let event = self.stage().events[index].id.clone();
        let mut everyone = invited.to_vec();
        for (p, participant) in state.participants.iter().enumerate() {
            let theirs = self.instance.participant.is_none_or(|q| q == p);
            if participant.status == ParticipantStatus::Withdrawn
                && theirs
                && !everyone.contains(&Recipient::Participant(p))
            {
                everyone.push(Recipient::Participant(p));
            }
        }
        for recipient in everyone {
            let received = (0..=self.instance.postponements)
                .rev()
                .find(|seq| self.was_sent(&format!("invitation/{event}/{seq}"), recipient));
            let Some(received) = received else {
                continue;
            };
            self.push(
                MessageKind::InvitationCancelled,
                format_args!("invitation/{event}/cancelled"),
                &[recipient],
                at,
                Some(start),
                Detail::EventCancelled {
                    event: index,
                    sequence: received + 1,
                    start,
                    end,
                },
            );
        }
    }

    /// A participant who withdrew after being invited gets the latest
    /// invitation they received cancelled, so it leaves their calendar.
    fn cancellations(&self, index: usize, sequence: u32, start: Timestamp, end: Timestamp) {
        let state = self.state;
        let event = &self.stage().events[index].id;
        for (p, participant) in state.participants.iter().enumerate() {
            let (ParticipantStatus::Withdrawn, Some(left)) =
                (participant.status, participant.left_at)
            else {
                continue;
            };
            if self.instance.participant.is_some_and(|q| q != p) {
                continue;
            }
            let received = (0..=sequence).rev().find(|seq| {
                self.was_sent(
                    &format!("invitation/{event}/{seq}"),
                    Recipient::Participant(p),
                )
            });
            let Some(received) = received else {
                continue;
            };
            self.push(
                MessageKind::InvitationCancelled,
                format_args!("invitation/{event}/cancelled"),
                &[Recipient::Participant(p)],
                left,
                Some(start),
                Detail::Cancellation {
                    participant: p,
                    event: index,
                    sequence: received + 1,
                    start,
                    end,
                },
            );
        }
    }

    /// Once a selection is done (validated), each participant considered
    /// hears whether they are retained.
    fn selection_results(&self) {
        let Progress::Done { at } = self.instance.progress else {
            return;
        };
        let instance = self.instance;
        let Some(selection) = &instance.selection else {
            return;
        };
        let retained =
            crate::selection::members(&selection.retained, self.state.participants.len());
        for &p in &selection.pool {
            // Withdrawn participants hear nothing more.
            if self.state.participants[p].status == ParticipantStatus::Withdrawn {
                continue;
            }
            if self.state.edition.participants[p].contact_email.is_none() {
                continue;
            }
            let retained = retained[p];
            let kind = if retained {
                MessageKind::SelectionRetained
            } else {
                MessageKind::SelectionNotRetained
            };
            let participant_id = &self.state.edition.participants[p].id;
            self.push(
                kind,
                format_args!("selection/{participant_id}"),
                &[Recipient::Participant(p)],
                at,
                None,
                Detail::Selection {
                    participant: p,
                    retained,
                },
            );
        }
    }

    /// Each version of each application is confirmed to its applicant;
    /// an application like another is flagged to the call's owners once.
    fn applications(&self) {
        if self.stage().call.is_none() {
            return;
        }
        let state = self.state;
        for (p, record) in state.applicants() {
            let id = &state.edition.participants[p].id;
            if !state.participants[p].is_out() {
                for (revision, version) in record.revisions.iter().enumerate() {
                    self.push(
                        MessageKind::ApplicationReceived,
                        format_args!("application/{id}/{revision}"),
                        &[Recipient::Participant(p)],
                        version.at,
                        None,
                        Detail::Application {
                            participant: p,
                            revision,
                        },
                    );
                }
            }
            if let Some((at, revision)) = record.flagged_at {
                let owners = self.addressable(&self.people().owners.fixed, &[]);
                self.push(
                    MessageKind::DuplicateApplication,
                    format_args!("duplicate/{id}"),
                    &owners,
                    at,
                    None,
                    Detail::Application {
                        participant: p,
                        revision,
                    },
                );
            }
        }
    }

    fn decision_notice(&self) {
        let (Progress::Done { at }, Some(outcome)) =
            (&self.instance.progress, self.instance.outcome)
        else {
            return;
        };
        let at = *at;
        let recipients = self.owners_and_participant();
        self.push(
            MessageKind::DecisionNotice,
            format_args!("decision"),
            recipients,
            at,
            None,
            Detail::Decision { outcome },
        );
    }
}

/// A date as keys write it, `2024-12-18`: jiff's own form, written here
/// without its general printer (every refresh writes a few) for the years
/// keys meet; other years are left to jiff.
struct KeyDate(jiff::civil::Date);

impl std::fmt::Display for KeyDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let date = self.0;
        let Ok(year) = u16::try_from(date.year()) else {
            return write!(f, "{date}");
        };
        if year > 9999 {
            return write!(f, "{date}");
        }
        let digit = |n: u16| char::from(b'0' + (n % 10) as u8);
        let (month, day) = (date.month() as u16, date.day() as u16);
        let text = [
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
            '-',
            digit(month / 10),
            digit(month),
            '-',
            digit(day / 10),
            digit(day),
        ];
        text.iter().try_for_each(|c| f.write_char(*c))
    }
}

#[cfg(test)]
mod tests {
    use super::KeyDate;
    use jiff::civil::Date;
    use jiff::ToSpan;

    /// Keys written before must be written the same: every sent key is
    /// remembered by the fingerprint of its text.
    #[test]
    fn dates_are_written_as_jiff_writes_them() {
        let mut dates = vec![Date::MIN, Date::MAX];
        for year in [-1, 0, 1, 9, 10, 99, 100, 999, 1000, 2024, 2025, 9999] {
            let start = Date::new(year, 1, 1).expect("a date");
            dates.extend((0..366).filter_map(|d| start.checked_add(d.days()).ok()));
        }
        for date in dates {
            assert_eq!(KeyDate(date).to_string(), date.to_string());
        }
    }
}
