/// Keeps a large optional value out of line: copying the enclosing struct copies one
/// reference, the value is copied on write (an `indirect` enum case), and nil costs no
/// allocation. `LedgerRunner` holds its `PeriodRun` (about 600 bytes), pending intent,
/// listing and schedule change this way, so the scheduler's per-event copies of runners
/// and the per-ledger table stay small.
@propertyWrapper
struct Boxed<Wrapped: Sendable>: Sendable {
    private enum Storage: Sendable {
        case none
        indirect case some(Wrapped)
    }

    private var storage: Storage

    init(wrappedValue: Wrapped?) {
        storage = wrappedValue.map { .some($0) } ?? .none
    }

    var wrappedValue: Wrapped? {
        get {
            switch storage {
            case .none: nil
            case .some(let v): v
            }
        }
        set { storage = newValue.map { .some($0) } ?? .none }
    }
}
