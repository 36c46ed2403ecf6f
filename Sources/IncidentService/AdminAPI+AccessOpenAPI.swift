extension AdminAPI {
    /// The access part of the OpenAPI document: department changes, groups, people,
    /// activation codes and access keys (paths appended to ``openAPIDocument``).
    static let accessOpenAPIPaths = """

      /api/v1/departments/{id}:
        parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
        patch:
          summary: Rename a department and/or restrict it (only its members or a group manager may send incidents to a restricted one)
          requestBody:
            required: true
            content: { application/json: { schema: { type: object, minProperties: 1, additionalProperties: false, properties: { name: { type: string, minLength: 1, maxLength: 64 }, restricted: { type: boolean } } } } }
          responses:
            "200": { description: Changed, content: { application/json: { schema: { $ref: "#/components/schemas/Department" } } } }
            "400": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
            "409": { $ref: "#/components/responses/Error" }
        delete:
          summary: Delete a department with its history kept (gone from pickers and lists; incidents and reports still name it); 409 while incidents are open with it
          responses:
            "204": { description: Deleted }
            "404": { $ref: "#/components/responses/Error" }
            "409": { $ref: "#/components/responses/Error" }
      /api/v1/companies/{id}/groups:
        parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
        get:
          summary: A company's groups with their managers; pending ones are those whose bot a member of the company's departments or a manager of its groups added
          parameters:
            - { name: status, in: query, schema: { type: string, enum: [pending, active, inactive] } }
          responses:
            "200": { description: Groups, content: { application/json: { schema: { type: object, properties: { groups: { type: array, items: { $ref: "#/components/schemas/GroupInfo" } } } } } } }
            "400": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
      /api/v1/groups/{chat_id}/approve:
        parameters: [{ name: chat_id, in: path, required: true, schema: { type: integer } }]
        post:
          summary: Approve a pending group; the group is told it is active. A company key approves for its own company; the platform token names company_id
          requestBody:
            required: false
            content: { application/json: { schema: { type: object, additionalProperties: false, properties: { company_id: { type: integer }, manager_user_ids: { type: array, items: { type: integer } } } } } }
          responses:
            "200": { description: Approved, content: { application/json: { schema: { $ref: "#/components/schemas/GroupInfo" } } } }
            "400": { $ref: "#/components/responses/Error" }
            "403": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
            "409": { $ref: "#/components/responses/Error" }
      /api/v1/groups/{chat_id}/deny:
        parameters: [{ name: chat_id, in: path, required: true, schema: { type: integer } }]
        post:
          summary: Deny a pending group; the group is told, and it stays pending for an /activate CODE
          responses:
            "200": { description: Denied, content: { application/json: { schema: { $ref: "#/components/schemas/GroupInfo" } } } }
            "404": { $ref: "#/components/responses/Error" }
            "409": { $ref: "#/components/responses/Error" }
      /api/v1/companies/{id}/people:
        parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
        get:
          summary: People seen in the company's world (members, drivers, managers, reporters, participants) with their departments and driver registrations
          responses:
            "200":
              description: People
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      people:
                        type: array
                        items:
                          type: object
                          required: [user_id, name, departments, driver_in_chat_ids, manager_of_chat_ids, first_seen_at, last_seen_at]
                          properties:
                            user_id: { type: integer }
                            name: { type: string }
                            telegram_handle: { type: [string, "null"] }
                            departments: { type: array, items: { type: object, properties: { id: { type: integer }, name: { type: string } } } }
                            driver_in_chat_ids: { type: array, items: { type: integer } }
                            manager_of_chat_ids: { type: array, items: { type: integer } }
                            first_seen_at: { type: string, format: date-time }
                            last_seen_at: { type: string, format: date-time }
            "404": { $ref: "#/components/responses/Error" }
      /api/v1/companies/{id}/activation-codes:
        parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
        post:
          summary: Create a one-time group activation code (shown in this answer only); a group administrator sends /activate CODE in the group
          requestBody:
            required: false
            content: { application/json: { schema: { type: object, additionalProperties: false, properties: { lifetime_minutes: { type: number, minimum: 1, maximum: 43200, default: 1440 } } } } }
          responses:
            "201": { description: Created, content: { application/json: { schema: { $ref: "#/components/schemas/ActivationCode" } } } }
            "400": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
        get:
          summary: The company's activation codes, newest first (never the codes themselves)
          responses:
            "200": { description: Codes, content: { application/json: { schema: { type: object, properties: { activation_codes: { type: array, items: { $ref: "#/components/schemas/ActivationCode" } } } } } } }
            "404": { $ref: "#/components/responses/Error" }
      /api/v1/companies/{id}/keys:
        parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
        post:
          summary: Create a company access key (platform token only); the secret is in this answer only
          requestBody:
            required: true
            content: { application/json: { schema: { type: object, required: [label], additionalProperties: false, properties: { label: { type: string, minLength: 1, maxLength: 100 } } } } }
          responses:
            "201": { description: Created, content: { application/json: { schema: { $ref: "#/components/schemas/AccessKey" } } } }
            "400": { $ref: "#/components/responses/Error" }
            "403": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
        get:
          summary: A company's access keys, revoked ones included, never their secrets (platform token only)
          responses:
            "200": { description: Keys, content: { application/json: { schema: { type: object, properties: { keys: { type: array, items: { $ref: "#/components/schemas/AccessKey" } } } } } } }
            "403": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
      /api/v1/keys/{id}:
        parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
        delete:
          summary: Revoke a key and end the dashboard sessions opened with it (platform token only)
          responses:
            "204": { description: Revoked }
            "403": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
    """
}
