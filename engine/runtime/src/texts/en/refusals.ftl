# The engine's refusals, as a person reads them: the words of the
# engine's own English messages.
refusal-did-you-mean = { " " }(did you mean `{ $id }`?)
refusal-unknown-stage = there is no stage `{ $id }` in this edition{ $hint }
refusal-unknown-participant = there is no participant `{ $id }` in this edition{ $hint }
refusal-unknown-person = there is no person `{ $id }` in this edition{ $hint }
refusal-participant-needed = stage `{ $stage }` runs once per participant: say which one (participant: …)
refusal-no-participant-expected = stage `{ $stage }` runs once for the whole edition: it takes no participant
refusal-no-instance = `{ $participant }` has no stage `{ $stage }`: { $why }
refusal-wrong-state = `{ $what }` is { $state }: { $why }
refusal-unknown-deliverable = stage `{ $stage }` asks for no deliverable `{ $deliverable }`{ $hint }
refusal-reason-for-retained = a reason is given for `{ $participant }`, who is not among those left out
refusal-no-validation = stage `{ $stage }` has no validation to give
refusal-not-a-validator = { $person } cannot validate `{ $what }`: the validators are { $validators }
refusal-already-approved = { $person } already approved `{ $what }` at { $at }
refusal-empty-comment = a refusal needs a comment saying what to change
refusal-not-a-selection = stage `{ $stage }` selects nobody (it has no `selection:`)
refusal-use-select = stage `{ $stage }` selects participants: record it with `select`, not `{ $verb }`
refusal-use-decide = stage `{ $stage }` is a decision: record it with `decide`, not `{ $verb }`
refusal-selection-count = `{ $stage }` retains { $min } to { $max } participants, not { $count }
refusal-not-in-pool = `{ $participant }` cannot be selected at `{ $stage }`: { $why }
refusal-duplicate = `{ $participant }` is listed twice
refusal-no-jury = stage `{ $stage }` has no jury
refusal-no-scores = no scores are recorded for `{ $stage }`: list the participants to retain, or record the scores first
refusal-tie = the scores tie at the last place retained ({ $place }): { $tied } — name the laureates explicitly (participants: […])
refusal-not-on-jury = { $person } is not on the jury of `{ $stage }`
refusal-already-scored = { $person } already scored `{ $participant }` at `{ $stage }`, and the jury's due date is past: scores no longer change
refusal-unknown-criterion = criterion `{ $criterion }` is not one of `{ $stage }`'s: { $known }
refusal-missing-criteria = the scores miss the criteria { $missing }
refusal-out-of-scale = the score { $value } for `{ $criterion }` is outside the scale { $min } to { $max }
refusal-not-a-decision = stage `{ $stage }` takes no decision (it has no `outcomes:`)
refusal-unknown-outcome = `{ $outcome }` is not an outcome of `{ $stage }`: { $known }
refusal-unknown-indicator-none = `{ $indicator }` is not an indicator of `{ $stage }` (it has none)
refusal-unknown-indicator = `{ $indicator }` is not an indicator of `{ $stage }`: { $known }
refusal-already-out = `{ $participant }` already left the edition ({ $status })
refusal-nothing-to-postpone = a postponement needs a new `start`, a new `due`, or both
refusal-due-before-start = the new dates end before they start ({ $start } to { $due })
refusal-out-of-order = this event is dated { $at }, before the last recorded one ({ $last }): the log only moves forward; if that one was recorded by mistake, void it (`jalon void`, its number is in `jalon log`)
refusal-edition-closed = the edition was closed on { $at }: nothing more is recorded for it
refusal-void-needs-the-log = a void cancels an event of the recorded log: record it with `jalon void EDITION SEQ`

## Where a stage stands.
state-waiting = waiting for its needs
state-open = open
state-awaiting-validation = awaiting validation since { $since }
state-done = done since { $since }
state-skipped = skipped ({ $reason })

## Why the act does not fit now.
not-now-nothing-to-approve = there is nothing to approve
not-now-nothing-to-refuse = there is nothing to refuse
not-now-nothing-to-measure = nothing can be measured on it
not-now-needs-first = first finish what it needs ({ $needs })
not-now-answer-first = approve or refuse it first
not-now-closed = it cannot change any more
not-now-dates-fixed = its dates can no longer move
refusal-not-assigned = { $person } does not score `{ $participant }` at `{ $stage }`: it is assigned to other jurors
refusal-below-minimum = `{ $participant }` averages { $average }, under the jury's minimum of { $minimum }: they cannot be retained
