# The validation-link pages and the status pages.

## Validation links whose holder is unknown: shown in French and in English,
## the title as « French — English ».
link-unknown-title = Unknown link
link-unknown = This approval link is not valid: it may have been copied incompletely or changed. Nothing was recorded. Open the exact link from your email, or contact the programme's coordination.
link-not-running-title = Link closed
link-not-running = The edition of this link is no longer run here. Nothing was recorded; contact the programme's coordination.
link-trouble-title = Unavailable
link-trouble = This link cannot be handled just now. Nothing was recorded; try again in a few minutes.

## The answers, as nouns ("your approval").
link-answer-approve = approval
link-answer-refuse = request for changes

## A link that cannot be answered any more.
link-expired-title = Link expired
link-expired = This link expired on { $expires }. Nothing was recorded. To give your answer, contact the programme's coordination.
link-stale-title = Link replaced
link-stale = This link was about an earlier version of this work, submitted again since. Nothing was recorded: open the link of the latest email you received.
link-already-title = Already recorded
link-already = Your answer was already recorded by you on { $at } ({ $answer }). Nothing more was recorded.

## The engine refused the answer; its reason comes between these two.
link-refused-title = Answer not possible
link-refused-lead = This answer cannot be recorded:
link-refused-nothing = Nothing was recorded. If in doubt, contact the programme's coordination.

## The answer is recorded.
link-recorded-title = Answer recorded
link-recorded = Thank you, { $person }. Your { $answer } is recorded (no. { $seq }). The people concerned are told by email.

## The confirmation page and its form.
link-form-title = Approval
link-form-greeting = Hello { $person },
link-form-stage = Stage
link-form-participant = Participant
link-form-submitted = Submitted on
link-form-to-approve = To approve:
link-form-comment = Comment (required to ask for changes)
link-form-approve = Approve
link-form-refuse = Ask for changes
link-form-note = Nothing is recorded until you press a button. This link is yours alone, works once, and expires on { $expires }.

## What was wrong with the form as sent.
link-error-no-answer = Choose Approve or Ask for changes.
link-error-comment-too-long = This comment is too long.
link-error-comment-needed = To ask for changes, say which in the comment.

## The status pages (shown in English for now).
status-none-running = No edition is running.
status-running = Running editions:
status-no-such-edition-title = No such edition
status-no-such-edition = No running edition is called “{ $id }”.
status-all-editions = All editions
status-unavailable = Status unavailable
# "events" even for one: the page's words as they were.
status-at = Status at { $at } ({ $count } events recorded).
status-stage = Stage
status-state = State
status-start = Start
status-due = Due
status-note = Note
status-participants = Participants
status-left-since = { $status } since { $at }
status-held = { $count ->
    [one] One message is held: it was already late when its definition came in. It waits to be released (jalon release { $edition }) or dropped (--drop).
   *[other] { $count } messages are held: they were already late when their definition came in. They wait to be released (jalon release { $edition }) or dropped (--drop).
}
status-closed = Closed on { $at } by { $by }: { $reason }

## The timeline of an edition: an SVG chart in the workspace pages. Its
## words, in the chart and in what screen readers say of it.
timeline-title = Timeline of the edition “{ $edition }”
timeline-summary = { $stages ->
    [one] { $stages } stage
   *[other] { $stages } stages
}, { $late ->
    [0] none late
   *[other] { $late } late
}.
timeline-today-on = Today: { $date }.
timeline-late-list = Late: { $list }.
timeline-late-more = { $list } and { $count } more
timeline-today = today
timeline-month = { $month ->
    [1] Jan
    [2] Feb
    [3] Mar
    [4] Apr
    [5] May
    [6] Jun
    [7] Jul
    [8] Aug
    [9] Sep
    [10] Oct
    [11] Nov
   *[12] Dec
}
timeline-month-year = { $month } { $year }
## One row for the participants beyond those shown of a stage.
timeline-others = { $count ->
    [one] { $count } other { $status ->
        [laureate] laureate
        [shortlisted] shortlisted candidate
       *[candidate] candidate
    }
   *[other] { $count } other { $status ->
        [laureate] laureates
        [shortlisted] shortlisted candidates
       *[candidate] candidates
    }
}
timeline-others-late = { $count } of them late
## A stage for each participant, before anyone reaches it.
timeline-none-yet = { $status ->
    [laureate] no laureate yet
    [shortlisted] none shortlisted yet
   *[candidate] no candidate yet
}
## Where a row stands (its tooltip).
timeline-state-waiting = waiting for earlier stages
timeline-state-scheduled = upcoming
timeline-state-open = open
timeline-state-awaiting = awaiting validation
timeline-state-done = done on { $date }
timeline-state-skipped = not applicable
timeline-state-unrecorded = not recorded (edition closed)
timeline-late = late
timeline-window = from { $start } to { $due }
timeline-day = on { $date }
timeline-to-be-fixed = dates to be fixed
timeline-planned = planned { $window }
timeline-postponed = { $count ->
    [one] postponed once
   *[other] postponed { $count } times
}
timeline-lead = to the validators by { $date }
timeline-outcome = decision: { $outcome }
## The legend.
timeline-legend-upcoming = upcoming
timeline-legend-open = open
timeline-legend-done = done (✓: the day it was done)
timeline-legend-late = late
timeline-legend-skipped = not applicable
timeline-legend-planned = planned dates, before a postponement
timeline-legend-lead = validators’ time
timeline-legend-event = seminar, event

## Hand-in links and documents
link-unknown-hand-in-title = Unknown link
link-unknown-hand-in = This hand-in link is not valid: it may have been copied incompletely or changed. Nothing was recorded. Open the exact link from your email, or contact the programme’s coordination.
document-unknown-title = Document not found
document-unknown = This document does not exist, or this link no longer opens it. Open it from your workspace or from the exact link in your email.
link-form-handed = Documents handed in
link-form-handed-note = { $who } wrote: “{ $comment }”
