import AgentCore
public import Foundation
public import TrainingBackends

/// A training backend that keeps every job inside the run's budget.
///
/// A job is admitted only when time is left beyond the final-evaluation reserve and its size estimate (from
/// `throughput`, the run's measured training speed, or `estimate`, when either gives one) fits; its deadline is cut to the allowance; while it runs, each progress step is reviewed
/// and the job is stopped at a step boundary, its checkpoints kept, when its measured rate cannot finish in time
/// (see ``BudgetClock/supervise(jobID:gpuCount:events:)``). GPU time is charged to the budget.
public struct BudgetedTrainingBackend: TrainingBackend {
    /// The backend that trains.
    public let base: any TrainingBackend
    /// The run's budget.
    public let budget: BudgetClock
    /// A size estimate in seconds for a job before it starts, or `nil` when unknown.
    public let estimate: @Sendable (TrainingJob) -> TimeInterval?
    /// The run's measured training speed: forecasts jobs before they start and learns from each finished one.
    public let throughput: TrainingThroughput?

    /// Wraps `base`.
    public init(
        base: any TrainingBackend, budget: BudgetClock, throughput: TrainingThroughput? = nil,
        estimate: @escaping @Sendable (TrainingJob) -> TimeInterval? = { _ in nil }
    ) {
        self.base = base
        self.budget = budget
        self.throughput = throughput
        self.estimate = estimate
    }

    /// The base backend's settings for `job`.
    public func prepare(_ job: TrainingJob) -> TrainingJob { base.prepare(job) }

    /// Admits and runs `job`; the stream throws ``BudgetRefusalError`` when it is refused and ``BudgetStopError``
    /// when it is stopped.
    public func train(_ job: TrainingJob) -> AsyncThrowingStream<TrainingEvent, any Error> {
        .producing { [budget, throughput, estimate, base] continuation in
            let measured = throughput?.estimate(job)
            let forecast = JobForecast(
                kind: .training, seconds: measured?.seconds ?? estimate(job) ?? 0, gpuCount: job.gpus.count,
                basis: measured?.basis)
            switch await budget.admit(forecast) {
            case .refused(let reason):
                throw BudgetRefusalError(job: job.id, reason: reason)
            case .admitted(let deadline):
                var job = job
                job.deadline = min(job.deadline ?? deadline, deadline)
                let events = budget.supervise(jobID: job.id, gpuCount: job.gpus.count, events: base.train(job))
                for try await event in events {
                    if case .finished(let result) = event { throughput?.learn(job: job, result: result) }
                    continuation.yield(event)
                }
            }
        }
    }
}

/// A job the budget refused to start.
public struct BudgetRefusalError: Error, Hashable, CustomStringConvertible {
    /// The refused job or evaluation.
    public var job: String
    /// Why.
    public var reason: String

    /// Creates the error.
    public init(job: String, reason: String) {
        self.job = job
        self.reason = reason
    }

    public var description: String { "\(job) was not started: \(reason)" }
}
