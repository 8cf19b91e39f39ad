//! Periodic schedules for Jalon: standard 5-field cron in an edition's time zone, DST-correct.
