import Foundation
import Testing
import SchedulerCore

@Suite("LedgerSchedule.dueInstant: a period is due at its end plus the settle delay")
struct SettleDelayTests {
    struct DueCase: Sendable, CustomTestStringConvertible {
        var cadence: Cadence
        var zone: String
        var delay: String
        var inside: String
        var due: String
        var testDescription: String { "\(cadence) \(zone) \(inside) + \(delay)" }
    }

    static let cases: [DueCase] = [
        // Berlin March 2025 ends 2025-03-31T22:00Z.
        .init(cadence: .monthly, zone: "Europe/Berlin", delay: "PT6H", inside: "2025-03-15T00:00:00Z", due: "2025-04-01T04:00:00.000Z"),
        .init(cadence: .monthly, zone: "Europe/Berlin", delay: "PT0S", inside: "2025-03-15T00:00:00Z", due: "2025-03-31T22:00:00.000Z"),
        .init(cadence: .monthly, zone: "Europe/Berlin", delay: "P1D", inside: "2025-03-15T00:00:00Z", due: "2025-04-01T22:00:00.000Z"),
        // Berlin 2025-03-29 ends at local midnight 2025-03-29T23:00Z; one calendar day later is
        // local midnight of the 31st, after the 23-hour DST day: only 23 h later.
        .init(cadence: .daily, zone: "Europe/Berlin", delay: "P1D", inside: "2025-03-29T12:00:00Z", due: "2025-03-30T22:00:00.000Z"),
        // ... and the 25-hour day in October.
        .init(cadence: .daily, zone: "Europe/Berlin", delay: "P1D", inside: "2025-10-25T12:00:00Z", due: "2025-10-26T23:00:00.000Z"),
        .init(cadence: .daily, zone: "Europe/Berlin", delay: "PT24H", inside: "2025-03-29T12:00:00Z", due: "2025-03-30T23:00:00.000Z"),
        .init(cadence: .daily, zone: "America/New_York", delay: "P1D", inside: "2025-11-01T12:00:00Z", due: "2025-11-03T05:00:00.000Z"),
        .init(cadence: .daily, zone: "Australia/Sydney", delay: "P1D", inside: "2025-10-04T02:00:00Z", due: "2025-10-05T13:00:00.000Z"),
        .init(cadence: .quarterly, zone: "UTC", delay: "PT6H", inside: "2025-02-01T00:00:00Z", due: "2025-04-01T06:00:00.000Z"),
        .init(cadence: .hourly, zone: "Europe/Berlin", delay: "PT30M", inside: "2025-03-30T00:10:00Z", due: "2025-03-30T01:30:00.000Z"),
        .init(cadence: .yearly, zone: "America/New_York", delay: "P1M", inside: "2025-06-01T00:00:00Z", due: "2026-02-01T05:00:00.000Z"),
    ]

    @Test("due instant", arguments: cases)
    func due(_ c: DueCase) throws {
        let delay = try #require(ISODuration(c.delay))
        let ledger = LedgerSchedule(id: "lgr_due", cadence: c.cadence, timeZone: zone(c.zone),
                                    firstPeriodStart: instant("2020-01-01T00:00:00Z"), settleDelay: delay)
        let period = ledger.calendar.period(containing: instant(c.inside))
        #expect(utcString(ledger.dueInstant(of: period)) == c.due)
        #expect(ledger.dueInstant(of: period) >= period.end)
    }

    @Test("default settle delay is PT0S: due exactly at the end")
    func defaultDelay() {
        let ledger = LedgerSchedule(id: "lgr_due", cadence: .daily, firstPeriodStart: instant("2025-01-01T00:00:00Z"))
        #expect(ledger.settleDelay.isZero)
        #expect(ledger.timeZone.secondsFromGMT(for: instant("2025-06-01T00:00:00Z")) == 0)
        let p = ledger.firstPeriod
        #expect(ledger.dueInstant(of: p) == p.end)
        #expect(p.startTime == "2025-01-01T00:00:00.000Z")
    }
}
