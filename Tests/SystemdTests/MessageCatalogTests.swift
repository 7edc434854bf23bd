import Foundation
import Testing
import Systemd

/// deploy/mangrove-scheduler.catalog documents every MESSAGE_ID for `journalctl -x`;
/// it must name exactly the ids of ``MangroveMessageID``.
struct MessageCatalogTests {
    static let catalogPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy/mangrove-scheduler.catalog").path

    @Test(.enabled(if: FileManager.default.fileExists(atPath: catalogPath), "catalog not present in this checkout"))
    func catalogCoversEveryMessageID() throws {
        let text = try String(contentsOfFile: Self.catalogPath, encoding: .utf8)
        let ids = text.split(separator: "\n")
            .filter { $0.hasPrefix("-- ") }
            .map { String($0.dropFirst(3)).trimmingCharacters(in: .whitespaces) }
        #expect(ids.count == Set(ids).count, "duplicate catalog entries")
        #expect(Set(ids) == Set(MangroveMessageID.all.values))
    }
}
