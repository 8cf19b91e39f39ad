//! Stage windows (start and due dates) from the definition's date
//! expressions, with postponements applied. Postponing an edition-wide stage
//! moves every date written relative to it; postponing one participant's
//! stage moves that participant's window only.

use std::collections::{BTreeMap, HashMap};

use jalon_definition::expr::{Anchor, DateExpr, Point};
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
}

/// Every stage's window, with edition-wide postponements applied.
pub fn stage_windows(
    edition: &Edition,
    ids: &HashMap<String, usize>,
    overrides: &BTreeMap<usize, Override>,
) -> Vec<Window> {
    let on_time: Vec<Window> = edition
        .stages
        .iter()
        .map(|s| Window {
            start: s.start,
            due: s.due,
        })
        .collect();
    if overrides.is_empty() {
        return on_time;
    }
    let mut solver = Solver {
        edition,
        ids,
        overrides,
        values: vec![None; edition.stages.len() * 2],
        visiting: vec![false; edition.stages.len() * 2],
    };
    (0..edition.stages.len())
        .map(|s| Window {
            start: solver.value(s, Point::Start).unwrap_or(on_time[s].start),
            due: solver.value(s, Point::Due).unwrap_or(on_time[s].due),
        })
        .collect()
}

/// One participant's window of a stage: its own postponement over the
/// stage's (possibly moved) window, recomputing the other end when it is
/// written relative to the moved one.
pub fn instance_window(
    edition: &Edition,
    stage: usize,
    stage_window: Window,
    own: Override,
    windows: &[Window],
    ids: &HashMap<String, usize>,
) -> Window {
    if own == Override::default() {
        return stage_window;
    }
    let definition = &edition.stages[stage];
    let mut start = own.start;
    let mut due = own.due;
    // Two passes settle `due: start + …` and `start: due - …` alike.
    for _ in 0..2 {
        let partial = (start, due);
        if start.is_none() {
            start = match &definition.start_expr {
                Some(expr) => evaluate(edition, ids, expr, partial, windows),
                None => Some(stage_window.start),
            };
        }
        if due.is_none() {
            due = evaluate(edition, ids, &definition.due_expr, partial, windows);
        }
    }
    Window {
        start: start.unwrap_or(stage_window.start),
        due: due.unwrap_or(stage_window.due),
    }
}

/// A date expression read against a stage's own (partial) window and the
/// windows of the others.
pub fn evaluate(
    edition: &Edition,
    ids: &HashMap<String, usize>,
    expr: &DateExpr,
    own: (Option<Date>, Option<Date>),
    windows: &[Window],
) -> Option<Date> {
    let base = match &expr.anchor {
        Anchor::Date(d) => Some(*d),
        Anchor::EditionStart => Some(edition.start),
        Anchor::EditionEnd => Some(edition.end),
        Anchor::Own(Point::Start) => own.0,
        Anchor::Own(Point::Due) => own.1,
        Anchor::Stage(id, point) => ids.get(id).map(|&s| match point {
            Point::Start => windows[s].start,
            Point::Due => windows[s].due,
        }),
    }?;
    match expr.offset {
        Some(offset) => offset.apply(&edition.calendar, base),
        None => Some(base),
    }
}

/// Memoised evaluation of the date graph (checked acyclic when the
/// definition loaded; a cycle here falls back to on-time dates).
struct Solver<'a> {
    edition: &'a Edition,
    ids: &'a HashMap<String, usize>,
    overrides: &'a BTreeMap<usize, Override>,
    values: Vec<Option<Date>>,
    visiting: Vec<bool>,
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
        if let Some(o) = self.overrides.get(&stage) {
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
            Anchor::Date(d) => *d,
            Anchor::EditionStart => edition.start,
            Anchor::EditionEnd => edition.end,
            Anchor::Own(p) => self.value(stage, *p)?,
            Anchor::Stage(id, p) => {
                let other = *self.ids.get(id)?;
                self.value(other, *p)?
            }
        };
        match expr.offset {
            Some(offset) => offset.apply(&edition.calendar, base),
            None => Some(base),
        }
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
            Some(last) => self.edition.calendar.add_working_days(last, 1).ok(),
            None => Some(self.edition.start),
        }
    }
}
