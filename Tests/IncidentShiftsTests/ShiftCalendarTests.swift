import Foundation
import IncidentCore
import IncidentShifts
import Testing

/// `2026-03-02T17:00:00Z` as a date.
func utc(_ text: String) -> Date {
    let date = try? Date(text, strategy: .iso8601)
    return date!
}

func shift(_ day: String, _ start: String, _ end: String) -> WeeklyShift {
    try! WeeklyShift.parse(day: day, start: start, end: end).get()
}

@Suite("Shift schedules: parsing")
struct ShiftParsingTests {
    @Test("a day and two HH:MM times make a shift; an end at or before the start is overnight")
    func valid() throws {
        let night = try WeeklyShift.parse(day: "Monday", start: "22:00", end: "06:00").get()
        #expect(night.day == .monday && night.start.description == "22:00" && night.end.description == "06:00")
        #expect(night.isOvernight)
        #expect(!shift("friday", "08:00", "16:30").isOvernight)
        #expect(shift("sunday", "16:00", "00:00").isOvernight, "ending at midnight ends on the next day")
    }

    @Test("bad days and times are refused with a sentence naming the field", arguments: [
        ("mon", "08:00", "16:00", "day must be one of"),
        ("", "08:00", "16:00", "day must be one of"),
        ("monday", "8:00", "16:00", "start must be a time of day as HH:MM"),
        ("monday", "24:00", "16:00", "start must be a time of day"),
        ("monday", "08:60", "16:00", "start must be a time of day"),
        ("monday", "08:00", "16-00", "end must be a time of day"),
        ("monday", "08:00", "", "end must be a time of day"),
        ("monday", "08:00", "+1:00", "end must be a time of day"),
        ("monday", "08:00", "08:00", "must not start and end at the same time"),
    ])
    func invalid(day: String, start: String, end: String, expected: String) {
        guard case .failure(let problem) = WeeklyShift.parse(day: day, start: start, end: end) else {
            Issue.record("accepted \(day) \(start)-\(end)")
            return
        }
        #expect(problem.description.contains(expected), "\(problem)")
    }

    @Test("time zones: IANA names and UTC only")
    func zones() {
        #expect(ShiftCalendar(timeZoneNamed: "Asia/Tashkent") != nil)
        #expect(ShiftCalendar(timeZoneNamed: "UTC") != nil)
        #expect(ShiftCalendar(timeZoneNamed: "Mars/Olympus") == nil)
        #expect(ShiftCalendar(timeZoneNamed: "") == nil)
    }
}

@Suite("Shift schedules: when a shift runs")
struct ShiftCalendarTests {
    let tashkent = ShiftCalendar(timeZoneNamed: "Asia/Tashkent")!  // UTC+5, no daylight saving
    let berlin = ShiftCalendar(timeZoneNamed: "Europe/Berlin")!

    @Test("overnight across midnight in UTC+5: Monday 22:00-06:00 runs Monday 17:00 to Tuesday 01:00 UTC")
    func overnightTashkent() {
        let night = shift("monday", "22:00", "06:00")
        // 2026-03-02 is a Monday.
        #expect(!tashkent.isOnShift(night, at: utc("2026-03-02T16:59:59Z")), "21:59:59 local")
        #expect(tashkent.isOnShift(night, at: utc("2026-03-02T17:00:00Z")), "22:00 local: starts")
        #expect(tashkent.isOnShift(night, at: utc("2026-03-02T19:30:00Z")), "00:30 Tuesday local: still Monday's shift")
        #expect(tashkent.isOnShift(night, at: utc("2026-03-03T00:59:59Z")), "05:59:59 Tuesday local")
        #expect(!tashkent.isOnShift(night, at: utc("2026-03-03T01:00:00Z")), "06:00 Tuesday local: over")
        #expect(!tashkent.isOnShift(night, at: utc("2026-03-03T18:00:00Z")), "Tuesday 23:00: Tuesday has no shift")
        #expect(!tashkent.isOnShift(night, at: utc("2026-03-01T19:30:00Z")), "Monday 00:30 belongs to Sunday's night, which has none")
        let occurrence = tashkent.occurrence(of: night, containing: utc("2026-03-02T20:00:00Z"))
        #expect(occurrence == DateInterval(start: utc("2026-03-02T17:00:00Z"), end: utc("2026-03-03T01:00:00Z")))
        // The next week's occurrence is seven days later.
        #expect(tashkent.isOnShift(night, at: utc("2026-03-09T20:00:00Z")))
    }

    @Test("a day shift and a shift ending at midnight")
    func dayShifts() {
        let day = shift("wednesday", "08:00", "16:30")
        #expect(tashkent.occurrence(of: day, containing: utc("2026-03-04T05:00:00Z"))
            == DateInterval(start: utc("2026-03-04T03:00:00Z"), end: utc("2026-03-04T11:30:00Z")))
        #expect(!tashkent.isOnShift(day, at: utc("2026-03-04T11:30:00Z")))
        let evening = shift("wednesday", "16:00", "00:00")
        #expect(tashkent.occurrence(of: evening, containing: utc("2026-03-04T18:59:00Z"))
            == DateInterval(start: utc("2026-03-04T11:00:00Z"), end: utc("2026-03-04T19:00:00Z")))
        #expect(!tashkent.isOnShift(evening, at: utc("2026-03-04T19:00:00Z")), "Thursday 00:00 local")
    }

    @Test("Europe/Berlin, clocks forward (29 March 2026): the overnight shift is 7 hours; a start in the skipped hour begins at the jump")
    func springForward() {
        // Saturday 22:00 CET (21:00Z) to Sunday 06:00 CEST (04:00Z).
        let night = shift("saturday", "22:00", "06:00")
        let occurrence = berlin.occurrence(of: night, containing: utc("2026-03-29T01:30:00Z"))
        #expect(occurrence == DateInterval(start: utc("2026-03-28T21:00:00Z"), end: utc("2026-03-29T04:00:00Z")))
        #expect(occurrence.map { $0.end.timeIntervalSince($0.start).rounded() } == 25_200.0)
        #expect(!berlin.isOnShift(night, at: utc("2026-03-29T04:00:00Z")))
        // 02:30 does not exist that night: the shift starts at 03:00 CEST (01:00Z).
        let early = shift("sunday", "02:30", "05:00")
        #expect(!berlin.isOnShift(early, at: utc("2026-03-29T00:59:59Z")))
        #expect(berlin.occurrence(of: early, containing: utc("2026-03-29T01:00:00Z"))
            == DateInterval(start: utc("2026-03-29T01:00:00Z"), end: utc("2026-03-29T03:00:00Z")))
        // A week earlier, in winter time, the same shift is 02:30-05:00 CET (01:30Z-04:00Z).
        #expect(berlin.occurrence(of: early, containing: utc("2026-03-22T02:00:00Z"))
            == DateInterval(start: utc("2026-03-22T01:30:00Z"), end: utc("2026-03-22T04:00:00Z")))
    }

    @Test("Europe/Berlin, clocks back (25 October 2026): the overnight shift is 9 hours; a repeated time is its first occurrence")
    func fallBack() {
        // Saturday 22:00 CEST (20:00Z) to Sunday 06:00 CET (05:00Z).
        let night = shift("saturday", "22:00", "06:00")
        let occurrence = berlin.occurrence(of: night, containing: utc("2026-10-25T04:59:00Z"))
        #expect(occurrence == DateInterval(start: utc("2026-10-24T20:00:00Z"), end: utc("2026-10-25T05:00:00Z")))
        #expect(occurrence.map { $0.end.timeIntervalSince($0.start).rounded() } == 32_400.0)
        // 02:30 happens twice; the shift starts at the first (CEST, 00:30Z) and ends 03:30 CET (02:30Z).
        let early = shift("sunday", "02:30", "03:30")
        #expect(berlin.occurrence(of: early, containing: utc("2026-10-25T01:45:00Z"))
            == DateInterval(start: utc("2026-10-25T00:30:00Z"), end: utc("2026-10-25T02:30:00Z")))
        #expect(!berlin.isOnShift(early, at: utc("2026-10-25T00:29:59Z")))
    }

    @Test("occurrences starting in a span, across a daylight saving change")
    func occurrencesInSpan() {
        let night = shift("saturday", "22:00", "06:00")
        let starts = berlin.occurrences(of: night, startingFrom: utc("2026-03-20T00:00:00Z"), to: utc("2026-04-05T00:00:00Z"))
            .map(\.start)
        #expect(starts == [utc("2026-03-21T21:00:00Z"), utc("2026-03-28T21:00:00Z"), utc("2026-04-04T20:00:00Z")])
        #expect(berlin.occurrences(of: night, startingFrom: utc("2026-03-28T21:00:00Z"), to: utc("2026-03-28T21:00:00Z")).isEmpty)
    }
}

@Suite("Shift schedules: who is called")
struct ShiftRosterTests {
    let calendar = ShiftCalendar(timeZoneNamed: "Asia/Tashkent")!
    let dispatch = DepartmentID(1), maintenance = DepartmentID(2)
    let group = ChatID(-100_1), other = ChatID(-100_2)
    let dave = Mention.user(id: UserID(11), handle: Handle("dave"), name: "Dave")
    let dina = Mention.user(id: UserID(12), handle: nil, name: "Dina")
    let mia = Mention.user(id: UserID(13), handle: Handle("mia"), name: "Mia")
    let pending = Mention.handle(Handle("newbie")!)

    func assign(_ id: Int64, _ department: DepartmentID, _ chat: ChatID, _ user: Mention, _ shift: WeeklyShift) -> ShiftAssignment {
        ShiftAssignment(id: id, departmentID: department, chatID: chat, userID: user.userID!, shift: shift)
    }

    @Test("without shifts for the group, every member is called and nothing is said about shifts")
    func noShifts() {
        let shifts = [assign(1, dispatch, other, dave, shift("monday", "08:00", "16:00"))]
        let roster = ShiftRoster.roster(
            department: dispatch, chat: group, members: [dave, dina, pending], shifts: shifts,
            at: utc("2026-03-02T05:00:00Z"), calendar: calendar)
        #expect(roster == Roster(mentions: [dave, dina, pending], nobodyOnShift: false))
    }

    @Test("those on shift are called; off shift, everyone assigned to the group, with the line")
    func onAndOffShift() {
        let shifts = [
            assign(1, dispatch, group, dave, shift("monday", "08:00", "16:00")),
            assign(2, dispatch, group, dina, shift("monday", "22:00", "06:00")),
        ]
        let members = [dave, dina, mia, pending]
        func roster(_ at: String) -> Roster {
            ShiftRoster.roster(department: dispatch, chat: group, members: members, shifts: shifts, at: utc(at), calendar: calendar)
        }
        #expect(roster("2026-03-02T05:00:00Z") == Roster(mentions: [dave], nobodyOnShift: false), "Monday 10:00")
        #expect(roster("2026-03-02T20:00:00Z") == Roster(mentions: [dina], nobodyOnShift: false), "Tuesday 01:00: Monday's night")
        #expect(roster("2026-03-02T13:00:00Z") == Roster(mentions: [dave, dina], nobodyOnShift: true),
                "Monday 18:00: nobody, so both assigned to the group, not Mia (not assigned) nor @newbie")
    }

    @Test("a person on two departments is called for each only during that department's shift")
    func twoDepartments() {
        let shifts = [
            assign(1, dispatch, group, dave, shift("monday", "08:00", "16:00")),
            assign(2, maintenance, group, dave, shift("monday", "16:00", "22:00")),
            assign(3, maintenance, group, mia, shift("tuesday", "08:00", "16:00")),
        ]
        func roster(_ department: DepartmentID, _ members: [Mention], _ at: String) -> Roster {
            ShiftRoster.roster(department: department, chat: group, members: members, shifts: shifts, at: utc(at), calendar: calendar)
        }
        // Monday 10:00: Dispatch has Dave; Maintenance has nobody on shift.
        #expect(roster(dispatch, [dave, dina], "2026-03-02T05:00:00Z") == Roster(mentions: [dave], nobodyOnShift: false))
        #expect(roster(maintenance, [dave, mia], "2026-03-02T05:00:00Z") == Roster(mentions: [dave, mia], nobodyOnShift: true))
        // Monday 17:00: the other way round.
        #expect(roster(dispatch, [dave, dina], "2026-03-02T12:00:00Z") == Roster(mentions: [dave], nobodyOnShift: true))
        #expect(roster(maintenance, [dave, mia], "2026-03-02T12:00:00Z") == Roster(mentions: [dave], nobodyOnShift: false))
    }

    @Test("a shift of someone no longer a member is ignored; if none assigned is a member, every member is called")
    func formerMembers() {
        let shifts = [assign(1, dispatch, group, mia, shift("monday", "08:00", "16:00"))]
        let roster = ShiftRoster.roster(
            department: dispatch, chat: group, members: [dave, dina], shifts: shifts,
            at: utc("2026-03-02T05:00:00Z"), calendar: calendar)
        #expect(roster == Roster(mentions: [dave, dina], nobodyOnShift: true))
    }

    @Test("running shifts, each with its current occurrence")
    func running() {
        let shifts = [
            assign(1, dispatch, group, dave, shift("monday", "08:00", "16:00")),
            assign(2, dispatch, group, dina, shift("monday", "22:00", "06:00")),
        ]
        let now = ShiftRoster.running(shifts, at: utc("2026-03-02T20:00:00Z"), calendar: calendar)
        #expect(now.map(\.assignment.id) == [2])
        #expect(now.first?.occurrence.start == utc("2026-03-02T17:00:00Z"))
    }
}
