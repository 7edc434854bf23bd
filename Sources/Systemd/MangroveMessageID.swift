/// Stable journald `MESSAGE_ID=`s, one per `mangrove_event` metadata value.
///
/// A message id names a *kind* of log entry independent of its wording, so
/// operators and alerting can select it and it survives rewording of messages:
///
///     journalctl -u mangrove-scheduler MESSAGE_ID=b47e45cada5244b2ab7f70b188d8fa0a   # every failed period
///
/// These ids are part of the operator interface: never change or reuse one.
///
/// | mangrove_event       | MESSAGE_ID |
/// |----------------------|------------|
/// | intent               | fbb84656e8574c3c83bd9f579850968e |
/// | fired                | 00711784c2e6460fb530fd7cd508b540 |
/// | progress             | b5d74d35b64e49b9af4bf1fcde2b15b7 |
/// | completed            | 85e0552ba94a48b2bd1a6a4fc4fe890f |
/// | failed               | b47e45cada5244b2ab7f70b188d8fa0a |
/// | skipped              | 4a360fef97c54273995d54ffb4cfad09 |
/// | ambiguous            | 0d07edcbebcc4ba3a7b767884591e7a6 |
/// | retry_scheduled      | 61bfe8fc46b743f081046497df5b9b2b |
/// | reconciled           | d6b667bd3744453792b8e810f14a178a |
/// | ledger_unavailable   | 4367a1ccb4714093b58adf4714faafdf |
/// | reload               | 238d8a5162fc452293317c1b2c857bdb |
/// | reload_rejected      | 105ab84ecd714b519c8b0139e407155b |
/// | started              | 378143673a3b41c1964cffaa002772ff |
/// | stopping             | 73e49dc96b304adba8f6bddc48dfbb0d |
/// | reconciling          | 761499cbbe71467c8d5e4a15737ae4d7 |
/// | not_fired            | 2f1d0b6fa7bb4a779a0c2ac2331540dc |
/// | task_failed          | 75b3112c2cc74105b8ea77ad948f7fd2 |
/// | preview_empty        | cffaa9421ebd475f9473c250d85ce56a |
/// | retry_requested      | 5be4a4af65e64c4ebe1b4d01c5318166 |
/// | retry_rejected       | c9579aeea9d34c2a9e92aec3eeee240a |
/// | start_failed         | ebc432e63d3f415e8f632316f6cc0ef0 |
/// | stopped              | 4131ec6beff04495819c2046126a0db3 |
/// | schedule_warning     | 038477e070294c22b4e851ce75941c2b |
/// | journal_repaired     | 9b4b065dfcc14893bffa6929882cadaf |
/// | journal_corrupt_line | 88b879b16b034c7e8cfb19a828588055 |
/// | found_on_api         | 69352c9a6be847188b7d5708eafdecb0 |
/// | divergence           | 3b3cfcd1dd504b99bf36e8e0a89bd354 |
/// | held                 | cfa22212162e483b9a44adbc4450ef76 |
/// | ledger_unverified    | 48d5f9cc3d284800a2ceabdfe18434f0 |
/// | batch_conflict       | 58e9f553b3a84b0cb45f849bbb29d016 |
/// | journal_replaced     | e3c1f25d72474772ba1354fbb149311b |
/// | task_unresponsive    | 6a0c5b8e2f7d4c1e9b3a8d5f0e2c7a41 |
/// | clock_step           | 2d9e7c41b05a4f8e9a3c6b1d7e0f5a92 |
/// | overdue              | e1a62bb735fb450cb07d2803003e1ec0 |
/// | paused               | 1d40082a9f384e6689e1941dbca9bf1d |
/// | resumed              | fb8b5bcd94664d638189161f5ba25ca5 |
public enum MangroveMessageID {
    /// The metadata key whose value selects the message id.
    public static let eventMetadataKey = "mangrove_event"

    /// Every known event and its id (the table above).
    public static let all: [String: String] = [
        "intent": "fbb84656e8574c3c83bd9f579850968e",
        "fired": "00711784c2e6460fb530fd7cd508b540",
        "progress": "b5d74d35b64e49b9af4bf1fcde2b15b7",
        "completed": "85e0552ba94a48b2bd1a6a4fc4fe890f",
        "failed": "b47e45cada5244b2ab7f70b188d8fa0a",
        "skipped": "4a360fef97c54273995d54ffb4cfad09",
        "ambiguous": "0d07edcbebcc4ba3a7b767884591e7a6",
        "retry_scheduled": "61bfe8fc46b743f081046497df5b9b2b",
        "reconciled": "d6b667bd3744453792b8e810f14a178a",
        "ledger_unavailable": "4367a1ccb4714093b58adf4714faafdf",
        "reload": "238d8a5162fc452293317c1b2c857bdb",
        "reload_rejected": "105ab84ecd714b519c8b0139e407155b",
        "started": "378143673a3b41c1964cffaa002772ff",
        "stopping": "73e49dc96b304adba8f6bddc48dfbb0d",
        "reconciling": "761499cbbe71467c8d5e4a15737ae4d7",
        "not_fired": "2f1d0b6fa7bb4a779a0c2ac2331540dc",
        "task_failed": "75b3112c2cc74105b8ea77ad948f7fd2",
        "preview_empty": "cffaa9421ebd475f9473c250d85ce56a",
        "retry_requested": "5be4a4af65e64c4ebe1b4d01c5318166",
        "retry_rejected": "c9579aeea9d34c2a9e92aec3eeee240a",
        "start_failed": "ebc432e63d3f415e8f632316f6cc0ef0",
        "stopped": "4131ec6beff04495819c2046126a0db3",
        "schedule_warning": "038477e070294c22b4e851ce75941c2b",
        "journal_repaired": "9b4b065dfcc14893bffa6929882cadaf",
        "journal_corrupt_line": "88b879b16b034c7e8cfb19a828588055",
        "found_on_api": "69352c9a6be847188b7d5708eafdecb0",
        "divergence": "3b3cfcd1dd504b99bf36e8e0a89bd354",
        "held": "cfa22212162e483b9a44adbc4450ef76",
        "ledger_unverified": "48d5f9cc3d284800a2ceabdfe18434f0",
        "batch_conflict": "58e9f553b3a84b0cb45f849bbb29d016",
        "journal_replaced": "e3c1f25d72474772ba1354fbb149311b",
        "task_unresponsive": "6a0c5b8e2f7d4c1e9b3a8d5f0e2c7a41",
        "clock_step": "2d9e7c41b05a4f8e9a3c6b1d7e0f5a92",
        "overdue": "e1a62bb735fb450cb07d2803003e1ec0",
        "paused": "1d40082a9f384e6689e1941dbca9bf1d",
        "resumed": "fb8b5bcd94664d638189161f5ba25ca5",
    ]

    /// The id for a `mangrove_event` value, or `nil` for an unknown event.
    public static func forEvent(_ event: String) -> String? {
        all[event]
    }
}
