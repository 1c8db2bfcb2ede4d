import AgentCore
import AgentTesting
import Evaluation
import Foundation
import Synchronization
import TrainingBackends

/// A backend that "trains" instantly: unlike AgentTesting's `FakeTrainingBackend`, it writes a loadable model folder
/// (config.json and weights, which promotion requires) whose weights hold the job's `quality` hyperparameter, so
/// ``MarkerEvaluator`` can score it.
struct LoadableModelBackend: TrainingBackend {
    func train(_ job: TrainingJob) -> AsyncThrowingStream<TrainingEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: TrainingEvent.self, throwing: (any Error).self)
        do {
            let model = URL(fileURLWithPath: job.mergedModelDirectory ?? job.outputDirectory)
            try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
            try Data("{}".utf8).write(to: model.appendingPathComponent("config.json"))
            let quality = job.hyperparameters["quality"]?.stringValue ?? "plain"
            try Data(quality.utf8).write(to: model.appendingPathComponent("model.safetensors"))
            continuation.yield(.started(command: ["fake-train", job.id]))
            continuation.yield(.progress(TrainingProgress(step: 1, totalSteps: 2, loss: 1.0, elapsedSeconds: 1)))
            continuation.yield(.progress(TrainingProgress(step: 2, totalSteps: 2, loss: 0.5, elapsedSeconds: 2)))
            // With save_steps 1, the model saved at step 1 has the weights named by "checkpointQuality".
            var checkpoints: [TrainingCheckpoint] = []
            if job.hyperparameters["save_steps"] == 1, let folder = job.checkpointModelDirectory(step: 1) {
                let saved = URL(fileURLWithPath: folder)
                try FileManager.default.createDirectory(at: saved, withIntermediateDirectories: true)
                try Data("{}".utf8).write(to: saved.appendingPathComponent("config.json"))
                let marker = job.hyperparameters["checkpointQuality"]?.stringValue ?? "plain"
                try Data(marker.utf8).write(to: saved.appendingPathComponent("model.safetensors"))
                checkpoints.append(TrainingCheckpoint(step: 1, modelDirectory: saved.path))
            }
            continuation.yield(
                .finished(
                    TrainingResult(
                        jobID: job.id, outputDirectory: job.outputDirectory, modelDirectory: model.path,
                        metrics: ["train_loss": 0.5], wallSeconds: 2, checkpoints: checkpoints)))
            continuation.finish()
        } catch {
            continuation.finish(throwing: error)
        }
        return stream
    }
}

/// Scores 60 samples; how many are right depends on the weights' marker: the base model 12, "plain" 13 (noise),
/// "good" 40, "great" 55.
struct MarkerEvaluator: Evaluator {
    func evaluate(_ target: EvaluationTarget) async throws -> EvaluationReport {
        let marker = try modelMarker(URL(fileURLWithPath: target.modelPath))
        let correct = ["base weights": 12, "plain": 13, "good": 40, "great": 55][marker] ?? 0
        return makeReport(target.label, scores(correct: correct, of: 60))
    }
}

/// Thrown by the scripted model to simulate the process being killed.
struct SimulatedKill: Error {}

/// A provider that runs `action` once, just before answering the request after the first `afterRequests` (to move a
/// clock or tamper with a file at a chosen point of a scripted run).
final class InterruptingProvider: ModelProvider {
    let base: any ModelProvider
    let afterRequests: Int
    let action: @Sendable () -> Void
    private let count = Mutex(0)

    init(base: any ModelProvider, afterRequests: Int, action: @escaping @Sendable () -> Void) {
        self.base = base
        self.afterRequests = afterRequests
        self.action = action
    }

    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let number = count.withLock { count in
            count += 1
            return count
        }
        if number == afterRequests + 1 { action() }
        return base.stream(request)
    }
}

/// A small training job whose folders lie in `directory`.
func makeTrainingJob(in directory: TemporaryDirectory) -> TrainingJob {
    TrainingJob(
        id: "job1", baseModel: directory.path("base").path, datasets: ["d1"],
        datasetDirectory: directory.path("data").path, template: "qwen",
        outputDirectory: directory.path("train/job1").path,
        mergedModelDirectory: directory.path("checkpoints/job1").path)
}
