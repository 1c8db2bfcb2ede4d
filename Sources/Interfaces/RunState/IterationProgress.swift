import Foundation

/// Where a run stands: its stage, and how far the current iteration (plan → data → train → eval → log) has got.
///
/// Rules read it to enforce the order inside an iteration; stage exits read it to decide when to move on. It changes
/// only through ``apply(_:)``: ``RunState`` maps each stored record to its ``ProgressEvent``, so replaying a run's
/// records rebuilds it exactly.
public struct IterationProgress: Sendable, Hashable, Codable {
    /// The name of the current stage; empty before the first stage starts.
    public var stage: String = ""
    /// Agent sessions started since the current stage was entered.
    public var sessionsInStage = 0
    /// Agent sessions of the current stage that ended with the model's answer.
    public var completedSessionsInStage = 0
    /// The base model's baseline score, once evaluated.
    public var baselineScore: Double?
    /// Engineering failures since the current stage was entered.
    public var engineeringFailuresInStage = 0
    /// The number of the current iteration (1 for the first); 0 before any plan.
    public var iteration = 0
    /// Iterations planned since the current stage was entered.
    public var iterationsInStage = 0
    /// Whether the current iteration has been planned (and not yet logged).
    public var planned = false
    /// The dataset the current iteration's data step approved last.
    public var approvedDataset: DatasetApproval?
    /// Every dataset approved in the current iteration, by name (a later approval of a name replaces it).
    public var approvedDatasets: [String: DatasetApproval] = [:]
    /// The candidate the current iteration trained.
    public var trainedCandidate: String?
    /// Model folders of every candidate trained in the run, by candidate id.
    public var trainedModels: [String: String] = [:]
    /// Whether the current iteration's candidate has been evaluated.
    public var evaluated = false
    /// Whether the last iteration has been logged (true before the first iteration).
    public var lastIterationLogged = true
    /// Logged iterations in a row whose candidate was not promoted.
    public var iterationsWithoutPromotion = 0
    /// Whether the current iteration promoted its candidate.
    public var promotedThisIteration = false
    /// Promotions over the whole run.
    public var promotions = 0

    /// An empty progress: nothing done yet.
    public init() {}

    /// Rebuilds progress by applying `events` in order.
    public init(replaying events: some Sequence<ProgressEvent>) {
        for event in events { apply(event) }
    }

    /// Updates the progress with one event.
    public mutating func apply(_ event: ProgressEvent) {
        switch event {
        case .stageEntered(let name):
            stage = name
            iterationsInStage = 0
            engineeringFailuresInStage = 0
            sessionsInStage = 0
            completedSessionsInStage = 0
        case .sessionStarted:
            sessionsInStage += 1
        case .sessionCompleted:
            completedSessionsInStage += 1
        case .baselineEvaluated(let score):
            baselineScore = score
        case .engineeringFailure:
            engineeringFailuresInStage += 1
        case .planned:
            iteration += 1
            iterationsInStage += 1
            planned = true
            approvedDataset = nil
            approvedDatasets = [:]
            trainedCandidate = nil
            evaluated = false
            promotedThisIteration = false
            lastIterationLogged = false
        case .dataApproved(let dataset):
            approvedDataset = dataset
            approvedDatasets[dataset.name] = dataset
        case .trained(let candidateID, let modelPath):
            trainedCandidate = candidateID
            trainedModels[candidateID] = modelPath
        case .evaluated(_, let promoted):
            evaluated = true
            if promoted {
                promotedThisIteration = true
                promotions += 1
            }
        case .logged:
            guard planned else { return }
            planned = false
            lastIterationLogged = true
            iterationsWithoutPromotion = promotedThisIteration ? 0 : iterationsWithoutPromotion + 1
        }
    }
}
