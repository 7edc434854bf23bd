import Foundation
import MangroveAPI
import SchedulerCore

/// Carries out one `SchedulerCall` on the API and reduces the answer to a `CallResult`.
enum SchedulerCalls {
    static func perform(_ call: SchedulerCall, ledgerID id: String, api: any BatchAPI) async -> CallResult {
        func failure(_ error: any Error, isPost: Bool = false) -> APIErrorSummary { APIErrorSummary(error, isPost: isPost) }
        func spans(_ batches: [Batch]) -> [BatchSpanText] { batches.map { BatchSpanText(id: $0.id, start: $0.startTime, end: $0.endTime) } }
        switch call {
        case .preview(let start, let end):
            do {
                let entries = try await api.generatePreview(ledgerID: id, request: BatchGenerationRequest(startTime: start, endTime: end))
                return .preview(.success(entries.map { PreviewCount(ledgerID: $0.id, count: $0.count) }))
            } catch { return .preview(.failure(failure(error))) }
        case .post(let start, let end):
            do {
                let task = try await api.createBatchGeneration(ledgerID: id, request: BatchGenerationRequest(startTime: start, endTime: end))
                return .post(.success(AcceptedTask(taskID: task.id, state: task.state.rawValue)))
            } catch { return .post(.failure(failure(error, isPost: true))) }
        case .poll(let taskID):
            do {
                let task = try await api.asyncTask(id: taskID)
                return .poll(.success(TaskReading(
                    state: task.state.rawValue, progress: task.progress, errorMessage: task.errorMessage,
                    startedAt: task.startedAt.flatMap(UTCTimestamp.parse))))
            } catch { return .poll(.failure(failure(error))) }
        case .reconcile(let since):
            do { return .reconcile(.success(spans(try await api.batches(ledgerID: id, createdSince: since)))) } catch {
                return .reconcile(.failure(failure(error)))
            }
        case .listing(let since, let takenAt):
            do { return .listing(takenAt: takenAt, .success(spans(try await api.batches(ledgerID: id, createdSince: since)))) } catch {
                return .listing(takenAt: takenAt, .failure(failure(error)))
            }
        }
    }
}
