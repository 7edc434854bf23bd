import Foundation
import Logging
import Testing
@testable import Systemd

struct StderrLogHandlerTests {
    @Test func systemdPrefixedLine() {
        let line = StderrLogHandler.systemdPrefixedLine(
            level: .error, message: "POST failed",
            metadata: ["ledger_id": "lgr_1", "error": "HTTP 422: period overlaps"]
        )
        #expect(line == "<3>POST failed error=\"HTTP 422: period overlaps\" ledger_id=lgr_1\n")
    }

    @Test func everyLineOfAMultiLineMessageIsPrefixed() {
        let line = StderrLogHandler.systemdPrefixedLine(level: .warning, message: "one\ntwo", metadata: [:])
        #expect(line == "<4>one\n<4>two\n")
    }

    @Test func terminalLine() {
        let line = StderrLogHandler.terminalLine(
            at: Date(timeIntervalSince1970: 1_796_104_805), level: .info, message: "started",
            metadata: ["mangrove_event": "started"]
        )
        #expect(line == "2026-12-01T06:00:05Z info     started mangrove_event=started\n")
    }

    @Test func quoting() {
        #expect(StderrLogHandler.quoteIfNeeded("plain") == "plain")
        #expect(StderrLogHandler.quoteIfNeeded("") == "\"\"")
        #expect(StderrLogHandler.quoteIfNeeded("a b") == "\"a b\"")
        #expect(StderrLogHandler.quoteIfNeeded("say \"hi\"\n") == "\"say \\\"hi\\\"\\n\"")
        #expect(StderrLogHandler.quoteIfNeeded("k=v") == "\"k=v\"")
    }

    @Test func handlerIsAValue() {
        var first = StderrLogHandler(label: "x", style: .terminal, metadataProvider: nil)
        var second = first
        first[metadataKey: "a"] = "1"
        second.logLevel = .debug
        #expect(first[metadataKey: "a"] == "1")
        #expect(second[metadataKey: "a"] == nil)
        #expect(first.logLevel == .info)
    }
}
