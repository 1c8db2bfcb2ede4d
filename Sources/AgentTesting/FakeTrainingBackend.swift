import AgentCore
import Foundation
import Synchronization
public import TrainingBackends

/// A `TrainingBackend` that plays a script instead of training: for unit tests of code that drives a backend.
///
/// It records every job it receives, emits `.started`, the scripted log lines, a `.progress` per scripted step
/// (loss `2/step`), then finishes with the scripted metrics or throws the scripted failure. What it writes is chosen
/// by ``Output``: nothing, marker files saying no model was trained, or a stand-in model folder that the workflow
/// can register, promote and score (``ScoringEvaluator/markers(_:)`` reads its weights' marker).
public final class FakeTrainingBackend: TrainingBackend, Sendable {
    /// What one job does.
    public struct Script: Sendable, Hashable {
        /// Number of progress events (steps 1...steps).
        public var steps: Int
        /// Log lines emitted before the progress events.
        public var logLines: [String]
        /// Whether a `step N of M` log line precedes each progress event.
        public var logsSteps: Bool
        /// The metrics of the result.
        public var metrics: [String: Double]
        /// The result's wall seconds.
        public var wallSeconds: Double
        /// When set, the stream throws this after the progress events instead of finishing.
        public var failure: TrainingFailure?
        /// When set, the stream throws an error with this message after the progress events (an undiagnosed crash).
        public var crash: String?

        /// Creates a script.
        public init(
            steps: Int = 3, logLines: [String] = [], logsSteps: Bool = false, metrics: [String: Double] = ["train_loss": 1.0],
            wallSeconds: Double = 0, failure: TrainingFailure? = nil, crash: String? = nil
        ) {
            self.steps = steps
            self.logLines = logLines
            self.logsSteps = logsSteps
            self.metrics = metrics
            self.wallSeconds = wallSeconds
            self.failure = failure
            self.crash = crash
        }
    }

    /// What a finished job leaves on disk.
    public enum Output: Sendable, Hashable {
        /// Nothing.
        case nothing
        /// A `FAKE_TRAINING.json` in the output (and merged) folder, saying no model was trained.
        case markerFiles
        /// A stand-in model folder at the job's merged (else output) folder: `config.json` and weights holding the
        /// job's `quality` hyperparameter (`plain` when unset). With `save_steps: 1`, the step-1 checkpoint is saved
        /// too, its weights holding `checkpointQuality`.
        case loadableModel
    }

    /// The error of a scripted ``Script/crash``.
    public struct Crash: Error, CustomStringConvertible {
        public var description: String
    }

    private let script: @Sendable (TrainingJob) -> Script
    private let output: Output
    private let recorded = Mutex<[TrainingJob]>([])

    /// A backend that plays the same script for every job.
    public convenience init(script: Script = Script(), output: Output = .nothing) {
        self.init(output: output) { _ in script }
    }

    /// A backend whose script depends on the job (for example: fail the second job).
    public init(output: Output = .nothing, script: @escaping @Sendable (TrainingJob) -> Script) {
        self.script = script
        self.output = output
    }

    /// The jobs received so far, in order.
    public var jobs: [TrainingJob] { recorded.withLock { $0 } }

    /// Plays the script for `job`.
    public func train(_ job: TrainingJob) -> AsyncThrowingStream<TrainingEvent, any Error> {
        recorded.withLock { $0.append(job) }
        let script = script(job)
        let output = output
        return .producing { continuation in
            continuation.yield(.started(command: ["fake-train", job.id]))
            for line in script.logLines { continuation.yield(.log(line)) }
            for step in stride(from: 1, through: script.steps, by: 1) {
                try Task.checkCancellation()
                if script.logsSteps { continuation.yield(.log("step \(step) of \(script.steps)")) }
                continuation.yield(
                    .progress(
                        TrainingProgress(
                            step: step, totalSteps: script.steps, loss: 2.0 / Double(step),
                            elapsedSeconds: Double(step))))
                await Task.yield()
            }
            if let failure = script.failure { throw failure }
            if let crash = script.crash { throw Crash(description: crash) }
            let model = job.mergedModelDirectory ?? job.outputDirectory
            let checkpoints = try Self.write(output, job: job, model: model)
            continuation.yield(
                .finished(
                    TrainingResult(
                        jobID: job.id, outputDirectory: job.outputDirectory, modelDirectory: model,
                        metrics: script.metrics, wallSeconds: script.wallSeconds, checkpoints: checkpoints)))
        }
    }

    private static func write(_ output: Output, job: TrainingJob, model: URL) throws -> [TrainingCheckpoint] {
        switch output {
        case .nothing:
            return []
        case .markerFiles:
            for url in Set([job.outputDirectory, model]) {
                try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
                let note = #"{"fake": true, "note": "written by FakeTrainingBackend; no model was trained"}"#
                try Data(note.utf8).write(to: url.appendingPathComponent("FAKE_TRAINING.json"))
            }
            return []
        case .loadableModel:
            let quality = job.hyperparameters["quality"]?.stringValue ?? "plain"
            try writeModel(at: model, marker: quality)
            guard job.hyperparameters["save_steps"] == 1, let folder = job.checkpointModelDirectory(step: 1) else {
                return []
            }
            let marker = job.hyperparameters["checkpointQuality"]?.stringValue ?? "plain"
            try writeModel(at: folder, marker: marker)
            return [TrainingCheckpoint(step: 1, modelDirectory: folder)]
        }
    }
}
