//! Periodic digests: an id, a cron schedule that parses, and recipients
//! who exist.

use jalon_schedule::CronSchedule;

use super::people::Directory;
use super::{actors, Checker};
use crate::diagnostic::Diagnostic;
use crate::resolved::Digest;

pub(crate) fn check(checker: &mut Checker<'_>, people: &Directory) -> Vec<Digest> {
    let Some(list) = checker.doc.digests.clone() else {
        return Vec::new();
    };
    let ids = checker.index_ids(
        "/digests",
        "digest",
        list.iter().map(|d| d.id.as_ref()),
        true,
    );
    let mut digests = Vec::new();
    for (i, digest) in list.iter().enumerate() {
        let at = format!("/digests/{i}");
        let schedule = match &digest.schedule {
            None => {
                checker.missing(
                    "/digests",
                    i,
                    "this digest",
                    "schedule",
                    "say when it is sent, e.g. `schedule: \"0 8 * * 1\"` (Mondays at 08:00)",
                );
                None
            }
            Some(text) => match CronSchedule::parse(text) {
                Ok(schedule) => Some(schedule),
                Err(e) => {
                    let pointer = format!("{at}/schedule");
                    let span = checker.span_inside(&pointer, e.start, e.end);
                    checker.push(
                        Diagnostic::error(
                            "invalid-schedule",
                            if e.message.starts_with("this schedule") {
                                e.message.clone()
                            } else {
                                format!("this schedule cannot be read: {}", e.message)
                            },
                        )
                            .at(span)
                            .label(e.field.map_or("here", |f| f.name()).to_string())
                            .hint("5 fields: minute hour day-of-month month day-of-week, e.g. `0 8 * * 1` for Mondays at 08:00"),
                    );
                    None
                }
            },
        };
        if digest.to.as_ref().is_none_or(Vec::is_empty) {
            checker.missing(
                "/digests",
                i,
                "this digest",
                "to",
                "name who receives it, e.g. `to: [coordination]`",
            );
        }
        let to = actors(
            checker,
            people,
            &format!("{at}/to"),
            digest.to.as_ref(),
            super::people::Reach::Digest,
        );
        if let (Some(schedule), false) = (schedule, to.is_empty()) {
            digests.push(Digest {
                id: ids.ids[i].clone(),
                schedule,
                to,
            });
        }
    }
    digests
}
