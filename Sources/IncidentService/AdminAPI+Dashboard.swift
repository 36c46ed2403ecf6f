import Foundation
import Hummingbird
import IncidentCore

extension AdminAPI {
    /// The report `kind` of `company` exactly as `GET /api/v1/companies/{id}/reports/{kind}`
    /// answers it (JSON, or CSV with `format=csv`; the query's `from`, `to`, `department_id`,
    /// `chat_id`, `user_id` and `bucket`), for the dashboard's download links. The company
    /// is the caller's to decide; anything in the query naming another company's department
    /// or group is refused as the admin API refuses it.
    public func reportDownload(
        company: CompanyID, kind: String, request: Request, context: BasicRequestContext
    ) async throws -> Response {
        var context = context
        context.coreContext.parameters["id"] = Substring(String(company.rawValue))
        context.coreContext.parameters["kind"] = Substring(kind)
        return try await handle { try await report(request, context) }
    }
}
