# Texts of the tests of the mechanism itself.
test-plural = { $count } { $count ->
    [one] validation
   *[other] validations
}
test-hello = Hello { $name }

## The notice to a coordinator that a message will never arrive.
notice-subject = Undelivered message: { $subject }
notice-subject-uncomposed = Undelivered message to { $addressee }
notice-greeting = Hello { $name },
notice-lead = A message from { $programme } could not be delivered and will not be sent again.
notice-to = To: { $addressee }
notice-about = Subject: { $subject }
notice-uncomposed = (the message could not be composed)
notice-reason = The server's reason: { $reason }
notice-reference = Reference: { $key }
notice-advice = Please check the address in the definition of the edition "{ $edition }", and reach the person another way if the message mattered.

## The periodic digest.
digest-subject = { $edition } digest: { $late } late, { $awaiting } awaiting validation
digest-greeting = Hello { $name },
digest-lead = Here is where "{ $edition }" ({ $programme }) stands on { $today }.
digest-late = Late
digest-late-date = due
digest-late-who = waiting for
digest-awaiting = Awaiting validation
digest-awaiting-date = submitted
digest-awaiting-who = waiting for
digest-soon = Due in the next 7 days
digest-soon-date = due
digest-soon-who = by
digest-nothing = Nothing is late or awaiting validation, and nothing falls due in the next 7 days.
digest-workspace = Dashboard: { $url }
digest-footer = Jalon sends this digest automatically; replying does not change it.

## The operator's email about rejected definitions (sent in both languages).
operator-subject = definitions rejected
operator-lead = The changed definitions were rejected; the running version carries on.
operator-trigger = trigger
operator-running = running
operator-none = none

## The notice to the coordination that late messages are held.
held-subject = { $count ->
    [one] One message held
   *[other] { $count } messages held
}: { $edition }
held-lead = { $count ->
    [one] One message of the edition "{ $edition }" is held: it is not sent.
   *[other] { $count } messages of the edition "{ $edition }" are held: they are not sent.
}
held-why = { $count ->
    [one] Its date had already passed when the definition that plans it was saved (a date typed wrong, an edition added late): it would go late, without anyone having seen it.
   *[other] Their dates had already passed when the definition that plans them was saved (a date typed wrong, an edition added late): they would go late, without anyone having seen them.
}
held-item = { $date }: { $kind }, { $about }, to { $to }
held-more = … and { $count } more.
held-release = If these messages should go, ask the operator to release them (jalon release { $edition }); otherwise, to drop them (jalon release { $edition } --drop). Fix the definition first if a date is wrong.

## What a message is, in a list.
kind-stage_opened = stage opening
kind-reminder = reminder
kind-validation_request = validation request
kind-validation_refused = changes requested
kind-escalation = escalation
kind-seminar_invitation = invitation
kind-selection_retained = selection announcement
kind-selection_not_retained = non-selection announcement
kind-decision_notice = decision announcement
kind-application_received = application confirmation
kind-duplicate_application = application to check
kind-validation_approved = approval announcement
kind-invitation_cancelled = invitation cancelled
kind-date_to_fix = date to fix

## The operator told that late messages are held (French, then English).
operator-held-subject = messages held for { $edition }
operator-held = { $count ->
    [one] One message of the edition "{ $edition }" is held: its date had already passed when the definition that plans it came in.
   *[other] { $count } messages of the edition "{ $edition }" are held: their dates had already passed when the definition that plans them came in.
}
operator-held-what = See: jalon outbox { $edition } --status held — release: jalon release { $edition } --by PERSON — drop: jalon release { $edition } --by PERSON --drop

## The notice to the coordination that a changed definition was refused.
rejected-subject = Definition refused: { $edition }
rejected-lead = The changes to the definition of the edition "{ $edition }" were refused: the previous version stays in service, and nothing you changed applies. This is what the check found:
rejected-advice = Fix the file and save it again; it is checked at once.

## The operator told that the relay fails (French, then English).
operator-relay-subject = the SMTP relay fails
operator-relay = The SMTP relay fails: { $reason }. No message counts as failed: they all wait, and the relay is tried again at growing intervals (up to 15 minutes). Check the delivery settings (smtp, password, TLS); the messages go as soon as the relay answers.

## Several alike messages to one person, sent as one email.
grouped-intro = This message brings { $count } together, one per participant: { $names }.
grouped-same = This message is about { $count } participants: { $names }.
grouped-and = and
grouped-others = { $count } { $count ->
    [one] other
   *[other] others
}

## A repeating event in an invitation: “every month from Thursday 16 January to Thursday 19 June 2025, 6 sessions”.
event-series = { $every } from { $first } to { $last }, { $count } sessions
event-every-days = { $n ->
    [one] every day
   *[other] every { $n } days
}
event-every-weeks = { $n ->
    [one] every week
   *[other] every { $n } weeks
}
event-every-months = { $n ->
    [one] every month
   *[other] every { $n } months
}
