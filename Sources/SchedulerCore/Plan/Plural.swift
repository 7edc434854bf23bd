/// English counts for the reports: `1 ledger`, `3 ledgers`, `an hourly period`.
public enum Plural {
    /// `count(1, "period")` is "1 period", `count(2, "period")` "2 periods".
    public static func count(_ n: Int, _ noun: String, plural: String? = nil) -> String {
        "\(n) \(n == 1 ? noun : plural ?? noun + "s")"
    }

    /// "a" or "an" before `word` (by its first letter, which is enough for our words).
    public static func article(_ word: String) -> String {
        guard let first = word.lowercased().first else { return "a" }
        return "aeio".contains(first) || word.lowercased().hasPrefix("hour") ? "an" : "a"
    }
}
