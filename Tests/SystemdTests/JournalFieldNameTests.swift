import Testing
import Systemd

struct JournalFieldNameTests {
    @Test(arguments: [
        ("ledger_id", "LEDGER_ID"),
        ("period_start", "PERIOD_START"),
        ("mangrove_event", "MANGROVE_EVENT"),
        ("task_id", "TASK_ID"),
        ("error", "ERROR"),
        ("error.message", "ERROR_MESSAGE"),
        ("http-status", "HTTP_STATUS"),
        ("_pid", "PID"),
        ("__x", "X"),
        ("2fa", "F_2FA"),
        ("_9", "F_9"),
        ("café_id", "CAF__ID"),
        ("Already_UPPER", "ALREADY_UPPER"),
    ])
    func sanitises(_ key: String, _ field: String) {
        #expect(JournalFieldName.sanitize(key) == field)
    }

    @Test(arguments: ["", "_", "___"])
    func unusableKeysAreDropped(_ key: String) {
        #expect(JournalFieldName.sanitize(key) == nil)
    }

    @Test func longNamesAreCut() {
        let name = JournalFieldName.sanitize(String(repeating: "a", count: 100))
        #expect(name?.count == 64)
    }

    @Test func resultAlwaysFollowsJournaldRules() {
        for key in ["a b", "x=y", "ÄÖÜ", "-lead", "0", "ok_1", "\n"] {
            guard let name = JournalFieldName.sanitize(key) else { continue }
            #expect(name.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 95 }, "\(key)")
            #expect(name.first != "_" && !(name.first?.isNumber ?? true), "\(key)")
        }
    }
}
