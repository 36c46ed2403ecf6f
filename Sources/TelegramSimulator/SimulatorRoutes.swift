import Foundation
import Hummingbird
import Logging

/// The chat page's files, read once from the bundle.
struct PageAssets: Sendable {
    var files: [String: (contentType: String, body: String)]

    static func bundled() throws -> PageAssets {
        var files: [String: (contentType: String, body: String)] = [:]
        for (name, ext, type) in [("index", "html", "text/html; charset=utf-8"),
                                  ("app", "js", "text/javascript; charset=utf-8"),
                                  ("style", "css", "text/css; charset=utf-8")] {
            guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Resources/page")
                ?? Bundle.module.url(forResource: name, withExtension: ext)
            else { throw SimulatorError("the chat page file \(name).\(ext) is missing from the bundle") }
            files["\(name).\(ext)"] = (type, try String(contentsOf: url, encoding: .utf8))
        }
        return PageAssets(files: files)
    }
}

/// Routes requests: the Bot API under `/bot<token>/`, the control API under `/control/`, the
/// chat page at `/` (its files under `/static/`).
struct SimulatorRoutes: Sendable {
    let simulation: Simulation
    let token: String
    let assets: PageAssets
    let logger: Logger

    static let maximumBodySize = 1 << 20

    func respond(to request: Request) async -> Response {
        let path = request.uri.path
        if path.hasPrefix("/bot") {
            return await botAPI(request, path: path.dropFirst(4))
        }
        if path == "/control" || path.hasPrefix("/control/") {
            return await control(request, path: path)
        }
        switch path {
        case "/", "/index.html": return asset("index.html")
        case "/static/app.js": return asset("app.js")
        case "/static/style.css": return asset("style.css")
        default: return Self.text(404, "Not Found")
        }
    }

    // MARK: Bot API

    private func botAPI(_ request: Request, path: Substring) async -> Response {
        let parts = path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let requestToken = parts.first.map(String.init) ?? ""
        let method = parts.count > 1 ? parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "/")) : ""
        guard requestToken == token else {
            return Self.json(401, BotAPIError.unauthorized.json)
        }
        let parameters: BotAPIParameters
        do {
            parameters = try await Self.parameters(of: request)
        } catch let error as BotAPIError {
            return Self.json(error.code, error.json)
        } catch {
            let failure = BotAPIError(code: 413, description: "Request Entity Too Large")
            return Self.json(failure.code, failure.json)
        }
        switch await simulation.handleBotCall(methodName: method, parameters: parameters) {
        case .json(let status, let body): return Self.json(status, body)
        case .html(let status, let body): return Self.body(status, body, contentType: "text/html")
        }
    }

    /// Merges query-string and body parameters (JSON, form-encoded or multipart text fields).
    static func parameters(of request: Request) async throws -> BotAPIParameters {
        var values: [String: JSONValue] = [:]
        if let query = request.uri.query {
            values = BotAPIParameters.formFields(Substring(query))
        }
        var request = request
        let buffer = try await request.collectBody(upTo: maximumBodySize)
        let body = Data(buffer.readableBytesView)
        guard !body.isEmpty else { return BotAPIParameters(values) }
        let contentType = (request.headers[.contentType] ?? "").lowercased()
        if contentType.hasPrefix("application/json") {
            guard let object = JSONValue.parse(body)?.objectValue else {
                throw BotAPIError.badRequest("can't parse JSON object")
            }
            values.merge(object) { $1 }
        } else if contentType.hasPrefix("multipart/form-data"),
                  let boundaryRange = (request.headers[.contentType] ?? "").range(of: "boundary=") {
            var boundary = String((request.headers[.contentType] ?? "")[boundaryRange.upperBound...])
            if let end = boundary.firstIndex(of: ";") { boundary = String(boundary[..<end]) }
            boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
            values.merge(BotAPIParameters.multipartFields(body, boundary: boundary)) { $1 }
        } else {
            values.merge(BotAPIParameters.formFields(Substring(String(decoding: body, as: UTF8.self)))) { $1 }
        }
        return BotAPIParameters(values)
    }

    // MARK: Control API

    private func control(_ request: Request, path: String) async -> Response {
        let segments = path.split(separator: "/").dropFirst().map(String.init)
        let input: BotAPIParameters
        do {
            input = try await Self.controlInput(of: request)
        } catch {
            return Self.json(400, ["ok": false, "error": "the body must be a JSON object"])
        }
        let api = ControlAPI(simulation: simulation)
        do {
            let result = try await api.handle(method: request.method.rawValue, segments: segments, input: input)
            return Self.json(200, ["ok": true, "result": result])
        } catch let error as ControlError {
            return Self.json(error.status, ["ok": false, "error": .string(error.message)])
        } catch {
            return Self.json(500, ["ok": false, "error": .string("\(error)")])
        }
    }

    static func controlInput(of request: Request) async throws -> BotAPIParameters {
        var values: [String: JSONValue] = [:]
        if let query = request.uri.query { values = BotAPIParameters.formFields(Substring(query)) }
        var request = request
        let buffer = try await request.collectBody(upTo: maximumBodySize)
        let body = Data(buffer.readableBytesView)
        if !body.isEmpty {
            guard let object = JSONValue.parse(body)?.objectValue else { throw ControlError.badRequest("not JSON") }
            values.merge(object) { $1 }
        }
        return BotAPIParameters(values)
    }

    // MARK: Responses

    private func asset(_ name: String) -> Response {
        guard let file = assets.files[name] else { return Self.text(404, "Not Found") }
        return Self.body(200, file.body, contentType: file.contentType, extraHeaders: [
            .cacheControl: "no-store",
            .contentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:",
        ])
    }

    static func json(_ status: Int, _ value: JSONValue) -> Response {
        Response(
            status: .init(code: status),
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serialized))
        )
    }

    static func text(_ status: Int, _ text: String) -> Response {
        body(status, text, contentType: "text/plain; charset=utf-8")
    }

    static func body(_ status: Int, _ text: String, contentType: String, extraHeaders: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: contentType]
        headers.append(contentsOf: extraHeaders)
        return Response(
            status: .init(code: status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}
