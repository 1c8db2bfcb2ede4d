import Foundation
public import Interfaces

/// How a workflow run ended.
public struct WorkflowOutcome: Sendable, Hashable, Codable {
    /// Why the run ended.
    public enum Ending: Sendable, Hashable, Codable {
        /// A stage exit led to `.finish`.
        case finished
        /// The budget ran out; `final_model/` holds the best candidate so far.
        case budgetExhausted(String)
        /// A stage used all its attempts without meeting an exit.
        case stageFailed(String)
        /// The agent made no progress within the ``RunawayLimits``; the reason says which.
        case stalled(String)
        /// The submission, the registry or the store changed outside the run's own writes; `final_model/` was
        /// restored from the run's records. The text says what changed.
        case tampered(String)

        /// Whether the run failed (a stage used its attempts, or the agent stalled) rather than finishing or
        /// spending its budget.
        public var isFailure: Bool {
            switch self {
            case .finished, .budgetExhausted: false
            case .stageFailed, .stalled, .tampered: true
            }
        }
    }

    /// Why the run ended.
    public var ending: Ending
    /// Where the run stood.
    public var progress: IterationProgress
    /// The candidate `final_model/` holds (``CheckpointRegistry/baseCandidateID`` when nothing beat the base model).
    public var best: String
    /// The submission folder.
    public var finalModel: String
    /// Whether `final_model/` holds a loadable model (it always should).
    public var finalModelValid: Bool

    /// Creates an outcome.
    public init(ending: Ending, progress: IterationProgress, best: String, finalModel: String, finalModelValid: Bool) {
        self.ending = ending
        self.progress = progress
        self.best = best
        self.finalModel = finalModel
        self.finalModelValid = finalModelValid
    }
}

/// A workflow run that cannot go on.
public enum WorkflowRunnerError: Error, Hashable, CustomStringConvertible {
    /// The store names a stage the workflow does not have (the run was started with another workflow).
    case unknownStage(String)

    public var description: String {
        switch self {
        case .unknownStage(let stage):
            "The run's records are in stage '\(stage)', which this workflow does not have. Resume the run with the "
                + "workflow it was started with."
        }
    }
}

extension WorkflowOutcome {
    /// A few lines for the terminal: how the run ended, the submission and where it is.
    public var summary: String {
        """
            Run \(ending) after \(progress.iteration) iteration(s), \(progress.promotions) promotion(s).
            Submission: \(best) at \(finalModel)\(finalModelValid ? "" : " (NOT VALID: check the registry)").
            """
    }
}

extension WorkflowOutcome.Ending: CustomStringConvertible {
    /// How the run ended, for people: `finished`, `stopped: budget exhausted (…)`, `failed in stage …`.
    public var description: String {
        switch self {
        case .finished: "finished"
        case .budgetExhausted(let reason): "stopped: budget exhausted (\(reason))"
        case .stageFailed(let stage): "failed in stage \(stage)"
        case .stalled(let reason): "stopped: \(reason)"
        case .tampered(let findings): "tampered: \(findings)"
        }
    }
}
