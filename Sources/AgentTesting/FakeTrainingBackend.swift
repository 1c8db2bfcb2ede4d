import AgentCore
import Foundation
import Synchronization
public import TrainingBackends

/// A `TrainingBackend` that plays a script instead of training: for unit tests of code that drives a backend.
///
/// It records every job it receives, emits `.started`, a `.progress` per scripted step and the scripted log lines,
/// then finishes with the scripted metrics or throws the scripted failure. Nothing is trained and no file is
/// written unless `writesMarkerFiles` is set, which creates the output (and merged) folders with a
/// `FAKE_TRAINING.json` file saying so.
public final class FakeTrainingBackend: TrainingBackend, Sendable {
    /// What one job does.
    public struct Script: Sendable, Hashable {
        /// Number of progress events (steps 1...steps).
        public var steps: Int
        /// Log lines emitted before the progress events.
        public var logLines: [String]
        /// The metrics of the result.
        public var metrics: [String: Double]
        /// When set, the stream throws this after the progress events instead of finishing.
        public var failure: TrainingFailure?

        /// Creates a script.
        public init(
            steps: Int = 3, logLines: [String] = [], metrics: [String: Double] = ["train_loss": 1.0],
            failure: TrainingFailure? = nil
        ) {
            self.steps = steps
            self.logLines = logLines
            self.metrics = metrics
            self.failure = failure
        }
    }

    private let script: @Sendable (TrainingJob) -> Script
    private let writesMarkerFiles: Bool
    private let recorded = Mutex<[TrainingJob]>([])

    /// A backend that plays the same script for every job.
    public convenience init(script: Script = Script(), writesMarkerFiles: Bool = false) {
        self.init(writesMarkerFiles: writesMarkerFiles) { _ in script }
    }

    /// A backend whose script depends on the job (for example: fail the second job).
    public init(writesMarkerFiles: Bool = false, script: @escaping @Sendable (TrainingJob) -> Script) {
        self.script = script
        self.writesMarkerFiles = writesMarkerFiles
    }

    /// The jobs received so far, in order.
    public var jobs: [TrainingJob] { recorded.withLock { $0 } }

    /// Plays the script for `job`.
    public func train(_ job: TrainingJob) -> AsyncThrowingStream<TrainingEvent, any Error> {
        recorded.withLock { $0.append(job) }
        let script = script(job)
        let writesMarkerFiles = writesMarkerFiles
        return .producing { continuation in
            continuation.yield(.started(command: ["fake-train", job.id]))
            for line in script.logLines {
                continuation.yield(.log(line))
            }
            for step in stride(from: 1, through: script.steps, by: 1) {
                try Task.checkCancellation()
                let loss = 2.0 / Double(step)
                continuation.yield(.progress(TrainingProgress(step: step, totalSteps: script.steps, loss: loss)))
                await Task.yield()
            }
            if let failure = script.failure { throw failure }
            let model = job.mergedModelDirectory ?? job.outputDirectory
            if writesMarkerFiles {
                for folder in Set([job.outputDirectory, model]) {
                    let url = URL(fileURLWithPath: folder, isDirectory: true)
                    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
                    let note = #"{"fake": true, "note": "written by FakeTrainingBackend; no model was trained"}"#
                    try? Data(note.utf8).write(to: url.appendingPathComponent("FAKE_TRAINING.json"))
                }
            }
            continuation.yield(
                .finished(
                    TrainingResult(
                        jobID: job.id, outputDirectory: job.outputDirectory, modelDirectory: model,
                        metrics: script.metrics, wallSeconds: 0)))
        }
    }
}
