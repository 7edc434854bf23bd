import Testing
import SchedulerCore

@Suite("ScheduleProblem and ScheduleError: how check prints problems")
struct ScheduleProblemTests {
    @Test("description and formatted lines", arguments: [
        (ScheduleProblem(.error, path: "ledgers[2].cadence", message: "bad", line: 12, column: 20), "ledgers[2].cadence: bad", "s.json:12:20: ledgers[2].cadence: bad"),
        (ScheduleProblem(.error, path: "api", message: "missing"), "api: missing", "s.json: api: missing"),
        (ScheduleProblem(.warning, path: "x", message: "odd", line: 3), "warning: x: odd", "s.json:3: warning: x: odd"),
        (ScheduleProblem(.error, path: "", message: "invalid JSON: oops", line: 1, column: 1), "invalid JSON: oops", "s.json:1:1: invalid JSON: oops"),
    ])
    func formatting(_ problem: ScheduleProblem, _ description: String, _ formatted: String) {
        #expect(problem.description == description)
        #expect(problem.formatted(file: "s.json") == formatted)
    }

    @Test("an error lists every problem, one per line, and separates errors from warnings")
    func error() {
        let e = ScheduleError(file: "s.json", problems: [
            ScheduleProblem(.warning, path: "a", message: "w"), ScheduleProblem(.error, path: "b", message: "e", line: 2, column: 3),
        ])
        #expect(e.description == "s.json: warning: a: w\ns.json:2:3: b: e")
        #expect(e.errors.map(\.path) == ["b"])
    }

    @Test("the cadence list in messages")
    func cadenceList() {
        #expect(Cadence.expectedList == "hourly, daily, weekly, monthly, quarterly, yearly")
        #expect(Cadence.allCases.map(\.description) == ["hourly", "daily", "weekly", "monthly", "quarterly", "yearly"])
    }
}
