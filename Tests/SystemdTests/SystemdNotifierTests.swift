import Foundation
import Testing
@testable import Systemd
#if canImport(Glibc)
import Glibc
#endif

/// The notify protocol end to end: libsystemd's `sd_notify` sending to a socket
/// bound by the test. `sd_notify` reads `NOTIFY_SOCKET` from the process
/// environment, so these tests `setenv` it and must not run concurrently.
@Suite(.serialized)
struct SystemdNotifierTests {
    /// Runs `body` with `NOTIFY_SOCKET` pointing at a fresh listener, then restores the environment.
    private func withNotifySocket(
        abstract: Bool = false,
        _ body: (DatagramListener, SystemdNotifier) throws -> Void
    ) throws {
        let listener = try DatagramListener(abstract: abstract)
        let previous = getenv("NOTIFY_SOCKET").map { String(cString: $0) }
        setenv("NOTIFY_SOCKET", listener.address, 1)
        defer {
            if let previous { setenv("NOTIFY_SOCKET", previous, 1) } else { unsetenv("NOTIFY_SOCKET") }
            listener.close()
        }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": listener.address])
        try body(listener, notifier)
    }

    @Test func readyCarriesStatus() throws {
        try withNotifySocket { listener, notifier in
            #expect(notifier.isEnabled)
            try notifier.ready(status: "3 ledgers · idle")
            #expect(listener.receive() == "READY=1\nSTATUS=3 ledgers · idle")
        }
    }

    @Test func readyWithoutStatus() throws {
        try withNotifySocket { listener, notifier in
            try notifier.ready(status: nil)
            #expect(listener.receive() == "READY=1")
            try notifier.ready()
            #expect(listener.receive() == "READY=1")
            let existential: any SystemdNotifying = notifier
            try existential.ready()
            #expect(listener.receive() == "READY=1")
        }
    }

    @Test func statusIsKeptOnOneLine() throws {
        try withNotifySocket { listener, notifier in
            try notifier.status("line one\nREADY=1")
            #expect(listener.receive() == "STATUS=line one READY=1")
        }
    }

    @Test func stoppingAndWatchdog() throws {
        try withNotifySocket { listener, notifier in
            try notifier.stopping()
            #expect(listener.receive() == "STOPPING=1")
            try notifier.watchdog()
            #expect(listener.receive() == "WATCHDOG=1")
        }
    }

    @Test func reloadingSendsMonotonicTimestamp() throws {
        try withNotifySocket { listener, notifier in
            let before = SystemdNotifier.monotonicMicroseconds()
            try notifier.reloading()
            let after = SystemdNotifier.monotonicMicroseconds()
            let message = try #require(listener.receive())
            let lines = message.split(separator: "\n").map(String.init)
            #expect(lines.first == "RELOADING=1")
            let stamp = try #require(lines.first { $0.hasPrefix("MONOTONIC_USEC=") })
            let value = try #require(UInt64(stamp.dropFirst("MONOTONIC_USEC=".count)))
            #expect(value >= before && value <= after)
        }
    }

    @Test func extendTimeoutInMicroseconds() throws {
        try withNotifySocket { listener, notifier in
            try notifier.extendTimeout(.seconds(20))
            #expect(listener.receive() == "EXTEND_TIMEOUT_USEC=20000000")
            try notifier.extendTimeout(.milliseconds(1500))
            #expect(listener.receive() == "EXTEND_TIMEOUT_USEC=1500000")
        }
    }

    @Test func abstractSocketAddress() throws {
        try withNotifySocket(abstract: true) { listener, notifier in
            try notifier.ready(status: "abstract")
            #expect(listener.receive() == "READY=1\nSTATUS=abstract")
        }
    }

    @Test func disabledNotifierSendsNothingEvenIfProcessHasSocket() throws {
        try withNotifySocket { listener, _ in
            let notifier = SystemdNotifier(environment: [:])
            #expect(!notifier.isEnabled)
            #expect(notifier.watchdogInterval == nil)
            try notifier.ready(status: "x")
            try notifier.status("x")
            try notifier.reloading()
            try notifier.watchdog()
            try notifier.extendTimeout(.seconds(1))
            try notifier.stopping()
            #expect(listener.receive(timeoutMilliseconds: 50) == nil)
        }
    }

    @Test func noProcessSocketIsANoOp() throws {
        let previous = getenv("NOTIFY_SOCKET").map { String(cString: $0) }
        unsetenv("NOTIFY_SOCKET")
        defer { if let previous { setenv("NOTIFY_SOCKET", previous, 1) } }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent/notify.sock"])
        try notifier.ready(status: "nobody listens")
    }

    @Test func deadSocketThrowsAnActionableError() throws {
        let previous = getenv("NOTIFY_SOCKET").map { String(cString: $0) }
        let missing = "/tmp/mgv-notify-missing-\(UUID().uuidString.prefix(8))/notify.sock"
        setenv("NOTIFY_SOCKET", missing, 1)
        defer { if let previous { setenv("NOTIFY_SOCKET", previous, 1) } else { unsetenv("NOTIFY_SOCKET") } }
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": missing])
        let error = #expect(throws: SystemdNotifyError.self) { try notifier.watchdog() }
        #expect(error?.state == "WATCHDOG=1")
        #expect(error?.description.contains("NOTIFY_SOCKET") == true)
    }
}
