extension AdminAPI {
    /// Shifts, leads and the escalation ladder in the OpenAPI document (paths appended to
    /// ``openAPIDocument``).
    static let shiftsOpenAPIPaths = """

      /api/v1/companies/{id}/shifts:
        parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
        get:
          summary: The company's weekly shifts, optionally of one department and/or group
          parameters:
            - { name: department_id, in: query, schema: { type: integer } }
            - { name: chat_id, in: query, schema: { type: integer } }
          responses:
            "200":
              description: "`{shifts: [Shift]}`, by department, group, day and start"
              content:
                application/json:
                  schema: { type: object, required: [shifts], properties: { shifts: { type: array, items: { $ref: "#/components/schemas/Shift" } } } }
            "400": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
        post:
          summary: Add a weekly shift of a department member in one of the company's groups
          description: >
            Times are wall-clock times in the company's time zone (the `timezone` of its
            kpi-settings; UTC until set). An end at or before the start is on the next day: a
            22:00-06:00 shift belongs to the day it starts. A start the clocks skip (spring
            forward) begins at the jump; a time that happens twice (fall back) is its first.
            The department and the group must be the company's, the user a member of the
            department by user id; anything else is a 400 saying what to fix.
          requestBody:
            required: true
            content:
              application/json:
                schema: { $ref: "#/components/schemas/ShiftBody" }
          responses:
            "201":
              description: Created
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Shift" }
            "400": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
      /api/v1/companies/{id}/shifts/{shift}:
        parameters:
          - { name: id, in: path, required: true, schema: { type: integer } }
          - { name: shift, in: path, required: true, schema: { type: integer } }
        put:
          summary: Replace a shift (the whole body, validated as for POST)
          requestBody:
            required: true
            content:
              application/json:
                schema: { $ref: "#/components/schemas/ShiftBody" }
          responses:
            "200":
              description: Replaced
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Shift" }
            "400": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
        delete:
          summary: Delete a shift
          responses:
            "204": { description: Deleted }
            "404": { $ref: "#/components/responses/Error" }
      /api/v1/departments/{id}/leads:
        parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
        get:
          summary: The department's leads (mentioned when an incident escalates)
          responses:
            "200":
              description: "`{department_id, lead_user_ids}`"
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Leads" }
            "404": { $ref: "#/components/responses/Error" }
      /api/v1/departments/{id}/leads/{user}:
        parameters:
          - { name: id, in: path, required: true, schema: { type: integer } }
          - { name: user, in: path, required: true, schema: { type: integer }, description: a member's Telegram user id }
        put:
          summary: Make a member a lead of the department, or not
          requestBody:
            required: true
            content:
              application/json:
                schema: { type: object, required: [lead], properties: { lead: { type: boolean } }, additionalProperties: false }
          responses:
            "200":
              description: The department's leads now
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/Leads" }
            "400": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
      /api/v1/companies/{id}/escalation-settings:
        parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
        get:
          summary: The company's escalation ladder (SLA_ESCALATION_*_MINUTES until set)
          responses:
            "200":
              description: The ladder
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/EscalationSettings" }
            "404": { $ref: "#/components/responses/Error" }
        put:
          summary: Set the company's escalation ladder; a field left out keeps its value
          requestBody:
            required: true
            content:
              application/json:
                schema: { $ref: "#/components/schemas/EscalationSettings" }
          responses:
            "200":
              description: Stored
              content:
                application/json:
                  schema: { $ref: "#/components/schemas/EscalationSettings" }
            "400": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
    """

    /// The schemas those paths use (appended to the document's components by reference names;
    /// kept here so the shift routes are described in one file).
    static let shiftsOpenAPISchemas = """
        ShiftBody:
          type: object
          required: [department_id, chat_id, user_id, day, start, end]
          additionalProperties: false
          properties:
            department_id: { type: integer }
            chat_id: { type: integer, description: an activated group of the company }
            user_id: { type: integer, description: a member of the department }
            day: { type: string, enum: [monday, tuesday, wednesday, thursday, friday, saturday, sunday], description: the day the shift starts }
            start: { type: string, pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$", description: "HH:MM local" }
            end: { type: string, pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$", description: "HH:MM local; at or before start: the next day; not equal to start" }
        Shift:
          type: object
          required: [id, company_id, department_id, chat_id, user_id, day, start, end, overnight]
          properties:
            id: { type: integer }
            company_id: { type: integer }
            department_id: { type: integer }
            chat_id: { type: integer }
            user_id: { type: integer }
            day: { type: string }
            start: { type: string }
            end: { type: string }
            overnight: { type: boolean, description: ends on the next day }
        Leads:
          type: object
          required: [department_id, lead_user_ids]
          properties: { department_id: { type: integer }, lead_user_ids: { type: array, items: { type: integer } } }
        EscalationSettings:
          type: object
          additionalProperties: false
          properties:
            escalation_minutes: { type: number, exclusiveMinimum: 0, description: "waiting for a claim this long: the department's leads and the group's managers are mentioned" }
            direct_message_minutes: { type: number, exclusiveMinimum: 0, description: "this much later: a personal message to those of them who started the bot in private" }
            reminder_minutes: { type: number, exclusiveMinimum: 0, description: "the group reminder's period while unclaimed (default SLA_UNCLAIMED_NUDGE_MINUTES); decimals allowed" }

    """
}
