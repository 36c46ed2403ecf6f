extension Schema {
    /// Updates that could never be applied, kept for an operator (see
    /// `IncidentStore.recordDeadLetter`), and a one-row table the readiness probe writes to.
    static let v3Hardening = """
        CREATE TABLE dead_letters (
            update_id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL,
            -- the update as the incident service received it (InboundUpdate as JSON)
            update_json TEXT NOT NULL,
            -- a short, stable reason: the store error's code or 'deferred'
            reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 200),
            attempts INTEGER NOT NULL CHECK (attempts >= 1),
            first_failed_at TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX dead_letters_recorded ON dead_letters(recorded_at);

        CREATE TABLE write_probe (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            written_at TEXT NOT NULL
        );
        """
}
