import Testing
@testable import Systemd

struct WatchdogIntervalTests {
    let socket = ["NOTIFY_SOCKET": "/run/systemd/notify"]

    @Test func halfOfWatchdogUsec() {
        let env = socket.merging(["WATCHDOG_USEC": "30000000"]) { $1 }
        #expect(SystemdNotifier(environment: env, processID: 42).watchdogInterval == .seconds(15))
    }

    @Test func matchingPidIsAccepted() {
        let env = socket.merging(["WATCHDOG_USEC": "3000000", "WATCHDOG_PID": "42"]) { $1 }
        #expect(SystemdNotifier(environment: env, processID: 42).watchdogInterval == .milliseconds(1500))
    }

    @Test func otherPidDisablesWatchdog() {
        let env = socket.merging(["WATCHDOG_USEC": "3000000", "WATCHDOG_PID": "41"]) { $1 }
        #expect(SystemdNotifier(environment: env, processID: 42).watchdogInterval == nil)
    }

    @Test(arguments: ["", "abc", "0", "-5", " 3000000", "3s", "18446744073709551615", "99999999999999999999999"])
    func garbageUsecDisablesWatchdog(_ raw: String) {
        let env = socket.merging(["WATCHDOG_USEC": raw]) { $1 }
        #expect(SystemdNotifier(environment: env, processID: 42).watchdogInterval == nil)
    }

    @Test(arguments: ["", "abc", "0", "-42", "42x"])
    func garbagePidDisablesWatchdog(_ raw: String) {
        let env = socket.merging(["WATCHDOG_USEC": "3000000", "WATCHDOG_PID": raw]) { $1 }
        #expect(SystemdNotifier(environment: env, processID: 42).watchdogInterval == nil)
    }

    @Test func noWatchdogWithoutNotifySocket() {
        let env = ["WATCHDOG_USEC": "3000000"]
        #expect(SystemdNotifier(environment: env, processID: 42).watchdogInterval == nil)
        #expect(WatchdogInterval.fromEnvironment(env, processID: 42) == .milliseconds(1500))
    }

    @Test func oddMicrosecondsRoundDown() {
        #expect(WatchdogInterval.fromEnvironment(["WATCHDOG_USEC": "3"], processID: 1) == .microseconds(1))
    }
}
