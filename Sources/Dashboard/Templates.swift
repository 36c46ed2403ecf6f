/// The dashboard's Mustache templates, compiled into the binary so the pages render the same
/// whatever the working directory. `{{name}}` HTML-escapes; the only triple mustaches are
/// `{{{chart}}}`, SVG the server drew itself with every label escaped (see `SVGChart`).
enum Templates {
    static let all: [String: String] = [
        "header": header, "footer": footer, "login": login, "overview": overview, "incidents": incidents,
        "incident": incident, "departments": departments, "department": department, "groups": groups,
        "people": people, "reports": reports, "message": message, "shifts": shifts, "shift": shift,
        "shiftFields": shiftFields,
    ]

    static let header = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · RaiseDash</title>
        <link rel="stylesheet" href="/dashboard/static/dashboard.css">
        </head><body>
        <header class="top">
          <a class="brand" href="/dashboard">RaiseDash</a>
          {{#viewer}}
          <nav>
            <a href="/dashboard" {{#nav.overview}}class="current"{{/nav.overview}}>Overview</a>
            <a href="/dashboard/incidents" {{#nav.incidents}}class="current"{{/nav.incidents}}>Incidents</a>
            <a href="/dashboard/departments" {{#nav.departments}}class="current"{{/nav.departments}}>Departments</a>
            <a href="/dashboard/groups" {{#nav.groups}}class="current"{{/nav.groups}}>Groups</a>
            <a href="/dashboard/shifts" {{#nav.shifts}}class="current"{{/nav.shifts}}>Shifts</a>
            <a href="/dashboard/people" {{#nav.people}}class="current"{{/nav.people}}>People</a>
            <a href="/dashboard/reports" {{#nav.reports}}class="current"{{/nav.reports}}>Reports</a>
          </nav>
          <div class="who">
            {{#platform}}
            <form method="post" action="/dashboard/company" class="inline" id="company-picker">
              <input type="hidden" name="csrf" value="{{csrf}}">
              <label>Company <select name="company_id" onchange="this.form.submit()">
                {{^company}}<option value="">choose…</option>{{/company}}
                {{#companies}}<option value="{{id}}" {{#selected}}selected{{/selected}}>{{name}}</option>{{/companies}}
              </select></label>
              <noscript><button type="submit">Show</button></noscript>
            </form>
            {{/platform}}
            {{^platform}}<span class="company" id="company-name">{{company.name}}</span>{{/platform}}
            <form method="post" action="/dashboard/logout" class="inline">
              <input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="logout">Log out</button>
            </form>
          </div>
          {{/viewer}}
        </header>
        <main>
        {{#error}}<p class="flash error" id="error" role="alert">{{error}}</p>{{/error}}
        {{#notice}}<p class="flash notice" id="notice">{{notice}}</p>{{/notice}}
        """

    static let footer = """
        </main>
        </body></html>
        """

    static let login = """
        {{> header}}
        <section class="login">
          <h1>Log in</h1>
          <p>Paste your company's access key (or the platform key).</p>
          <form method="post" action="/dashboard/login" id="login-form">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <label>Access key <input type="password" name="key" id="key" autocomplete="off" required></label>
            <button type="submit" id="login">Log in</button>
          </form>
        </section>
        {{> footer}}
        """

    static let message = """
        {{> header}}
        <h1>{{title}}</h1>
        <p>{{text}}</p>
        {{#link}}<p><a href="{{href}}">{{label}}</a></p>{{/link}}
        {{> footer}}
        """

    static let overview = """
        {{> header}}
        {{#company}}
        <h1>{{name}}</h1>
        <section class="cards">
          <div class="card"><div class="big" id="open-count">{{open}}</div>open incidents</div>
          <div class="card"><div class="big" id="today-created">{{today.created}}</div>reported today</div>
          <div class="card"><div class="big" id="today-resolved">{{today.resolved}}</div>resolved today</div>
          <div class="card"><div class="big" id="today-closed">{{today.autoClosed}}</div>closed without summary today</div>
          <div class="card"><div class="big">{{today.claimMedian}}</div>median time to claim today</div>
        </section>
        <h2>Open incidents by department</h2>
        <table id="open-by-department">
          <thead><tr><th>Department</th>{{#statuses}}<th>{{label}}</th>{{/statuses}}<th>Total</th></tr></thead>
          <tbody>
          {{#openRows}}<tr><td>{{name}}</td>{{#cells}}<td class="num">{{#href}}<a href="{{href}}">{{count}}</a>{{/href}}{{^href}}{{count}}{{/href}}</td>{{/cells}}<td class="num">{{total}}</td></tr>{{/openRows}}
          {{^openRows}}<tr><td colspan="{{columns}}">No open incidents.</td></tr>{{/openRows}}
          </tbody>
        </table>
        <h2>SLA, last 7 days</h2>
        <table id="sla-glance">
          <thead><tr><th></th><th>Threshold</th><th>Reached</th><th>Within</th><th>Compliance</th></tr></thead>
          <tbody>
          {{#sla}}<tr><td>{{step}}</td><td>{{threshold}}</td><td class="num">{{reached}}</td><td class="num">{{met}}</td><td class="num">{{percent}}</td></tr>{{/sla}}
          </tbody>
        </table>
        {{/company}}
        {{^company}}<h1>Overview</h1><p>Choose a company above.</p>{{/company}}
        {{> footer}}
        """

    static let incidents = """
        {{> header}}
        <h1>Incidents</h1>
        <form method="get" action="/dashboard/incidents" class="filters" id="filters">
          <label>Status <select name="status"><option value="">any</option>
            {{#statuses}}<option value="{{value}}" {{#selected}}selected{{/selected}}>{{label}}</option>{{/statuses}}</select></label>
          <label>Department <select name="department"><option value="">any</option>
            {{#departments}}<option value="{{id}}" {{#selected}}selected{{/selected}}>{{name}}</option>{{/departments}}</select></label>
          <label>Group <select name="group"><option value="">any</option>
            {{#groups}}<option value="{{chat}}" {{#selected}}selected{{/selected}}>{{title}}</option>{{/groups}}</select></label>
          <label>From <input type="date" name="from" value="{{filter.from}}"></label>
          <label>To <input type="date" name="to" value="{{filter.to}}"></label>
          <label>Text <input type="search" name="q" value="{{filter.q}}"></label>
          <button type="submit">Filter</button>
        </form>
        <table id="incident-list">
          <thead><tr><th>No.</th><th>Group</th><th>Status</th><th>Department</th><th>Reported</th><th>Created</th></tr></thead>
          <tbody>
          {{#rows}}<tr data-incident-id="{{id}}"><td><a href="/dashboard/incidents/{{id}}">{{number}}</a></td><td>{{group}}</td>
            <td class="status" data-status="{{status}}"><span class="badge {{status}}">{{statusLabel}}</span></td><td>{{department}}</td>
            <td class="text">{{text}}</td><td>{{created}}</td></tr>{{/rows}}
          {{^rows}}<tr><td colspan="6">No incidents match.</td></tr>{{/rows}}
          </tbody>
        </table>
        <p class="pager">{{#first}}<a href="{{first}}">First page</a>{{/first}} {{#next}}<a href="{{next}}" id="next-page">Next page</a>{{/next}}</p>
        {{#live}}<script>
        // The list follows the bot: it reloads every few seconds while nothing is being typed.
        setInterval(function () {
          var active = document.activeElement;
          if (!active || active === document.body) { location.reload(); }
        }, 3000);
        </script>{{/live}}
        {{> footer}}
        """

    static let incident = """
        {{> header}}
        {{#incident}}
        <h1>Incident {{number}} <span class="badge {{status}}" id="status">{{statusLabel}}</span></h1>
        <dl class="facts">
          <dt>Group</dt><dd>{{group}}</dd>
          <dt>Department</dt><dd id="department">{{department}}</dd>
          <dt>Reported by</dt><dd>{{reporter}}</dd>
          <dt>Created</dt><dd>{{created}}</dd>
          {{#claimed}}<dt>First claimed</dt><dd>{{claimed}}</dd>{{/claimed}}
          {{#resolved}}<dt>Resolved</dt><dd>{{resolved}}</dd>{{/resolved}}
          {{#closed}}<dt>Closed</dt><dd>{{closed}}</dd>{{/closed}}
          {{#link}}<dt>Message</dt><dd><a href="{{link}}" id="telegram-link">open in Telegram</a></dd>{{/link}}
        </dl>
        <h2>Reported text</h2>
        <pre class="report" id="reported-text">{{text}}</pre>
        {{#hasAttachments}}<h2>Attachments</h2><ul>{{#attachments}}<li>{{kind}} {{name}}</li>{{/attachments}}</ul>{{/hasAttachments}}
        {{#summary}}<h2>Summary</h2><pre class="report" id="summary">{{summary}}</pre>{{/summary}}
        <h2>Participants</h2>
        <table id="participants"><thead><tr><th>Person</th><th>Role</th><th>Joined</th><th>Left</th></tr></thead><tbody>
        {{#participants}}<tr><td>{{name}}</td><td>{{role}}</td><td>{{joined}}</td><td>{{left}}</td></tr>{{/participants}}
        {{^participants}}<tr><td colspan="4">Nobody has claimed it.</td></tr>{{/participants}}
        </tbody></table>
        <h2>Department sessions</h2>
        <table id="sessions"><thead><tr><th>Department</th><th>Assigned</th><th>By</th><th>First claimed</th><th>Ended</th><th>Why</th></tr></thead><tbody>
        {{#sessions}}<tr><td>{{department}}</td><td>{{assigned}}</td><td>{{by}}</td><td>{{claimed}}</td><td>{{ended}}</td><td>{{reason}}</td></tr>{{/sessions}}
        {{^sessions}}<tr><td colspan="6">No department chosen yet.</td></tr>{{/sessions}}
        </tbody></table>
        <h2>Timeline</h2>
        <ol class="timeline" id="timeline">
        {{#timeline}}<li><time>{{at}}</time> <span class="action">{{action}}</span> {{#actor}}by {{actor}}{{/actor}} {{detail}}</li>{{/timeline}}
        </ol>
        {{/incident}}
        {{> footer}}
        """

    static let departments = """
        {{> header}}
        <h1>Departments</h1>
        <table id="department-list"><thead><tr><th>Name</th><th>Restricted</th><th>Members</th></tr></thead><tbody>
        {{#rows}}<tr data-department-id="{{id}}"><td><a href="/dashboard/departments/{{id}}">{{name}}</a></td><td>{{#restricted}}yes{{/restricted}}{{^restricted}}no{{/restricted}}</td><td class="num">{{members}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="3">No departments yet.</td></tr>{{/rows}}
        </tbody></table>
        <h2>New department</h2>
        <form method="post" action="/dashboard/departments" id="create-department">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label>Name <input name="name" id="department-name" value="{{form.name}}" maxlength="64"></label>
          <label><input type="checkbox" name="restricted" value="1" {{#form.restricted}}checked{{/form.restricted}}> restricted (only its members may claim)</label>
          <button type="submit" id="create-department-button">Create</button>
        </form>
        {{> footer}}
        """

    static let department = """
        {{> header}}
        {{#department}}
        <h1>{{name}}</h1>
        <p>{{#restricted}}Restricted: only its members may claim its incidents.{{/restricted}}{{^restricted}}Open: anyone in the group may claim.{{/restricted}}</p>
        <form method="post" action="/dashboard/departments/{{id}}/rename" id="rename-department" class="inline">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label>New name <input name="name" id="rename-name" value="{{form.name}}" maxlength="64"></label> <button type="submit" id="rename-button">Rename</button>
        </form>
        <form method="post" action="/dashboard/departments/{{id}}/restrict" id="restrict-department" class="inline">
          <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="restricted" value="{{^restricted}}1{{/restricted}}{{#restricted}}0{{/restricted}}">
          <button type="submit" id="restrict-button">{{#restricted}}Open it to everyone{{/restricted}}{{^restricted}}Restrict to members{{/restricted}}</button>
        </form>
        <form method="post" action="/dashboard/departments/{{id}}/delete" id="delete-department" class="inline">
          <input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="danger" id="delete-button">Delete (its incidents and reports keep it)</button>
        </form>
        <h2>Members</h2>
        <table id="member-list"><thead><tr><th>Person</th><th>Telegram</th><th></th></tr></thead><tbody>
        {{#members}}<tr><td>{{name}}</td><td>{{handle}}</td><td>
          <form method="post" action="/dashboard/departments/{{departmentID}}/members/remove" class="inline">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="member" value="{{ref}}">
            <button type="submit">Remove</button></form></td></tr>{{/members}}
        {{^members}}<tr><td colspan="3">No members yet.</td></tr>{{/members}}
        </tbody></table>
        <h2>Add a member</h2>
        <form method="post" action="/dashboard/departments/{{id}}/members" id="add-member">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label>Telegram user id or @handle <input name="member" id="member" value="{{form.member}}"></label>
          <button type="submit" id="add-member-button">Add</button>
        </form>
        {{/department}}
        {{> footer}}
        """

    static let groups = """
        {{> header}}
        <h1>Groups</h1>
        {{#sections}}
        <h2>{{label}}</h2>
        <table class="groups" id="groups-{{status}}"><thead><tr><th>Group</th><th>Chat id</th><th>Managers</th><th>Added</th><th></th></tr></thead><tbody>
        {{#rows}}<tr data-chat-id="{{chat}}"><td>{{title}}</td><td>{{chat}}</td><td>{{managers}}</td><td>{{created}}</td><td>
          {{#pending}}
          <form method="post" action="/dashboard/groups/{{chat}}/approve" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="approve">Approve</button></form>
          <form method="post" action="/dashboard/groups/{{chat}}/deny" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" class="danger">Deny</button></form>
          {{/pending}}
        </td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="5">None.</td></tr>{{/rows}}
        </tbody></table>
        {{/sections}}
        <h2>Activate a new group</h2>
        <p>Add the bot to the group; an administrator of the group then sends <code>/activate CODE</code> there.
        A code works once and expires after 24 hours.</p>
        {{#code}}<p class="flash notice">New code (shown only now): <code id="activation-code">{{code}}</code></p>{{/code}}
        {{#openCodes}}<p id="open-codes">{{openCodes}} unused code(s) waiting.</p>{{/openCodes}}
        <form method="post" action="/dashboard/groups/activation-code" id="new-activation-code">
          <input type="hidden" name="csrf" value="{{csrf}}"><button type="submit" id="new-activation-code-button">New activation code</button>
        </form>
        {{> footer}}
        """

    static let people = """
        {{> header}}
        <h1>People</h1>
        <table id="people-list"><thead><tr><th>Name</th><th>Telegram</th><th>User id</th><th>Departments</th><th>Registered driver in</th><th>Manages</th><th>Last seen</th></tr></thead><tbody>
        {{#rows}}<tr data-user-id="{{id}}"><td>{{name}}</td><td>{{handle}}</td><td>{{id}}</td><td>{{departments}}</td><td>{{drives}}</td><td>{{manages}}</td><td>{{seen}}</td></tr>{{/rows}}
        {{^rows}}<tr><td colspan="7">Nobody seen yet.</td></tr>{{/rows}}
        </tbody></table>
        {{> footer}}
        """

    static let reports = """
        {{> header}}
        <h1>Reports</h1>
        <nav class="tabs">{{#kinds}}<a href="{{href}}" {{#selected}}class="current"{{/selected}}>{{label}}</a>{{/kinds}}</nav>
        <form method="get" action="/dashboard/reports" class="filters" id="report-filters">
          <input type="hidden" name="kind" value="{{kind}}">
          <label>From <input type="date" name="from" value="{{from}}"></label>
          <label>To <input type="date" name="to" value="{{to}}"></label>
          <button type="submit">Show</button>
          <span class="presets">{{#presets}}<a href="{{href}}">{{label}}</a> {{/presets}}</span>
        </form>
        <p class="downloads">Download: <a href="{{csv}}" id="download-csv">CSV</a> · <a href="{{json}}" id="download-json">JSON</a></p>
        <figure class="chart" id="chart">{{{chart}}}</figure>
        <table id="report-table"><thead><tr>{{#columns}}<th>{{.}}</th>{{/columns}}</tr></thead><tbody>
        {{#rows}}<tr>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>{{/rows}}
        {{^rows}}<tr><td colspan="{{columnCount}}">Nothing in this period.</td></tr>{{/rows}}
        </tbody></table>
        {{> footer}}
        """

    static let css = """
        :root { --fg: #1d232b; --muted: #5b6773; --line: #d8dee4; --accent: #1f6feb; --bg: #f6f8fa; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
        header.top { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; background: #fff; border-bottom: 1px solid var(--line); flex-wrap: wrap; }
        .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
        nav a { margin-right: .9rem; color: var(--muted); text-decoration: none; }
        nav a.current { color: var(--fg); font-weight: 600; border-bottom: 2px solid var(--accent); }
        .who { margin-left: auto; display: flex; gap: .8rem; align-items: center; }
        main { max-width: 1200px; margin: 0 auto; padding: 1rem 1.2rem 3rem; }
        form.inline { display: inline; }
        .flash { padding: .6rem .9rem; border-radius: 6px; }
        .flash.error { background: #ffebe9; border: 1px solid #ff8182; }
        .flash.notice { background: #dafbe1; border: 1px solid #4ac26b; }
        table { border-collapse: collapse; width: 100%; background: #fff; margin: .5rem 0 1.2rem; }
        th, td { border-bottom: 1px solid var(--line); padding: .4rem .6rem; text-align: left; vertical-align: top; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.text { max-width: 32rem; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .cards { display: flex; gap: 1rem; flex-wrap: wrap; }
        .card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; min-width: 10rem; color: var(--muted); }
        .big { font-size: 1.8rem; font-weight: 700; color: var(--fg); }
        .badge { padding: .1rem .45rem; border-radius: 999px; font-size: .85em; background: #eaeef2; white-space: nowrap; }
        .badge.awaiting_department, .badge.awaiting_claim { background: #fff8c5; }
        .badge.in_progress { background: #ddf4ff; }
        .badge.awaiting_summary { background: #fbefff; }
        .badge.resolved { background: #dafbe1; }
        .filters { display: flex; gap: .8rem; flex-wrap: wrap; align-items: end; margin-bottom: .6rem; }
        .filters label { display: flex; flex-direction: column; font-size: .85em; color: var(--muted); }
        pre.report { white-space: pre-wrap; background: #fff; border: 1px solid var(--line); padding: .6rem; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
        dt { color: var(--muted); }
        ol.timeline { background: #fff; border: 1px solid var(--line); padding: .6rem 2rem; }
        button { font: inherit; padding: .25rem .7rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; cursor: pointer; }
        button.danger { border-color: #ff8182; }
        button.approve { border-color: #4ac26b; }
        .badge.on-shift { background: #dafbe1; }
        fieldset.days { border: 1px solid var(--line); border-radius: 6px; display: flex; gap: .6rem; flex-wrap: wrap; }
        fieldset.days label { flex-direction: row; color: var(--fg); }
        .login { max-width: 28rem; margin: 3rem auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 1.2rem 1.5rem; }
        .login input { width: 100%; }
        .tabs a { display: inline-block; margin: 0 .8rem .6rem 0; }
        figure.chart { background: #fff; border: 1px solid var(--line); margin: 0 0 1rem; padding: .6rem; overflow-x: auto; }
        figure.chart svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
        """
}
