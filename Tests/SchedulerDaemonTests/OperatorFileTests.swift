import Foundation
import SchedulerCore
import SchedulerTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@testable import SchedulerDaemon

/// The request and controls files an operator's command appends to.
@Suite struct OperatorFileTests {
    @Test("a request into a missing folder reports why open failed (ENOENT), not a later call's errno")
    func openFailureReportsItsOwnErrno() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let journal = folder.file("missing/journal.jsonl")
        let expected = JournalError.cannotOpen(path: journal + ".requests", reason: String(cString: strerror(ENOENT)))
        #expect(throws: expected) {
            try RetryRequestFile.append(RetryRequest(ledgerID: "lgr_a", periodStart: "2026-11-01T00:00:00.000Z"), journalPath: journal, now: Date(timeIntervalSince1970: 0))
        }
    }

    @Test("a line written in short pieces and interrupted by EINTR arrives whole")
    func shortWritesAndEINTR() {
        let line = Array("{\"ledger_id\":\"lgr_a\",\"period_start\":\"2026-11-01T00:00:00.000Z\"}\n".utf8)
        var received: [UInt8] = []
        var calls = 0
        let ok = OperatorFile.writeAll(line, to: 99) { fd, pointer, count in
            calls += 1
            #expect(fd == 99)
            if calls == 2 {
                errno = EINTR
                return -1
            }
            let n = min(count, 7)
            received += UnsafeRawBufferPointer(start: pointer, count: n)
            return n
        }
        #expect(ok)
        #expect(received == line)
        #expect(calls == (line.count + 6) / 7 + 1)
    }

    @Test("a write error other than EINTR stops the loop and leaves errno for the message")
    func writeError() {
        var calls = 0
        let ok = OperatorFile.writeAll(Array("x\n".utf8), to: 99) { _, _, _ in
            calls += 1
            errno = ENOSPC
            return -1
        }
        #expect(!ok)
        #expect(calls == 1)
        #expect(errno == ENOSPC)
    }

    @Test("two appended requests are two whole lines, readable by the daemon's user (0644)")
    func appendsWholeLines() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let journal = folder.file("journal.jsonl")
        for ledger in ["lgr_a", "lgr_b"] {
            try RetryRequestFile.append(RetryRequest(ledgerID: ledger, periodStart: "2026-11-01T00:00:00.000Z"), journalPath: journal, now: Date(timeIntervalSince1970: 0))
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: RetryRequestFile.path(journalPath: journal))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644)
        let taken = RetryRequestFile.take(journalPath: journal)
        #expect(taken.problems.isEmpty)
        #expect(taken.requests.map(\.ledgerID) == ["lgr_a", "lgr_b"])
    }
}
