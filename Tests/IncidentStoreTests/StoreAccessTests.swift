import Foundation
import IncidentCore
import IncidentKPI
import Storage
import Testing

/// Company access keys, dashboard sessions and the login throttle (docs/access.md).
@Suite struct StoreAccessTests {
    typealias F = StoreFixture

    /// The bytes of the database file and its WAL: a secret must appear in neither.
    static func fileBytes(_ fixture: StoreFixture) throws -> Data {
        var data = try Data(contentsOf: URL(fileURLWithPath: fixture.path))
        if let wal = try? Data(contentsOf: URL(fileURLWithPath: fixture.path + "-wal")) { data.append(wal) }
        return data
    }

    @Test func aKeyIsShownOnceAndStoredOnlyAsAHash() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let (key, secret) = try await fixture.store.createAccessKey(companyID: fixture.company.id.rawValue, label: "  Ops laptop ", now: F.t0)
        #expect(secret.hasPrefix("rdk_") && secret.count == 47)
        #expect(secret.dropFirst(4).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(key.label == "Ops laptop" && key.companyID == fixture.company.id.rawValue && !key.isRevoked)
        #expect(secret.hasPrefix(key.prefix) && key.prefix.count == 14)
        let listed = try await fixture.store.accessKeys(companyID: fixture.company.id.rawValue)
        #expect(listed == [key])
        let bytes = try Self.fileBytes(fixture)
        #expect(bytes.range(of: Data(secret.utf8)) == nil, "the secret is in the database file")
        #expect(bytes.range(of: Data(secret.dropFirst(14).utf8)) == nil, "the secret part of the key is in the database file")
        // A second key differs.
        let (_, other) = try await fixture.store.createAccessKey(companyID: fixture.company.id.rawValue, label: "Second", now: F.t0)
        #expect(other != secret)
    }

    @Test func authenticationAcceptsOnlyTheLiveKey() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let company = fixture.company.id.rawValue
        let (key, secret) = try await fixture.store.createAccessKey(companyID: company, label: "ops", now: F.t0)
        #expect(try await fixture.store.authenticate(secret: secret, now: F.at(minutes: 1)) == .company(company))
        #expect(try await fixture.store.accessKey(id: key.id)?.lastUsedAt == F.at(minutes: 1))
        // Same lookup prefix, wrong rest: one bcrypt verification says no.
        var wrong = Array(secret)
        wrong[wrong.count - 1] = wrong.last == "A" ? "B" : "A"
        #expect(try await fixture.store.authenticate(secret: String(wrong)) == nil)
        for malformed in ["", "rdk_", "rdk_short", secret + "x", "Bearer " + secret, String(secret.dropFirst(4)), "rdk_" + String(repeating: "!", count: 43)] {
            #expect(try await fixture.store.authenticate(secret: malformed) == nil, "\(malformed)")
        }
        #expect(try await fixture.store.revokeAccessKey(id: key.id, now: F.at(minutes: 2)))
        #expect(try await fixture.store.authenticate(secret: secret) == nil)
        let revoked = try #require(try await fixture.store.accessKey(id: key.id))
        #expect(revoked.revokedAt == F.at(minutes: 2))
        // Revoking again changes nothing; an unknown key is false.
        #expect(try await fixture.store.revokeAccessKey(id: key.id, now: F.at(minutes: 3)))
        #expect(try await fixture.store.accessKey(id: key.id)?.revokedAt == F.at(minutes: 2))
        #expect(try await fixture.store.revokeAccessKey(id: 9999) == false)
    }

    @Test func badInputCreatesNoKey() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let company = fixture.company.id.rawValue
        for label in ["", "   ", String(repeating: "x", count: 101), "tab\there", "evil\u{202E}txt"] {
            await #expect(throws: StoreError.self) { try await fixture.store.createAccessKey(companyID: company, label: label) }
        }
        let missing = await #expect(throws: StoreError.self) { try await fixture.store.createAccessKey(companyID: 999, label: "x") }
        #expect(missing?.code == .notFound)
        #expect(try await fixture.store.accessKeys(companyID: nil).isEmpty)
    }

    @Test func keysAreListedPerCompany() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let other = try await fixture.store.createCompany(name: "Globex", now: F.t0)
        let (a, _) = try await fixture.store.createAccessKey(companyID: fixture.company.id.rawValue, label: "a", now: F.t0)
        let (b, _) = try await fixture.store.createAccessKey(companyID: other.id.rawValue, label: "b", now: F.t0)
        #expect(try await fixture.store.accessKeys(companyID: fixture.company.id.rawValue) == [a])
        #expect(try await fixture.store.accessKeys(companyID: other.id.rawValue) == [b])
        #expect(try await fixture.store.accessKeys(companyID: nil) == [a, b])
    }

    @Test func sessionsLiveUntilExpiryLogoutOrRevocation() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let company = fixture.company.id.rawValue
        let (key, _) = try await fixture.store.createAccessKey(companyID: company, label: "ops", now: F.t0)
        let token = try await fixture.store.createDashboardSession(
            scope: .company(company), keyID: key.id, lifetime: .seconds(3600), now: F.t0)
        #expect(token.hasPrefix("rds_") && token.count == 47)
        #expect(try Self.fileBytes(fixture).range(of: Data(token.utf8)) == nil)
        let session = try #require(try await fixture.store.dashboardSession(token: token, now: F.at(minutes: 59)))
        #expect(session.scope == .company(company) && session.keyID == key.id && session.expiresAt == F.at(minutes: 60))
        #expect(try await fixture.store.dashboardSession(token: token, now: F.at(minutes: 60)) == nil, "expired")
        #expect(try await fixture.store.dashboardSession(token: token + "x", now: F.at(minutes: 1)) == nil)
        #expect(try await fixture.store.dashboardSession(token: "garbage", now: F.at(minutes: 1)) == nil)

        // Logout ends only that session.
        let second = try await fixture.store.createDashboardSession(scope: .company(company), keyID: key.id, lifetime: .seconds(3600), now: F.t0)
        try await fixture.store.endDashboardSession(token: token, now: F.at(minutes: 1))
        #expect(try await fixture.store.dashboardSession(token: token, now: F.at(minutes: 2)) == nil)
        #expect(try await fixture.store.dashboardSession(token: second, now: F.at(minutes: 2)) != nil)

        // Revoking the key ends its sessions; the platform's are not affected.
        let platform = try await fixture.store.createDashboardSession(scope: .platform, keyID: nil, lifetime: .seconds(3600), now: F.t0)
        #expect(try await fixture.store.revokeAccessKey(id: key.id, now: F.at(minutes: 3)))
        #expect(try await fixture.store.dashboardSession(token: second, now: F.at(minutes: 4)) == nil)
        #expect(try await fixture.store.dashboardSession(token: platform, now: F.at(minutes: 4))?.scope == .platform)
    }

    @Test func aSessionNeedsALiveKeyOfItsCompany() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let company = fixture.company.id.rawValue
        let other = try await fixture.store.createCompany(name: "Globex", now: F.t0)
        let (key, _) = try await fixture.store.createAccessKey(companyID: company, label: "ops", now: F.t0)
        let attempts: [(AccessScope, Int64?)] = [
            (.company(other.id.rawValue), key.id), (.company(company), nil), (.company(company), 999), (.platform, key.id),
        ]
        for (scope, keyID) in attempts {
            let error = await #expect(throws: StoreError.self) {
                try await fixture.store.createDashboardSession(scope: scope, keyID: keyID, lifetime: .seconds(60))
            }
            #expect(error?.code == .invalidInput)
        }
        await #expect(throws: StoreError.self) {
            try await fixture.store.createDashboardSession(scope: .platform, keyID: nil, lifetime: .zero)
        }
        _ = try await fixture.store.revokeAccessKey(id: key.id)
        await #expect(throws: StoreError.self) {
            try await fixture.store.createDashboardSession(scope: .company(company), keyID: key.id, lifetime: .seconds(60))
        }
    }

    @Test func loginThrottleCountsFailuresPerAddress() {
        let throttle = LoginThrottle(limit: 5, window: .seconds(60))
        let start = ContinuousClock.now
        for second in 0..<4 { throttle.recordFailure(address: "10.0.0.1", now: start + .seconds(second)) }
        #expect(throttle.retryAfter(address: "10.0.0.1", now: start + .seconds(4)) == nil)
        throttle.recordFailure(address: "10.0.0.1", now: start + .seconds(4))
        // The oldest failure (at 0 s) leaves the window at 60 s.
        #expect(throttle.retryAfter(address: "10.0.0.1", now: start + .seconds(5)) == 55)
        #expect(throttle.retryAfter(address: "10.0.0.2", now: start + .seconds(5)) == nil)
        #expect(throttle.retryAfter(address: "10.0.0.1", now: start + .seconds(60)) == nil)
        for second in 0..<5 { throttle.recordFailure(address: "10.0.0.3", now: start + .seconds(second)) }
        #expect(throttle.retryAfter(address: "10.0.0.3", now: start + .seconds(5)) != nil)
        throttle.recordSuccess(address: "10.0.0.3")
        #expect(throttle.retryAfter(address: "10.0.0.3", now: start + .seconds(5)) == nil)
    }

    @Test func loginThrottleRemembersABoundedNumberOfAddresses() {
        let throttle = LoginThrottle(limit: 1, window: .seconds(60), maximumAddresses: 3)
        let start = ContinuousClock.now
        for index in 0..<10 { throttle.recordFailure(address: "a\(index)", now: start + .milliseconds(index)) }
        let remembered = (0..<10).filter { throttle.retryAfter(address: "a\($0)", now: start + .seconds(1)) != nil }
        #expect(remembered == [7, 8, 9])
    }

    @Test func routeScopesAnswerPerCompany() async throws {
        let fixture = try await StoreFixture()
        defer { fixture.remove() }
        let acme = fixture.company.id.rawValue
        let other = try await fixture.store.createCompany(name: "Globex", now: F.t0).id.rawValue
        let incident = try #require(try await fixture.newIssue(1).incidentID).rawValue
        let cases: [(RouteScope, String, ScopeCheck, ScopeCheck)] = [
            (.platformOnly, "", .forbidden, .forbidden),
            (.filtered, "", .allowed, .allowed),
            (.company(parameter: "id"), "\(acme)", .allowed, .notFound("company \(acme)")),
            (.department(parameter: "id"), "\(fixture.dispatch.id)", .allowed, .notFound("department \(fixture.dispatch.id)")),
            (.group(parameter: "id"), "\(F.chat.id)", .allowed, .notFound("group \(F.chat.id)")),
            (.incident(parameter: "id"), "\(incident)", .allowed, .notFound("incident \(incident)")),
            (.department(parameter: "id"), "x", .badParameter("id must be a positive integer"), .badParameter("id must be a positive integer")),
        ]
        for (route, value, own, foreign) in cases {
            #expect(try await fixture.store.check(route, for: .company(acme), parameter: { _ in value }) == own, "\(route)")
            #expect(try await fixture.store.check(route, for: .company(other), parameter: { _ in value }) == foreign, "\(route)")
            #expect(try await fixture.store.check(route, for: .platform, parameter: { _ in value }) == .allowed)
        }
    }
}
