public import Evaluation
import Foundation

/// An `Evaluator` that returns scripted reports or errors instead of running a model, and records what it was asked
/// to evaluate. Replies for a target's label take precedence; otherwise the sequential replies are served in order.
public actor FixedEvaluator: Evaluator {
    /// One scripted answer.
    public enum Reply: Sendable {
        /// Return this report, with `modelPath`, `label` and `limit` taken from the target.
        case report(EvaluationReport)
        /// Throw this error.
        case failure(EvaluationError)
    }

    private var sequence: [Reply]
    private let byLabel: [String: Reply]
    /// Every target evaluated so far, in order.
    public private(set) var targets: [EvaluationTarget] = []

    /// An evaluator answering with `replies` in order, or `byLabel[target.label]` when present.
    public init(replies: [Reply] = [], byLabel: [String: Reply] = [:]) {
        sequence = replies
        self.byLabel = byLabel
    }

    /// An evaluator whose reports have the given scores in order (one sample per report, `accuracy` metric).
    public init(scores: [Double], benchmark: String = "fixed") {
        self.init(replies: scores.map { .report(Self.report(score: $0, benchmark: benchmark)) })
    }

    /// Returns the next scripted reply.
    /// - Throws: the scripted error, or `EvaluationError.invalidInput` when the script has run out.
    public func evaluate(_ target: EvaluationTarget) async throws -> EvaluationReport {
        targets.append(target)
        let reply: Reply
        if let scripted = byLabel[target.label] {
            reply = scripted
        } else if !sequence.isEmpty {
            reply = sequence.removeFirst()
        } else {
            throw EvaluationError.invalidInput(
                "FixedEvaluator has no reply left for '\(target.label)' (\(targets.count) evaluations so far)")
        }
        switch reply {
        case .failure(let error):
            throw error
        case .report(var report):
            report.modelPath = target.modelPath
            report.label = target.label
            report.limit = target.limit ?? report.limit
            return report
        }
    }

    /// A minimal well-formed report with `score` (one sample whose score is `score`).
    public static func report(score: Double, benchmark: String = "fixed") -> EvaluationReport {
        EvaluationReport(
            benchmark: benchmark, metric: "accuracy", score: score, stderr: nil, sampleCount: 1, limit: nil,
            samples: [SampleRecord(id: "1", input: "input", target: "target", output: "output", score: score)],
            command: ["fixed-evaluator"], versions: [:], modelPath: "", label: "", durationSeconds: 0)
    }
}
