//! The clock is injected: the daemon reads the system's, `--at` fixes one,
//! and tests shift the system's to stand after a due instant without
//! waiting for it. Nothing below the shells calls `Timestamp::now()`.

use jiff::{SignedDuration, Timestamp};

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// The real time.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// Always the same instant: a command run "as if it were" `--at`.
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

/// The real time moved by a fixed amount (tests of the daemon).
#[derive(Clone, Copy, Debug)]
pub struct ShiftedClock(pub SignedDuration);

impl Clock for ShiftedClock {
    fn now(&self) -> Timestamp {
        let real = Timestamp::now();
        real.checked_add(self.0).unwrap_or(real)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shifted_clock_runs_ahead_by_its_shift_and_a_fixed_one_stands_still() {
        let hour = SignedDuration::from_hours(1);
        let shifted = ShiftedClock(hour).now();
        let real = SystemClock.now();
        let ahead = real.duration_until(shifted);
        assert!(
            ahead > SignedDuration::from_mins(59) && ahead <= hour,
            "{ahead}"
        );
        let at: Timestamp = "2025-01-09T09:00:00Z".parse().expect("an instant");
        assert_eq!(FixedClock(at).now(), at);
        assert_eq!(FixedClock(at).now(), at);
    }
}
