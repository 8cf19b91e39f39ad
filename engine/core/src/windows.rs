//! Stage windows (start and due dates) from the definition's date
//! expressions, with postponements applied. Postponing an edition-wide stage
//! moves every date written relative to it; postponing one participant's
//! stage moves that participant's dates written relative to it,
//! transitively. A date written from `needs.done` follows when the needs
//! were actually done. A date written as the first session of an assembly
//! after another falls on that session again once the other moves.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use jalon_definition::expr::{Anchor, DateExpr, Offset, Point};
use jalon_definition::resolved::Edition;
use jiff::civil::Date;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Override {
    pub start: Option<Date>,
    pub due: Option<Date>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: Date,
    pub due: Date,
    /// A date is `à fixer` and not fixed yet: `start` and `due` are
    /// placeholders, and the stage waits.
    pub to_be_fixed: bool,
}

/// What moves dates away from the definition's plan.
#[derive(Clone, Copy)]
pub struct Moves<'a> {
    /// Edition-wide postponements, by stage.
    pub stages: &'a BTreeMap<usize, Override>,
    /// One participant's own postponements, by stage: they replace the
    /// edition-wide ones of those stages.
    pub own: Option<&'a BTreeMap<usize, Override>>,
    /// For one participant's windows: the edition-wide ones, which its
    /// edition-wide stages keep.
    pub global: Option<&'a [Window]>,
    /// The day each stage was done, if it was (for `needs.done`); empty
    /// when nothing is.
    pub done: &'a [Option<Date>],
}

impl<'a> Moves<'a> {
    /// Edition-wide postponements and completions only.
    pub fn edition(stages: &'a BTreeMap<usize, Override>, done: &'a [Option<Date>]) -> Self {
        Moves {
            stages,
            own: None,
            global: None,
            done,
        }
    }

    fn none(&self) -> bool {
        self.stages.is_empty()
            && self.own.is_none_or(BTreeMap::is_empty)
            && self.done.iter().all(Option::is_none)
    }
}

/// A session-dated point that moved past the last session of its list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BeyondSessions {
    pub stage: usize,
    /// The list's id.
    pub session: String,
    /// The day from which a session was wanted.
    pub from: Date,
}

/// Every stage's window: the definition's, moved by postponements and (for
/// `needs.done`) by when needs were actually done, transitively.
pub fn stage_windows(
    edition: &Edition,
    ids: &FxHashMap<String, usize>,
    moves: &Moves<'_>,
) -> Vec<Window> {
    stage_windows_checked(edition, ids, moves).0
}

/// [`stage_windows`], and the first session-dated point with no session
/// left (it keeps its on-time date in the windows): what refuses a move.
pub fn stage_windows_checked(
    edition: &Edition,
    ids: &FxHashMap<String, usize>,
    moves: &Moves<'_>,
) -> (Vec<Window>, Option<BeyondSessions>) {
    let on_time = || {
        edition
            .stages
            .iter()
            .map(|s| Window {
                start: s.start,
                due: s.due,
                to_be_fixed: s.to_be_fixed.is_some(),
            })
            .collect::<Vec<_>>()
    };
    if moves.none() {
        let windows = match moves.global {
            Some(global) => global.to_vec(),
            None => on_time(),
        };
        return (windows, None);
    }
    let on_time = on_time();
    let mut solver = Solver {
        edition,
        ids,
        moves,
        values: vec![None; edition.stages.len() * 2],
        visiting: vec![false; edition.stages.len() * 2],
        beyond: None,
    };
    let windows = (0..edition.stages.len())
        .map(|s| {
            let (start, due) = (solver.value(s, Point::Start), solver.value(s, Point::Due));
            Window {
                start: start.unwrap_or(on_time[s].start),
                due: due.unwrap_or(on_time[s].due),
                // Unknown until a postponement gives the dates it needs.
                to_be_fixed: on_time[s].to_be_fixed && (start.is_none() || due.is_none()),
            }
        })
        .collect();
    (windows, solver.beyond)
}

/// The date an expression gives once shifted: itself, or the first
/// session of its list on or after it. `Err` with the day from which a
/// session was wanted when the list has none left.
fn on_session(edition: &Edition, expr: &DateExpr, shifted: Date) -> Result<Date, Date> {
    let Some(written) = &expr.session else {
        return Ok(shifted);
    };
    edition
        .session(&written.id)
        .and_then(|s| s.on_or_after(shifted))
        .ok_or(shifted)
}

/// A date expression of stage `stage` read against its own (partial)
/// window and the windows of the others; working days by its calendar.
pub fn evaluate(
    edition: &Edition,
    stage: usize,
    ids: &FxHashMap<String, usize>,
    expr: &DateExpr,
    own: (Option<Date>, Option<Date>),
    windows: &[Window],
    needs_done: Option<Date>,
) -> Option<Date> {
    let shift = |offset: Offset, base| offset.apply(edition.calendar_of(stage), base);
    evaluate_shifted(edition, ids, expr, own, windows, needs_done, shift)
}

/// [`evaluate`], dates moved by `shift` (the state's, which remembers).
pub(crate) fn evaluate_shifted(
    edition: &Edition,
    ids: &FxHashMap<String, usize>,
    expr: &DateExpr,
    own: (Option<Date>, Option<Date>),
    windows: &[Window],
    needs_done: Option<Date>,
    shift: impl FnOnce(Offset, Date) -> Option<Date>,
) -> Option<Date> {
    let base = match &expr.anchor {
        Anchor::Date(d) => Some(*d),
        Anchor::EditionStart => Some(edition.start),
        Anchor::EditionEnd => Some(edition.end),
        Anchor::Own(Point::Start) => own.0,
        Anchor::Own(Point::Due) => own.1,
        Anchor::NeedsDone => needs_done,
        Anchor::Stage(id, point) => {
            ids.get(id)
                .filter(|&&s| !windows[s].to_be_fixed)
                .map(|&s| match point {
                    Point::Start => windows[s].start,
                    Point::Due => windows[s].due,
                })
        }
        Anchor::ToBeFixed => None,
    }?;
    let shifted = match expr.offset {
        Some(offset) => shift(offset, base)?,
        None => base,
    };
    on_session(edition, expr, shifted).ok()
}

/// Memoised evaluation of the date graph (checked acyclic when the
/// definition loaded; a cycle here falls back to on-time dates).
struct Solver<'a> {
    edition: &'a Edition,
    ids: &'a FxHashMap<String, usize>,
    moves: &'a Moves<'a>,
    values: Vec<Option<Date>>,
    visiting: Vec<bool>,
    beyond: Option<BeyondSessions>,
}

impl Solver<'_> {
    fn value(&mut self, stage: usize, point: Point) -> Option<Date> {
        let node = stage * 2 + usize::from(point == Point::Due);
        if let Some(v) = self.values[node] {
            return Some(v);
        }
        if self.visiting[node] {
            return None;
        }
        self.visiting[node] = true;
        let value = self.compute(stage, point);
        self.visiting[node] = false;
        self.values[node] = value;
        value
    }

    fn compute(&mut self, stage: usize, point: Point) -> Option<Date> {
        let edition = self.edition;
        let definition = &edition.stages[stage];
        if let (Some(global), None) = (self.moves.global, definition.for_each) {
            if global[stage].to_be_fixed {
                return None;
            }
            return Some(match point {
                Point::Start => global[stage].start,
                Point::Due => global[stage].due,
            });
        }
        // A participant's own postponement of a stage replaces the
        // edition-wide one; the other end follows its expression.
        let postponed = self
            .moves
            .own
            .and_then(|own| own.get(&stage))
            .or_else(|| self.moves.stages.get(&stage));
        if let Some(o) = postponed {
            let fixed = match point {
                Point::Start => o.start,
                Point::Due => o.due,
            };
            if fixed.is_some() {
                return fixed;
            }
        }
        let expr = match point {
            Point::Start => match &definition.start_expr {
                Some(expr) => expr,
                None => return self.default_start(stage),
            },
            Point::Due => &definition.due_expr,
        };
        let base = match &expr.anchor {
            Anchor::ToBeFixed => return None,
            Anchor::Date(d) => *d,
            Anchor::EditionStart => edition.start,
            Anchor::EditionEnd => edition.end,
            Anchor::Own(p) => self.value(stage, *p)?,
            Anchor::Stage(id, p) => {
                let other = *self.ids.get(id)?;
                self.value(other, *p)?
            }
            Anchor::NeedsDone => self.needs_done(stage)?,
        };
        let shifted = match expr.offset {
            Some(offset) => offset.apply(edition.calendar_of(stage), base)?,
            None => base,
        };
        match on_session(edition, expr, shifted) {
            Ok(date) => Some(date),
            Err(from) => {
                if let (None, Some(session)) = (&self.beyond, &expr.session) {
                    self.beyond = Some(BeyondSessions {
                        stage,
                        session: session.id.clone(),
                        from,
                    });
                }
                None
            }
        }
    }

    /// The day the last of a stage's needs (and of the decision it is a
    /// branch of) was done; for one not done yet, its due date.
    fn needs_done(&mut self, stage: usize) -> Option<Date> {
        let definition = &self.edition.stages[stage];
        let needs: Vec<usize> = definition
            .needs
            .iter()
            .copied()
            .chain(definition.branch_of.iter().map(|(d, _)| *d))
            .collect();
        let mut last = None;
        for need in needs {
            let day = match self.moves.done.get(need).copied().flatten() {
                Some(done) => done,
                None => self.value(need, Point::Due)?,
            };
            last = last.max(Some(day));
        }
        last.or(Some(self.edition.start))
    }

    /// Without a written start, a stage starts the working day after the
    /// last of its needs (and of the decision it is a branch of) is due.
    fn default_start(&mut self, stage: usize) -> Option<Date> {
        let definition = &self.edition.stages[stage];
        let needs: Vec<usize> = definition
            .needs
            .iter()
            .copied()
            .chain(definition.branch_of.iter().map(|(d, _)| *d))
            .collect();
        let mut last = None;
        for need in needs {
            let due = self.value(need, Point::Due)?;
            last = last.max(Some(due));
        }
        match last {
            Some(last) => self
                .edition
                .calendar_of(stage)
                .add_working_days(last, 1)
                .ok(),
            None => Some(self.edition.start),
        }
    }
}
