public import AgentCore
import Foundation

/// What was decided about an iteration's candidate.
public enum IterationDecision: String, Sendable, Hashable, Codable, CaseIterable {
    /// The candidate is better: keep it and build on it.
    case keep
    /// The candidate is not better: drop it.
    case discard
    /// The evidence does not decide (too few samples, overlapping intervals).
    case inconclusive
}

/// One evaluation score as logged: the value, its standard error and a 95% interval.
public struct ScoreRecord: Sendable, Hashable, Codable {
    /// The evaluation's label (e.g. `"baseline"`, `"iter1-job1"`).
    public var label: String
    /// The metric name, e.g. `accuracy`.
    public var metric: String
    /// The score.
    public var value: Double
    /// Standard error of the score, when the evaluator gave one.
    public var stderr: Double?
    /// Lower end of the 95% interval (`value - 1.96 * stderr`), `nil` without a standard error.
    public var low: Double?
    /// Upper end of the 95% interval.
    public var high: Double?
    /// Number of samples scored.
    public var sampleCount: Int
    /// Whether the sample count met the floor that comparisons require.
    public var comparable: Bool

    /// Creates a score, deriving the 95% interval from `stderr`.
    public init(
        label: String, metric: String, value: Double, stderr: Double?, sampleCount: Int, comparable: Bool
    ) {
        self.label = label
        self.metric = metric
        self.value = value
        self.stderr = stderr
        self.low = stderr.map { value - 1.96 * $0 }
        self.high = stderr.map { value + 1.96 * $0 }
        self.sampleCount = sampleCount
        self.comparable = comparable
    }

    /// `0.420 [0.380, 0.460] (n=200)`, or with `not comparable` when below the floor.
    public var rendered: String {
        var text = String(format: "%.3f", value)
        if let low, let high { text += String(format: " [%.3f, %.3f]", low, high) }
        text += " (n=\(sampleCount)\(comparable ? "" : ", below the sample floor: not comparable"))"
        return text
    }
}

/// The typed record of one iteration: what was tried, on which data and settings, what it scored, what was decided.
public struct IterationRecord: Sendable, Hashable, Codable {
    /// The iteration number (0 for the baseline).
    public var iteration: Int
    /// The workflow stage, e.g. `"baseline"`, `"local"`, `"exploration"`.
    public var stage: String
    /// What the iteration tested.
    public var hypothesis: String
    /// The datasets used (names registered in the iteration's `dataset_info.json`) or a short description.
    public var data: [String]
    /// The training settings that matter (method, learning rate, epochs, ...).
    public var config: [String: JSONValue]
    /// Scores of the evaluations that count, from the saved reports.
    public var scores: [ScoreRecord]
    /// What was decided about the candidate.
    public var decision: IterationDecision
    /// What went wrong, in plain words.
    public var failures: [String]
    /// What the next iteration should do.
    public var nextStep: String

    /// Creates a record.
    public init(
        iteration: Int, stage: String, hypothesis: String, data: [String], config: [String: JSONValue],
        scores: [ScoreRecord], decision: IterationDecision, failures: [String], nextStep: String
    ) {
        self.iteration = iteration
        self.stage = stage
        self.hypothesis = hypothesis
        self.data = data
        self.config = config
        self.scores = scores
        self.decision = decision
        self.failures = failures
        self.nextStep = nextStep
    }

    /// The record as a markdown section of `experiment_log.md`.
    public var markdown: String {
        var lines = ["## Iteration \(iteration) (\(stage)): \(decision.rawValue)", ""]
        lines.append("- Hypothesis: \(hypothesis)")
        lines.append("- Data: \(data.isEmpty ? "none" : data.joined(separator: ", "))")
        if !config.isEmpty {
            let settings = config.keys.sorted().map { "\($0)=\(config[$0]!.compactText)" }
            lines.append("- Config: \(settings.joined(separator: ", "))")
        }
        if scores.isEmpty {
            lines.append("- Scores: none")
        } else {
            lines.append("- Scores:")
            lines += scores.map { "  - \($0.label) \($0.metric): \($0.rendered)" }
        }
        lines.append("- Failures: \(failures.isEmpty ? "none" : failures.joined(separator: "; "))")
        lines.append("- Next: \(nextStep)")
        return lines.joined(separator: "\n") + "\n"
    }
}
