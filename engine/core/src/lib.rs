//! The pure core of Jalon: definition + events + instant -> state and due actions.
