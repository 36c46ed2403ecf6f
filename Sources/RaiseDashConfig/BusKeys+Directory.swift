import Foundation

/// `raisedash up` with keys: one directory written by `raisedash keys generate`
/// (RAISEDASH_CURVE_KEYS_DIR), from which each child gets its own role's files.
extension BusKeys {
    static let directoryVariable = "RAISEDASH_CURVE_KEYS_DIR"

    /// The `RAISEDASH_CURVE_*` variables that give `role` its keys from `directory`, with the
    /// file names `raisedash keys generate` writes.
    public static func environment(for role: Role, directory: String) -> [String: String] {
        let path = { (name: String) in URL(fileURLWithPath: directory).appendingPathComponent(name).path }
        var environment = [secretVariable: path("\(role.rawValue).key_secret")]
        switch role {
        case .gateway, .sender:
            environment[incidentsVariable] = path("incidents.key")
        case .incidents:
            environment[allowedVariable] = path("incidents.allowed")
            environment[schedulerVariable] = path("scheduler.key")
        case .scheduler:
            environment[allowedVariable] = path("scheduler.allowed")
        }
        return environment
    }

    /// Reads every role's files from `directory` as that role would, so that a missing or bad
    /// file stops `raisedash up` at start with one line, instead of a child failing over and over.
    public static func checkDirectory(_ directory: String) throws(SettingsError) {
        for role in [Role.incidents, .scheduler, .gateway, .sender] {
            let environment = environment(for: role, directory: directory)
            do {
                let keys = try load { environment[$0] }
                try keys?.check(for: role)
            } catch {
                throw SettingsError(
                    variable: directoryVariable, shownValue: directory,
                    expected: "a directory written by `raisedash keys generate` (\(role.rawValue): \(error.expected) at \(error.shownValue))")
            }
        }
    }

    /// What `raisedash up` adds to each child's environment (by role name): its role's
    /// `RAISEDASH_CURVE_*` files from RAISEDASH_CURVE_KEYS_DIR; empty without it (plain links).
    /// The per-role variables cannot serve four children, each with its own secret key, so
    /// they are refused here with one line.
    public static func childEnvironments(for settings: Settings) throws(SettingsError) -> [String: [String: String]] {
        if settings.busKeys != nil {
            throw SettingsError(
                variable: secretVariable, shownValue: "(set)",
                expected: "unset for `raisedash up`, whose children each need their own key: set \(directoryVariable) to the directory of `raisedash keys generate` instead")
        }
        guard let directory = settings.curveKeysDirectory else { return [:] }
        try checkDirectory(directory)
        var environments: [String: [String: String]] = [:]
        for role in [Role.incidents, .scheduler, .sender, .gateway] {
            environments[role.rawValue] = environment(for: role, directory: directory)
        }
        return environments
    }
}
