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
ws-verb-decide = Decide
ws-verb-record = Record an indicator
ws-verb-withdraw = Withdraw from the programme
ws-verb-close = Close the edition
ws-verb-void = Void a record
ws-verb-select = Selection
ws-verb-score = Jury scores
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
