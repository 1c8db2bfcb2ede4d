import AgentTesting
import Foundation
import Testing
import TrainingBackends

@Suite("FakeTrainingBackend")
struct FakeTrainingBackendTests {
    static let job = TrainingJob(
        id: "fake-1", baseModel: URL(fileURLWithPath: "/m"), datasets: ["d"], datasetDirectory: URL(fileURLWithPath: "/d"), template: "qwen",
        outputDirectory: URL(fileURLWithPath: "/tmp/fake-out"), mergedModelDirectory: URL(fileURLWithPath: "/tmp/fake-merged"))

    @Test func playsTheScriptAndRecordsTheJob() async throws {
        let backend = FakeTrainingBackend(script: .init(steps: 2, logLines: ["hello"], metrics: ["train_loss": 0.5]))
        var events: [TrainingEvent] = []
        for try await event in backend.train(Self.job) { events.append(event) }
        #expect(events.count == 5)
        #expect(events.first == .started(command: ["fake-train", "fake-1"]))
        #expect(events[1] == .log("hello"))
        guard case .finished(let result) = events.last else {
            Issue.record("the last event is not .finished")
            return
        }
        #expect(result.metrics == ["train_loss": 0.5])
        #expect(result.modelDirectory.path == "/tmp/fake-merged")
        #expect(backend.jobs == [Self.job])
    }

    @Test func throwsTheScriptedFailure() async {
        let failure = TrainingFailure(cause: .outOfMemory, message: "CUDA out of memory", fix: "smaller batch")
        let backend = FakeTrainingBackend { job in .init(steps: 1, failure: job.id == "fake-1" ? failure : nil) }
        await #expect(throws: failure) {
            for try await _ in backend.train(Self.job) {}
        }
    }
}
