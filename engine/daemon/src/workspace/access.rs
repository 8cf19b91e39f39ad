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
    pub validates: BTreeSet<usize>,
    /// Stages whose jury they sit on.
    pub jury: BTreeSet<usize>,
    /// Stages they own (carry out): they may hand in their deliverables.
    pub owns: BTreeSet<usize>,
    /// Participants whose contact they are.
    pub contact_of: BTreeSet<usize>,
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
            || self
                .validates
                .iter()
                .chain(&self.jury)
                .chain(&self.owns)
                .any(|&s| stage_concerns(edition, s, p))
    }

    /// May hand in the deliverables of stage `s` (for participant `p` on a
    /// per-participant stage): the coordination, the stage's owners, and
    /// the participant's contact on their own stages.
    pub fn may_hand_in(&self, edition: &Edition, s: usize, p: Option<usize>) -> bool {
        let stage = &edition.stages[s];
        !stage.deliverables.is_empty()
            && (self.coordination
                || self.owns.contains(&s)
                || p.is_some_and(|p| stage.for_each.is_some() && self.contact_of.contains(&p)))
    }

    /// May answer the validation of stage `s` (the core checks the rest).
    pub fn may_validate(&self, s: usize) -> bool {
        self.coordination || self.validates.contains(&s)
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

fn named(edition: &Edition, actors: &[Actor], person: usize) -> bool {
    actors.iter().any(|actor| match *actor {
        Actor::Person(p) => p == person,
        Actor::Role(r) => edition.roles[r].members.contains(&person),
    })
}

fn access(edition: &Edition, email: &str, coordination: bool) -> Access {
    let person = person_index(edition, email);
    let stages = |pick: &dyn Fn(&jalon_definition::resolved::Stage) -> Option<&[Actor]>| {
        person.map_or_else(BTreeSet::new, |p| {
            (0..edition.stages.len())
                .filter(|&s| {
                    pick(&edition.stages[s]).is_some_and(|actors| named(edition, actors, p))
                })
                .collect()
        })
    };
    Access {
        person,
        coordination,
        validates: stages(&|s| s.validation.as_ref().map(|v| v.by.as_slice())),
        jury: stages(&|s| s.jury.as_ref().map(|j| j.members.as_slice())),
        owns: stages(&|s| Some(s.owners.as_slice())),
        contact_of: edition
            .participants
            .iter()
            .enumerate()
            .filter(|(_, p)| p.contact_email.as_deref().map(normalise).as_deref() == Some(email))
            .map(|(i, _)| i)
            .collect(),
    }
}
