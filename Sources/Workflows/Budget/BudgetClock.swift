public import AgentCore
public import Foundation
public import Interfaces
public import TrainingBackends

/// The run's budget: a wall-clock deadline, GPU-hours, model tokens and dollars.
///
/// Every training and evaluation job gets the time left minus a reserve kept for the final evaluation and
/// promotion (``allowance(for:)``). A job is admitted only when its forecast fits (``admit(_:)``); a running job is
/// reviewed at each progress step and stopped at a step boundary, keeping the checkpoints written so far, when its
/// measured rate says it cannot finish in time (``review(_:gpuCount:)``, ``supervise(jobID:gpuCount:events:)``).
/// ``snapshot()`` gives the one-line ``BudgetSnapshot/summary`` the agent sees every turn.
public actor BudgetClock {
    /// The run's limits (the deadline only ever moves earlier: ``tighten(deadline:)``).
    public private(set) var limits: BudgetLimits
    /// The source of the current time.
    public nonisolated let clock: any WallClock
    private var usage: BudgetUsage

    /// Creates a clock.
    /// - Parameters:
    ///   - limits: the run's limits.
    ///   - clock: the time source (inject a manual one in tests).
    ///   - usage: what was already spent (when resuming a run).
    public init(limits: BudgetLimits, clock: any WallClock = SystemWallClock(), usage: BudgetUsage = BudgetUsage()) {
        self.limits = limits
        self.clock = clock
        self.usage = usage
    }

    /// The budget now.
    public func snapshot() -> BudgetSnapshot { BudgetSnapshot(now: clock.now(), limits: limits, usage: usage) }

    /// Records model tokens and their cost.
    /// - Parameters:
    ///   - tokens: what a model call spent.
    ///   - costUSD: its price, or `nil` when the model has no known price.
    public func recordModelUsage(_ tokens: Usage, costUSD: Double?) {
        usage.tokens += tokens.totalTokens
        if let costUSD {
            usage.usd += costUSD
        } else {
            usage.unpricedTokens += tokens.totalTokens
        }
    }

    /// Moves the deadline earlier, never later: an outside clock (PostTrainBench's `timer.sh`) says less time is left
    /// than the run thought. Running jobs see it at their next progress review, the runner at its next step.
    /// - Returns: whether the deadline moved.
    @discardableResult
    public func tighten(deadline: Date) -> Bool {
        guard deadline < limits.deadline else { return false }
        limits.deadline = deadline
        return true
    }

    /// Replaces what was spent with `usage`: used when resuming a run from its stored records.
    public func restore(_ usage: BudgetUsage) { self.usage = usage }

    /// Records `seconds` of a job that held `gpuCount` GPUs.
    public func recordGPUTime(seconds: TimeInterval, gpuCount: Int) {
        usage.gpuHours += max(0, seconds) * Double(max(0, gpuCount)) / 3600
    }

    /// The time a job of `kind` may use from now: until the deadline minus the final reserve, or until the deadline
    /// itself for the final evaluation.
    /// - Returns: the job's deadline and its length in seconds (zero when no time is left).
    public func allowance(for kind: JobKind) -> (deadline: Date, seconds: TimeInterval) {
        let deadline = jobDeadline(for: kind)
        return (deadline, max(0, deadline.timeIntervalSince(clock.now())))
    }

    /// Decides whether a job may start.
    /// - Parameter forecast: the job's expected length (a size estimate before it starts).
    /// - Returns: `.admitted` with the deadline to give the job, or `.refused` with a reason the model reads.
    public func admit(_ forecast: JobForecast) -> Admission {
        let now = snapshot()
        if let exhaustion = now.exhaustion {
            return .refused(reason: "No \(forecast.kind.rawValue) job can start: \(exhaustion).")
        }
        let (deadline, seconds) = allowance(for: forecast.kind)
        guard seconds > 0 else {
            return .refused(
                reason: "No \(forecast.kind.rawValue) job can start: the time left is reserved for the final "
                    + "evaluation and promotion.")
        }
        if forecast.seconds > seconds {
            return .refused(
                reason: "The \(forecast.kind.rawValue) job is forecast to take "
                    + "\(DurationText.format(forecast.seconds))\(forecast.basis.map { " (\($0))" } ?? "") but "
                    + "only \(DurationText.format(seconds)) remain before the final-evaluation reserve. Make it "
                    + "smaller (fewer samples, steps or epochs) or skip it.")
        }
        if let left = now.remainingGPUHours, forecast.gpuHours > left {
            return .refused(
                reason: "The \(forecast.kind.rawValue) job is forecast to use "
                    + "\(BudgetSnapshot.number(forecast.gpuHours)) GPU-hours but only "
                    + "\(BudgetSnapshot.number(left)) remain. Use fewer GPUs or a shorter job.")
        }
        return .admitted(deadline: deadline)
    }

    /// Reviews a running job after a progress step.
    /// - Parameters:
    ///   - progress: the job's latest progress.
    ///   - kind: the kind of job.
    ///   - gpuCount: GPUs the job holds.
    /// - Returns: `.stop` when the budget is exhausted or the measured rate says the job cannot end before its
    ///   deadline; `.proceed` otherwise (also before the rate is known).
    public func review(_ progress: TrainingProgress, kind: JobKind = .training, gpuCount: Int = 0) -> JobDecision {
        let now = snapshot()
        if let exhaustion = now.exhaustion {
            return .stop(reason: "Stopped at step \(progress.step)/\(progress.totalSteps): \(exhaustion).")
        }
        guard let forecast = JobForecast(kind: kind, progress: progress, gpuCount: gpuCount) else { return .proceed }
        let (_, seconds) = allowance(for: kind)
        if forecast.seconds > seconds {
            return .stop(
                reason: "Stopped at step \(progress.step)/\(progress.totalSteps): at the measured rate the job needs "
                    + "\(DurationText.format(forecast.seconds)) more but only \(DurationText.format(seconds)) "
                    + "remain before the final-evaluation reserve. The checkpoints written so far are kept.")
        }
        if let left = now.remainingGPUHours, forecast.gpuHours > left {
            return .stop(
                reason: "Stopped at step \(progress.step)/\(progress.totalSteps): the job would need "
                    + "\(BudgetSnapshot.number(forecast.gpuHours)) more GPU-hours but only "
                    + "\(BudgetSnapshot.number(left)) remain. The checkpoints written so far are kept.")
        }
        return .proceed
    }

    /// Watches a training job's events: passes them on, reviews each progress step, and when the budget says stop,
    /// drops the job's stream (which tears the job down at that step boundary, its checkpoints kept on disk) and
    /// ends with ``BudgetStopError``. GPU time (the longer of the wall time seen here and the trainer's own elapsed
    /// time) is recorded when the job ends, however it ends.
    /// - Parameters:
    ///   - jobID: the job's id, for messages.
    ///   - gpuCount: GPUs the job holds.
    ///   - events: the backend's event stream.
    /// - Returns: the same events; dropping this stream drops the job's stream.
    public nonisolated func supervise(
        jobID: String, gpuCount: Int, events: AsyncThrowingStream<TrainingEvent, any Error>
    ) -> AsyncThrowingStream<TrainingEvent, any Error> {
        .producing { [self] continuation in
            let started = clock.now()
            var trainerSeconds = 0.0
            var failure: (any Error)?
            do {
                var iterator = events.makeAsyncIterator()
                while let event = try await iterator.next() {
                    continuation.yield(event)
                    guard case .progress(let progress) = event else { continue }
                    trainerSeconds = max(trainerSeconds, progress.elapsedSeconds ?? 0)
                    if case .stop(let reason) = await review(progress, gpuCount: gpuCount) {
                        failure = BudgetStopError(jobID: jobID, step: progress.step, reason: reason)
                        // Asking a cancelled task for the next event terminates the backend's stream now (its
                        // `onTermination` tears the job down) instead of whenever the stream is released.
                        withUnsafeCurrentTask { $0?.cancel() }
                        _ = try? await iterator.next()
                        break
                    }
                }
            } catch {
                failure = error
            }
            let seconds = max(clock.now().timeIntervalSince(started), trainerSeconds)
            await recordGPUTime(seconds: seconds, gpuCount: gpuCount)
            if let failure { throw failure }
        }
    }

    private func jobDeadline(for kind: JobKind) -> Date {
        switch kind {
        case .training, .evaluation: limits.deadline.addingTimeInterval(-limits.finalReserve)
        case .finalEvaluation: limits.deadline
        }
    }
}

/// A job stopped by the budget at a step boundary; the checkpoints it wrote so far are kept.
public struct BudgetStopError: Error, Hashable, CustomStringConvertible {
    /// The stopped job.
    public var jobID: String
    /// The last step it completed.
    public var step: Int
    /// Why it was stopped.
    public var reason: String

    /// Creates the error.
    public init(jobID: String, step: Int, reason: String) {
        self.jobID = jobID
        self.step = step
        self.reason = reason
    }

    public var description: String { "Job \(jobID) was stopped by the budget. \(reason)" }
}
