/// Keeps a large value out of line: copying the enclosing struct copies one reference,
/// and the value is copied on write (an `indirect` enum case). `LedgerRunner` holds its
/// `PeriodRun` (about 600 bytes), pending intent, listing and schedule change this way, so the scheduler's per-event copies of runners
/// and the per-ledger table stay small.
@propertyWrapper
struct Boxed<Value: Sendable>: Sendable {
    private indirect enum Storage: Sendable {
        case value(Value)
    }

    private var storage: Storage

    init(wrappedValue: Value) {
        storage = .value(wrappedValue)
    }

    var wrappedValue: Value {
        get {
            switch storage {
            case .value(let v): v
            }
        }
        set { storage = .value(newValue) }
    }
}
