/// The version of mangrove-scheduler, sent in the `User-Agent` so the Mangrove API
/// operators can tell which scheduler build sent a request.
public enum MangroveSchedulerVersion {
    public static let string = "0.1.0"
}
