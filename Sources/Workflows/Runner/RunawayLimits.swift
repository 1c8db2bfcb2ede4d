public import AgentCore
import Foundation
import Interfaces

/// Limits on an agent that makes no progress: sessions that end in a row without moving the run forward, and tool
/// calls refused in a row. Either ends the run with its reason (``WorkflowOutcome/Ending/stalled(_:)``) instead of
/// letting a confused or hostile model spend the budget (a scripted model that repeated refused calls once made
/// 1,824 model calls in a minute).
public struct RunawayLimits: Sendable, Hashable {
    /// Sessions in a row (in one stage) that end with no record that moves the run forward.
    public var sessionsWithoutProgress: Int
    /// Tool calls in a row that the rules refuse, with no successful call between them.
    public var denialStreak: Int

    /// Creates limits; the defaults leave room for an agent that recovers from a mistake or two.
    public init(sessionsWithoutProgress: Int = 5, denialStreak: Int = 20) {
        self.sessionsWithoutProgress = sessionsWithoutProgress
        self.denialStreak = denialStreak
    }

    /// Records that move the run forward.
    public static let progressKinds: Set<String> = Set(
        [
            StageEntered.self, PlanWritten.self, DataBuilt.self, DataValidated.self, TrainFinished.self,
            EvalReported.self, IterationRecord.self, CheckpointRegistered.self, StageTransition.self,
            BaselineEvaluated.self, CandidateEvaluated.self,
        ].map { ($0 as any RunRecord.Type).kind })

    /// Why the run should stop, judged from its records since the last one that moved it forward; `nil` while the
    /// agent is within the limits.
    public func violation(in records: [ExperimentRecord]) -> String? {
        var sessions = 0
        var denials = 0
        var streakOpen = true
        for record in records.reversed() {
            if Self.progressKinds.contains(record.kind) { break }
            if record.is(SessionEnded.self) {
                sessions += 1
            } else if record.is(CallDenied.self), streakOpen {
                denials += 1
            } else if let result = record.decode(AgentRecord.ToolReturned.self), !result.value.output.isError {
                streakOpen = false
            }
        }
        if sessions >= sessionsWithoutProgress {
            return "\(sessions) sessions in a row ended without progress (no plan, data, training, evaluation or "
                + "log was recorded); the run stops instead of spending the budget"
        }
        if denials >= denialStreak {
            return "\(denials) tool calls in a row were refused by the rules; the run stops instead of spending the "
                + "budget (read each refusal's reason: it names what to do instead)"
        }
        return nil
    }
}

/// The agent made no progress within the ``RunawayLimits``: the session stops and the run ends.
public struct RunawayStopError: AgentStoppingError, Hashable, CustomStringConvertible {
    /// Which limit was reached.
    public var reason: String

    public var description: String { "The run stops: \(reason)." }
}
