extension Schema {
    /// Access to the admin API and the dashboard (docs/access.md):
    /// - company access keys, stored as a bcrypt hash with a non-secret lookup prefix, so a
    ///   login costs one bcrypt verification, not one per key;
    /// - dashboard sessions, stored as the SHA-256 of their token;
    /// - one-time group activation codes, stored as the SHA-256 of the code;
    /// - departments deleted with their history kept (`deleted_at`): a deleted department's
    ///   name may be used again, so its uniqueness index becomes partial;
    /// - who added the bot to a pending group (a company sees the pending groups its own people
    ///   added) and whether a company manager denied it.
    static let v4Access = """
        CREATE TABLE access_keys (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            company_id INTEGER NOT NULL REFERENCES companies(id),
            label TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 100),
            -- the first characters of the key after rdk_: not secret, unique, finds the row
            lookup TEXT NOT NULL UNIQUE,
            secret_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_used_at TEXT,
            revoked_at TEXT
        );
        CREATE INDEX access_keys_company ON access_keys(company_id, id);

        CREATE TABLE dashboard_sessions (
            token_hash TEXT PRIMARY KEY,
            -- NULL: the platform scope (ADMIN_API_TOKEN)
            company_id INTEGER REFERENCES companies(id),
            key_id INTEGER REFERENCES access_keys(id),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            ended_at TEXT
        ) WITHOUT ROWID;
        CREATE INDEX dashboard_sessions_key ON dashboard_sessions(key_id) WHERE key_id IS NOT NULL;

        CREATE TABLE activation_codes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            company_id INTEGER NOT NULL REFERENCES companies(id),
            code_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            used_chat_id INTEGER,
            used_by INTEGER
        );
        CREATE INDEX activation_codes_company ON activation_codes(company_id, id);

        ALTER TABLE departments ADD COLUMN deleted_at TEXT;
        DROP INDEX departments_name;
        CREATE UNIQUE INDEX departments_live_name ON departments(company_id, name COLLATE NOCASE)
            WHERE deleted_at IS NULL;

        ALTER TABLE groups ADD COLUMN added_by INTEGER;
        ALTER TABLE groups ADD COLUMN denied_at TEXT;
        """
}
