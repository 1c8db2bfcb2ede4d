import Foundation

/// Something that happened in a run that moves its ``IterationProgress``: the outcome of a tool call or a stage
/// change. Stored in the run's log, so replaying the events rebuilds the progress after a restart.
public enum ProgressEvent: Sendable, Hashable, Codable {
    /// The runner entered the named stage.
    case stageEntered(String)
    /// An agent session started in the current stage.
    case sessionStarted
    /// An agent session of the current stage ended with the model's answer (not cut off by a limit or an error).
    case sessionCompleted
    /// The base model was evaluated; its report is the first "best".
    case baselineEvaluated(score: Double)
    /// A job failed for an engineering reason (crash, missing file), not because of the model.
    case engineeringFailure(reason: String)
    /// A new iteration was planned.
    case planned
    /// The iteration's data step approved a dataset.
    case dataApproved(DatasetApproval)
    /// The iteration trained a candidate.
    case trained(candidateID: String, modelPath: String)
    /// A candidate was evaluated; `promoted` tells whether it replaced `final_model/`.
    case evaluated(candidateID: String, promoted: Bool)
    /// The iteration was written to the experiment log.
    case logged
}
