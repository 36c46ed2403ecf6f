extension Schema {
    /// Secrets the dashboard keeps across restarts: the key its cookies are signed with, made
    /// once at random (see `IncidentStore.dashboardSigningSecret`).
    static let v4Dashboard = """
        CREATE TABLE dashboard_secrets (
            name TEXT PRIMARY KEY,
            value BLOB NOT NULL CHECK (length(value) >= 32),
            created_at TEXT NOT NULL
        ) WITHOUT ROWID;
        """
}
