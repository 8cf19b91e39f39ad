# Calls for applications: the public form, its pages, and what the workspace shows of them.
call-title = Apply to “{ $edition }”
call-title-short = Call for applications
call-programme = { $programme } — { $edition }
call-closes-at = { $date } at { $time }
call-closes-day = { $date } (included)
call-open-until = Applications are open until { $closes }.
call-not-yet = The call for applications is not open yet.
call-not-yet-date = The call for applications opens on { $opens }.
call-closed = The call for applications closed on { $closes }.
call-required-note = Every field is required, except those marked “optional”.
call-optional = (optional)
call-section-project = The project
call-section-questions = Questions
call-section-contact = Who to contact
call-field-name = Project name
call-field-organisation = Organisation
call-field-description = Description of the project
call-field-theme = Theme
call-field-contact_name = Full name
call-field-contact_email = Email address
call-hint-length = { $max } characters at most.
call-hint-contact-email = The confirmation and the link to change your application are sent there.
call-hint-number = A whole number.
call-hint-date = For example 2025-03-07.
call-hint-url = A full address, starting with https://
call-choose = Choose an answer
call-yes = Yes
call-no = No
call-honeypot = Leave this field empty.
call-submit = Send my application
call-save = Save the changes
call-errors = { $count ->
    [one] The form has one error: nothing was sent.
   *[other] The form has { $count } errors: nothing was sent.
}
call-error-prefix = Error:
call-error-missing = fill in this field.
call-error-too-long = write { $max } characters at most.
call-error-not-a-number = write a whole number.
call-error-too-small = write a number of at least { $min }.
call-error-too-large = write a number of at most { $max }.
call-error-not-a-choice = choose one of the answers offered.
call-error-not-an-address = write a full web address, starting with https://
call-error-not-a-date = write a date, for example 2025-03-07.
call-error-not-an-email = write an email address such as name@example.org.
call-error-unknown-question = the call asks no such question.
call-received-title = Application recorded
call-received = Thank you. Your application “{ $name }” is recorded.
call-received-email = A confirmation is on its way to { $email }. It holds a personal link to change your application until { $closes }.
call-amended-title = Application changed
call-amended = Your changes are recorded. A confirmation is on its way to { $email }.
call-refused-title = Application not recorded
call-too-many-title = Too many sent
call-too-many = Too many applications came from this address in a short time. Try again in a quarter of an hour.
call-your-application = Your application
call-read-only = Your application can no longer change. Here it is as it was sent.
call-unknown-title = Unknown link
call-unknown = This link matches no application. Check that it is complete, as in the confirmation email.
call-no-call-title = No call for applications
call-no-call = This programme has no call for applications open at this address.
call-other-language = Version française
call-same-organisation = same organisation
call-same-contact = same email address
call-ws-heading = Applications
call-ws-count = { $count ->
    [0] No application received.
    [one] One application received.
   *[other] { $count } applications received.
}
call-ws-form = Public form
call-ws-look-alike = Looks like { $other }: { $same }
call-ws-application = Application
call-ws-versions = { $count ->
    [one] Sent on { $at }.
   *[other] { $count } versions, the last on { $at }.
}
