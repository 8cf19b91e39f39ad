//! Selections and juries: who can be chosen, the ranking from weighted
//! scores (ties reported, never broken arbitrarily), the checks on each
//! score, and what a done selection does to participants.

use std::collections::{BTreeMap, HashMap};

use jalon_definition::resolved::ParticipantStatus;
use jiff::Timestamp;

use crate::apply::{list, status_word};
use crate::rejection::Rejection;
use crate::state::{rank, Score, SelectionRecord, State};

impl State {
    /// A done selection moves the retained on and the others out.
    pub(crate) fn apply_selection(&mut self, i: usize, at: Timestamp) {
        let Some(record) = self.instances[i].selection.clone() else {
            return;
        };
        let Some(to) = self.edition.stages[self.instances[i].stage]
            .selection
            .as_ref()
            .map(|s| s.to)
        else {
            return;
        };
        let mut created = Vec::new();
        let mut out = Vec::new();
        for &p in &record.pool {
            if record.retained.contains(&p) {
                if rank(self.participants[p].status) < rank(to) {
                    self.participants[p].status = to;
                }
                created.extend(self.create_participant_instances(p));
            } else {
                // Not retained, whatever the definition said of them before.
                self.participants[p].status = ParticipantStatus::NotRetained;
                self.participants[p].left_at = Some(at);
                out.push(p);
            }
        }
        for p in out {
            created.extend(self.participant_instances(p));
        }
        created.extend(self.edition_wide_instances());
        self.settle(created, at);
    }

    pub(crate) fn selection(
        &self,
        i: usize,
        stage_id: &str,
        named: Option<&[String]>,
    ) -> Result<SelectionRecord, Rejection> {
        let stage = &self.edition.stages[self.instances[i].stage];
        let Some(selection) = &stage.selection else {
            return Err(Rejection::NotASelection {
                stage: stage_id.to_owned(),
            });
        };
        let pool = self.pool(selection.from);
        let retained = match named {
            Some(ids) => {
                let mut retained = Vec::new();
                for id in ids {
                    let p = self.find_participant(id)?;
                    if retained.contains(&p) {
                        return Err(Rejection::Duplicate {
                            participant: id.clone(),
                        });
                    }
                    if !pool.contains(&p) {
                        return Err(self.not_in_pool(stage_id, p, selection.from));
                    }
                    retained.push(p);
                }
                retained
            }
            None => self.ranking(i, stage_id, pool.len().min(selection.max as usize))?,
        };
        let count = retained.len();
        let too_few = count < selection.min as usize && count < pool.len();
        if count > selection.max as usize || too_few || count == 0 && !pool.is_empty() {
            return Err(Rejection::SelectionCount {
                stage: stage_id.to_owned(),
                min: selection.min,
                max: selection.max,
                count,
            });
        }
        Ok(SelectionRecord { pool, retained })
    }

    /// Participants still in, at or beyond `from` in the funnel.
    fn pool(&self, from: Option<ParticipantStatus>) -> Vec<usize> {
        let floor = from.and_then(rank).unwrap_or(0);
        (0..self.participants.len())
            .filter(|&p| rank(self.participants[p].status).is_some_and(|r| r >= floor))
            .collect()
    }

    fn not_in_pool(&self, stage: &str, p: usize, from: Option<ParticipantStatus>) -> Rejection {
        let status = self.participants[p].status;
        Rejection::NotInPool {
            stage: stage.to_owned(),
            participant: self.edition.participants[p].id.clone(),
            why: format!(
                "they are {}, and this stage chooses among {}",
                status_word(Some(status)),
                from.map_or("everyone still in", |f| status_word(Some(f)))
            ),
        }
    }

    /// The best weighted averages; a tie across the cut is reported, not
    /// broken arbitrarily.
    fn ranking(&self, i: usize, stage_id: &str, places: usize) -> Result<Vec<usize>, Rejection> {
        let stage = &self.edition.stages[self.instances[i].stage];
        let instance = &self.instances[i];
        let Some(jury) = &stage.jury else {
            return Err(Rejection::NoScores {
                stage: stage_id.to_owned(),
            });
        };
        let weight_sum: f64 = jury.criteria.iter().map(|c| c.weight).sum();
        let mut totals: BTreeMap<usize, (f64, u32)> = BTreeMap::new();
        for score in &instance.scores {
            if self.participants[score.participant].is_out() {
                continue;
            }
            let weighted: f64 = score
                .values
                .iter()
                .zip(&jury.criteria)
                .map(|(v, c)| *v as f64 * c.weight)
                .sum();
            let entry = totals.entry(score.participant).or_default();
            entry.0 += weighted / weight_sum.max(f64::MIN_POSITIVE);
            entry.1 += 1;
        }
        if totals.is_empty() {
            return Err(Rejection::NoScores {
                stage: stage_id.to_owned(),
            });
        }
        // Averages rounded to 1/1000 so that float noise makes no winner.
        let mut ranked: Vec<(usize, i64)> = totals
            .into_iter()
            .map(|(p, (sum, n))| (p, (sum / f64::from(n) * 1000.0).round() as i64))
            .collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let places = places.min(ranked.len());
        if places > 0 && places < ranked.len() && ranked[places - 1].1 == ranked[places].1 {
            let cut = ranked[places].1;
            let tied: Vec<String> = ranked
                .iter()
                .filter(|(_, s)| *s == cut)
                .map(|(p, s)| {
                    format!(
                        "{} ({:.2})",
                        self.edition.participants[*p].id,
                        *s as f64 / 1000.0
                    )
                })
                .collect();
            return Err(Rejection::Tie {
                place: places,
                tied: tied.join(", "),
            });
        }
        Ok(ranked.into_iter().take(places).map(|(p, _)| p).collect())
    }

    pub(crate) fn score(
        &self,
        i: usize,
        stage_id: &str,
        by: &str,
        participant: &str,
        scores: &BTreeMap<String, i64>,
    ) -> Result<Score, Rejection> {
        let stage = &self.edition.stages[self.instances[i].stage];
        let Some(jury) = &stage.jury else {
            return Err(Rejection::NoJury {
                stage: stage_id.to_owned(),
            });
        };
        let member = self.find_person(by)?;
        if !self.people_of(&jury.members).contains(&member) {
            return Err(Rejection::NotOnJury {
                person: self.edition.people[member].name.clone(),
                stage: stage_id.to_owned(),
            });
        }
        let p = self.find_participant(participant)?;
        let from = stage.selection.as_ref().and_then(|s| s.from);
        if !self.pool(from).contains(&p) {
            return Err(self.not_in_pool(stage_id, p, from));
        }
        if self.instances[i]
            .scores
            .iter()
            .any(|s| s.member == member && s.participant == p)
        {
            return Err(Rejection::AlreadyScored {
                person: self.edition.people[member].name.clone(),
                participant: participant.to_owned(),
                stage: stage_id.to_owned(),
            });
        }
        let known: HashMap<&str, usize> = jury
            .criteria
            .iter()
            .enumerate()
            .map(|(k, c)| (c.id.as_str(), k))
            .collect();
        let mut values = vec![None; jury.criteria.len()];
        for (criterion, &value) in scores {
            let Some(&k) = known.get(criterion.as_str()) else {
                return Err(Rejection::UnknownCriterion {
                    criterion: criterion.clone(),
                    stage: stage_id.to_owned(),
                    known: list(jury.criteria.iter().map(|c| c.id.as_str())),
                });
            };
            if value < jury.scale_min || value > jury.scale_max {
                return Err(Rejection::OutOfScale {
                    criterion: criterion.clone(),
                    value,
                    min: jury.scale_min,
                    max: jury.scale_max,
                });
            }
            values[k] = Some(value);
        }
        let missing: Vec<&str> = jury
            .criteria
            .iter()
            .zip(&values)
            .filter(|(_, v)| v.is_none())
            .map(|(c, _)| c.id.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(Rejection::MissingCriteria {
                missing: missing.join(", "),
            });
        }
        Ok(Score {
            member,
            participant: p,
            values: values.into_iter().flatten().collect(),
        })
    }
}
