//! The schema and its migrations, applied in order on open. `user_version`
//! says how far a file is; `application_id` says it is ours.

/// "JALN".
pub const APPLICATION_ID: i64 = 0x4A41_4C4E;

/// Each migration, in order; the schema version is their count.
pub const MIGRATIONS: &[&str] = &[
    // 1: the event log, the outbox and its delivery attempts.
    "CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        edition TEXT NOT NULL,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        channel TEXT NOT NULL,
        verb TEXT NOT NULL,
        body TEXT NOT NULL,
        version TEXT NOT NULL,
        recorded_at TEXT NOT NULL
    );
    CREATE INDEX events_by_edition ON events (edition, seq);
    CREATE TABLE outbox (
        key TEXT PRIMARY KEY,
        edition TEXT NOT NULL,
        kind TEXT NOT NULL,
        due_at TEXT NOT NULL,
        expires_at TEXT,
        recipient TEXT NOT NULL,
        action TEXT NOT NULL,
        enqueued_by INTEGER REFERENCES events (seq),
        enqueued_at TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending'
            CHECK (status IN ('pending', 'sent', 'failed', 'expired'))
    ) WITHOUT ROWID;
    CREATE INDEX outbox_by_edition ON outbox (edition, due_at);
    CREATE TABLE attempts (
        key TEXT NOT NULL REFERENCES outbox (key),
        at TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT
    );
    CREATE INDEX attempts_by_key ON attempts (key);",
    // 2: retries: how many attempts a message has had, and when to try again.
    "ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN retry_at TEXT;",
    // 3: validation links. Only the SHA-256 of a token is kept, so a copy of
    // the database does not hand out working links. `used_at` and `seq` are
    // set together, in the transaction that records the answer.
    "CREATE TABLE links (
        token_hash TEXT PRIMARY KEY,
        edition TEXT NOT NULL,
        action_key TEXT NOT NULL,
        person TEXT NOT NULL,
        stage TEXT NOT NULL,
        participant TEXT,
        round INTEGER NOT NULL,
        answers TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        answer TEXT,
        seq INTEGER REFERENCES events (seq)
    ) WITHOUT ROWID;
    CREATE INDEX links_by_edition ON links (edition);",
    // 4: the dispatcher reads only what is still to deliver.
    "CREATE INDEX outbox_pending ON outbox (edition, due_at) WHERE status = 'pending';",
    // 5: every definition version an edition ran under, with its files, so
    // that its record never depends on a file still being there.
    "CREATE TABLE definitions (
        edition TEXT NOT NULL,
        version TEXT NOT NULL,
        sources TEXT NOT NULL,
        archived_at TEXT NOT NULL,
        PRIMARY KEY (edition, version)
    ) WITHOUT ROWID;",
    // 6: messages held back because they would have gone late by surprise
    // (a definition that came in with dates already past): still pending,
    // but not delivered until someone releases or drops them.
    "ALTER TABLE outbox ADD COLUMN held_at TEXT;",
    // 7: the workspace's sign-in links and sessions. As for validation
    // links, only the SHA-256 of a token is kept. A session belongs to an
    // email address: what the person proved they read; what it may see is
    // worked out from the running definitions at each request.
    "CREATE TABLE sign_ins (
        token_hash TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    ) WITHOUT ROWID;
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        started_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        ended_at TEXT
    ) WITHOUT ROWID;
    CREATE INDEX sessions_by_email ON sessions (email);",
    // 8: handed-in files, once per edition and checksum, written with the
    // event that hands them in. A rowid table: SQLite advises against
    // WITHOUT ROWID for rows this large.
    "CREATE TABLE documents (
        edition TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        media_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        content BLOB NOT NULL,
        stored_at TEXT NOT NULL,
        UNIQUE (edition, sha256)
    );",
    // 9: a snapshot of each edition's state, so that loading folds only
    // the events after it. A cache: dropping a row only costs a longer
    // load. The bytes say their own format; `version` is the definition's.
    // Releases are found without reading the log (a partial index: only
    // releases are in it, so appends do not pay for it).
    "CREATE TABLE snapshots (
        edition TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        version TEXT NOT NULL,
        body BLOB NOT NULL,
        taken_at TEXT NOT NULL
    );
    CREATE INDEX events_releases ON events (edition, version) WHERE verb = 'release';",
    // 10: who followed several editions at the last pass over the whole
    // set (one row, addresses one per line), so that a restart can serve
    // the editions with messages waiting before the others are checked and
    // still compose their subjects as before the stop.
    "CREATE TABLE readers_of_several (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        addresses TEXT NOT NULL,
        kept_at TEXT NOT NULL
    );",
];
