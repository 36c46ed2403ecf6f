import Foundation

/// People of the simulated world: created through the control API, looked up by every operation.
extension SimulatorState {
    mutating func addUser(id: Int?, firstName: String, lastName: String?, username: String?) throws(ControlError) -> SimulatedUser {
        let trimmedName = firstName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmedName.isEmpty, trimmedName.count <= 64 else {
            throw .badRequest("first_name must be 1-64 characters")
        }
        if let username {
            guard Self.isValidUsername(username) else {
                throw .badRequest("username must be 5-32 characters of a-z, 0-9 and _ starting with a letter")
            }
            let taken = users.values.contains { $0.username?.lowercased() == username.lowercased() }
                || botUser.username?.lowercased() == username.lowercased()
            guard !taken else { throw .conflict("username @\(username) is taken") }
        }
        let userID: Int
        if let id {
            guard id > 0, id < 1 << 52 else { throw .badRequest("a user id must be a positive integer below 2^52") }
            guard users[id] == nil, id != botUser.id else { throw .conflict("user \(id) exists") }
            userID = id
        } else {
            while users[nextUserID] != nil || nextUserID == botUser.id { nextUserID += 1 }
            userID = nextUserID
            nextUserID += 1
        }
        let user = SimulatedUser(id: userID, firstName: trimmedName, lastName: lastName, username: username)
        users[userID] = user
        userOrder.append(userID)
        markChanged()
        return user
    }

    static func isValidUsername(_ name: String) -> Bool {
        guard (5...32).contains(name.count), let first = name.unicodeScalars.first,
              ("a"..."z").contains(first) || ("A"..."Z").contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }

    func requireUser(_ id: Int) throws(ControlError) -> SimulatedUser {
        guard let user = users[id] else { throw .notFound("user \(id) not found") }
        return user
    }

    func requireChat(_ id: Int) throws(ControlError) -> SimulatedChat {
        guard let chat = chats[id] else { throw .notFound("chat \(id) not found") }
        return chat
    }
}
