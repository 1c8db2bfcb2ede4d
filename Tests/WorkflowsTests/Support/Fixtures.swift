import Evaluation
import AgentTesting
import Foundation
import Synchronization
import TrainingBackends
import Workflows

/// A clock the test moves by hand.
final class ManualClock: WallClock {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }

    func now() -> Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

/// A report over samples `s0…` with the given scores.
func makeReport(_ label: String, _ scores: [Double], benchmark: String = "toy") -> EvaluationReport {
    let samples = scores.enumerated().map {
        SampleRecord(id: "s\($0.offset)", input: "q\($0.offset)", target: "a", output: "o", score: $0.element)
    }
    return EvaluationReport(
        benchmark: benchmark, metric: "accuracy", score: scores.reduce(0, +) / Double(max(1, scores.count)),
        stderr: nil, sampleCount: scores.count, limit: nil, samples: samples, command: ["fake"], versions: [:],
        modelPath: "/models/\(label)", label: label, durationSeconds: 1)
}

/// Scores: `correct` of `total` samples right, the first ones.
func scores(correct: Int, of total: Int) -> [Double] { (0..<total).map { $0 < correct ? 1 : 0 } }

/// Thrown by the scripted model to simulate the process being killed.
struct SimulatedKill: Error {}

/// A small training job whose folders lie in `directory`.
func makeTrainingJob(in directory: TemporaryDirectory) -> TrainingJob {
    TrainingJob(
        id: "job1", baseModel: directory.path("base"), datasets: ["d1"],
        datasetDirectory: directory.path("data"), template: "qwen",
        outputDirectory: directory.path("train/job1"),
        mergedModelDirectory: directory.path("checkpoints/job1"))
}

/// The training backend of the workflow tests: stand-in models whose weights hold the job's `quality`.
func loadableModelBackend() -> FakeTrainingBackend {
    FakeTrainingBackend(
        script: .init(steps: 2, metrics: ["train_loss": 0.5], wallSeconds: 2), output: .loadableModel)
}
