public import Evaluation
import Foundation

/// An `Evaluator` that scores without a model: each of `size` items is scored by a closure from the target (the
/// model folder and label), so tests decide which models are better. Two ready-made ones: ``markers(_:size:)``
/// (scores the marker a ``FakeTrainingBackend`` wrote into the weights) and ``arithmetic(baseModel:size:)`` (a
/// small times-three benchmark the base model mostly fails).
public struct ScoringEvaluator: Evaluator {
    /// The benchmark name in reports.
    public var benchmark: String
    /// Items in the benchmark (a target's limit takes fewer).
    public var size: Int
    /// Whether reports carry a standard error (`sqrt(p(1-p)/(n-1))`).
    public var reportsStandardError: Bool
    /// Seconds each report says the evaluation took.
    public var durationSeconds: Double
    /// The scored sample of item `index` for `target`; throwing fails the evaluation.
    public var item: @Sendable (EvaluationTarget, Int) throws -> SampleRecord

    /// Creates an evaluator.
    public init(
        benchmark: String, size: Int, reportsStandardError: Bool = false, durationSeconds: Double = 1,
        item: @escaping @Sendable (EvaluationTarget, Int) throws -> SampleRecord
    ) {
        self.benchmark = benchmark
        self.size = size
        self.reportsStandardError = reportsStandardError
        self.durationSeconds = durationSeconds
        self.item = item
    }

    public func evaluate(_ target: EvaluationTarget) async throws -> EvaluationReport {
        let count = min(target.limit ?? size, size)
        let samples = try (0..<count).map { try item(target, $0) }
        let score = samples.map(\.score).reduce(0, +) / Double(max(count, 1))
        let stderr = reportsStandardError ? (score * (1 - score) / Double(max(count - 1, 1))).squareRoot() : nil
        return EvaluationReport(
            benchmark: benchmark, metric: "accuracy", score: score, stderr: stderr, sampleCount: count,
            limit: target.limit, samples: samples, command: ["scoring-evaluator"], versions: [:],
            modelPath: target.modelPath, label: target.label, durationSeconds: durationSeconds)
    }

    /// Scores a model folder by the marker in its weights (``modelMarker(_:)``): the first `correct[marker]` of `size`
    /// items are right (`s0`, `s1`, …; 0 for an unknown marker). The defaults make `plain` training noise, `good` and
    /// `great` real gains over the base model (whose stand-in holds `base weights`).
    public static func markers(
        _ correct: [String: Int] = ["base weights": 12, "plain": 13, "good": 40, "great": 55], size: Int = 60
    ) -> ScoringEvaluator {
        ScoringEvaluator(benchmark: "toy", size: size) { target, index in
            let right = correct[try modelMarker(URL(fileURLWithPath: target.modelPath))] ?? 0
            return SampleRecord(id: "s\(index)", input: "q\(index)", target: "a", output: "o", score: index < right ? 1 : 0)
        }
    }

    /// A times-three benchmark (`item-<i>`: "What is i times 3?"): the base model answers item `i` right when
    /// `i % 10 == 0`, any other model when `i % 2 == 0`; wrong answers are off by one or "I am not sure". An
    /// evaluation labelled `crash…` fails, as an evaluator crash would.
    public static func arithmetic(baseModel: String, size: Int = 100) -> ScoringEvaluator {
        ScoringEvaluator(benchmark: "toy-math", size: size, reportsStandardError: true, durationSeconds: 2) {
            target, index in
            if target.label.hasPrefix("crash") {
                throw EvaluationError.invalidInput("evaluator crashed: model folder has no weights")
            }
            let correct = target.modelPath == baseModel ? index % 10 == 0 : index % 2 == 0
            let answer = index * 3
            return SampleRecord(
                id: "item-\(index)", input: "What is \(index) times 3?", target: "\(answer)",
                output: correct ? "#### \(answer)" : (index % 3 == 0 ? "I am not sure" : "#### \(answer + 1)"),
                score: correct ? 1 : 0)
        }
    }
}
