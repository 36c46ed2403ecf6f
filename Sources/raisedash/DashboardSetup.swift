import Dashboard
import IncidentService
import RaiseDashConfig

/// The dashboard the incident service serves next to the admin API.
func makeDashboard(_ role: IncidentsRole, _ settings: Settings) -> Dashboard {
    Dashboard(store: role.store, platformKey: settings.adminAPIToken, logger: role.logger)
}
