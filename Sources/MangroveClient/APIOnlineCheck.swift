import MangroveAPI

/// The online part of `mangrove-scheduler check --online`: asks the API (read-only calls
/// only) whether each scheduled ledger exists, has a model, and what inputs it requires.
/// Returns plain data; the CLI prints it.
public struct APIOnlineCheck: Sendable {
    public let api: any BatchAPI

    public init(api: any BatchAPI) {
        self.api = api
    }

    /// One status per id in `ledgerIDs`, in that order (duplicates answered once each).
    /// Throws the `APIError` of `GET /ledgers` (e.g. 401: the token is wrong); a failing
    /// `required_inputs` call is reported on that ledger instead of failing the check.
    public func run(ledgerIDs: [String]) async throws -> [LedgerOnlineStatus] {
        let ledgers = try await api.ledgers()
        var byID: [String: Ledger] = [:]
        for ledger in ledgers where byID[ledger.id] == nil { byID[ledger.id] = ledger }

        var statuses: [LedgerOnlineStatus] = []
        for ledgerID in ledgerIDs {
            guard let ledger = byID[ledgerID] else {
                statuses.append(LedgerOnlineStatus(ledgerID: ledgerID, exists: false))
                continue
            }
            var status = LedgerOnlineStatus(
                ledgerID: ledgerID, exists: true, name: ledger.name, latestModel: ledger.latestModel
            )
            do {
                status.requiredInputs = try await api.requiredInputs(ledgerID: ledgerID).map {
                    LedgerOnlineStatus.Input(name: $0.name ?? $0.slug ?? "input \($0.id)", isManualSelect: $0.isManualSelect)
                }
            } catch let error as APIError {
                status.requiredInputsError = error.description
            }
            statuses.append(status)
        }
        return statuses
    }
}
