import MangroveAPI

/// What `check --online` learned about one scheduled ledger: can batches be generated
/// for it at all (it exists and has a model), and which inputs the model needs.
public struct LedgerOnlineStatus: Sendable, Hashable {
    /// One required input of the ledger's model.
    public struct Input: Sendable, Hashable {
        public var name: String
        /// Inputs taken from other ledgers; they may need `data_point_ids` in the request.
        public var isManualSelect: Bool

        public init(name: String, isManualSelect: Bool) {
            self.name = name
            self.isManualSelect = isManualSelect
        }
    }

    public var ledgerID: String
    /// The ledger is in `GET /ledgers` for this token.
    public var exists: Bool
    public var name: String?
    /// `latest_model`; batch generation needs one.
    public var latestModel: ModelReference?
    /// Empty when the ledger does not exist or `requiredInputsError` is set.
    public var requiredInputs: [Input]
    /// Why `GET /ledgers/{id}/required_inputs` failed, if it did.
    public var requiredInputsError: String?

    public var hasLatestModel: Bool { latestModel != nil }

    public init(
        ledgerID: String, exists: Bool, name: String? = nil, latestModel: ModelReference? = nil,
        requiredInputs: [Input] = [], requiredInputsError: String? = nil
    ) {
        self.ledgerID = ledgerID
        self.exists = exists
        self.name = name
        self.latestModel = latestModel
        self.requiredInputs = requiredInputs
        self.requiredInputsError = requiredInputsError
    }
}
