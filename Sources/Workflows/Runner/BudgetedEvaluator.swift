public import Evaluation
import Foundation

/// An evaluator that keeps every evaluation inside the run's budget.
///
/// The forecast of an evaluation is its sample count (the target's limit, else the last report's count) times the
/// seconds per sample measured on earlier reports; an evaluation that cannot finish before the final-evaluation
/// reserve is refused with ``BudgetRefusalError``, and the target's deadline is cut to the allowance.
public actor BudgetedEvaluator: Evaluator {
    /// The evaluator that scores.
    public nonisolated let base: any Evaluator
    /// The run's budget.
    public nonisolated let budget: BudgetClock
    /// Whether these are final evaluations, which may use the reserve.
    public nonisolated let kind: JobKind
    private var secondsPerSample: Double?
    private var lastSampleCount: Int?

    /// Wraps `base`.
    public init(base: any Evaluator, budget: BudgetClock, kind: JobKind = .evaluation) {
        self.base = base
        self.budget = budget
        self.kind = kind
    }

    /// Admits and runs the evaluation of `target`.
    /// - Throws: ``BudgetRefusalError`` when it cannot fit, else whatever `base` throws.
    public func evaluate(_ target: EvaluationTarget) async throws -> EvaluationReport {
        let samples = target.limit ?? lastSampleCount ?? 0
        let forecast = JobForecast(kind: kind, seconds: (secondsPerSample ?? 0) * Double(samples))
        switch await budget.admit(forecast) {
        case .refused(let reason):
            throw BudgetRefusalError(job: "evaluation '\(target.label)'", reason: reason)
        case .admitted(let deadline):
            var target = target
            target.deadline = min(target.deadline ?? deadline, deadline)
            let report = try await base.evaluate(target)
            if report.sampleCount > 0 {
                secondsPerSample = report.durationSeconds / Double(report.sampleCount)
                lastSampleCount = report.sampleCount
            }
            return report
        }
    }
}
