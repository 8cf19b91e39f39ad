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
digest-footer = Jalon sends this digest automatically; replying does not change it.

## The operator's email about rejected definitions (sent in both languages).
operator-subject = definitions rejected
operator-lead = The changed definitions were rejected; the running version carries on.
operator-trigger = trigger
operator-running = running
operator-none = none
