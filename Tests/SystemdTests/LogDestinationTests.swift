import Logging
import Testing
@testable import Systemd

struct LogDestinationTests {
    let stderr: (dev: UInt64, ino: UInt64) = (dev: 22, ino: 123_456)

    @Test func journalStreamMatchingStderrMeansJournald() {
        let env = ["JOURNAL_STREAM": "22:123456", "INVOCATION_ID": "abc", "NOTIFY_SOCKET": "/run/systemd/notify"]
        #expect(LogDestination.choose(environment: env, stderrDeviceInode: stderr, stderrIsTTY: false) == .journald)
    }

    @Test func inheritedJournalStreamIsIgnored() {
        let env = ["JOURNAL_STREAM": "22:999", "INVOCATION_ID": "abc"]
        #expect(LogDestination.choose(environment: env, stderrDeviceInode: stderr, stderrIsTTY: false) == .systemdPrefixed)
    }

    @Test(arguments: ["", "22", "22:", ":123456", "x:y", "22:123456:1", "-22:123456"])
    func malformedJournalStreamIsIgnored(_ value: String) {
        let env = ["JOURNAL_STREAM": value]
        #expect(LogDestination.choose(environment: env, stderrDeviceInode: stderr, stderrIsTTY: false) == .terminal)
    }

    @Test func underSystemdWithoutJournalStream() {
        for env in [["INVOCATION_ID": "abc"], ["NOTIFY_SOCKET": "@x"]] {
            #expect(LogDestination.choose(environment: env, stderrDeviceInode: stderr, stderrIsTTY: false) == .systemdPrefixed)
        }
    }

    @Test func terminalWinsOverSystemdVariables() {
        let env = ["INVOCATION_ID": "abc"]
        #expect(LogDestination.choose(environment: env, stderrDeviceInode: stderr, stderrIsTTY: true) == .terminal)
    }

    @Test func plainProcess() {
        #expect(LogDestination.choose(environment: [:], stderrDeviceInode: nil, stderrIsTTY: false) == .terminal)
        let env = ["JOURNAL_STREAM": "22:123456"]
        #expect(LogDestination.choose(environment: env, stderrDeviceInode: nil, stderrIsTTY: false) == .terminal)
    }

    @Test func handlersMatchDestination() {
        let journald = LogDestination.journald.makeHandler(label: "l", identifier: "id", level: .debug)
        #expect(journald is JournaldLogHandler)
        #expect(journald.logLevel == .debug)
        let prefixed = LogDestination.systemdPrefixed.makeHandler(label: "l", identifier: "id", level: .info)
        #expect((prefixed as? StderrLogHandler)?.style == .systemdPrefixed)
        let terminal = LogDestination.terminal.makeHandler(label: "l", identifier: "id", level: .info)
        #expect((terminal as? StderrLogHandler)?.style == .terminal)
    }
}
