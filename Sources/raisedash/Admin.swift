import ArgumentParser
import Foundation
import IncidentCore
import RaiseDashConfig
import Storage
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `raisedash admin`: operator tasks on the store, directly (DATABASE_PATH) or through the
/// admin API (`--api URL`, with ADMIN_API_TOKEN).
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Operator tasks: company access keys.",
        subcommands: [AccessKeysCommand.self])
}

/// `raisedash admin keys create|list|revoke`.
struct AccessKeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Create, list and revoke company access keys (dashboard logins and scoped admin API tokens).",
        discussion: """
            Works on the database at DATABASE_PATH directly, or with --api URL through the admin \
            API of a running incident service (authenticated with ADMIN_API_TOKEN). A key is \
            printed once, when it is created; only its bcrypt hash is stored. Revoking a key ends \
            the dashboard sessions opened with it. See docs/access.md.
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    /// Where the command acts.
    struct Target: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp(
            "The incident service's base URL (e.g. http://127.0.0.1:8080); the token comes from ADMIN_API_TOKEN. Without it: the database at DATABASE_PATH.",
            valueName: "url"))
        var api: String?

        @OptionGroup var common: CommonOptions

        func validate() throws {
            if let api {
                guard let url = URL(string: api), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
                    throw ValidationError("--api must be an http(s) URL like http://127.0.0.1:8080, got '\(api)'")
                }
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key for a company; prints the key (once) on standard output.")

        @Option(name: .long, help: "The company's id.") var company: Int64
        @Option(name: .long, help: "What the key is for (1 to 100 characters), e.g. \"Ops laptop\".") var label: String
        @OptionGroup var target: Target

        func validate() throws {
            guard company > 0 else { throw ValidationError("--company must be a positive company id, got \(company)") }
            guard !label.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ValidationError("--label must not be empty")
            }
        }

        func run() async throws {
            let key: AccessKeyRow
            let secret: String
            if let api = target.api {
                let answer = try await AdminClient(base: api, settings: try await target.common.settings())
                    .call("POST", "companies/\(company)/keys", body: ["label": label])
                key = try AccessKeyRow(json: answer)
                guard let value = answer["secret"] as? String else { throw AdminFailure("the API answered without the key") }
                secret = value
            } else {
                let store = try await openStore(target.common)
                let created = try await storeCall { try await store.createAccessKey(companyID: company, label: label) }
                key = AccessKeyRow(created.key)
                secret = created.secret
            }
            print(secret)
            FileHandle.standardError.write(Data("""
                Created key \(key.id) (\(key.prefix)...) for company \(key.companyID), label "\(key.label)".
                The key above is shown only now; only its hash is stored.

                """.utf8))
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")

        @Option(name: .long, help: "Only this company's keys (required with --api).") var company: Int64?
        @OptionGroup var target: Target

        func validate() throws {
            if let company, company <= 0 { throw ValidationError("--company must be a positive company id, got \(company)") }
            if target.api != nil, company == nil { throw ValidationError("--api needs --company ID") }
        }

        func run() async throws {
            let keys: [AccessKeyRow]
            if let api = target.api, let company {
                let answer = try await AdminClient(base: api, settings: try await target.common.settings())
                    .call("GET", "companies/\(company)/keys")
                keys = try (answer["keys"] as? [[String: Any]] ?? []).map(AccessKeyRow.init(json:))
            } else {
                let store = try await openStore(target.common)
                keys = try await storeCall { try await store.accessKeys(companyID: company) }.map(AccessKeyRow.init)
            }
            print(["ID", "COMPANY", "PREFIX", "LABEL", "CREATED", "LAST USED", "REVOKED"].joined(separator: "\t"))
            for key in keys {
                print([
                    "\(key.id)", "\(key.companyID)", key.prefix, key.label, key.createdAt, key.lastUsedAt ?? "-", key.revokedAt ?? "-",
                ].joined(separator: "\t"))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key and end its dashboard sessions.")

        @Argument(help: "The key's id (see `list`).") var id: Int64
        @OptionGroup var target: Target

        func validate() throws {
            guard id > 0 else { throw ValidationError("the key id must be a positive integer, got \(id)") }
        }

        func run() async throws {
            if let api = target.api {
                _ = try await AdminClient(base: api, settings: try await target.common.settings()).call("DELETE", "keys/\(id)")
            } else {
                let store = try await openStore(target.common)
                guard try await storeCall({ try await store.revokeAccessKey(id: id) }) else {
                    throw AdminFailure("no key \(id)")
                }
            }
            print("Revoked key \(id); its dashboard sessions are ended.")
        }
    }
}

/// A key as printed.
struct AccessKeyRow {
    var id: Int64, companyID: Int64, label: String, prefix: String, createdAt: String, lastUsedAt: String?, revokedAt: String?

    init(_ key: AccessKeyInfo) {
        let format = Date.ISO8601FormatStyle(timeZone: .gmt)
        id = key.id; companyID = key.companyID; label = key.label; prefix = key.prefix
        createdAt = key.createdAt.formatted(format); lastUsedAt = key.lastUsedAt?.formatted(format)
        revokedAt = key.revokedAt?.formatted(format)
    }

    init(json: [String: Any]) throws {
        guard let id = json["id"] as? Int, let company = json["company_id"] as? Int, let label = json["label"] as? String,
            let prefix = json["prefix"] as? String, let created = json["created_at"] as? String
        else { throw AdminFailure("the API answered with an unexpected key") }
        self.id = Int64(id); companyID = Int64(company); self.label = label; self.prefix = prefix; createdAt = created
        lastUsedAt = json["last_used_at"] as? String; revokedAt = json["revoked_at"] as? String
    }
}

/// A failed admin command: one line on standard error, exit status 1.
struct AdminFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Opens the store at DATABASE_PATH; refuses a path where there is no database (a mistyped
/// path must not create an empty one).
func openStore(_ common: CommonOptions) async throws -> IncidentStore {
    let settings = try await common.settings()
    guard FileManager.default.fileExists(atPath: settings.databasePath) else {
        throw AdminFailure("no database at \(settings.databasePath) (DATABASE_PATH); run the incident service once, or pass --api URL")
    }
    do {
        return try IncidentStore(path: settings.databasePath, policy: .standard)
    } catch {
        throw AdminFailure("cannot open \(settings.databasePath): \(error)")
    }
}

/// Runs a store call, turning its error into one line for the operator.
func storeCall<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as StoreError {
        throw AdminFailure(error.code == .notFound ? "not found: \(error.message)" : error.message)
    }
}

/// The admin API, for `--api`.
struct AdminClient {
    let base: String
    let token: String

    init(base: String, settings: Settings) throws {
        guard let token = settings.adminAPIToken?.value, !token.isEmpty else {
            throw AdminFailure("--api needs ADMIN_API_TOKEN (the platform token) in the environment or .env")
        }
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.token = token
    }

    func call(_ method: String, _ path: String, body: [String: Any]? = nil) async throws -> [String: Any] {
        guard let url = URL(string: "\(base)/api/v1/\(path)") else { throw AdminFailure("bad URL \(base)") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = 30
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw AdminFailure("cannot reach the admin API at \(base): \(error.localizedDescription)")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        guard (200..<300).contains(status) else {
            throw AdminFailure("the admin API answered \(status): \(json["error"] as? String ?? "no reason given")")
        }
        return json
    }
}
