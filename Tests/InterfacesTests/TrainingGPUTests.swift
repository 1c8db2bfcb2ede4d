import AgentCore
import AgentTesting
import Foundation
import Testing

@testable import Interfaces

/// GPUs reach training jobs: a job gets disjoint devices of the task's set, and a request the set cannot hold is
/// refused with the reason.
@Suite struct TrainingGPUTests {
    @Test func aTrainingJobGetsTheTasksGPUsAndTooManyIsRefused() async throws {
        let backend = FakeTrainingBackend(
            script: .init(steps: 2, metrics: ["train_loss": 0.5], wallSeconds: 1), output: .loadableModel)
        let run = try InterfaceTestRun(backend: backend, gpus: [2, 3])
        _ = try run.writeMathSource()
        _ = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "math", "format": "alpaca", "sources": ["math.jsonl"], "#
                + #""mapping": {"instruction": "{question}", "output": "{answer}"}}"#)
        let approved = try await run.call("data", #"{"action": "validate", "iteration": 1, "dataset": "math"}"#)
        #expect(approved.content.contains("approve"), "\(approved.content)")
        let trained = try await run.call("train", #"{"iteration": 1, "datasets": ["math"]}"#)
        #expect(!trained.isError, "\(trained.content)")
        let one = try await run.call("train", #"{"iteration": 1, "datasets": ["math"], "gpus": 1}"#)
        #expect(!one.isError, "\(one.content)")
        #expect(backend.jobs.map(\.gpus) == [[2, 3], [2]])
        #expect(backend.jobs.map(\.id) == ["iter1-job1", "iter1-job2"])
        let tooMany = try await run.call("train", #"{"iteration": 1, "datasets": ["math"], "gpus": 3}"#)
        #expect(tooMany.isError && tooMany.content.contains("asks for 3 GPU(s) but the task has 2"), "\(tooMany.content)")

        let cpu = try InterfaceTestRun(backend: backend)
        _ = try cpu.writeMathSource()
        _ = try await cpu.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "math", "format": "alpaca", "sources": ["math.jsonl"], "#
                + #""mapping": {"instruction": "{question}", "output": "{answer}"}}"#)
        _ = try await cpu.call("data", #"{"action": "validate", "iteration": 1, "dataset": "math"}"#)
        let refused = try await cpu.call("train", #"{"iteration": 1, "datasets": ["math"], "gpus": 1}"#)
        #expect(refused.isError && refused.content.contains("CPU only"), "\(refused.content)")
    }

    @Test func jobIDsAreAllocatedOncePerCallEvenWhenCallsRace() async throws {
        let folder = try TemporaryDirectory()
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<16 { group.addTask { try TrainTool.allocateJobID(iteration: 2, in: folder.url) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(ids).count == 16 && Set(ids) == Set((1...16).map { "iter2-job\($0)" }))
    }
}
