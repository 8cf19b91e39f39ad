//! Who sees and does what in the workspace, from the running definitions
//! alone: a session proves an email address, and this module says what the
//! person behind it may see and do in each edition. Every page and every
//! action asks here, on the server, at each request — so a person removed
//! from the definitions sees nothing from the next reload on.

use std::collections::BTreeSet;
use std::sync::Arc;

use jalon_definition::resolved::{Actor, Edition, Language, RoleKind};

/// An address as compared: trimmed and lower-cased (the domain is
/// case-insensitive, and nobody registers two mailboxes differing in case).
pub fn normalise(email: &str) -> String {
    email.trim().to_lowercase()
}

/// What one person may see and do in one edition.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Access {
    /// Their index in the edition's people, when they are listed there.
    pub person: Option<usize>,
    /// A member of the coordination of the programme (in any of its
    /// editions): sees and acts on all of it.
    pub coordination: bool,
    /// Stages whose validation they give.
    pub validates: Part,
    /// Stages whose jury they sit on.
    pub jury: BTreeSet<usize>,
    /// Stages they own (carry out): they may hand in their deliverables.
    pub owns: Part,
    /// Participants whose contact they are.
    pub contact_of: BTreeSet<usize>,
}

/// The stages someone has a part in: whole stages, and, where a stage
/// names a participant's own service or directions, that stage for some
/// participants only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Part {
    whole: BTreeSet<usize>,
    /// (stage, participant).
    of: BTreeSet<(usize, usize)>,
}

impl Part {
    /// Their part covers stage `s` (for participant `p`, on a stage run
    /// per participant).
    pub fn covers(&self, s: usize, p: Option<usize>) -> bool {
        self.whole.contains(&s) || p.is_some_and(|p| self.of.contains(&(s, p)))
    }

    /// They have a part in stage `s`, for at least one participant.
    pub fn touches(&self, s: usize) -> bool {
        self.whole.contains(&s) || self.of.iter().any(|&(stage, _)| stage == s)
    }

    pub fn is_empty(&self) -> bool {
        self.whole.is_empty() && self.of.is_empty()
    }

    /// Some stage of theirs is about participant `p`.
    fn concerns(&self, edition: &Edition, p: usize) -> bool {
        self.whole.iter().any(|&s| stage_concerns(edition, s, p))
            || self.of.iter().any(|&(_, q)| q == p)
    }
}

impl Access {
    /// Nothing to see here.
    pub fn is_empty(&self) -> bool {
        !self.coordination
            && self.validates.is_empty()
            && self.jury.is_empty()
            && self.owns.is_empty()
            && self.contact_of.is_empty()
    }

    /// May open the page of participant `p`: the coordination, their
    /// contacts, and whoever validates or scores stages about them.
    pub fn sees_participant(&self, edition: &Edition, p: usize) -> bool {
        self.coordination
            || self.contact_of.contains(&p)
            || self.validates.concerns(edition, p)
            || self.owns.concerns(edition, p)
            || self.jury.iter().any(|&s| stage_concerns(edition, s, p))
    }

    /// May hand in the deliverables of stage `s` (for participant `p` on a
    /// per-participant stage): the coordination, the stage's owners, and
    /// the participant's contact on their own stages.
    pub fn may_hand_in(&self, edition: &Edition, s: usize, p: Option<usize>) -> bool {
        let stage = &edition.stages[s];
        !stage.deliverables.is_empty()
            && (self.coordination
                || self.owns.covers(s, p)
                || p.is_some_and(|p| stage.for_each.is_some() && self.contact_of.contains(&p)))
    }

    /// May answer the validation of stage `s` (the core checks the rest,
    /// the participant included).
    pub fn may_validate(&self, s: usize) -> bool {
        self.coordination || self.validates.touches(s)
    }
}

/// Whether stage `s` is about participant `p`: a per-participant stage,
/// or an edition-wide one that selects among the participants.
fn stage_concerns(edition: &Edition, s: usize, p: usize) -> bool {
    let stage = &edition.stages[s];
    p < edition.participants.len() && (stage.for_each.is_some() || stage.selection.is_some())
}

/// The person signed in, as the running definitions know them.
#[derive(Clone, Debug)]
pub struct Viewer {
    pub email: String,
    /// Their name as the definitions write it (else the address).
    pub name: String,
    pub language: Language,
    /// What they may do in each running edition they have a part in.
    pub editions: Vec<(Arc<Edition>, Access)>,
}

impl Viewer {
    /// The person behind `email` in `running`, or `None` when no running
    /// edition lists them (they then see nothing at all).
    pub fn of(email: &str, running: &[Arc<Edition>]) -> Option<Viewer> {
        let email = normalise(email);
        let coordination: BTreeSet<&str> = running
            .iter()
            .filter(|e| person_index(e, &email).is_some_and(|p| coordinates(e, p)))
            .map(|e| e.programme_id.as_str())
            .collect();
        let mut name = None;
        let mut language = None;
        let mut editions = Vec::new();
        for edition in running {
            let access = access(
                edition,
                &email,
                coordination.contains(edition.programme_id.as_str()),
            );
            if let Some(p) = access.person {
                let person = &edition.people[p];
                name.get_or_insert_with(|| person.name.clone());
                if let Some(l) = person.language {
                    language.get_or_insert(l);
                }
            }
            for &p in &access.contact_of {
                let participant = &edition.participants[p];
                if let Some(contact) = &participant.contact_name {
                    name.get_or_insert_with(|| contact.clone());
                }
                if let Some(l) = participant.language {
                    language.get_or_insert(l);
                }
            }
            if access.person.is_some() || !access.is_empty() {
                language.get_or_insert(edition.language);
                editions.push((edition.clone(), access));
            }
        }
        if editions.is_empty() {
            return None;
        }
        Some(Viewer {
            name: name.unwrap_or_else(|| email.clone()),
            email,
            language: language.unwrap_or_default(),
            editions,
        })
    }

    /// Their access to the running edition `id`, if they have any.
    pub fn edition(&self, id: &str) -> Option<(&Arc<Edition>, &Access)> {
        self.editions
            .iter()
            .find(|(e, a)| e.id == id && !a.is_empty())
            .map(|(e, a)| (e, a))
    }

    /// Who they are in an edition's log: their person id there, else their
    /// address (a coordinator of the programme not listed in this edition).
    pub fn actor_in(&self, edition: &Edition) -> String {
        match person_index(edition, &self.email) {
            Some(p) => edition.people[p].id.clone(),
            None => self.email.clone(),
        }
    }
}

/// Every address that may sign in: the people and the participants'
/// contacts of the running editions.
pub fn known_addresses(running: &[Arc<Edition>]) -> BTreeSet<String> {
    let mut known = BTreeSet::new();
    for edition in running {
        known.extend(
            edition
                .people
                .iter()
                .filter_map(|p| p.email.as_deref())
                .map(normalise),
        );
        known.extend(
            edition
                .participants
                .iter()
                .filter_map(|p| p.contact_email.as_deref())
                .map(normalise),
        );
    }
    known
}

fn person_index(edition: &Edition, email: &str) -> Option<usize> {
    edition
        .people
        .iter()
        .position(|p| p.email.as_deref().map(normalise).as_deref() == Some(email))
}

fn coordinates(edition: &Edition, person: usize) -> bool {
    edition
        .roles
        .iter()
        .any(|r| r.kind == Some(RoleKind::Coordination) && r.members.contains(&person))
}

type Pick = dyn Fn(&jalon_definition::resolved::Stage) -> Option<&[Actor]>;

/// The stages whose list `pick` names `person`: whole, or for the
/// participants whose service or directions they are in.
fn part(edition: &Edition, person: Option<usize>, pick: &Pick) -> Part {
    let mut part = Part::default();
    let Some(person) = person else {
        return part;
    };
    for (s, stage) in edition.stages.iter().enumerate() {
        let Some(actors) = pick(stage) else {
            continue;
        };
        if edition.people_named(actors, None).contains(&person) {
            part.whole.insert(s);
        } else if stage.for_each.is_some() && actors.iter().any(|a| matches!(a, Actor::Attached(_)))
        {
            for p in 0..edition.participants.len() {
                if edition.people_named(actors, Some(p)).contains(&person) {
                    part.of.insert((s, p));
                }
            }
        }
    }
    part
}

fn access(edition: &Edition, email: &str, coordination: bool) -> Access {
    let person = person_index(edition, email);
    let jury = part(edition, person, &|s| {
        s.jury.as_ref().map(|j| j.members.as_slice())
    });
    Access {
        person,
        coordination,
        validates: part(edition, person, &|s| {
            s.validation.as_ref().map(|v| v.by.as_slice())
        }),
        jury: jury.whole,
        owns: part(edition, person, &|s| Some(s.owners.as_slice())),
        contact_of: edition
            .participants
            .iter()
            .enumerate()
            .filter(|(_, p)| p.contact_email.as_deref().map(normalise).as_deref() == Some(email))
            .map(|(i, _)| i)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jalon_definition::{check_paths, Limits};

    fn per_participant() -> Arc<Edition> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/per-participant.yaml");
        let report = check_paths(&[path], &Limits::default()).expect("readable");
        assert_eq!(report.errors(), 0, "{:#?}", report.diagnostics);
        Arc::new(report.editions.into_iter().next().expect("an edition").1)
    }

    #[test]
    fn a_service_sees_and_validates_its_own_files_only() {
        let edition = per_participant();
        let suivi = edition
            .stages
            .iter()
            .position(|s| s.id == "suivi")
            .expect("suivi");
        let index = |id: &str| {
            edition
                .participants
                .iter()
                .position(|p| p.id == id)
                .expect("p")
        };
        let (p1, p2) = (index("p1"), index("p2"));
        // Cara is p2's service (and p4's direction).
        let cara = access(&edition, "cara@example.org", false);
        assert!(cara.validates.covers(suivi, Some(p2)));
        assert!(!cara.validates.covers(suivi, Some(p1)));
        assert!(cara.owns.covers(suivi, Some(p2)) && !cara.owns.covers(suivi, Some(p1)));
        assert!(cara.sees_participant(&edition, p2));
        assert!(!cara.sees_participant(&edition, p1));
        assert!(cara.may_validate(suivi));
        // Dan carries p3's theme: its directions stand for its service.
        let dan = access(&edition, "dan@example.org", false);
        assert!(dan.validates.covers(suivi, Some(index("p3"))));
        assert!(!dan.sees_participant(&edition, p1));
    }
}
