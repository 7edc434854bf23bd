/// Faults that only tests switch on (through `MANGROVE_SCHEDULER_TEST_FAULT`), to prove
/// the service manager's safety nets work. Never set in production.
public enum TestFault: String, Sendable {
    /// The scheduling loop stops making progress ~3 s after READY, so watchdog pings stop.
    case hangLoop = "hang-loop"

    public static let environmentVariable = "MANGROVE_SCHEDULER_TEST_FAULT"

    public init?(environment: [String: String]) {
        guard let value = environment[Self.environmentVariable], let fault = TestFault(rawValue: value) else { return nil }
        self = fault
    }
}
