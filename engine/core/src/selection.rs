//! Selections and juries: who can be chosen, the ranking from weighted
//! scores (ties reported, never broken arbitrarily), the checks on each
//! score, and what a done selection does to participants.

use std::collections::{BTreeMap, HashMap};

use jalon_definition::resolved::{Assignment, ParticipantStatus};
use jiff::Timestamp;

use crate::apply::{list, status_word};
use crate::rejection::Rejection;
use crate::state::{rank, Score, SelectionRecord, State};
use crate::time::end_of_day;

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
        let retained = members(&record.retained, self.participants.len());
        let mut created = Vec::new();
        let mut out = Vec::new();
        for &p in &record.pool {
            if retained[p] {
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
                let in_pool = members(&pool, self.participants.len());
                let mut named = vec![false; self.participants.len()];
                let mut retained = Vec::new();
                for id in ids {
                    let p = self.find_participant(id)?;
                    if named[p] {
                        return Err(Rejection::Duplicate {
                            participant: id.clone(),
                        });
                    }
                    if !in_pool[p] {
                        return Err(self.not_in_pool(stage_id, p, selection.from));
                    }
                    named[p] = true;
                    retained.push(p);
                }
                retained
            }
            None => self.ranking(i, stage_id, pool.len().min(selection.max as usize))?,
        };
        if let Some((p, average, minimum)) = self.below_minimum(i, &retained) {
            return Err(Rejection::BelowMinimum {
                participant: self.edition.participants[p].id.clone(),
                average: format!("{average:.2}"),
                minimum: format!("{minimum}"),
            });
        }
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
        Ok(SelectionRecord {
            pool,
            retained,
            reasons: BTreeMap::new(),
        })
    }

    /// The reasons given for not retaining some of the pool: each must name
    /// a participant of the pool who is not retained. Blank ones are dropped.
    pub(crate) fn reasons(
        &self,
        record: &SelectionRecord,
        reasons: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<usize, String>, Rejection> {
        let mut kept = BTreeMap::new();
        for (id, reason) in reasons {
            let reason = reason.trim();
            if reason.is_empty() {
                continue;
            }
            let p = self.find_participant(id)?;
            if !record.pool.contains(&p) || record.retained.contains(&p) {
                return Err(Rejection::ReasonForRetained {
                    participant: id.clone(),
                });
            }
            kept.insert(p, reason.to_owned());
        }
        Ok(kept)
    }

    /// Who instance `i` (a selection) chooses among, as things stand.
    pub fn pool_of(&self, i: usize) -> Vec<usize> {
        let stage = &self.edition.stages[self.instances[i].stage];
        self.pool(stage.selection.as_ref().and_then(|s| s.from))
    }

    /// The index of the instance of `stage` (for `participant`), if any.
    pub fn index_of(&self, stage: usize, participant: Option<usize>) -> Option<usize> {
        self.index.get(&(stage, participant)).copied()
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

    /// The best weighted averages at or above the jury's minimum; a tie
    /// across the cut is reported, not broken arbitrarily.
    fn ranking(&self, i: usize, stage_id: &str, places: usize) -> Result<Vec<usize>, Rejection> {
        let stage = &self.edition.stages[self.instances[i].stage];
        let Some(jury) = &stage.jury else {
            return Err(Rejection::NoScores {
                stage: stage_id.to_owned(),
            });
        };
        let averages = self.averages(i);
        if averages.is_empty() {
            return Err(Rejection::NoScores {
                stage: stage_id.to_owned(),
            });
        }
        // In thousandths, so that float noise makes no winner.
        let ranked: Vec<(usize, i64)> = averages
            .into_iter()
            .filter(|(_, average, _)| jury.minimum.is_none_or(|m| *average >= m))
            .map(|(p, average, _)| (p, (average * 1000.0).round() as i64))
            .collect();
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

    /// A named candidate scored below the jury's minimum, if any.
    fn below_minimum(&self, i: usize, retained: &[usize]) -> Option<(usize, f64, f64)> {
        let stage = &self.edition.stages[self.instances[i].stage];
        let minimum = stage.jury.as_ref()?.minimum?;
        self.averages(i)
            .into_iter()
            .find(|(p, average, _)| retained.contains(p) && *average < minimum)
            .map(|(p, average, _)| (p, average, minimum))
    }

    pub(crate) fn score(
        &self,
        i: usize,
        stage_id: &str,
        by: &str,
        participant: &str,
        scores: &BTreeMap<String, i64>,
        at: Timestamp,
    ) -> Result<Score, Rejection> {
        let stage = &self.edition.stages[self.instances[i].stage];
        let Some(jury) = &stage.jury else {
            return Err(Rejection::NoJury {
                stage: stage_id.to_owned(),
            });
        };
        let member = self.find_person(by)?;
        if !self.people_of(&jury.members, None).contains(&member) {
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
        if !self.assigned(i, member).contains(&p) {
            return Err(Rejection::NotAssigned {
                person: self.edition.people[member].name.clone(),
                participant: participant.to_owned(),
                stage: stage_id.to_owned(),
            });
        }
        let closes = end_of_day(&self.edition.time_zone, self.instances[i].window.due);
        if at >= closes
            && self.instances[i]
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
            comment: None,
            at,
        })
    }

    /// The jurors of a jury stage's instance `i`, by person index.
    pub fn jurors(&self, i: usize) -> Vec<usize> {
        let stage = &self.edition.stages[self.instances[i].stage];
        stage
            .jury
            .as_ref()
            .map_or_else(Vec::new, |jury| self.people_of(&jury.members, None))
    }

    /// The candidates juror `member` scores at instance `i`: all of the
    /// pool, their declared list, or their share when Jalon shares them
    /// out (candidate k to the `n` jurors after k·n, round the table).
    pub fn assigned(&self, i: usize, member: usize) -> Vec<usize> {
        let stage = &self.edition.stages[self.instances[i].stage];
        let Some(jury) = &stage.jury else {
            return Vec::new();
        };
        let from = stage.selection.as_ref().and_then(|s| s.from);
        let pool = self.pool(from);
        match &jury.assignment {
            Assignment::All => pool,
            Assignment::Lists(lists) => lists
                .iter()
                .filter(|(juror, _)| *juror == member)
                .flat_map(|(_, candidates)| candidates.iter().copied())
                .filter(|p| pool.contains(p))
                .collect(),
            Assignment::PerCandidate(n) => {
                let jurors = self.jurors(i);
                let Some(seat) = jurors.iter().position(|&j| j == member) else {
                    return Vec::new();
                };
                let n = (*n as usize).min(jurors.len());
                pool.iter()
                    .enumerate()
                    .filter(|(k, _)| (0..n).any(|j| (k * n + j) % jurors.len() == seat))
                    .map(|(_, &p)| p)
                    .collect()
            }
        }
    }

    /// The candidates juror `member` has still to score at instance `i`.
    pub fn scores_missing(&self, i: usize, member: usize) -> Vec<usize> {
        let scored = &self.instances[i].scores;
        self.assigned(i, member)
            .into_iter()
            .filter(|p| {
                !scored
                    .iter()
                    .any(|s| s.member == member && s.participant == *p)
            })
            .filter(|&p| !self.participants[p].is_out())
            .collect()
    }

    /// Each candidate's weighted average on the jury's scale (rounded to
    /// 1/1000), and how many jurors scored them, best first.
    pub fn averages(&self, i: usize) -> Vec<(usize, f64, usize)> {
        let stage = &self.edition.stages[self.instances[i].stage];
        let Some(jury) = &stage.jury else {
            return Vec::new();
        };
        let mut totals: BTreeMap<usize, (f64, usize)> = BTreeMap::new();
        for score in &self.instances[i].scores {
            if self.participants[score.participant].is_out() {
                continue;
            }
            let entry = totals.entry(score.participant).or_default();
            entry.0 += score.weighted(jury);
            entry.1 += 1;
        }
        let mut averages: Vec<(usize, f64, usize)> = totals
            .into_iter()
            .map(|(p, (sum, n))| (p, (sum / n as f64 * 1000.0).round() / 1000.0, n))
            .collect();
        averages.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        averages
    }
}

/// Which of `count` participants a list names, for look-ups in constant
/// time: a selection's lists hold up to every participant of the edition.
pub(crate) fn members(list: &[usize], count: usize) -> Vec<bool> {
    let mut named = vec![false; count];
    for &p in list {
        if let Some(slot) = named.get_mut(p) {
            *slot = true;
        }
    }
    named
}
