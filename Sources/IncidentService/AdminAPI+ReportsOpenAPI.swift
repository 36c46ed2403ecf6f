extension AdminAPI {
    /// The reports' part of the OpenAPI document (paths appended to ``openAPIDocument``).
    static let reportsOpenAPIPaths = """

      /api/v1/companies/{id}/kpi-settings:
        parameters: [{ name: id, in: path, required: true, schema: { type: integer } }]
        get:
          summary: A company's report settings (the defaults until set)
          responses:
            "200": { description: "Settings: timezone, week_start, sla_claim_minutes, sla_resolve_minutes (as the PUT body)" }
            "404": { $ref: "#/components/responses/Error" }
        put:
          summary: Set a company's time zone, week start and SLA thresholds; fields left out keep their value
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    timezone: { type: string, description: "IANA name (Europe/Berlin) or UTC; anything else is a 400" }
                    week_start: { type: string, enum: [monday, tuesday, wednesday, thursday, friday, saturday, sunday] }
                    sla_claim_minutes: { type: number, exclusiveMinimum: 0, description: assignment to first claim }
                    sla_resolve_minutes: { type: number, exclusiveMinimum: 0, description: assignment to resolution }
          responses:
            "200": { description: Stored }
            "400": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
      /api/v1/companies/{id}/reports/{kind}:
        parameters:
          - { name: id, in: path, required: true, schema: { type: integer } }
          - { name: kind, in: path, required: true, schema: { type: string, enum: [departments, sla, trends, people, groups, comparison, summary] } }
          - { name: from, in: query, description: "YYYY-MM-DD (local midnight in the company's zone) or RFC 3339; default 7 local days before to", schema: { type: string } }
          - { name: to, in: query, description: "YYYY-MM-DD (inclusive: the end of that local day) or RFC 3339; default the end of today", schema: { type: string } }
          - { name: department_id, in: query, description: sessions of this department (not for trends), schema: { type: integer } }
          - { name: chat_id, in: query, description: incidents of this group, schema: { type: integer } }
          - { name: user_id, in: query, description: sessions this person worked on (not for trends), schema: { type: integer } }
          - { name: bucket, in: query, description: trends only, schema: { type: string, enum: [hour, day, week], default: day } }
          - { name: format, in: query, schema: { type: string, enum: [json, csv], default: json } }
        get:
          summary: A KPI report (definitions in docs/kpi.md); durations in seconds, absent values null
          description: >
            JSON keys are snake_case. departments -> {departments: [{department_id, name, summary, transferred_in,
            workload_share_percent}]}; sla -> {overall, by_department, breaches (worst first, at most 100), breach_count};
            trends -> {bucket, time_zone, points: [{start, end, label, created, resolved, auto_closed, reopened, backlog}]};
            people -> {people: [{user_id, name, claimed, joined, resolved, active_seconds, sla}]};
            groups -> {groups: [{chat_id, title, summary}]}; comparison -> {current, previous, current_summary,
            previous_summary, change}; summary -> a summary. A summary is {created, sessions, claimed, resolved,
            auto_closed, transferred_out, still_open, time_to_claim, time_to_resolve, sla}; time_to_* are {count, mean,
            median, p90, p95, max}; sla is {claim_threshold_seconds, resolve_threshold_seconds, claim: {reached, met,
            percent}, resolve: {...}}. CSV (text/csv, UTF-8, RFC 4180, formula cells neutralised) has one row per item.
          responses:
            "200":
              description: The report with what it was computed for
              content:
                application/json:
                  schema:
                    type: object
                    required: [company_id, time_zone, week_start, from, to, department_id, chat_id, user_id, report]
                    properties:
                      company_id: { type: integer }
                      time_zone: { type: string }
                      week_start: { type: string }
                      from: { type: string, format: date-time }
                      to: { type: string, format: date-time }
                      department_id: { type: [integer, "null"] }
                      chat_id: { type: [integer, "null"] }
                      user_id: { type: [integer, "null"] }
                      report: { type: object }
                text/csv: { schema: { type: string } }
            "400": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
      /api/v1/companies/{id}/incidents/export:
        parameters:
          - { name: id, in: path, required: true, schema: { type: integer } }
          - { name: from, in: query, schema: { type: string } }
          - { name: to, in: query, schema: { type: string } }
          - { name: chat_id, in: query, schema: { type: integer } }
          - { name: format, in: query, schema: { type: string, enum: [json, csv], default: json } }
        get:
          summary: Incidents created in the period with their timelines (at most 20000); CSV has one row per timeline entry
          responses:
            "200":
              description: The incidents
              content:
                application/json: { schema: { type: object, properties: { incidents: { type: array, items: { $ref: "#/components/schemas/Incident" } } } } }
                text/csv: { schema: { type: string } }
            "400": { $ref: "#/components/responses/Error" }
            "404": { $ref: "#/components/responses/Error" }
    """
}
