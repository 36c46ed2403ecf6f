/// The Shifts page and one shift's page (Dashboard+Shifts.swift, Dashboard+Escalation.swift).
extension Templates {
    /// The fields a shift is made of, shared by the add and the edit form; rendered inside
    /// `{{#form}}`.
    static let shiftFields = """
        <label>Department <select name="department" id="shift-department"><option value="">choose…</option>
          {{#departments}}<option value="{{id}}" {{#selected}}selected{{/selected}}>{{name}}</option>{{/departments}}</select></label>
        <label>Group <select name="chat" id="shift-group"><option value="">choose…</option>
          {{#groups}}<option value="{{chat}}" {{#selected}}selected{{/selected}}>{{title}}</option>{{/groups}}</select></label>
        <label>Person (Telegram user id or @handle of a member) <input name="member" id="shift-member" value="{{member}}"></label>
        <label>Start <input name="start" id="shift-start" value="{{start}}" placeholder="HH:MM" pattern="[0-9]{2}:[0-9]{2}" size="5"></label>
        <label>End <input name="end" id="shift-end" value="{{end}}" placeholder="HH:MM" pattern="[0-9]{2}:[0-9]{2}" size="5"></label>
        """

    static let shifts = """
        {{> header}}
        <h1>Shifts</h1>
        <p>For an incident, a department calls its people on shift in the incident's group. When nobody is on shift,
        everyone with a shift in that group is called; a department with no shifts in a group calls all its members there.
        Times are wall-clock times in the company's time zone. A shift that ends at or before its start ends the next day
        and belongs to the day it starts.</p>

        <h2>Time zone and escalation</h2>
        <dl class="facts" id="escalation-ladder">
          <dt>Time zone</dt><dd id="time-zone">{{zone}}</dd>
          <dt>Group reminder</dt><dd id="reminder">every {{ladder.reminder}} min{{#ladder.reminderDefault}} (the installation's){{/ladder.reminderDefault}} while an incident waits for a claim</dd>
          <dt>Leads and group managers</dt><dd id="escalation">mentioned after {{ladder.escalation}} min without a claim</dd>
          <dt>Personal messages</dt><dd id="direct">to them {{ladder.direct}} min after that</dd>
        </dl>
        {{#settingsForm}}
        <form method="post" action="/dashboard/shifts/timezone" id="set-time-zone" class="filters">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label>Time zone (IANA name; reports use it too) <input name="timezone" id="timezone" value="{{timezone}}" list="time-zones" maxlength="64"></label>
          <button type="submit" id="set-time-zone-button">Save time zone</button>
        </form>
        <form method="post" action="/dashboard/shifts/escalation" id="set-escalation" class="filters">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label>Group reminder every (min; blank: the installation's {{installationReminder}}) <input name="reminder_minutes" id="reminder-minutes" value="{{reminder}}" inputmode="decimal" size="6"></label>
          <label>Leads and managers after (min) <input name="escalation_minutes" id="escalation-minutes" value="{{escalation}}" inputmode="decimal" size="6"></label>
          <label>Personal messages after that (min) <input name="direct_message_minutes" id="direct-minutes" value="{{direct}}" inputmode="decimal" size="6"></label>
          <button type="submit" id="set-escalation-button">Save escalation</button>
        </form>
        {{/settingsForm}}
        <datalist id="time-zones">{{#zones}}<option value="{{.}}">{{/zones}}</datalist>

        <h2>Weekly shifts</h2>
        {{#shiftDepartments}}
        <h3>{{name}}</h3>
        <table class="shifts" id="shifts-{{id}}"><thead><tr><th>Group</th><th>Person</th><th>Day</th><th>Hours</th><th></th></tr></thead><tbody>
        {{#rows}}<tr data-shift-id="{{id}}"><td>{{group}}</td>
          <td>{{person}}{{#ignored}} <span class="badge">not a member: ignored</span>{{/ignored}}</td><td>{{day}}</td>
          <td class="hours{{#overnight}} overnight{{/overnight}}">{{hours}}{{#onShift}} <span class="badge on-shift">on shift now</span>{{/onShift}}</td>
          <td><a href="/dashboard/shifts/{{id}}">Edit</a>
            <form method="post" action="/dashboard/shifts/{{id}}/delete" class="inline">
              <input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="danger">Delete</button></form></td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="5">No shifts: all its members are called, in every group.</td></tr>{{/rows}}
        </tbody></table>
        {{/shiftDepartments}}
        {{^shiftDepartments}}<p>No departments yet.</p>{{/shiftDepartments}}

        <h2>Add a shift</h2>
        {{#form}}
        <form method="post" action="/dashboard/shifts" id="create-shift" class="filters">
          <input type="hidden" name="csrf" value="{{csrf}}">
          {{> shiftFields}}
          <fieldset class="days"><legend>Days (one shift each)</legend>
            {{#days}}<label><input type="checkbox" name="day_{{name}}" value="1" {{#selected}}checked{{/selected}}> {{label}}</label>{{/days}}
          </fieldset>
          <button type="submit" id="create-shift-button">Add</button>
        </form>
        {{/form}}

        <h2>Department leads</h2>
        <p>Leads are mentioned, with the group's managers, when an incident of their department waits too long for a claim.</p>
        {{#leadDepartments}}
        <h3>{{name}}</h3>
        <table class="leads" id="leads-{{id}}"><thead><tr><th>Person</th><th>Telegram</th><th>Lead</th><th></th></tr></thead><tbody>
        {{#members}}<tr data-member="{{ref}}"><td>{{name}}</td><td>{{handle}}</td><td>{{#lead}}yes{{/lead}}{{^lead}}no{{/lead}}</td><td>
          {{#canLead}}<form method="post" action="/dashboard/shifts/leads" class="inline">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="department" value="{{departmentID}}">
            <input type="hidden" name="member" value="{{ref}}"><input type="hidden" name="lead" value="{{#lead}}0{{/lead}}{{^lead}}1{{/lead}}">
            <button type="submit">{{#lead}}No longer a lead{{/lead}}{{^lead}}Make lead{{/lead}}</button></form>{{/canLead}}
          {{^canLead}}can be a lead once the bot has seen them{{/canLead}}</td></tr>{{/members}}
        {{^members}}<tr><td colspan="4">No members yet.</td></tr>{{/members}}
        </tbody></table>
        {{/leadDepartments}}
        {{> footer}}
        """

    static let shift = """
        {{> header}}
        {{#shift}}
        <h1>Shift of {{person}}</h1>
        <p id="shift-summary">{{department}} in {{group}}: {{day}} {{hours}}.</p>
        {{/shift}}
        {{#form}}
        <form method="post" action="/dashboard/shifts/{{shift.id}}/update" id="update-shift" class="filters">
          <input type="hidden" name="csrf" value="{{csrf}}">
          {{> shiftFields}}
          <label>Day <select name="day" id="shift-day">{{#days}}<option value="{{name}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/days}}</select></label>
          <button type="submit" id="update-shift-button">Save</button>
        </form>
        {{/form}}
        {{#shift}}
        <form method="post" action="/dashboard/shifts/{{id}}/delete" id="delete-shift">
          <input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="danger" id="delete-shift-button">Delete this shift</button>
        </form>
        {{/shift}}
        <p><a href="/dashboard/shifts">All shifts</a></p>
        {{> footer}}
        """
}
