public import Evaluation
public import Foundation

/// Where a candidate came from.
public struct CheckpointLineage: Sendable, Hashable, Codable {
    /// The candidate it was trained from; `nil` only for the base model itself.
    public var parent: String?
    /// The task's base model folder.
    public var baseModel: String
    /// The datasets it was trained on.
    public var datasets: [String]
    /// A hash of the training configuration.
    public var configHash: String
    /// The step of its job it was saved at, when it is a checkpoint saved before the job's last step.
    public var step: Int?

    /// Creates a lineage record.
    public init(parent: String?, baseModel: String, datasets: [String], configHash: String, step: Int? = nil) {
        self.parent = parent
        self.baseModel = baseModel
        self.datasets = datasets
        self.configHash = configHash
        self.step = step
    }
}

/// A model the run may submit: the base model or a trained checkpoint, with its lineage and evaluations.
public struct Candidate: Sendable, Hashable, Codable {
    /// A unique id; the base model is ``CheckpointRegistry/baseCandidateID``.
    public var id: String
    /// The folder of the loadable model.
    public var modelPath: String
    /// Where it came from.
    public var lineage: CheckpointLineage
    /// Its evaluation reports, oldest first.
    public var reports: [EvaluationReport]
    /// When it was registered.
    public var registeredAt: Date
    /// SHA-256 of its model folder when it was registered (``ModelDigest/combined``); `nil` in 0.1.0 registries.
    public var digest: String?

    /// Creates a candidate.
    public init(
        id: String, modelPath: String, lineage: CheckpointLineage, reports: [EvaluationReport] = [],
        registeredAt: Date = Date()
    ) {
        self.id = id
        self.modelPath = modelPath
        self.lineage = lineage
        self.reports = reports
        self.registeredAt = registeredAt
    }

    /// Its latest report on `benchmark`, or its latest report of all when `benchmark` is `nil`.
    public func latestReport(on benchmark: String? = nil) -> EvaluationReport? {
        reports.last { benchmark == nil || $0.benchmark == benchmark }
    }
}

/// The outcome of asking to promote a candidate.
public struct PromotionDecision: Sendable, Hashable, Codable {
    /// The candidate that asked.
    public var candidateID: String
    /// The best candidate it was compared with.
    public var comparedWith: String
    /// Whether `final_model/` now holds the candidate.
    public var promoted: Bool
    /// The paired comparison (candidate − best), when one was made.
    public var comparison: PairedBootstrap.Comparison?
    /// Why it was or was not promoted, for the model and the log.
    public var reason: String

    /// Creates a decision.
    public init(
        candidateID: String, comparedWith: String, promoted: Bool, comparison: PairedBootstrap.Comparison?,
        reason: String
    ) {
        self.candidateID = candidateID
        self.comparedWith = comparedWith
        self.promoted = promoted
        self.comparison = comparison
        self.reason = reason
    }
}
