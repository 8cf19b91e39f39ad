//! Jalon's messages: templates rendered to RFC 5322 emails with iCalendar invites.
