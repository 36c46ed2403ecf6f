import GRDB

/// Report facts (migration `v4-kpi2`): what the reports read, one row per incident, department
/// session and participation, with times as integer milliseconds since 1970 and what a report
/// would otherwise derive from an incident's earlier sessions (its episode, whether it began
/// with a transfer) already worked out. Rows are clustered by company and time (WITHOUT ROWID,
/// primary key first on `company_id` then the time a report selects on), so a report reads one
/// contiguous range instead of every session since the oldest one still open, and decodes no
/// text per row.
///
/// SQLite triggers keep them: each write of `incidents`, `department_sessions`,
/// `participations` or a `resolved` timeline entry updates them in the same statement, so in
/// the same transaction as the decision; no code path can forget them, and a process dying
/// mid-transaction loses both or neither. The migration back-fills them from the existing
/// tables with the same expressions the triggers use.
///
/// The tables only ever follow the source tables; they are never written directly.
enum KPIFactsSchema {
    /// A stored RFC 3339 text time as milliseconds since 1970 (NULL stays NULL); the same
    /// expression the reports used on the text columns before these tables.
    static func ms(_ column: String) -> String {
        "CAST(round((julianday(\(column)) - 2440587.5) * 86400000) AS INTEGER)"
    }

    /// The columns of `kpi_sessions`, in insert order.
    static let sessionColumns = """
        company_id, assigned_ms, incident_id, seq, group_id, number, created_ms, department_id, episode,
        transferred_in, starts_episode, first_claimed_ms, ended_ms, end_reason, first_claimer_id, resolver_id
        """

    /// The `kpi_sessions` row of the `department_sessions` row `s` (an alias, or `NEW` in a
    /// trigger), joined with its incident `i`:
    /// - episode: the sessions before it that ended resolved or closed;
    /// - transferred in: the one before it ended with a transfer;
    /// - starts an episode: the first session, or the one before it ended resolved or closed;
    /// - first claimer: the first `claimed` participation of the session (participation order);
    /// - resolver: the author of the `resolved` timeline entry at the session's end.
    static func sessionValues(_ s: String) -> String {
        """
        i.company_id, \(ms("\(s).assigned_at")), \(s).incident_id, \(s).seq, i.group_id, i.number, \(ms("i.created_at")),
        \(s).department_id,
        (SELECT count(*) FROM department_sessions p WHERE p.incident_id = \(s).incident_id AND p.seq < \(s).seq
            AND p.end_reason IN ('resolved', 'closed')),
        coalesce((SELECT p.end_reason = 'transferred' FROM department_sessions p
            WHERE p.incident_id = \(s).incident_id AND p.seq = \(s).seq - 1), 0),
        \(s).seq = 0 OR coalesce((SELECT p.end_reason IN ('resolved', 'closed') FROM department_sessions p
            WHERE p.incident_id = \(s).incident_id AND p.seq = \(s).seq - 1), 0),
        \(ms("\(s).first_claimed_at")), \(ms("\(s).ended_at")), \(s).end_reason,
        (SELECT c.user_id FROM participations c WHERE c.incident_id = \(s).incident_id AND c.session_seq = \(s).seq
            AND c.kind = 'claimed' ORDER BY c.seq LIMIT 1),
        CASE WHEN \(s).end_reason = 'resolved' THEN (SELECT t.actor_id FROM timeline t
            WHERE t.incident_id = \(s).incident_id AND t.kind = 'resolved' AND t.at = \(s).ended_at LIMIT 1) END
        """
    }

    static let participationColumns = """
        company_id, session_assigned_ms, incident_id, seq, session_seq, group_id, user_id, claimed, started_ms, ended_ms
        """

    /// The `kpi_participations` row of participation `p`, with its session's fact `f`.
    static func participationValues(_ p: String) -> String {
        """
        f.company_id, f.assigned_ms, \(p).incident_id, \(p).seq, \(p).session_seq, f.group_id, \(p).user_id,
        \(p).kind = 'claimed', \(ms("\(p).started_at")), \(ms("\(p).ended_at"))
        """
    }

    /// Refreshes the facts of session `NEW` and of its participations.
    static let sessionTriggerBody = """
        BEGIN
            DELETE FROM kpi_sessions WHERE incident_id = NEW.incident_id AND seq = NEW.seq;
            INSERT INTO kpi_sessions (\(sessionColumns))
                SELECT \(sessionValues("NEW")) FROM incidents i WHERE i.id = NEW.incident_id;
            DELETE FROM kpi_participations WHERE incident_id = NEW.incident_id AND session_seq = NEW.seq;
            INSERT INTO kpi_participations (\(participationColumns))
                SELECT \(participationValues("p")) FROM participations p
                JOIN kpi_sessions f ON f.incident_id = p.incident_id AND f.seq = p.session_seq
                WHERE p.incident_id = NEW.incident_id AND p.session_seq = NEW.seq;
        END
        """

    /// Refreshes the fact of participation `NEW` (when its session's fact exists; otherwise the
    /// session's trigger writes it) and sets the session's first claimer if it had none.
    static let participationTriggerBody = """
        BEGIN
            DELETE FROM kpi_participations WHERE incident_id = NEW.incident_id AND seq = NEW.seq;
            INSERT INTO kpi_participations (\(participationColumns))
                SELECT \(participationValues("NEW")) FROM kpi_sessions f
                WHERE f.incident_id = NEW.incident_id AND f.seq = NEW.session_seq;
            UPDATE kpi_sessions SET first_claimer_id = NEW.user_id
                WHERE NEW.kind = 'claimed' AND incident_id = NEW.incident_id AND seq = NEW.session_seq
                AND first_claimer_id IS NULL;
        END
        """

    static var migration: String {
        """
        CREATE TABLE kpi_incidents (
            company_id INTEGER NOT NULL,
            created_ms INTEGER NOT NULL,
            id INTEGER NOT NULL,
            group_id INTEGER NOT NULL,
            number INTEGER NOT NULL,
            PRIMARY KEY (company_id, created_ms, id)
        ) WITHOUT ROWID;

        CREATE TABLE kpi_sessions (
            company_id INTEGER NOT NULL,
            assigned_ms INTEGER NOT NULL,
            incident_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            group_id INTEGER NOT NULL,
            number INTEGER NOT NULL,
            -- the incident's creation
            created_ms INTEGER NOT NULL,
            department_id INTEGER NOT NULL,
            episode INTEGER NOT NULL,
            transferred_in INTEGER NOT NULL,
            starts_episode INTEGER NOT NULL,
            first_claimed_ms INTEGER,
            ended_ms INTEGER,
            end_reason TEXT,
            first_claimer_id INTEGER,
            resolver_id INTEGER,
            -- what a report reads of the above in one column: episode * 64 + end * 4 +
            -- transferred_in * 2 + starts_episode, end 0 open, 1 transferred, 2 resolved, 3 closed
            flags INTEGER GENERATED ALWAYS AS (episode * 64 + (CASE end_reason WHEN 'transferred' THEN 1
                WHEN 'resolved' THEN 2 WHEN 'closed' THEN 3 ELSE 0 END) * 4 + transferred_in * 2 + starts_episode) STORED,
            PRIMARY KEY (company_id, assigned_ms, incident_id, seq)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX kpi_sessions_key ON kpi_sessions(incident_id, seq);
        -- sessions still open or ending after a time: those open at a span's start
        CREATE INDEX kpi_sessions_ended ON kpi_sessions(company_id, ended_ms);

        CREATE TABLE kpi_participations (
            company_id INTEGER NOT NULL,
            session_assigned_ms INTEGER NOT NULL,
            incident_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            session_seq INTEGER NOT NULL,
            group_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            claimed INTEGER NOT NULL,
            started_ms INTEGER NOT NULL,
            ended_ms INTEGER,
            PRIMARY KEY (company_id, session_assigned_ms, incident_id, seq)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX kpi_participations_key ON kpi_participations(incident_id, session_seq, seq);

        CREATE TRIGGER kpi_incidents_insert AFTER INSERT ON incidents BEGIN
            INSERT OR REPLACE INTO kpi_incidents (company_id, created_ms, id, group_id, number)
                VALUES (NEW.company_id, \(ms("NEW.created_at")), NEW.id, NEW.group_id, NEW.number);
        END;
        CREATE TRIGGER kpi_sessions_insert AFTER INSERT ON department_sessions \(sessionTriggerBody);
        CREATE TRIGGER kpi_sessions_update AFTER UPDATE ON department_sessions \(sessionTriggerBody);
        CREATE TRIGGER kpi_participations_insert AFTER INSERT ON participations \(participationTriggerBody);
        CREATE TRIGGER kpi_participations_update AFTER UPDATE ON participations \(participationTriggerBody);
        CREATE TRIGGER kpi_resolver AFTER INSERT ON timeline WHEN NEW.kind = 'resolved' BEGIN
            UPDATE kpi_sessions SET resolver_id = NEW.actor_id
                WHERE incident_id = NEW.incident_id AND end_reason = 'resolved' AND ended_ms = \(ms("NEW.at"))
                AND resolver_id IS NULL;
        END;

        INSERT INTO kpi_incidents (company_id, created_ms, id, group_id, number)
            SELECT company_id, \(ms("created_at")), id, group_id, number FROM incidents;
        INSERT INTO kpi_sessions (\(sessionColumns))
            SELECT \(sessionValues("s")) FROM department_sessions s JOIN incidents i ON i.id = s.incident_id;
        INSERT INTO kpi_participations (\(participationColumns))
            SELECT \(participationValues("p")) FROM participations p
            JOIN kpi_sessions f ON f.incident_id = p.incident_id AND f.seq = p.session_seq;
        """
    }
}
