import ArgumentParser
import Foundation
import IncidentService
import RaiseDashConfig

/// The gateway and the sender cannot do anything without the bot's token. Started alone
/// without one, they stop at once with one line, rather than idling and answering "healthy"
/// while no update is read and no message sent. (`raisedash up` without a token gives them
/// the simulator's.)
func requireBotToken(_ role: String, _ settings: Settings) throws {
    guard settings.botToken == nil else { return }
    FileHandle.standardError.write(Data(
        "raisedash \(role): TELEGRAM_BOT_TOKEN is not set: the \(role) needs the bot's token (to try RaiseDash without one, run `raisedash up`, which uses the simulator)\n".utf8))
    throw ExitCode(2)
}

/// An admin token shorter than `AdminAPI.minimumTokenLength` is refused at start with one line.
func requireStrongAdminToken(_ settings: Settings) throws {
    guard let token = settings.adminAPIToken, let problem = AdminAPI.tokenProblem(token) else { return }
    FileHandle.standardError.write(Data("raisedash incidents: \(problem)\n".utf8))
    throw ExitCode(2)
}

/// With `RAISEDASH_CURVE_*` set, a role missing one of the key files it needs stops at start
/// with one line, instead of falling back to a plain link or failing on its first connection.
func requireBusKeys(_ role: BusKeys.Role, _ settings: Settings) throws {
    do {
        try settings.busKeys?.check(for: role)
    } catch {
        FileHandle.standardError.write(Data("raisedash: \(error)\n".utf8))
        throw ExitCode(2)
    }
}
