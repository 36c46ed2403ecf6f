extension AdminAPI {
    /// The OpenAPI 3.1 description of the admin API, served at `/api/openapi.yaml`.
    static let openAPIDocument = """
    openapi: 3.1.0
    info:
      title: RaiseDash admin API
      version: "1"
      description: >
        Configure companies, departments, members and groups, and read incidents with their
        timelines. Every /api/v1 call needs `Authorization: Bearer $ADMIN_API_TOKEN` (the
        platform token: every company) or a company access key (`rdk_...`: its own company only;
        another company's things answer 404, platform-only calls 403; see docs/access.md). Errors are
        JSON `{"error": "..."}` with a 4xx status, and write nothing. Times are RFC 3339 in UTC.
        The Bearer scheme is case-insensitive. After 20 failed authentications within a
        minute, every call is answered 429 with `Retry-After` until the minute has passed.
    servers:
      - url: /
    security:
      - bearer: []
    components:
      securitySchemes:
        bearer:
          type: http
          scheme: bearer
      responses:
        Error:
          description: The request was refused; nothing was written.
          content:
            application/json:
              schema: { $ref: "#/components/schemas/Error" }
      schemas:
        Error:
          type: object
          required: [error]
          properties: { error: { type: string } }
    \(AdminAPI.shiftsOpenAPISchemas)
        Company:
          type: object
          required: [id, name]
          properties: { id: { type: integer }, name: { type: string } }
        Department:
          type: object
          required: [id, name, company_id, restricted]
          properties:
            id: { type: integer }
            name: { type: string }
            company_id: { type: integer }
            restricted: { type: boolean }
        Member:
          type: object
          required: [department_id]
          properties:
            department_id: { type: integer }
            user_id: { type: [integer, "null"] }
            telegram_handle: { type: [string, "null"] }
            name: { type: [string, "null"] }
        Group:
          type: object
          required: [chat_id, status, manager_user_ids]
          properties:
            chat_id: { type: integer }
            company_id: { type: [integer, "null"] }
            status: { type: string, enum: [pending, active, inactive] }
            manager_user_ids: { type: array, items: { type: integer } }
            title: { type: [string, "null"] }
        Incident:
          type: object
          required: [id, number, chat_id, status, department, reporter_id, claimer_ids, participants, description, attachments, reported_message_link, summary, created_at, claimed_at, resolved_at]
          properties:
            id: { type: integer }
            number: { type: string, description: 'zero-padded, e.g. "0007"' }
            chat_id: { type: integer }
            status: { type: string, enum: [awaiting_department, awaiting_claim, in_progress, awaiting_summary, resolved, closed] }
            department:
              oneOf:
                - type: "null"
                - type: object
                  required: [id, name]
                  properties: { id: { type: integer }, name: { type: string } }
            reporter_id: { type: integer }
            claimer_ids: { type: array, items: { type: integer }, description: the people working on it now (claimed or joined and not left); empty once resolved or closed }
            participants:
              type: array
              description: every claim and join, oldest first; left_at is null while the person is still on it (a transfer, resolution or closure ends it too)
              items:
                type: object
                required: [user_id, joined_at, left_at, role]
                properties:
                  user_id: { type: integer }
                  joined_at: { type: string, format: date-time }
                  left_at: { type: [string, "null"], format: date-time }
                  role: { type: string, enum: [claimed, joined] }
            description: { type: string, description: the reported text the card shows }
            attachments:
              type: array
              description: photos, documents and locations that came with the reported message (Telegram file ids; fetch with getFile)
              items:
                type: object
                required: [kind, file_id, file_name, mime_type, latitude, longitude]
                properties:
                  kind: { type: string, enum: [photo, document, location] }
                  file_id: { type: [string, "null"] }
                  file_name: { type: [string, "null"] }
                  mime_type: { type: [string, "null"] }
                  latitude: { type: [number, "null"] }
                  longitude: { type: [number, "null"] }
            reported_message_link: { type: [string, "null"], description: "link to the reported message (https://t.me/c/...); null in basic groups" }
            summary: { type: [string, "null"] }
            created_at: { type: string, format: date-time }
            claimed_at: { type: [string, "null"], format: date-time }
            resolved_at: { type: [string, "null"], format: date-time }
            closed_at: { type: [string, "null"], format: date-time }
        GroupInfo:
          type: object
          required: [chat_id, status, managers, created_at]
          properties:
            chat_id: { type: integer }
            company_id: { type: [integer, "null"] }
            status: { type: string, enum: [pending, active, inactive] }
            title: { type: [string, "null"] }
            managers: { type: array, items: { type: object, properties: { user_id: { type: integer }, name: { type: [string, "null"] }, telegram_handle: { type: [string, "null"] } } } }
            added_by_user_id: { type: [integer, "null"] }
            denied_at: { type: [string, "null"], format: date-time }
            created_at: { type: string, format: date-time }
        ActivationCode:
          type: object
          required: [id, company_id, created_at, expires_at]
          properties:
            id: { type: integer }
            code: { type: [string, "null"], description: "ABCDE-FGHJK; only in the answer that created it" }
            company_id: { type: integer }
            created_at: { type: string, format: date-time }
            expires_at: { type: string, format: date-time }
            used_at: { type: [string, "null"], format: date-time }
            used_chat_id: { type: [integer, "null"] }
        AccessKey:
          type: object
          required: [id, company_id, label, prefix, created_at]
          properties:
            id: { type: integer }
            company_id: { type: integer }
            label: { type: string }
            prefix: { type: string, description: "rdk_ and the key's first characters: not secret" }
            secret: { type: [string, "null"], description: "the key; only in the answer that created it" }
            created_at: { type: string, format: date-time }
            last_used_at: { type: [string, "null"], format: date-time }
            revoked_at: { type: [string, "null"], format: date-time }
        TimelineEntry:
          type: object
          required: [at, actor_id, action, detail]
          properties:
            at: { type: string, format: date-time }
            actor_id: { type: [integer, "null"] }
            action: { type: string, enum: [created, department_assigned, claimed, joined, left, resolution_requested, resolved, resolve_cancelled, auto_closed, reopened, nudged] }
            detail: { type: object }
    paths:
      /api/v1/companies:
        get:
          summary: List companies
          responses:
            "200": { description: Companies, content: { application/json: { schema: { type: object, properties: { companies: { type: array, items: { $ref: "#/components/schemas/Company" } } } } } } }
            "401": { $ref: "#/components/responses/Error" }
        post:
          summary: Create a company
          requestBody:
            required: true
            content: { application/json: { schema: { type: object, required: [name], properties: { name: { type: string, minLength: 1, maxLength: 200 } } } } }
          responses:
            "201": { description: Created, content: { application/json: { schema: { $ref: "#/components/schemas/Company" } } } }
            "400": { $ref: "#/components/responses/Error" }
            "401": { $ref: "#/components/responses/Error" }
            "409": { $ref: "#/components/responses/Error" }
      /api/v1/companies/{id}/departments:
        parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
        get:
          summary: List a company's departments
          responses:
            "200": { description: Departments, content: { application/json: { schema: { type: object, properties: { departments: { type: array, items: { $ref: "#/components/schemas/Department" } } } } } } }
            "404": { $ref: "#/components/responses/Error" }
        post:
          summary: Create a department
          requestBody:
            required: true
            content: { application/json: { schema: { type: object, required: [name], properties: { name: { type: string, minLength: 1, maxLength: 64 }, restricted: { type: boolean, default: false } } } } }
          responses:
            "201": { description: Created, content: { application/json: { schema: { $ref: "#/components/schemas/Department" } } } }
            "400": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
            "409": { $ref: "#/components/responses/Error" }
      /api/v1/departments/{id}/members:
        parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
        get:
          summary: List a department's members
          responses:
            "200": { description: Members, content: { application/json: { schema: { type: object, properties: { members: { type: array, items: { $ref: "#/components/schemas/Member" } } } } } } }
            "404": { $ref: "#/components/responses/Error" }
        post:
          summary: Add a member by user id or by @handle (bound to the id when first seen)
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  oneOf:
                    - { type: object, required: [user_id], properties: { user_id: { type: integer } } }
                    - { type: object, required: [telegram_handle], properties: { telegram_handle: { type: string, pattern: "^@?[A-Za-z0-9_]{5,32}$" } } }
          responses:
            "201": { description: Added, content: { application/json: { schema: { $ref: "#/components/schemas/Member" } } } }
            "400": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
            "409": { $ref: "#/components/responses/Error" }
      /api/v1/departments/{id}/members/{member}:
        parameters:
          - { name: id, in: path, required: true, schema: { type: integer } }
          - { name: member, in: path, required: true, description: a user id or an @handle, schema: { type: string } }
        delete:
          summary: Remove a member
          responses:
            "204": { description: Removed }
            "400": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
      /api/v1/groups/{chat_id}:
        parameters: [{ name: chat_id, in: path, required: true, schema: { type: integer } }]
        put:
          summary: Activate a group for a company; replaces its managers when given
          requestBody:
            required: true
            content: { application/json: { schema: { type: object, required: [company_id], properties: { company_id: { type: integer }, manager_user_ids: { type: array, items: { type: integer } } } } } }
          responses:
            "200": { description: Activated, content: { application/json: { schema: { $ref: "#/components/schemas/Group" } } } }
            "400": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
      /api/v1/dead-letters:
        get:
          summary: Updates given up on after repeated failures, newest first
          description: >
            An update the incident service could not apply after repeated tries (a store
            error, or a reply waiting for something that never came) is recorded here and
            acknowledged, so the updates behind it flow on. The update's text is not shown.
          parameters:
            - { name: limit, in: query, schema: { type: integer, minimum: 1, maximum: 1000, default: 100 } }
          responses:
            "200":
              description: Dead letters
              content:
                application/json:
                  schema:
                    type: object
                    required: [total, dead_letters]
                    properties:
                      total: { type: integer }
                      dead_letters:
                        type: array
                        items:
                          type: object
                          required: [update_id, chat_id, reason, attempts, first_failed_at, recorded_at]
                          properties:
                            update_id: { type: integer }
                            chat_id: { type: integer }
                            reason: { type: string, description: "the store error's code (e.g. unavailable, invalid_input) or deferred" }
                            attempts: { type: integer }
                            first_failed_at: { type: string, format: date-time }
                            recorded_at: { type: string, format: date-time }
                            event: { type: [string, "null"], description: "new_issue, press, reply, register_driver, help, bot_added, bot_removed, migrated" }
            "400": { $ref: "#/components/responses/Error" }
            "401": { $ref: "#/components/responses/Error" }
            "429": { $ref: "#/components/responses/Error" }
      /api/v1/incidents:
        get:
          summary: List incidents, newest first
          parameters:
            - { name: chat_id, in: query, schema: { type: integer } }
            - { name: status, in: query, schema: { type: string } }
          responses:
            "200": { description: Incidents, content: { application/json: { schema: { type: object, properties: { incidents: { type: array, items: { $ref: "#/components/schemas/Incident" } } } } } } }
            "400": { $ref: "#/components/responses/Error" }
      /api/v1/incidents/{id}:
        parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
        get:
          summary: One incident with its timeline
          responses:
            "200":
              description: The incident
              content:
                application/json:
                  schema:
                    allOf:
                      - { $ref: "#/components/schemas/Incident" }
                      - { type: object, required: [timeline], properties: { timeline: { type: array, items: { $ref: "#/components/schemas/TimelineEntry" } } } }
            "404": { $ref: "#/components/responses/Error" }
    """ + reportsOpenAPIPaths + accessOpenAPIPaths + shiftsOpenAPIPaths
}
