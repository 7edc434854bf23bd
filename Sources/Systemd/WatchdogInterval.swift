/// How often the service must ping the systemd watchdog, derived from its environment.
///
/// Mirrors `sd_watchdog_enabled(3)` but reads an injected environment, so it can
/// be tested and so it never unsets anything: `WATCHDOG_USEC` must be a positive
/// decimal number of microseconds (not `UINT64_MAX`, systemd's "infinity"); if
/// `WATCHDOG_PID` is present it must be our own process id (systemd sets it so a
/// child that inherits the environment does not think the watchdog is its job).
/// Anything malformed means "no watchdog". The ping interval is half the
/// timeout, as `sd_watchdog_enabled(3)` recommends:
///
/// | WATCHDOG_USEC | WATCHDOG_PID  | interval |
/// |---------------|---------------|----------|
/// | 30000000      | absent        | 15 s     |
/// | 3000000       | our pid       | 1.5 s    |
/// | 3000000       | another pid   | nil      |
/// | 0, "abc", ""  | any           | nil      |
public enum WatchdogInterval {
    public static func fromEnvironment(_ environment: [String: String], processID: Int32) -> Duration? {
        guard let raw = environment["WATCHDOG_USEC"], let usec = parseUnsigned(raw),
              usec > 0, usec != UInt64.max
        else { return nil }
        if let rawPID = environment["WATCHDOG_PID"] {
            guard let pid = parseUnsigned(rawPID), pid > 0, pid == UInt64(processID) else { return nil }
        }
        return .microseconds(Int64(clamping: usec / 2))
    }

    /// Plain decimal digits only (no sign, no spaces), like systemd's `safe_atou64` in practice.
    private static func parseUnsigned(_ text: String) -> UInt64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(text)
    }
}
