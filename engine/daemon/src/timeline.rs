//! The timeline of an edition: a Gantt chart drawn on the server, for the
//! workspace pages. The chart has a fixed width in pixels (3 px a day) and
//! never shrinks to a phone's width: it scrolls sideways in a box of its
//! own (`<div class="timeline">`, which the keyboard can reach too), while
//! the rows' names stay in view on its left — a second `<svg>`, sticky in
//! that box, drawn on the same rows. The legend follows the box as a list
//! that wraps to the page's width.
//!
//! What it shows, row by row: each edition-wide stage, and each stage done
//! for each participant as a group (the stage's title, then a row per
//! participant by name). A row has the window as it stands (a filled bar),
//! the planned one when it moved (a dashed outline), the validators' lead
//! time (hatched), the day it was done (a check), seminar days (diamonds),
//! the decision taken, and, when late, a red bar with a « ! » mark and the
//! word. A vertical line marks today; a legend closes the chart.
//!
//! The page's Content-Security-Policy allows one hashed style sheet and no
//! script: everything is drawn with presentation attributes, and every
//! text from people or definitions is escaped.
//!
//! A stage done for more than [`MAX_ROWS_PER_STAGE`] participants shows
//! that many rows — its late participants first, the places left to the
//! others in the participants' order, all shown in that order — and the
//! rest as one summary row (« 940 autres lauréats »), spanning their
//! windows and saying how many of them are late.

use std::fmt::Write;

use jalon_core::{Instance, Lifecycle, Progress, State};
use jalon_definition::expr::EventLength;
use jalon_definition::resolved::{Edition, Language, ParticipantStatus, Stage};
use jalon_runtime::texts::{plain, text, Args};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

/// The label column, on the left: narrow enough to leave the chart room
/// on a phone, where it stays in view while the chart scrolls.
pub const LABEL_WIDTH: f64 = 190.0;
/// One day on the x axis.
pub const DAY_WIDTH: f64 = 3.0;
pub const ROW_HEIGHT: f64 = 22.0;
/// Month names, then the « today » label, above the first row.
pub const HEADER_HEIGHT: f64 = 44.0;
/// Beyond this many participants, a stage's other rows are summed up in one.
pub const MAX_ROWS_PER_STAGE: usize = 60;
const RIGHT_MARGIN: f64 = 24.0;
/// A legend swatch: its box, in pixels.
const SWATCH_WIDTH: f64 = 34.0;
const SWATCH_HEIGHT: f64 = 20.0;

// Colours: text at least 4.5:1 on white (and on the group rows' grey).
const TEXT: &str = "#1f2937";
const MUTED_TEXT: &str = "#4b5563";
const GRID: &str = "#e5e7eb";
const LATE: &str = "#b91c1c";
const TODAY: &str = "#9a3412";
const EVENT: &str = "#6d28d9";
const LEAD: &str = "#b45309";
const DONE_MARK: &str = "#14532d";
const GROUP_BAND: &str = "#f3f4f6";

/// Where one instance stands at `now`, as the status table says it.
#[derive(Clone, Copy)]
struct Standing {
    life: Lifecycle,
    late: bool,
    /// Never done, in a closed edition: history, not late.
    unrecorded: bool,
}

fn standing(state: &State, instance: &Instance, now: Timestamp) -> Standing {
    let (life, late) = state.lifecycle(instance, now);
    let unfinished = !matches!(life, Lifecycle::Done | Lifecycle::Skipped);
    let unrecorded = state.closed().is_some() && unfinished;
    Standing {
        life,
        late: late && !unrecorded,
        unrecorded,
    }
}

/// One row of the chart.
enum Line<'a> {
    /// An edition-wide stage (`participant: None`), or one participant's
    /// instance of a stage done for each.
    Instance {
        instance: &'a Instance,
        standing: Standing,
    },
    /// The title of a stage done for each participant, above its rows.
    Group { stage: usize },
    /// A stage done for each participant that nobody has reached yet: its
    /// planned window only.
    NoneYet { stage: usize },
    /// The participants of a stage beyond those shown, as one row.
    Others {
        stage: usize,
        count: usize,
        late: usize,
        start: Date,
        due: Date,
    },
}

/// The chart of `state` at `now`, as HTML to put inline in a page: the
/// scrolling box with the rows' names and the chart, then the legend.
/// Linear in the size of the edition (stages × participants).
pub fn timeline(state: &State, now: Timestamp, language: Language) -> String {
    let edition = state.edition();
    let lines = lines(state, now);
    let scale = Scale::new(edition, &lines);
    let today = jalon_core::time::local_date(&edition.time_zone, now);
    let chart = Chart {
        edition,
        language,
        scale,
        today: scale.contains(today).then_some(today),
        ids: Ids::new(&edition.id),
    };
    chart.draw(&lines, today)
}

/// The rows, in the order of the stages' first windows.
fn lines(state: &State, now: Timestamp) -> Vec<Line<'_>> {
    let edition = state.edition();
    let stages = edition.stages.len();
    // A stage's place: its earliest window as it stands (its planned one
    // while it has no instance), then the order written.
    let mut first: Vec<Option<Date>> = vec![None; stages];
    for instance in state.instances() {
        if let Some(slot) = first.get_mut(instance.stage) {
            *slot = Some(slot.map_or(instance.window.start, |d| d.min(instance.window.start)));
        }
    }
    let mut order: Vec<usize> = (0..stages).collect();
    order.sort_by_key(|&s| (first[s].unwrap_or(edition.stages[s].start), s));

    let mut lines = Vec::new();
    for s in order {
        if edition.stages[s].for_each.is_none() {
            if let Some(instance) = state.instance_of(s, None) {
                let standing = standing(state, instance, now);
                lines.push(Line::Instance { instance, standing });
            }
            continue;
        }
        lines.push(Line::Group { stage: s });
        // In the participants' order, without sorting: linear.
        let found: Vec<(&Instance, Standing)> = (0..edition.participants.len())
            .filter_map(|p| state.instance_of(s, Some(p)))
            .map(|i| (i, standing(state, i, now)))
            .collect();
        if found.is_empty() {
            lines.push(Line::NoneYet { stage: s });
            continue;
        }
        let keep = kept(&found);
        let mut others: Option<(usize, usize, Date, Date)> = None;
        for ((instance, standing), keep) in found.into_iter().zip(keep) {
            if keep {
                lines.push(Line::Instance { instance, standing });
                continue;
            }
            let (start, due) = (instance.window.start, instance.window.due);
            let (count, late, low, high) = others.unwrap_or((0, 0, start, due));
            others = Some((
                count + 1,
                late + usize::from(standing.late),
                low.min(start),
                high.max(due),
            ));
        }
        if let Some((count, late, start, due)) = others {
            lines.push(Line::Others {
                stage: s,
                count,
                late,
                start,
                due,
            });
        }
    }
    lines
}

/// Which of a stage's rows are shown: all of them up to
/// [`MAX_ROWS_PER_STAGE`]; beyond, the late ones first (they are what a
/// manager must see), the places left to the others in order.
fn kept(found: &[(&Instance, Standing)]) -> Vec<bool> {
    if found.len() <= MAX_ROWS_PER_STAGE {
        return vec![true; found.len()];
    }
    let mut places = MAX_ROWS_PER_STAGE;
    let mut keep: Vec<bool> = found
        .iter()
        .map(|(_, standing)| {
            let keep = standing.late && places > 0;
            places -= usize::from(keep);
            keep
        })
        .collect();
    for k in keep.iter_mut() {
        if places == 0 {
            break;
        }
        if !*k {
            *k = true;
            places -= 1;
        }
    }
    keep
}

/// The x axis: whole months from the first drawn day to the last.
#[derive(Clone, Copy)]
struct Scale {
    /// The first day of the axis (the first of a month).
    origin: Date,
    /// How many days the axis holds.
    days: i64,
}

impl Scale {
    fn new(edition: &Edition, lines: &[Line<'_>]) -> Scale {
        let (mut low, mut high) = (edition.start, edition.end.max(edition.start));
        let mut see = |d: Date| {
            low = low.min(d);
            high = high.max(d);
        };
        for line in lines {
            match line {
                Line::Instance { instance, .. } => {
                    let stage = &edition.stages[instance.stage];
                    for d in [
                        instance.window.start,
                        instance.window.due,
                        stage.start,
                        stage.due,
                    ] {
                        see(d);
                    }
                    if let Some(done) = done_day(edition, instance) {
                        see(done);
                    }
                    for (first, last, _) in event_days(edition, stage, instance) {
                        see(first);
                        see(last);
                    }
                }
                Line::NoneYet { stage } => {
                    see(edition.stages[*stage].start);
                    see(edition.stages[*stage].due);
                }
                Line::Others { start, due, .. } => {
                    see(*start);
                    see(*due);
                }
                Line::Group { .. } => {}
            }
        }
        // A date far off (a postponement typed wrong) must not make the
        // chart kilometres wide: a year either side of the edition at most;
        // what lies beyond is drawn at the edge.
        let floor = edition.start.checked_sub(1.year()).unwrap_or(edition.start);
        let ceiling = edition.end.checked_add(1.year()).unwrap_or(edition.end);
        let origin = low.max(floor).first_of_month();
        let last = high.min(ceiling).last_of_month();
        let days = days_between(origin, last) + 1;
        Scale {
            origin,
            days: days.max(1),
        }
    }

    fn contains(&self, date: Date) -> bool {
        (0..self.days).contains(&days_between(self.origin, date))
    }

    /// The left edge of a day (days off the axis at its edges).
    fn x(&self, date: Date) -> f64 {
        let day = days_between(self.origin, date).clamp(0, self.days - 1);
        LABEL_WIDTH + day as f64 * DAY_WIDTH
    }

    /// The right edge of a day: a window's due day is part of it.
    fn x_end(&self, date: Date) -> f64 {
        self.x(date) + DAY_WIDTH
    }

    fn width(&self) -> f64 {
        LABEL_WIDTH + self.days as f64 * DAY_WIDTH + RIGHT_MARGIN
    }

    fn right(&self) -> f64 {
        LABEL_WIDTH + self.days as f64 * DAY_WIDTH
    }
}

fn days_between(from: Date, to: Date) -> i64 {
    from.until(to).map_or(0, |span| i64::from(span.get_days()))
}

/// The day an instance was done, in the edition's zone.
fn done_day(edition: &Edition, instance: &Instance) -> Option<Date> {
    match instance.progress {
        Progress::Done { at } => Some(jalon_core::time::local_date(&edition.time_zone, at)),
        _ => None,
    }
}

/// The first and last day of each session of a stage's events, moved with
/// the instance's start as the invitations are, and the event's title.
fn event_days<'s>(
    edition: &Edition,
    stage: &'s Stage,
    instance: &Instance,
) -> Vec<(Date, Date, &'s str)> {
    let Ok(shift) = stage.start.until(instance.window.start) else {
        return Vec::new();
    };
    stage
        .events
        .iter()
        .flat_map(|event| {
            event
                .held(shift, edition.calendar_of(instance.stage))
                .into_iter()
                .map(move |session| {
                    let first = session.date;
                    let last = match event.length {
                        EventLength::Days(days) => first
                            .checked_add(i64::from(days.saturating_sub(1)).days())
                            .unwrap_or(first),
                        EventLength::Minutes(_) => first,
                    };
                    (first, last, event.title.as_str())
                })
        })
        .collect()
}

/// The ids of the chart's parts, unique to the edition so that two charts
/// can share a page.
struct Ids {
    title: String,
    desc: String,
    lead: String,
}

impl Ids {
    fn new(edition: &str) -> Ids {
        let safe: String = edition
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        Ids {
            title: format!("timeline-{safe}-title"),
            desc: format!("timeline-{safe}-desc"),
            lead: format!("timeline-{safe}-lead"),
        }
    }
}

/// How a bar is painted, and the class that names it.
struct Look {
    class: &'static str,
    fill: &'static str,
    stroke: &'static str,
    dashed: bool,
}

const UPCOMING: Look = Look {
    class: "upcoming",
    fill: "#dbeafe",
    stroke: "#1d4ed8",
    dashed: false,
};
const OPEN: Look = Look {
    class: "open",
    fill: "#1d4ed8",
    stroke: "#1e3a8a",
    dashed: false,
};
const DONE: Look = Look {
    class: "done",
    fill: "#bbf7d0",
    stroke: "#15803d",
    dashed: false,
};
const LATE_LOOK: Look = Look {
    class: "late",
    fill: LATE,
    stroke: "#7f1d1d",
    dashed: false,
};
const SKIPPED: Look = Look {
    class: "skipped",
    fill: "#f3f4f6",
    stroke: "#6b7280",
    dashed: true,
};
const OTHERS: Look = Look {
    class: "others",
    fill: "#e5e7eb",
    stroke: "#6b7280",
    dashed: false,
};

fn look(standing: Standing) -> &'static Look {
    if standing.late {
        return &LATE_LOOK;
    }
    if standing.unrecorded {
        return &SKIPPED;
    }
    match standing.life {
        Lifecycle::Waiting | Lifecycle::Scheduled => &UPCOMING,
        Lifecycle::Open | Lifecycle::AwaitingValidation => &OPEN,
        Lifecycle::Done => &DONE,
        Lifecycle::Skipped => &SKIPPED,
    }
}

struct Chart<'a> {
    edition: &'a Edition,
    language: Language,
    scale: Scale,
    /// Today, when it is on the axis.
    today: Option<Date>,
    ids: Ids,
}

impl Chart<'_> {
    fn words(&self, id: &str) -> String {
        plain(self.language, id)
    }

    fn words_with(&self, id: &str, args: &Args<'_>) -> String {
        text(self.language, id, args)
    }

    fn date(&self, date: Date) -> String {
        match self.language {
            Language::Fr => date.strftime("%d/%m/%Y").to_string(),
            Language::En => date.strftime("%-d %b %Y").to_string(),
        }
    }

    /// `du 03/02/2025 au 10/02/2025`, or `le 03/02/2025` for one day.
    fn window_words(&self, start: Date, due: Date) -> String {
        if start == due {
            return self.words_with("timeline-day", &Args::new().text("date", self.date(start)));
        }
        self.words_with(
            "timeline-window",
            &Args::new()
                .text("start", self.date(start))
                .text("due", self.date(due)),
        )
    }

    /// The window the definition gave: `prévue du … au …`.
    fn planned_words(&self, start: Date, due: Date) -> String {
        self.words_with(
            "timeline-planned",
            &Args::new().text("window", self.window_words(start, due)),
        )
    }

    fn draw(&self, lines: &[Line<'_>], today: Date) -> String {
        let width = self.scale.width();
        let height = HEADER_HEIGHT + lines.len() as f64 * ROW_HEIGHT + 4.0;
        let rows_bottom = height - 4.0;
        let title = self.words_with(
            "timeline-title",
            &Args::new().text("edition", self.edition.name.clone()),
        );

        let mut chart = String::with_capacity(2048 + lines.len() * 560);
        let mut labels = String::with_capacity(1024 + lines.len() * 120);
        // The chart: from the label column's edge to the right.
        let _ = writeln!(
            chart,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline-chart\" \
             width=\"{w}\" height=\"{h}\" viewBox=\"{x} 0 {w} {h}\" role=\"img\" \
             aria-labelledby=\"{t} {d}\" lang=\"{lang}\" \
             font-family=\"system-ui, sans-serif\" font-size=\"12\" fill=\"{TEXT}\">",
            x = n(LABEL_WIDTH),
            w = n(width - LABEL_WIDTH),
            h = n(height),
            t = self.ids.title,
            d = self.ids.desc,
            lang = self.language.as_str(),
        );
        let _ = writeln!(
            chart,
            "<title id=\"{}\">{}</title>\n<desc id=\"{}\">{}</desc>",
            self.ids.title,
            esc(&title),
            self.ids.desc,
            esc(&self.summary(lines, today)),
        );
        // The hatch of the validators' lead time (the legend's too).
        let _ = writeln!(
            chart,
            "<defs><pattern id=\"{}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
             patternTransform=\"rotate(45)\"><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" \
             stroke=\"{LEAD}\" stroke-width=\"2.5\"/></pattern></defs>",
            self.ids.lead
        );
        let _ = writeln!(
            chart,
            "<rect x=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
            n(LABEL_WIDTH),
            n(width - LABEL_WIDTH),
            n(height)
        );
        // The names: the same rows, read with the chart's own description
        // (hidden from screen readers, which have it there).
        let _ = writeln!(
            labels,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline-labels\" \
             width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" aria-hidden=\"true\" \
             font-family=\"system-ui, sans-serif\" font-size=\"12\" fill=\"{TEXT}\">\
             <rect width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>",
            w = n(LABEL_WIDTH),
            h = n(height),
        );
        self.months(&mut chart, rows_bottom);
        for (i, line) in lines.iter().enumerate() {
            let top = HEADER_HEIGHT + i as f64 * ROW_HEIGHT;
            let rows = Rows {
                chart: &mut chart,
                labels: &mut labels,
            };
            match line {
                Line::Instance { instance, standing } => {
                    self.instance_row(rows, top, instance, *standing)
                }
                Line::Group { stage } => self.group_row(rows, top, *stage, width),
                Line::NoneYet { stage } => self.none_yet_row(rows, top, *stage),
                Line::Others {
                    stage,
                    count,
                    late,
                    start,
                    due,
                } => self.others_row(rows, top, *stage, *count, *late, *start, *due),
            }
        }
        self.today_line(&mut chart, rows_bottom, width);
        chart.push_str("</svg>\n");
        // The label column's edge.
        let _ = writeln!(
            labels,
            "<line x1=\"{x}\" y1=\"22\" x2=\"{x}\" y2=\"{b}\" stroke=\"#9ca3af\"/></svg>",
            x = n(LABEL_WIDTH - 0.5),
            b = n(rows_bottom),
        );
        format!(
            "<div class=\"timeline\" role=\"region\" aria-label=\"{}\" tabindex=\"0\">\
             <div class=\"timeline-rows\">\n{labels}{chart}</div></div>\n{}",
            esc(&title),
            self.legend(&self.legend_items()),
        )
    }

    /// What a screen reader says of the chart after its title (both are
    /// its accessible name): its size, today's date, what is late.
    fn summary(&self, lines: &[Line<'_>], today: Date) -> String {
        const NAMED: usize = 10;
        let mut late = 0;
        let mut named = Vec::new();
        for line in lines {
            match line {
                Line::Instance { instance, standing } if standing.late => {
                    late += 1;
                    if named.len() < NAMED {
                        named.push(self.full_name(instance));
                    }
                }
                Line::Others { late: l, .. } => late += l,
                _ => {}
            }
        }
        let counts = self.words_with(
            "timeline-summary",
            &Args::new()
                .number("stages", self.edition.stages.len())
                .number("late", late),
        );
        let on = self.words_with(
            "timeline-today-on",
            &Args::new().text("date", self.date(today)),
        );
        let mut summary = format!("{counts} {on}");
        if late > 0 {
            let mut list = named.join(separator(self.language));
            if late > named.len() {
                list = self.words_with(
                    "timeline-late-more",
                    &Args::new()
                        .text("list", list)
                        .number("count", late - named.len()),
                );
            }
            let _ = write!(
                summary,
                " {}",
                self.words_with("timeline-late-list", &Args::new().text("list", list))
            );
        }
        summary
    }

    /// `Stage` or `Stage — participant`, as a screen reader names a row.
    fn full_name(&self, instance: &Instance) -> String {
        let stage = &self.edition.stages[instance.stage].title;
        match instance
            .participant
            .and_then(|p| self.edition.participants.get(p))
        {
            Some(participant) => format!("{stage} — {}", participant.name),
            None => stage.clone(),
        }
    }

    /// Month names (with the year on the first and on January) and their
    /// grid lines.
    fn months(&self, out: &mut String, rows_bottom: f64) {
        let mut month = self.scale.origin;
        let mut first = true;
        out.push_str("<g class=\"months\">\n");
        while self.scale.contains(month) {
            let x = self.scale.x(month);
            let name = self.words_with(
                "timeline-month",
                &Args::new().number("month", usize::try_from(month.month()).unwrap_or(1)),
            );
            let label = if first || month.month() == 1 {
                self.words_with(
                    "timeline-month-year",
                    &Args::new()
                        .text("month", name)
                        .text("year", month.year().to_string()),
                )
            } else {
                name
            };
            let _ = writeln!(
                out,
                "<line x1=\"{x}\" y1=\"22\" x2=\"{x}\" y2=\"{b}\" stroke=\"{GRID}\"/>\
                 <text x=\"{tx}\" y=\"16\" fill=\"#374151\">{label}</text>",
                x = n(x),
                b = n(rows_bottom),
                tx = n(x + 4.0),
                label = esc(&label),
            );
            first = false;
            let Ok(next) = month.checked_add(1.month()) else {
                break;
            };
            month = next;
        }
        // The axis' right end.
        let _ = writeln!(
            out,
            "<line x1=\"{r}\" y1=\"22\" x2=\"{r}\" y2=\"{b}\" stroke=\"{GRID}\"/>",
            r = n(self.scale.right()),
            b = n(rows_bottom),
        );
        out.push_str("</g>\n");
    }

    fn instance_row(&self, rows: Rows<'_>, top: f64, instance: &Instance, standing: Standing) {
        let Rows { chart: out, labels } = rows;
        let edition = self.edition;
        let stage = &edition.stages[instance.stage];
        let cy = top + ROW_HEIGHT / 2.0;
        let window = instance.window;
        let moved = (window.start, window.due) != (stage.start, stage.due);
        let look = look(standing);
        let skipped = look.class == SKIPPED.class;
        let participant = instance
            .participant
            .and_then(|p| edition.participants.get(p));
        let label = participant.map_or(stage.title.as_str(), |p| p.name.as_str());
        let outcome = instance
            .outcome
            .and_then(|o| stage.outcomes.get(o))
            .map(|o| o.title.as_str());
        let done = done_day(edition, instance);
        // When the validators must have the work: `lead_time` before the due date.
        let submit_by = stage
            .validation
            .as_ref()
            .and_then(|v| v.lead_time)
            .and_then(|lead| {
                lead.negate()
                    .apply(edition.calendar_of(instance.stage), window.due)
            })
            .filter(|_| !skipped);

        // The tooltip: where it stands, in words.
        let mut words = vec![self.state_words(instance, standing)];
        if standing.late {
            words.push(self.words("timeline-late"));
        }
        words.push(if window.to_be_fixed {
            self.words("timeline-to-be-fixed")
        } else {
            self.window_words(window.start, window.due)
        });
        if instance.postponements > 0 {
            words.push(self.words_with(
                "timeline-postponed",
                &Args::new().number("count", instance.postponements as usize),
            ));
        }
        if moved {
            words.push(self.planned_words(stage.start, stage.due));
        }
        if let Some(date) = submit_by {
            words
                .push(self.words_with("timeline-lead", &Args::new().text("date", self.date(date))));
        }
        if let Some(outcome) = outcome {
            words.push(self.words_with("timeline-outcome", &Args::new().text("outcome", outcome)));
        }
        let late_class = if standing.late { " late" } else { "" };
        let _ = writeln!(
            out,
            "<g class=\"row {}{late_class}\"><title>{} — {}</title>",
            look.class,
            esc(&self.full_name(instance)),
            esc(&words.join(", ")),
        );
        self.label(
            labels,
            cy,
            label,
            participant.is_some(),
            if standing.late {
                LabelTone::Late
            } else if skipped {
                LabelTone::Muted
            } else {
                LabelTone::Normal
            },
        );
        // No dates yet: the row has its label and tooltip, and no bar.
        if window.to_be_fixed {
            out.push_str("</g>\n");
            return;
        }
        let (x0, x1) = (self.scale.x(window.start), self.scale.x_end(window.due));
        if let Some(date) = submit_by {
            let from = self.scale.x_end(date).clamp(x0, x1);
            if x1 > from {
                let _ = writeln!(
                    out,
                    "<rect class=\"lead\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"20\" fill=\"url(#{})\"/>",
                    n(from),
                    n(cy - 10.0),
                    n(x1 - from),
                    self.ids.lead
                );
            }
        }
        if moved {
            planned_outline(
                out,
                self.scale.x(stage.start),
                self.scale.x_end(stage.due),
                cy,
            );
        }
        bar(out, "bar", look, x0, x1, cy);
        let mut after = x1;
        let mut diamonds = Vec::new();
        for (first, last, title) in event_days(edition, stage, instance) {
            let x = (self.scale.x(first) + self.scale.x_end(last)) / 2.0;
            let _ = writeln!(
                out,
                "<path class=\"event\" d=\"M{} {} l8 8 l-8 8 l-8 -8 z\" fill=\"{EVENT}\" stroke=\"#ffffff\" \
                 stroke-width=\"1.5\"><title>{} — {}</title></path>",
                n(x),
                n(cy - 8.0),
                esc(title),
                esc(&self.date(first)),
            );
            diamonds.push(x);
            after = after.max(x + 8.0);
        }
        if let Some(day) = done {
            let x = self.scale.x(day) + DAY_WIDTH / 2.0;
            // A seminar is often done on its day: its check is then drawn
            // small and white inside the diamond; elsewhere dark, with a
            // white halo that keeps it visible on any bar.
            let on_diamond = diamonds.iter().copied().find(|d| (d - x).abs() <= 5.0);
            let (path, stroke, width, halo) = match on_diamond {
                Some(d) => (
                    format!("M{} {} l2.5 3 l4 -6", n(d - 3.0), n(cy)),
                    "#ffffff",
                    "2",
                    String::new(),
                ),
                None => {
                    let path = format!("M{} {} l3 4 l6 -9", n(x - 4.0), n(cy));
                    let halo = format!(
                        "<path d=\"{path}\" fill=\"none\" stroke=\"#ffffff\" stroke-width=\"5\" \
                         stroke-linecap=\"round\" stroke-linejoin=\"round\"/>"
                    );
                    (path, DONE_MARK, "2.5", halo)
                }
            };
            let _ = writeln!(
                out,
                "{halo}<path class=\"done-mark\" d=\"{path}\" fill=\"none\" stroke=\"{stroke}\" \
                 stroke-width=\"{width}\" stroke-linecap=\"round\" stroke-linejoin=\"round\"/>",
            );
            after = after.max(x + 6.0);
        }
        if standing.late {
            // Overdue since the due date: a red line up to today, the mark
            // after it (clear of today's line).
            if let Some(today) = self.today {
                let x = self.scale.x(today) + DAY_WIDTH / 2.0;
                if x > x1 {
                    let _ = writeln!(
                        out,
                        "<line class=\"overdue\" x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"{LATE}\" \
                         stroke-width=\"2\" stroke-dasharray=\"3 2\"/>",
                        n(x1),
                        n(x),
                        y = n(cy),
                    );
                }
                after = after.max(x + 1.0);
            }
            let word = self.words("timeline-late");
            self.late_mark(out, after, x0, cy, &word);
        } else if let Some(outcome) = outcome {
            self.end_text(out, after, x0, cy, outcome, "outcome", TEXT);
        }
        out.push_str("</g>\n");
    }

    fn state_words(&self, instance: &Instance, standing: Standing) -> String {
        if standing.unrecorded {
            return self.words("timeline-state-unrecorded");
        }
        match standing.life {
            Lifecycle::Waiting => self.words("timeline-state-waiting"),
            Lifecycle::Scheduled => self.words("timeline-state-scheduled"),
            Lifecycle::Open => self.words("timeline-state-open"),
            Lifecycle::AwaitingValidation => self.words("timeline-state-awaiting"),
            Lifecycle::Done => match done_day(self.edition, instance) {
                Some(day) => self.words_with(
                    "timeline-state-done",
                    &Args::new().text("date", self.date(day)),
                ),
                None => self.words("timeline-legend-done"),
            },
            Lifecycle::Skipped => self.words("timeline-state-skipped"),
        }
    }

    /// The red « ! » and the word after a late bar (or, without room on
    /// the right, before it).
    fn late_mark(&self, out: &mut String, after: f64, x0: f64, cy: f64, word: &str) {
        let room = self.scale.width() - 4.0;
        let wanted = 22.0 + width_of(word);
        let (circle, text_x, anchor) = if after + wanted <= room {
            (after + 10.0, after + 21.0, "start")
        } else {
            (x0 - 10.0, x0 - 21.0, "end")
        };
        let _ = writeln!(
            out,
            "<g class=\"late-mark\"><circle cx=\"{}\" cy=\"{}\" r=\"7\" fill=\"{LATE}\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-weight=\"bold\" fill=\"#ffffff\">!</text>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" font-weight=\"bold\" fill=\"{LATE}\">{}</text></g>",
            n(circle),
            n(cy),
            n(circle),
            n(cy + 4.0),
            n(text_x),
            n(cy + 4.0),
            esc(word),
        );
    }

    /// A short text after a bar (or before it, without room on the right).
    #[allow(clippy::too_many_arguments)]
    fn end_text(
        &self,
        out: &mut String,
        after: f64,
        x0: f64,
        cy: f64,
        text: &str,
        class: &str,
        fill: &str,
    ) {
        let (shown, full) = truncate(text, 280.0);
        let room = self.scale.width() - 4.0;
        let (x, anchor) = if after + 6.0 + width_of(&shown) <= room {
            (after + 6.0, "start")
        } else {
            (x0 - 6.0, "end")
        };
        let _ = write!(
            out,
            "<text class=\"{class}\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" fill=\"{fill}\">{}",
            n(x),
            n(cy + 4.0),
            esc(&shown)
        );
        if shown != full {
            let _ = write!(out, "<title>{}</title>", esc(&full));
        }
        out.push_str("</text>\n");
    }

    /// A row's label, truncated to the column with the full text as its
    /// tooltip (and accessible name).
    fn label(&self, out: &mut String, cy: f64, label: &str, indent: bool, tone: LabelTone) {
        let x = if indent { 20.0 } else { 8.0 };
        let room = LABEL_WIDTH - x - 8.0;
        let (shown, full) = truncate(label, room);
        let attributes = match tone {
            LabelTone::Normal => format!("fill=\"{TEXT}\""),
            LabelTone::Late => format!("fill=\"{LATE}\" font-weight=\"bold\""),
            LabelTone::Muted => format!("fill=\"{MUTED_TEXT}\" font-style=\"italic\""),
        };
        let _ = write!(
            out,
            "<text class=\"label\" x=\"{}\" y=\"{}\" {attributes}>",
            n(x),
            n(cy + 4.0)
        );
        if shown != full {
            let _ = write!(out, "<title>{}</title>", esc(&full));
        }
        let _ = writeln!(out, "{}</text>", esc(&shown));
    }

    /// A stage's title above its rows, on a band across the chart too.
    fn group_row(&self, rows: Rows<'_>, top: f64, stage: usize, width: f64) {
        let title = &self.edition.stages[stage].title;
        let (shown, full) = truncate(title, LABEL_WIDTH - 16.0);
        let band = |x: f64, to: f64| {
            format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{GROUP_BAND}\"/>",
                n(x),
                n(top + 1.0),
                n(to - x),
                n(ROW_HEIGHT - 2.0),
            )
        };
        let _ = writeln!(
            rows.chart,
            "<g class=\"group\">{}</g>",
            band(LABEL_WIDTH, width)
        );
        let _ = write!(
            rows.labels,
            "<g class=\"group\">{}<text class=\"label\" x=\"8\" y=\"{}\" font-weight=\"bold\" \
             fill=\"#111827\">",
            band(0.0, LABEL_WIDTH),
            n(top + ROW_HEIGHT / 2.0 + 4.0),
        );
        if shown != full {
            let _ = write!(rows.labels, "<title>{}</title>", esc(&full));
        }
        let _ = writeln!(rows.labels, "{}</text></g>", esc(&shown));
    }

    fn for_whom(&self, stage: usize) -> &'static str {
        match self.edition.stages[stage].for_each {
            Some(ParticipantStatus::Laureate) => "laureate",
            Some(ParticipantStatus::Shortlisted) => "shortlisted",
            _ => "candidate",
        }
    }

    fn none_yet_row(&self, rows: Rows<'_>, top: f64, stage: usize) {
        let Rows { chart: out, labels } = rows;
        let cy = top + ROW_HEIGHT / 2.0;
        let definition = &self.edition.stages[stage];
        let words = self.words_with(
            "timeline-none-yet",
            &Args::new().text("status", self.for_whom(stage)),
        );
        let planned = self.planned_words(definition.start, definition.due);
        let _ = writeln!(
            out,
            "<g class=\"row none-yet\"><title>{} — {}, {}</title>",
            esc(&definition.title),
            esc(&words),
            esc(&planned)
        );
        self.label(labels, cy, &words, true, LabelTone::Muted);
        planned_outline(
            out,
            self.scale.x(definition.start),
            self.scale.x_end(definition.due),
            cy,
        );
        out.push_str("</g>\n");
    }

    #[allow(clippy::too_many_arguments)]
    fn others_row(
        &self,
        rows: Rows<'_>,
        top: f64,
        stage: usize,
        count: usize,
        late: usize,
        start: Date,
        due: Date,
    ) {
        let Rows { chart: out, labels } = rows;
        let cy = top + ROW_HEIGHT / 2.0;
        let words = self.words_with(
            "timeline-others",
            &Args::new()
                .number("count", count)
                .text("status", self.for_whom(stage)),
        );
        let late_words = (late > 0)
            .then(|| self.words_with("timeline-others-late", &Args::new().number("count", late)));
        let window = self.window_words(start, due);
        let mut tooltip = format!("{words}, {window}");
        if let Some(late) = &late_words {
            let _ = write!(tooltip, ", {late}");
        }
        let _ = writeln!(
            out,
            "<g class=\"row others{}\"><title>{} — {}</title>",
            if late > 0 { " late" } else { "" },
            esc(&self.edition.stages[stage].title),
            esc(&tooltip)
        );
        self.label(labels, cy, &words, true, LabelTone::Normal);
        let (x0, x1) = (self.scale.x(start), self.scale.x_end(due));
        bar(out, "bar", &OTHERS, x0, x1, cy);
        if let Some(late) = late_words {
            self.late_mark(out, x1, x0, cy, &late);
        }
        out.push_str("</g>\n");
    }

    fn today_line(&self, out: &mut String, rows_bottom: f64, width: f64) {
        let Some(today) = self.today else {
            return;
        };
        let x = self.scale.x(today) + DAY_WIDTH / 2.0;
        let word = self.words("timeline-today");
        let half = width_of(&word) / 2.0;
        let anchor = if x + half > width - 2.0 {
            "end"
        } else if x - half < LABEL_WIDTH {
            "start"
        } else {
            "middle"
        };
        let _ = writeln!(
            out,
            "<g class=\"today\"><line class=\"today\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" \
             stroke=\"{TODAY}\" stroke-width=\"2\"/><text x=\"{x}\" y=\"36\" text-anchor=\"{anchor}\" \
             font-weight=\"bold\" fill=\"{TODAY}\">{}</text></g>",
            n(HEADER_HEIGHT - 4.0),
            n(rows_bottom),
            esc(&word),
            x = n(x),
        );
    }

    fn legend_items(&self) -> Vec<(Swatch, String)> {
        [
            (Swatch::Bar(&UPCOMING), "timeline-legend-upcoming"),
            (Swatch::Bar(&OPEN), "timeline-legend-open"),
            (Swatch::Done, "timeline-legend-done"),
            (Swatch::Late, "timeline-legend-late"),
            (Swatch::Bar(&SKIPPED), "timeline-legend-skipped"),
            (Swatch::Planned, "timeline-legend-planned"),
            (Swatch::Lead, "timeline-legend-lead"),
            (Swatch::Event, "timeline-legend-event"),
            (Swatch::Today, "timeline-today"),
        ]
        .into_iter()
        // Today's line is said only when it is drawn.
        .filter(|(swatch, _)| !matches!(swatch, Swatch::Today) || self.today.is_some())
        .map(|(swatch, id)| (swatch, self.words(id)))
        .collect()
    }

    /// The legend: a list that wraps, each item a small drawing (hidden
    /// from screen readers) and its words.
    fn legend(&self, items: &[(Swatch, String)]) -> String {
        let mut out = String::from("<ul class=\"legend\">\n");
        for (swatch, words) in items {
            let _ = write!(
                out,
                "<li><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
                 viewBox=\"0 0 {w} {h}\" aria-hidden=\"true\">",
                w = n(SWATCH_WIDTH),
                h = n(SWATCH_HEIGHT),
            );
            self.swatch(&mut out, swatch);
            let _ = writeln!(out, "</svg>{}</li>", esc(words));
        }
        out.push_str("</ul>\n");
        out
    }

    fn swatch(&self, out: &mut String, swatch: &Swatch) {
        let cy = SWATCH_HEIGHT / 2.0;
        let (x0, x1) = (1.0, 31.0);
        match swatch {
            Swatch::Bar(look) => bar(out, "swatch", look, x0, x1, cy),
            Swatch::Done => {
                bar(out, "swatch", &DONE, x0, x1, cy);
                let _ = writeln!(
                    out,
                    "<path d=\"M{} {} l3 4 l6 -9\" fill=\"none\" stroke=\"{DONE_MARK}\" stroke-width=\"2.5\" \
                     stroke-linecap=\"round\" stroke-linejoin=\"round\"/>",
                    n(x1 - 10.0),
                    n(cy)
                );
            }
            Swatch::Late => {
                bar(out, "swatch", &LATE_LOOK, x0, x1 - 12.0, cy);
                let _ = writeln!(
                    out,
                    "<circle cx=\"{}\" cy=\"{}\" r=\"7\" fill=\"{LATE}\"/><text x=\"{}\" y=\"{}\" \
                     text-anchor=\"middle\" font-weight=\"bold\" fill=\"#ffffff\">!</text>",
                    n(x1 - 4.0),
                    n(cy),
                    n(x1 - 4.0),
                    n(cy + 4.0)
                );
            }
            Swatch::Planned => {
                let _ = writeln!(
                    out,
                    "<rect x=\"{}\" y=\"{}\" width=\"30\" height=\"16\" fill=\"none\" stroke=\"#4b5563\" \
                     stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>",
                    n(x0),
                    n(cy - 8.0)
                );
            }
            Swatch::Lead => {
                let _ = writeln!(
                    out,
                    "<rect x=\"{}\" y=\"{}\" width=\"30\" height=\"20\" fill=\"url(#{})\"/>",
                    n(x0),
                    n(cy - 10.0),
                    self.ids.lead
                );
            }
            Swatch::Event => {
                let _ = writeln!(
                    out,
                    "<path d=\"M{} {} l7 7 l-7 7 l-7 -7 z\" fill=\"{EVENT}\"/>",
                    n(x0 + 15.0),
                    n(cy - 7.0)
                );
            }
            Swatch::Today => {
                let _ = writeln!(
                    out,
                    "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"{TODAY}\" stroke-width=\"2\"/>",
                    n(cy - 10.0),
                    n(cy + 10.0),
                    x = n(x0 + 15.0),
                );
            }
        }
    }
}

/// Where a row is drawn: its marks in the chart, its name in the labels.
struct Rows<'a> {
    chart: &'a mut String,
    labels: &'a mut String,
}

#[derive(Clone, Copy)]
enum LabelTone {
    Normal,
    Late,
    Muted,
}

enum Swatch {
    Bar(&'static Look),
    Done,
    Late,
    Planned,
    Lead,
    Event,
    Today,
}

/// A window's bar, from the left edge of its start to the right edge of
/// its due day.
fn bar(out: &mut String, kind: &str, look: &Look, x0: f64, x1: f64, cy: f64) {
    let dash = if look.dashed {
        " stroke-dasharray=\"3 2\""
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<rect class=\"{kind} {}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"12\" rx=\"2\" fill=\"{}\" stroke=\"{}\"{dash}/>",
        look.class,
        n(x0),
        n(cy - 6.0),
        n((x1 - x0).max(DAY_WIDTH)),
        look.fill,
        look.stroke,
    );
}

/// The planned window's dashed outline, taller than a bar so that both
/// show where they overlap; a day or two wide at least 9 px, or its dashes
/// would not show.
fn planned_outline(out: &mut String, x0: f64, x1: f64, cy: f64) {
    const NARROWEST: f64 = 9.0;
    let (x0, x1) = if x1 - x0 < NARROWEST {
        let middle = (x0 + x1) / 2.0;
        (middle - NARROWEST / 2.0, middle + NARROWEST / 2.0)
    } else {
        (x0, x1)
    };
    let _ = writeln!(
        out,
        "<rect class=\"planned\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"16\" fill=\"none\" \
         stroke=\"#4b5563\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>",
        n(x0),
        n(cy - 8.0),
        n(x1 - x0)
    );
}

/// As much of `text` as fits in `room` pixels, ending in an ellipsis when
/// cut; and the text whole.
fn truncate(text: &str, room: f64) -> (String, String) {
    let full = text.trim().to_owned();
    if width_of(&full) <= room {
        return (full.clone(), full);
    }
    let room = room - char_width('…');
    let mut used = 0.0;
    let mut shown: String = full
        .chars()
        .take_while(|&c| {
            used += char_width(c);
            used <= room
        })
        .collect();
    shown.truncate(shown.trim_end().len());
    shown.push('…');
    (shown, full)
}

/// How wide a text is drawn at 12 px, at most: the widths of DejaVu Sans
/// (wider than the usual system fonts), rounded up, so that a label cut
/// to its column never runs over the bars.
fn width_of(text: &str) -> f64 {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> f64 {
    match c {
        'i' | 'j' | 'l' | '\'' | '’' | '.' | ',' | ':' | ';' | '!' | '|' => 3.5,
        ' ' | '\u{a0}' | 'f' | 't' | 'r' | '(' | ')' | '[' | ']' | 'I' | '-' => 5.0,
        'm' | 'w' | 'M' | 'W' | '…' | '—' => 12.0,
        c if c.is_uppercase() => 9.0,
        c if c.is_ascii_digit() => 7.7,
        _ => 7.6,
    }
}

/// Between the names of a list that may hold commas.
fn separator(language: Language) -> &'static str {
    match language {
        Language::Fr => "\u{a0}; ",
        Language::En => "; ",
    }
}

/// A coordinate: whole pixels without a fraction, else one decimal.
fn n(value: f64) -> String {
    if !value.is_finite() {
        return "0".into();
    }
    let rounded = (value * 10.0).round() / 10.0;
    format!("{rounded}")
}

/// Text for the SVG, in an element or an attribute. The HTML escaper's
/// entities (`&amp; &lt; &gt; &quot; &#39;`) are XML's too; what XML
/// cannot hold at all (control characters) and bidirectional controls
/// (which reorder what is read) are shown as U+FFFD. Definitions refuse
/// them in names and titles already; this holds for any text.
fn esc(text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => ' ',
            '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}' => '\u{fffd}',
            '\u{fffe}' | '\u{ffff}' => '\u{fffd}',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect();
    jalon_message::escape(&clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_what_xml_cannot_hold_is_replaced() {
        assert_eq!(esc("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
        assert_eq!(
            esc("a\u{202E}b\u{1}c\u{ffff}"),
            "a\u{fffd}b\u{fffd}c\u{fffd}"
        );
        assert_eq!(esc("x\ny"), "x y");
        assert_eq!(esc("Équipe « été »"), "Équipe « été »");
    }

    #[test]
    fn long_texts_end_in_an_ellipsis_within_their_length() {
        assert_eq!(truncate("court", 100.0), ("court".into(), "court".into()));
        let (shown, full) = truncate("Diagnostic des besoins sociaux", 100.0);
        assert_eq!(shown, "Diagnostic de…");
        assert!(width_of(&shown) <= 100.0);
        assert_eq!(full, "Diagnostic des besoins sociaux");
        // Cut before a space: no space before the ellipsis.
        assert_eq!(truncate("Diagnostic des", 85.0).0, "Diagnostic…");
        assert_eq!(truncate("ééééé", 30.0).0, "éé…");
    }

    #[test]
    fn coordinates_are_short_and_finite() {
        assert_eq!(n(221.0), "221");
        assert_eq!(n(221.5), "221.5");
        assert_eq!(n(0.1 + 0.2), "0.3");
        assert_eq!(n(f64::NAN), "0");
    }
}
