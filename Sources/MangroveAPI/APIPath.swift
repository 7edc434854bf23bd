/// Paths of the API, relative to the base URL (`https://app.gomangrove.com/api/v1`).
public enum APIPath {
    public static let ledgers = "/ledgers"
    public static func requiredInputs(_ ledgerID: String) -> String { "/ledgers/\(ledgerID)/required_inputs" }
    public static func generatePreview(_ ledgerID: String) -> String { "/ledgers/\(ledgerID)/generate_preview" }
    public static func batchGenerations(_ ledgerID: String) -> String { "/ledgers/\(ledgerID)/batch_generations" }
    public static func batches(_ ledgerID: String) -> String { "/ledgers/\(ledgerID)/batches" }
    public static func batch(_ batchID: String) -> String { "/batches/\(batchID)" }
    public static func asyncTask(_ id: Int) -> String { "/async_tasks/\(id)" }
}
