# The workspace's pages: sign-in, what awaits the person, editions,
# participants, messages, the audit trail and the actions.

## Sign-in.
ws-sign-in-title = Sign in
ws-sign-in-lead = Enter your email address: we send you a sign-in link, valid for 15 minutes and usable once. No password needed.
ws-sign-in-address = Email address
ws-sign-in-send = Send me the link
ws-sign-in-not-an-address = This address is incomplete: write it as name@example.org.
ws-sign-in-too-many = Too many link requests in a short time. Try again in a quarter of an hour, or use the last link you received.
ws-sign-in-sent-title = Check your inbox
ws-sign-in-sent = If { $email } belongs to someone in the programme, a sign-in link has just been sent to it.
ws-sign-in-sent-what = It is valid for 15 minutes and works once. Nothing came? Look in your spam folder, then ask again.
ws-sign-in-again = Ask for a new link
ws-form-expired-title = Form expired
ws-form-expired = This form has expired or does not come from this site. Nothing was recorded: reload the page and start again.
ws-link-title = Sign in
ws-link-lead = To open your workspace, confirm the sign-in.
ws-link-button = Sign me in
ws-link-unknown-title = Unknown link
ws-link-unknown = This sign-in link is not valid: it may have been copied wrongly.
ws-link-used-title = Link already used
ws-link-used = This sign-in link has been used already. Each link works once.
ws-link-expired-title = Link expired
ws-link-expired = This sign-in link was valid for 15 minutes, and they have passed.
ws-link-nobody-title = Access closed
ws-link-nobody = This address is no longer in the programmes run here. Contact the programme's coordination.
ws-trouble-title = Unavailable
ws-trouble = This page cannot be shown right now. Nothing was recorded; try again in a few minutes.
ws-sign-out = Sign out
ws-home = Home

## The sign-in email.
ws-mail-subject = Your sign-in link to { $programme }
ws-mail-body =
    Hello { $name },

    To open your workspace of the programme { $programme }, follow this link within 15 minutes:

    { $url }

    The link works once. If you did not ask for it, ignore this message: nobody can sign in without it.

## What awaits the person, and the editions.
ws-hello = Hello { $name }
ws-waiting-title = Waiting for you
ws-nothing-waiting = Nothing is waiting for you right now.
ws-running = running
ws-upcoming = upcoming
ws-closed = over
ws-running-editions = Running editions
ws-upcoming-editions = Upcoming editions
ws-closed-editions = Past editions
ws-window = from { $start } to { $due }
ws-on-day = on { $date }
ws-planned = planned { $window }
ws-to-be-fixed = dates to be fixed
ws-held = { $count ->
    [one] One message held for "{ $edition }": to let go or to drop
   *[other] { $count } messages held for "{ $edition }": to let go or to drop
}
ws-failed = { $count ->
    [one] One message of "{ $edition }" could not be delivered
   *[other] { $count } messages of "{ $edition }" could not be delivered
}
ws-not-found-title = Page not found
ws-not-found = This page does not exist, or it is not open to you.
ws-edition-closed = Edition closed on { $at }: { $reason }
ws-counts = { $count } in all: { $open } open, { $awaiting } to validate, { $done } done, { $late } late
ws-more = { $count ->
    [one] … and one more, on the edition’s page.
   *[other] … and { $count } more, on the edition’s page.
}
ws-edition-pages = The edition’s pages
ws-edition-acts = Acts on the edition
ws-timeline = Timeline
ws-stages = Stages
ws-participants = Participants
ws-stage = Stage
ws-participant = Participant
ws-indicators = Indicators
ws-indicator = Indicator
ws-target = Target
ws-recorded = Recorded

## States.
ws-life-waiting = waiting for earlier stages
ws-life-scheduled = scheduled
ws-life-open = open
ws-life-awaiting = to validate
ws-life-done = done
ws-life-skipped = not applicable
ws-life-not-recorded = not recorded (edition closed)
ws-late = late
ws-done-on = done on { $at }
ws-awaits = awaits the validation of { $who }
ws-awaits-you = awaits your validation
ws-awaits-you-and = awaits your validation and that of { $who }
ws-changes-asked = changes asked by { $who }: "{ $comment }"
ws-status-candidate = candidate
ws-status-shortlisted = shortlisted
ws-status-laureate = laureate
ws-status-not-retained = not retained
ws-status-withdrawn = withdrawn

## Messages and the audit trail.
ws-messages-title = Messages
ws-journal-title = Audit trail
ws-no-messages = No message.
ws-no-events = Nothing is recorded.
ws-newest-only = The { $shown } newest of { $count }.
ws-when = When
ws-what = What
ws-to = To
ws-who = Who
ws-channel = Through
ws-delivery = Delivery
ws-attempts = Delivery attempts
ws-filter = Filter
ws-void-this = Void this record
ws-voided = voided
ws-delivery-pending = to send
ws-delivery-retry = to try again
ws-delivery-held = held
ws-delivery-sent = sent
ws-delivery-failed = not delivered
ws-delivery-expired = expired
ws-kind-stage-opened = Stage opened
ws-kind-reminder = Reminder
ws-kind-validation-request = Validation request
ws-kind-validation-refused = Changes asked
ws-kind-escalation = Escalation
ws-kind-seminar-invitation = Invitation
ws-kind-seminar-invitation-update = Invitation, new date
ws-kind-selection-retained = Selection: retained
ws-kind-selection-not-retained = Selection: not retained
ws-kind-decision-notice = Decision
ws-kind-application-received = Application received
ws-kind-duplicate-application = Application to check
ws-kind-validation-approved = Approved
ws-kind-invitation-cancelled = Invitation cancelled
ws-kind-date-to-fix = Date to fix
ws-kind-digest = Digest
ws-kind-delivery-failure = Delivery failure
ws-kind-held = Held messages
ws-kind-reload-rejected = Definition refused
ws-channel-cli = the operator (command line)
ws-channel-link = email link
ws-channel-api = API
ws-channel-script = simulation
ws-channel-import = import
ws-channel-web = web workspace

## Actions.
ws-verb-complete = Mark as done
ws-verb-approve = Approve
ws-verb-refuse = Ask for changes
ws-verb-postpone = Postpone
ws-verb-adjourn = Adjourn to the next session
ws-verb-decide = Decide
ws-verb-record = Record an indicator
ws-verb-withdraw = Withdraw from the programme
ws-verb-close = Close the edition
ws-verb-void = Void a record
ws-verb-select = Selection
ws-verb-score = Jury scores
ws-verb-apply = Application
ws-verb-amend = Application changed
ws-verb-release = Release of held messages
ws-verb-retry = New delivery attempt
ws-field-comment-optional = Comment (optional)
ws-field-changes = Changes asked (required)
ws-field-new-start = New start (optional)
ws-field-new-due = New due date
ws-field-reason = Reason
ws-field-outcome = Decision
ws-field-value = Value recorded
ws-field-seq = Number of the record to void
ws-current-window = Current dates: { $window }.
ws-void-where = Each record’s number is in the first column of the journal:
ws-see-before = See what will be sent
ws-confirm = Confirm
ws-cancel = Cancel
ws-recap-comment = Comment
ws-recap-changes = Changes asked for
ws-recap-start = New start
ws-recap-due = New due date
ws-recap-reason = Reason
ws-recap-outcome = Decision
ws-recap-indicator = Indicator
ws-recap-value = Value recorded
ws-recap-seq = Record to void
ws-preview-lead = Check before confirming: nothing is recorded yet.
ws-preview-moves = What changes
ws-preview-no-message = No message goes out at once.
ws-preview-messages = { $count ->
    [one] The message that will go out
   *[other] The { $count } messages that will go out
}
ws-preview-withdrawn = { $count ->
    [one] One planned message will not go out.
   *[other] { $count } planned messages will not go out.
}
ws-refused = Not recorded: { $reason }
ws-error-too-long = The text is too long (5,000 characters at most).
ws-error-date = "{ $value }" is not a date (YYYY-MM-DD).
ws-error-changes-needed = Say which changes you ask for.
ws-error-due-needed = Give the new due date.
ws-error-reason-needed = Give the reason.
ws-error-outcome-needed = Choose the decision.
ws-error-indicator-needed = Choose the indicator.
ws-error-value-needed = Give the value recorded.
ws-error-seq-needed = Give the record's number, as the audit trail shows it.

## Handing in deliverables
hand-in-title = Hand in { $stage }
hand-in-due = Due: { $due }.
hand-in-changes = { $who } asked for changes on { $at }: { $comment }
hand-in-earlier = Already handed in
hand-in-version = Version { $round }, handed in on { $at } by { $by }
hand-in-takes = { $kinds }. { $min ->
    [0] Optional, up to { $max } pieces
    [one] { $max ->
        [one] One piece
       *[other] One to { $max } pieces
    }
   *[other] { $min } to { $max } pieces
  }, { $size } at most per file.
hand-in-kind-pdf = PDF
hand-in-kind-office = Word, Excel, PowerPoint or OpenDocument
hand-in-kind-image = image (PNG, JPEG, GIF, WebP)
hand-in-kind-link = link to an online document
hand-in-files = Files (you may choose several)
hand-in-link = Or the address of an online document
hand-in-link-only = Address of the online document
hand-in-comment = A comment (optional)
hand-in-comment-validators = A word for the validators (optional)
hand-in-submit = Hand in
hand-in-back = Back to the participant’s page
hand-in-problems = Nothing was handed in. To correct:
hand-in-refused-title = Hand-in refused
hand-in-busy-title = Try again in a minute
hand-in-busy = Several hand-ins are being sent. Nothing was recorded: try again in a minute.
hand-in-expired-title = Link expired
hand-in-expired = This hand-in link has expired. Nothing was recorded. Sign in to your workspace to hand in your work, or write to the programme’s coordination.
hand-in-done-title = Work handed in
hand-in-done = Thank you: your hand-in for { $stage } is recorded (no. { $seq }).
hand-in-done-validation = The validators are told by email. If they ask for changes, you will receive an email and can hand in a new version.
hand-in-done-finished = The stage is done.
hand-in-not-now-title = Nothing to hand in for now
hand-in-not-now-awaiting = The work handed in on { $at } awaits validation. If changes are asked for, you can hand in a new version here.
hand-in-not-now-done = This stage is done: there is nothing more to hand in.
hand-in-not-now-closed = The edition is closed: nothing more is recorded.
hand-in-not-now = This stage does not await a hand-in for now.
hand-in-problem-empty = the file “{ $name }” is empty
hand-in-problem-too-large = the file “{ $name }” is larger than { $limit }
hand-in-problem-unrecognised = “{ $name }” is neither a PDF, nor an office document, nor an image (its content: { $seen })
hand-in-problem-bomb = “{ $name }” unpacks to an abnormal size: it is refused
hand-in-problem-damaged = “{ $name }” is damaged and cannot be read
hand-in-problem-not-accepted = “{ $name }” is a { $kind } file, which “{ $deliverable }” does not accept
hand-in-problem-link-not-accepted = “{ $deliverable }” takes no link: attach a file
hand-in-problem-bad-link = “{ $url }” is not a web address (it starts with https://)
hand-in-problem-too-few = “{ $deliverable }” needs at least { $min ->
    [one] one piece
   *[other] { $min } pieces
  }
hand-in-problem-too-many = “{ $deliverable }” takes at most { $max ->
    [one] one piece
   *[other] { $max } pieces
  } ({ $given } given)
hand-in-problem-hand-in-too-large = the files together weigh more than { $limit }: send the heaviest as a link
hand-in-problem-edition-full = the edition’s document space is full: write to the programme’s coordination
hand-in-problem-unknown = the form no longer matches the stage: reload the page
hand-in-problem-nothing = choose at least one file, or give an address
hand-in-problem-too-many-parts = the form has too many fields
hand-in-problem-malformed = the form arrived incomplete: try again
ws-verb-hand-in = Hand in
ws-handed = Version { $round } handed in on { $at }:
hand-in-seen-html = a web page (HTML)
hand-in-seen-svg = an SVG image, which may hold code
hand-in-seen-xml = XML
hand-in-seen-script = a script
hand-in-seen-text = plain text
hand-in-seen-program = a program
hand-in-seen-archive = an archive
hand-in-seen-image = an image in an unsupported format
hand-in-seen-media = sound or video
hand-in-seen-other = an unknown format
ws-field-retain = The candidates retained
ws-error-retain-needed = Tick at least one candidate to retain.
ws-average = average { $average }
ws-recap-retained = Retained
ws-verb-jury = Jury scores
ws-jury-not-yet = This jury has not opened yet.
ws-jury-until = Scores can be given and changed until { $due } included.
ws-jury-closed = The jury is closed (due { $due }): scores no longer change.
ws-jury-mine = Your candidates to score
ws-jury-count = { $count ->
    [one] One candidate is assigned to you
   *[other] { $count } candidates are assigned to you
  }{ $missing ->
    [0] , all scored.
    [one] ; one is still to score.
   *[other] ; { $missing } are still to score.
  }
ws-jury-scored = Scored on { $at }
ws-jury-to-score = To score
ws-jury-criterion = { $title } (weight { $weight }, { $min } to { $max })
ws-jury-save = Save my scores
ws-jury-change = Change my scores
ws-jury-ranking = Ranking
ws-jury-no-scores = No scores yet.
ws-jury-minimum = Lowest average to be retained: { $minimum }.
ws-jury-rank = Rank
ws-jury-candidate = Candidate
ws-jury-average = Weighted average
ws-jury-scores = Scores
ws-jury-spread = Spread between jurors
ws-jury-tie = tie
ws-jury-below = below the minimum
ws-jury-progress = Scoring progress
ws-jury-juror = { $name }: { $given } of { $count ->
    [one] one candidate
   *[other] { $count } candidates
  }
ws-jury-not-a-number = “{ $value }” is not a score: write a whole number.
ws-field-reason-left-out = Reason if “{ $name }” is not retained (optional, sent to the candidate)

# The columns and words of `jalon export --format csv`.
export-column-stage = Stage
export-column-participant = Participant
export-column-state = State
export-column-late = Late
export-column-start = Start
export-column-due = Due
export-column-done_at = Done on
export-column-outcome = Decision
export-column-approvals = Approvals
export-column-refusals = Changes asked
export-column-scores = Jury scores
export-column-indicators = Indicators
export-column-handed_in = Handed in
export-yes = yes
export-no = no

# The participants' amounts (`jalon export --format participants-csv`, `jalon plan`).
export-column-status = Status
export-column-grant = Grant
export-column-prize = Prize
export-column-amount = Total
export-awarded = Total awarded (not counting those not retained or withdrawn)
export-budget = Budget
export-budget-left = Budget left
plan-budget = Budget: { $budget } — awarded: { $awarded }
plan-awarded = Awarded: { $awarded }
