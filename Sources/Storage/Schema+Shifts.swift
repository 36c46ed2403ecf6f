extension Schema {
    /// Weekly shifts per (department, group, person) in the company's time zone (see
    /// IncidentShifts), the lead flag of memberships, a company's escalation ladder, the
    /// escalation steps taken (once per waiting episode: the incident's `waiting_since` when
    /// the step was taken), shift starts already announced, and people's private chats with
    /// the bot (personal messages on or off).
    static let v4Shifts = """
        CREATE TABLE shifts (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            department_id INTEGER NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL CHECK (user_id > 0),
            -- 1 = Monday ... 7 = Sunday; the day the shift starts
            weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
            -- minutes after local midnight; an end at or before the start is the next day
            start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
            end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 0 AND 1439 AND end_minute != start_minute),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX shifts_group ON shifts(group_id, department_id);
        CREATE INDEX shifts_department ON shifts(department_id);

        -- one row per shift occurrence whose person was pinged about waiting incidents
        CREATE TABLE shift_pings (
            shift_id INTEGER NOT NULL REFERENCES shifts(id) ON DELETE CASCADE,
            occurrence_start TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (shift_id, occurrence_start)
        ) WITHOUT ROWID;

        ALTER TABLE memberships ADD COLUMN lead INTEGER NOT NULL DEFAULT 0 CHECK (lead IN (0, 1));

        CREATE TABLE company_escalation_settings (
            company_id INTEGER PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
            escalate_after_seconds REAL NOT NULL CHECK (escalate_after_seconds > 0),
            direct_after_seconds REAL NOT NULL CHECK (direct_after_seconds > 0),
            -- the group reminder's period; NULL: SLA_UNCLAIMED_NUDGE_MINUTES
            reminder_seconds REAL CHECK (reminder_seconds IS NULL OR reminder_seconds > 0),
            updated_at TEXT NOT NULL
        );

        CREATE TABLE escalations (
            incident_id INTEGER NOT NULL REFERENCES incidents(id),
            waiting_since TEXT NOT NULL,
            step TEXT NOT NULL CHECK (step IN ('leads', 'direct')),
            at TEXT NOT NULL,
            PRIMARY KEY (incident_id, waiting_since, step)
        ) WITHOUT ROWID;

        -- a person who sent /start to the bot in private; off by /notify off or by blocking the bot
        CREATE TABLE direct_chats (
            user_id INTEGER PRIMARY KEY,
            enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
            off_reason TEXT CHECK (off_reason IN ('opted_out', 'blocked')),
            started_at TEXT NOT NULL,
            changed_at TEXT NOT NULL
        );
        """
}
