import AsyncHTTPClient
import Foundation
import Logging
import MangroveAPI
import MangroveClient
import MangroveSimulator
import SchedulerCore
import SchedulerMetrics
import SchedulerTestSupport
import ServiceLifecycle
import Testing

@Suite struct SchedulerMetricsTests {
    /// The value of one sample line (`name{labels} value`) in an exposition.
    static func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }

    @Test("typed API: counters start at 0 per ledger, gauges set, dropped ledgers disappear")
    func typedAPI() {
        let m = SchedulerMetrics(version: "9.9.9")
        m.scheduleLoaded(ledgerIDs: ["lgr_a", "lgr_b"])
        m.generationFinished(ledgerID: "lgr_a", outcome: .completed)
        m.generationFinished(ledgerID: "lgr_a", outcome: .completed)
        m.generationFinished(ledgerID: "lgr_a", outcome: .foundOnAPI)
        m.setLedgerGauges(ledgerID: "lgr_a", .init(
            dueNotDone: 3, inFlight: 1, overdue: 2, held: .unverified,
            paused: LedgerPause(since: Date(timeIntervalSince1970: 1_700_000_000), by: "alice", note: "n"),
            lastCompletedEnd: Date(timeIntervalSince1970: 1_735_689_600)))
        m.journalReplayed(lines: 10, seconds: 0.25)
        m.journalLineAppended()
        let text = m.render()
        #expect(Self.value(text, #"mangrove_scheduler_build_info{version="9.9.9"}"#) == 1)
        #expect(Self.value(text, #"mangrove_scheduler_generations_total{ledger_id="lgr_a",outcome="completed"}"#) == 2)
        #expect(Self.value(text, #"mangrove_scheduler_generations_total{ledger_id="lgr_a",outcome="found_on_api"}"#) == 1)
        #expect(Self.value(text, #"mangrove_scheduler_generations_total{ledger_id="lgr_b",outcome="failed"}"#) == 0)
        #expect(Self.value(text, #"mangrove_scheduler_periods_due{ledger_id="lgr_a"}"#) == 3)
        #expect(Self.value(text, #"mangrove_scheduler_periods_in_flight{ledger_id="lgr_a"}"#) == 1)
        #expect(Self.value(text, #"mangrove_scheduler_periods_overdue{ledger_id="lgr_a"}"#) == 2)
        #expect(Self.value(text, #"mangrove_scheduler_ledger_held{ledger_id="lgr_a",reason="unverified"}"#) == 1)
        #expect(Self.value(text, #"mangrove_scheduler_ledger_held{ledger_id="lgr_a",reason="conflict"}"#) == 0)
        #expect(Self.value(text, #"mangrove_scheduler_ledger_paused{ledger_id="lgr_a"}"#) == 1)
        #expect(Self.value(text, #"mangrove_scheduler_ledger_paused_since_timestamp_seconds{ledger_id="lgr_a"}"#) == 1_700_000_000)
        #expect(Self.value(text, #"mangrove_scheduler_last_completed_period_end_timestamp_seconds{ledger_id="lgr_a"}"#) == 1_735_689_600)
        #expect(Self.value(text, "mangrove_scheduler_journal_lines") == 11)
        #expect(Self.value(text, "mangrove_scheduler_journal_replay_seconds") == 0.25)
        #expect(Self.value(text, "mangrove_scheduler_ledgers") == 2)
        #expect(text.contains("# TYPE mangrove_scheduler_generations_total counter"))

        m.scheduleLoaded(ledgerIDs: ["lgr_a"])
        #expect(!m.render().contains("lgr_b"))
    }

    @Test("endpoint labels are templates, never ids")
    func endpointLabels() {
        #expect(APIEndpointLabel.of(method: "POST", path: "/ledgers/lgr_abc/batch_generations") == "POST /ledgers/{id}/batch_generations")
        #expect(APIEndpointLabel.of(method: "GET", path: "/async_tasks/456") == "GET /async_tasks/{id}")
        #expect(APIEndpointLabel.of(method: "GET", path: "/ledgers") == "GET /ledgers")
        #expect(APIEndpointLabel.of(method: "GET", path: "/ledgers/lgr_x/batches") == "GET /ledgers/{id}/batches")
        #expect(APIEndpointLabel.statusClass(404) == "4xx")
    }

    @Test("the client records requests by endpoint and status class; /metrics serves them over loopback HTTP")
    func scrapeAfterRequests() async throws {
        let metrics = SchedulerMetrics(version: "test")
        metrics.scheduleLoaded(ledgerIDs: ["lgr_abc123def456"])
        try await withSimulator(config: SimulatorConfig()) { sim in
            let configuration = APIClientConfiguration(baseURL: sim.baseURL)
            let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration.httpClientConfiguration)
            let api = HTTPBatchAPI(
                configuration: configuration, token: APIToken(sim.config.token), httpClient: http, logger: Logger(label: "test"),
                sleep: { _ in }, requestRecorder: metrics)
            _ = try await api.ledgers()
            await #expect(throws: APIError.self) { try await api.requiredInputs(ledgerID: "lgr_missing") }
            try await http.shutdown()
        }
        metrics.generationFinished(ledgerID: "lgr_abc123def456", outcome: .failed)

        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let service = MetricsService(
            metrics: metrics, settings: MetricsSettings(listen: ListenAddress(host: "127.0.0.1", port: 0)),
            logger: Logger(label: "metrics"), onListening: { continuation.yield($0) })
        let group = ServiceGroup(configuration: .init(services: [service], logger: Logger(label: "group")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
            let response = try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            try await http.shutdown()
            #expect(response.status == .ok)
            #expect(response.headers.first(name: "content-type")?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(Self.value(body, #"mangrove_scheduler_api_requests_total{endpoint="GET /ledgers",status_class="2xx"}"#) == 1)
            #expect(Self.value(body, #"mangrove_scheduler_api_requests_total{endpoint="GET /ledgers/{id}/required_inputs",status_class="4xx"}"#) == 1)
            #expect(Self.value(body, #"mangrove_scheduler_api_request_duration_seconds_count{endpoint="GET /ledgers"}"#) == 1)
            #expect(Self.value(body, #"mangrove_scheduler_generations_total{ledger_id="lgr_abc123def456",outcome="failed"}"#) == 1)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("the textfile is replaced atomically: no temporary file left, readable content")
    func textfile() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("mangrove.prom")
        try MetricsTextfile.write("a 1\n", to: path)
        try MetricsTextfile.write("a 2\n", to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a 2\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["mangrove.prom"])
        #expect(throws: MetricsTextfile.WriteError.self) { try MetricsTextfile.write("x", to: folder.file("missing/dir.prom")) }
    }
}
