import GRDB

/// The store's schema as versioned migrations. A shipped migration is never edited; changes
/// go in a new one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: companies, groups, departments, incidents, timeline, outbox") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2: chat ids groups had before a migration") { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration("v3-hardening: dead letters and the write probe") { db in
            try db.execute(sql: v3Hardening)
        }
        migrator.registerMigration("v3-kpi: company report settings and report indexes") { db in
            try db.execute(sql: v3KPI)
        }
        migrator.registerMigration("v3-people: card versions where an assignment and an episode began") { db in
            try db.execute(sql: v3People)
        }
        migrator.registerMigration("v3-people: when a group was told the bot cannot pin") { db in
            try db.execute(sql: "ALTER TABLE groups ADD COLUMN pin_right_notice_at TEXT")
        }
        migrator.registerMigration("v3-people: people's recent messages, the context of /new_issue") { db in
            try db.execute(sql: v3PeopleRecentMessages)
        }
        migrator.registerMigration("v3-people: photos, documents and locations of reports") { db in
            // JSON arrays of attachments (see IncidentCore.Attachment); empty for plain text.
            try db.execute(sql: """
                ALTER TABLE incidents ADD COLUMN report_attachments TEXT NOT NULL DEFAULT '[]';
                ALTER TABLE recent_messages ADD COLUMN attachments TEXT NOT NULL DEFAULT '[]';
                """)
        }
        migrator.registerMigration("v4-access: company access keys, dashboard sessions, activation codes, department deletion") { db in
            try db.execute(sql: v4Access)
        }
        migrator.registerMigration("v4-dashboard: the key dashboard cookies are signed with") { db in
            try db.execute(sql: v4Dashboard)
        }
        migrator.registerMigration("v4-shifts: shifts, department leads, escalations, personal messages") { db in
            try db.execute(sql: v4Shifts)
        }
        migrator.registerMigration("v4-hardening2: who asked for each notice (flood control per person)") { db in
            try db.execute(sql: v4FloodControlPerPerson)
        }
        migrator.registerMigration("v4-kpi2: report facts kept by triggers") { db in
            try db.execute(sql: KPIFactsSchema.migration)
        }
        return migrator
    }

    /// All timestamps are RFC 3339 UTC text with milliseconds (see `Timestamp`), so they sort
    /// and compare as text.
    static let v1 = """
        CREATE TABLE companies (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX companies_name ON companies(name COLLATE NOCASE);

        CREATE TABLE groups (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            chat_id INTEGER NOT NULL UNIQUE,
            company_id INTEGER REFERENCES companies(id),
            status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'inactive')),
            title TEXT,
            -- the number the next incident of this group gets; numbers are never reused
            next_incident_number INTEGER NOT NULL DEFAULT 1 CHECK (next_incident_number >= 1),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            CHECK (status != 'active' OR company_id IS NOT NULL)
        );

        CREATE TABLE group_managers (
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL,
            PRIMARY KEY (group_id, user_id)
        ) WITHOUT ROWID;

        CREATE TABLE departments (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            company_id INTEGER NOT NULL REFERENCES companies(id),
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
            restricted INTEGER NOT NULL DEFAULT 0 CHECK (restricted IN (0, 1)),
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX departments_name ON departments(company_id, name COLLATE NOCASE);

        -- Telegram users as last seen; handle is normalised (lower case, no @)
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            handle TEXT,
            first_name TEXT NOT NULL,
            last_name TEXT,
            first_seen_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX users_handle ON users(handle) WHERE handle IS NOT NULL;

        -- by user id, or by @handle until that user is first seen
        CREATE TABLE memberships (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            department_id INTEGER NOT NULL REFERENCES departments(id) ON DELETE CASCADE,
            user_id INTEGER,
            pending_handle TEXT,
            created_at TEXT NOT NULL,
            bound_at TEXT,
            CHECK ((user_id IS NULL) != (pending_handle IS NULL))
        );
        CREATE UNIQUE INDEX memberships_user ON memberships(department_id, user_id) WHERE user_id IS NOT NULL;
        CREATE UNIQUE INDEX memberships_handle ON memberships(department_id, pending_handle) WHERE pending_handle IS NOT NULL;
        CREATE INDEX memberships_pending ON memberships(pending_handle) WHERE pending_handle IS NOT NULL;

        CREATE TABLE registered_drivers (
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL,
            registered_at TEXT NOT NULL,
            PRIMARY KEY (group_id, user_id)
        ) WITHOUT ROWID;

        -- ids handed out before the row exists (an incident's id is on its card's buttons)
        CREATE TABLE counters (
            name TEXT PRIMARY KEY,
            value INTEGER NOT NULL
        ) WITHOUT ROWID;
        INSERT INTO counters (name, value) VALUES ('incident_id', 0);

        CREATE TABLE incidents (
            id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL REFERENCES groups(id),
            company_id INTEGER NOT NULL REFERENCES companies(id),
            number INTEGER NOT NULL CHECK (number >= 1),
            reporter_id INTEGER NOT NULL,
            reported_text TEXT NOT NULL,
            reported_message_id INTEGER,
            status TEXT NOT NULL CHECK (status IN ('awaiting_department', 'awaiting_claim',
                'in_progress', 'awaiting_summary', 'resolved', 'closed')),
            -- compare-and-set guard: every accepted decision increments it
            version INTEGER NOT NULL,
            -- what the card's buttons carry: changes only when the card does
            card_version INTEGER NOT NULL,
            department_id INTEGER REFERENCES departments(id),
            picker_open INTEGER NOT NULL DEFAULT 0,
            resolver_id INTEGER,
            resolve_round INTEGER NOT NULL DEFAULT 0,
            summary TEXT,
            summary_deadline TEXT,
            created_at TEXT NOT NULL,
            department_assigned_at TEXT,
            waiting_since TEXT,
            last_nudge_at TEXT,
            reporter_nudged INTEGER NOT NULL DEFAULT 0,
            resolved_at TEXT,
            closed_at TEXT,
            pinned INTEGER NOT NULL DEFAULT 1,
            -- delivery results
            card_message_id INTEGER,
            summary_prompt_message_id INTEGER,
            UNIQUE (group_id, number),
            CHECK (status != 'resolved' OR summary IS NOT NULL),
            CHECK (status != 'awaiting_summary' OR (resolver_id IS NOT NULL AND summary_deadline IS NOT NULL)),
            CHECK (status = 'awaiting_department' OR department_id IS NOT NULL)
        );
        CREATE INDEX incidents_status ON incidents(status);
        CREATE INDEX incidents_prompt ON incidents(group_id, summary_prompt_message_id)
            WHERE summary_prompt_message_id IS NOT NULL;

        CREATE TABLE participations (
            incident_id INTEGER NOT NULL REFERENCES incidents(id),
            seq INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('claimed', 'joined')),
            session_seq INTEGER NOT NULL,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            PRIMARY KEY (incident_id, seq)
        ) WITHOUT ROWID;

        -- one per department assignment, for per-department KPIs after a transfer
        CREATE TABLE department_sessions (
            incident_id INTEGER NOT NULL REFERENCES incidents(id),
            seq INTEGER NOT NULL,
            department_id INTEGER NOT NULL REFERENCES departments(id),
            assigned_at TEXT NOT NULL,
            assigned_by INTEGER,
            first_claimed_at TEXT,
            ended_at TEXT,
            end_reason TEXT CHECK (end_reason IN ('transferred', 'resolved', 'closed')),
            PRIMARY KEY (incident_id, seq)
        ) WITHOUT ROWID;

        CREATE TABLE timeline (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            incident_id INTEGER NOT NULL REFERENCES incidents(id),
            at TEXT NOT NULL,
            actor_id INTEGER,
            kind TEXT NOT NULL CHECK (kind IN ('created', 'department_assigned', 'claimed', 'joined',
                'left', 'resolution_requested', 'resolved', 'resolve_cancelled', 'auto_closed',
                'reopened', 'nudged')),
            detail TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX timeline_incident ON timeline(incident_id, id);
        CREATE TRIGGER timeline_append_only_update BEFORE UPDATE ON timeline
            BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;
        CREATE TRIGGER timeline_append_only_delete BEFORE DELETE ON timeline
            BEGIN SELECT RAISE(ABORT, 'the timeline is append-only'); END;

        -- every inbound Telegram update applied, so a redelivery changes nothing
        CREATE TABLE processed_updates (
            update_id INTEGER PRIMARY KEY,
            processed_at TEXT NOT NULL,
            outcome TEXT NOT NULL
        );

        -- effects waiting to be delivered, written with the state change that caused them
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            group_id INTEGER REFERENCES groups(id),
            -- for chats the store does not keep as groups (private chats)
            chat_id INTEGER,
            incident_id INTEGER REFERENCES incidents(id),
            -- items of one lane (an incident) are delivered one after the other, in order
            lane INTEGER,
            kind TEXT NOT NULL,
            effect TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'done')),
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            sent_at TEXT,
            done_at TEXT,
            result TEXT
        );
        CREATE INDEX outbox_pending ON outbox(id) WHERE state = 'pending';
        CREATE INDEX outbox_open_lane ON outbox(lane, id) WHERE state != 'done' AND lane IS NOT NULL;
        """

    /// A group's earlier chat ids: Telegram upgraded it to a supergroup, but people still press
    /// the buttons of cards in the old group's history, and those presses name the old chat.
    static let v2 = """
        CREATE TABLE chat_migrations (
            old_chat_id INTEGER PRIMARY KEY,
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            migrated_at TEXT NOT NULL
        );
        """

    /// Reports: a company's time zone, week start and SLA thresholds (absent: the defaults
    /// from the settings), and indexes for reading incidents and sessions by time. The
    /// timeline index is partial (resolutions only), so other timeline writes do not pay.
    static let v3KPI = """
        CREATE TABLE company_kpi_settings (
            company_id INTEGER PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
            time_zone TEXT NOT NULL CHECK (length(time_zone) BETWEEN 1 AND 64),
            week_start TEXT NOT NULL CHECK (week_start IN ('monday', 'tuesday', 'wednesday', 'thursday',
                'friday', 'saturday', 'sunday')),
            sla_claim_seconds REAL NOT NULL CHECK (sla_claim_seconds > 0),
            sla_resolve_seconds REAL NOT NULL CHECK (sla_resolve_seconds > 0),
            updated_at TEXT NOT NULL
        );
        CREATE INDEX incidents_company_created ON incidents(company_id, created_at);
        CREATE INDEX department_sessions_assigned ON department_sessions(assigned_at);
        CREATE INDEX department_sessions_ended ON department_sessions(ended_at);
        CREATE INDEX timeline_resolutions ON timeline(incident_id, at) WHERE kind = 'resolved';
        """

    /// Where the current department assignment and the current episode (since creation or the
    /// last reopen) began, in card versions: a press drawn before them means something else now
    /// (see `IncidentMachine.refusal(pressing:drawnFor:on:context:)`). Incidents from before
    /// this migration take their current card version, so their older cards stay refused as
    /// they were.
    static let v3People = """
        ALTER TABLE incidents ADD COLUMN assignment_card_version INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE incidents ADD COLUMN episode_card_version INTEGER NOT NULL DEFAULT 1;
        UPDATE incidents SET assignment_card_version = card_version, episode_card_version = card_version;
        """

    /// A person's group messages of the last few minutes: `/new_issue` without a reply takes the
    /// reporter's last ones as the description. Pruned as new ones arrive.
    static let v3PeopleRecentMessages = """
        CREATE TABLE recent_messages (
            group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
            message_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            text TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (group_id, message_id)
        ) WITHOUT ROWID;
        CREATE INDEX recent_messages_user ON recent_messages(group_id, user_id, message_id);
        """
}

extension Schema {
    /// Flood control per person: the user whose command caused a general notice (help, a
    /// refusal), so that the notices one person caused in a chat recently can be counted.
    static let v4FloodControlPerPerson = """
        ALTER TABLE outbox ADD COLUMN requested_by INTEGER;
        CREATE INDEX outbox_requested_by ON outbox(requested_by, created_at) WHERE requested_by IS NOT NULL;
        """
}
