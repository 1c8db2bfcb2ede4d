public import AgentCore
public import Foundation
public import TrainingBackends

/// A trained or registered candidate and its latest score.
public struct CheckpointSummary: Sendable, Hashable, Codable {
    /// The checkpoint id (its folder under `checkpoints/`).
    public var id: String
    /// The model folder, relative to the run.
    public var modelPath: String
    /// The iteration that produced it.
    public var iteration: Int?
    /// Whether the checkpoint registry recorded it (rather than only the train tool).
    public var registered: Bool
    /// The label and score of its latest evaluation.
    public var evaluation: String?
    /// The score of its latest evaluation.
    public var score: Double?

    /// Creates a summary.
    public init(
        id: String, modelPath: String, iteration: Int? = nil, registered: Bool = false, evaluation: String? = nil,
        score: Double? = nil
    ) {
        self.id = id
        self.modelPath = modelPath
        self.iteration = iteration
        self.registered = registered
        self.evaluation = evaluation
        self.score = score
    }
}

/// A run's state, folded from its records: the one fold every reader uses (the runner and its rules, the tools,
/// `status`, the MCP server).
///
/// ``apply(_:)`` takes one record at a time, so a reader that follows the store folds each record once.
public struct RunState: Sendable, Hashable {
    /// The run folder, against which paths in records are resolved.
    public var workspace: Workspace
    /// Where the workflow stands inside its stage and iteration (what rules and stage exits read).
    public var progress = IterationProgress()
    /// The highest iteration planned or logged (0 before any plan).
    public var iteration = 0
    /// The highest iteration with a logged ``IterationRecord``.
    public var lastLoggedIteration: Int?
    /// The workflow stage last entered.
    public var stage: String?
    /// Why the workflow stopped (`finished`, a budget or stage failure); `nil` while it has not stopped.
    public var stopReason: String?
    /// What the run has spent.
    public var budget = BudgetUsage()
    /// Trained and registered candidates, in the order they appeared.
    public var checkpoints: [CheckpointSummary] = []
    /// The decision of the last logged iteration.
    public var lastDecision: IterationDecision?
    /// The registry's reason for its last promotion decision.
    public var lastPromotionReason: String?
    /// The latest evaluation of each label, as `label: score`.
    public var evaluations: [String: Double] = [:]
    /// The datasets approved in each iteration, by name (a failed re-validation or a rebuild removes one).
    public var approvals: [Int: [String: DatasetApproval]] = [:]
    /// Training jobs as they started, by job id.
    public var jobs: [String: TrainingJob] = [:]
    /// What was found changed outside the run, when a check found something and the run has not stopped since.
    public var tampered: String?
    /// One compact line per logged iteration.
    public var history: [String] = []
    /// How many records were folded.
    public var recordCount = 0
    private var firstRecordTime: Date?
    private var budgetRecorded = BudgetUsage()
    private var activeBefore = 0.0
    private var sessionStart: Date?
    private var lastRecordTime: Date?

    /// An empty state of the run in `workspace`.
    public init(workspace: Workspace) { self.workspace = workspace }

    /// Folds `records` (in store order) into the state of the run in `runDirectory`.
    public static func rebuild(from records: [ExperimentRecord], runDirectory: URL) -> RunState {
        var state = RunState(workspace: Workspace(root: runDirectory))
        for record in records { state.apply(record) }
        return state
    }

    /// Folds one record, decoding it once: the workflow's progress event it stands for (given the progress so far)
    /// first, then the rest of the state. Records of kinds this version does not know are counted and otherwise
    /// skipped.
    public mutating func apply(_ record: ExperimentRecord) {
        recordCount += 1
        trackTime(record)
        switch record.kind {
        case StageEntered.kind:
            guard let entered = record.decode(StageEntered.self) else { return }
            progress.apply(.stageEntered(entered.stage))
            stage = entered.stage
        case SessionStarted.kind:
            progress.apply(.sessionStarted)
        case SessionEnded.kind:
            if record.decode(SessionEnded.self)?.completed == true { progress.apply(.sessionCompleted) }
        case RunStopped.kind:
            stopReason = record.decode(RunStopped.self)?.reason ?? "no reason recorded"
            tampered = nil
        case TamperingFound.kind:
            tampered = record.decode(TamperingFound.self)?.findings.joined(separator: "; ")
        case PlanWritten.kind:
            guard let plan = record.decode(PlanWritten.self) else { return }
            if plan.iteration > progress.iteration { progress.apply(.planned) }
            iteration = max(iteration, plan.iteration)
        case ModelUsed.kind:
            guard let used = record.decode(ModelUsed.self) else { return }
            budget.tokens += used.inputTokens + used.outputTokens
            budget.usd += used.costUSD
        case BudgetRecorded.kind:
            if let recorded = record.decode(BudgetRecorded.self) { budgetRecorded = recorded.value }
        case DataBuilt.kind:
            if let built = record.decode(DataBuilt.self) { approvals[built.iteration]?[built.dataset] = nil }
        case DataValidated.kind:
            guard let validated = record.decode(DataValidated.self) else { return }
            let granted = approval(validated)
            if let granted, validated.iteration == progress.iteration, progress.planned {
                progress.apply(.dataApproved(granted))
            }
            approvals[validated.iteration, default: [:]][validated.dataset] = granted
        case TrainStarted.kind:
            if let started = record.decode(TrainStarted.self) { jobs[started.job.id] = started.job }
        case TrainFinished.kind:
            guard let finished = record.decode(TrainFinished.self) else { return }
            progress.apply(
                .trained(candidateID: finished.jobID, modelPath: workspace.resolve(finished.modelDirectory).path))
            budget.trainingSeconds += finished.wallSeconds
            upsertCheckpoint(
                id: finished.jobID, modelPath: finished.modelDirectory, iteration: finished.iteration,
                registered: false)
        case TrainFailed.kind:
            progress.apply(.engineeringFailure(reason: record.decode(TrainFailed.self)?.error ?? record.kind))
        case EvalFailed.kind:
            progress.apply(.engineeringFailure(reason: record.decode(EvalFailed.self)?.error ?? record.kind))
        case CheckpointRegistered.kind:
            guard let registered = record.decode(CheckpointRegistered.self) else { return }
            upsertCheckpoint(
                id: registered.id, modelPath: registered.modelPath, iteration: registered.iteration, registered: true)
            if let score = registered.score {
                checkpoints[checkpoints.firstIndex { $0.id == registered.id }!].score = score
            }
        case EvalReported.kind:
            guard let report = record.decode(EvalReported.self) else { return }
            budget.evaluationSeconds += report.durationSeconds
            evaluations[report.label] = report.score
            for index in checkpoints.indices where checkpoints[index].modelPath == report.modelPath {
                checkpoints[index].evaluation = report.label
                checkpoints[index].score = report.score
            }
        case BaselineEvaluated.kind:
            if let baseline = record.decode(BaselineEvaluated.self) {
                progress.apply(.baselineEvaluated(score: baseline.score))
            }
        case CandidateEvaluated.kind:
            guard let evaluated = record.decode(CandidateEvaluated.self) else { return }
            progress.apply(.evaluated(candidateID: evaluated.candidateID, promoted: evaluated.promoted))
            lastPromotionReason = evaluated.reason
        case IterationRecord.kind:
            progress.apply(.logged)
            guard let logged = record.decode(IterationRecord.self) else { return }
            iteration = max(iteration, logged.iteration)
            lastLoggedIteration = max(lastLoggedIteration ?? logged.iteration, logged.iteration)
            lastDecision = logged.decision
            history.append(Self.historyLine(logged))
        default:
            return
        }
    }

    /// The approval a validation record grants, its file resolved; records written by 0.1.0 name no approval, whose
    /// file is then the data tool's `iterations/<n>/data/<dataset>.json`.
    private func approval(_ validated: DataValidated) -> DatasetApproval? {
        guard validated.approved else { return nil }
        var approval =
            validated.approval
            ?? DatasetApproval(
                name: validated.dataset,
                file: workspace.relativePath(
                    of: workspace.iteration(validated.iteration).data.appendingPathComponent("\(validated.dataset).json")),
                samples: validated.samples)
        approval.file = workspace.resolve(approval.file).path
        return approval
    }

    /// Elapsed time counts each session from its `run.session_started` record (or the first record) to its last
    /// record, so the time between a kill and the resume does not count; the budget clock's own reading (GPU-hours,
    /// unpriced tokens) comes from its latest record.
    private mutating func trackTime(_ record: ExperimentRecord) {
        if firstRecordTime == nil { firstRecordTime = record.time }
        if record.is(RunSessionStarted.self), let start = sessionStart, let last = lastRecordTime {
            activeBefore += last.timeIntervalSince(start)
            sessionStart = record.time
            lastRecordTime = record.time
        }
        sessionStart = sessionStart ?? record.time
        lastRecordTime = max(lastRecordTime ?? record.time, record.time)
        budget.elapsedSeconds = activeBefore + (lastRecordTime ?? record.time).timeIntervalSince(sessionStart ?? record.time)
        budget.gpuHours = budgetRecorded.gpuHours
        budget.unpricedTokens = budgetRecorded.unpricedTokens
    }

    private mutating func upsertCheckpoint(id: String, modelPath: String, iteration: Int?, registered: Bool) {
        if let index = checkpoints.firstIndex(where: { $0.id == id }) {
            checkpoints[index].modelPath = modelPath
            checkpoints[index].registered = checkpoints[index].registered || registered
            checkpoints[index].iteration = iteration ?? checkpoints[index].iteration
        } else {
            checkpoints.append(
                CheckpointSummary(id: id, modelPath: modelPath, iteration: iteration, registered: registered))
        }
    }

    private static func historyLine(_ record: IterationRecord) -> String {
        let hypothesis = record.hypothesis.count > 90 ? record.hypothesis.prefix(87) + "..." : record.hypothesis
        let scores = record.scores.map { "\($0.label) \(String(format: "%.3f", $0.value))" }.joined(separator: ", ")
        var line = "iteration \(record.iteration) (\(record.stage)): \(hypothesis) -> \(record.decision.rawValue)"
        if !scores.isEmpty { line += "; \(scores)" }
        if !record.failures.isEmpty { line += "; \(record.failures.count) failure(s)" }
        return line + "; next: \(record.nextStep)"
    }

    /// A compact text for the agent's instructions or a terminal.
    public var summary: String {
        var lines = ["Run state (\(recordCount) records):"]
        let logged = lastLoggedIteration.map { ", last logged \($0)" } ?? ""
        let stopped = stopReason.map { " (stopped: \($0))" } ?? ""
        lines.append("- iteration \(iteration)\(logged); stage: \(stage ?? "not started")\(stopped)")
        lines.append(
            "- spent: \(DurationText.format(budget.elapsedSeconds)) wall (training "
                + "\(DurationText.format(budget.trainingSeconds)), evaluation "
                + "\(DurationText.format(budget.evaluationSeconds))), \(budget.tokens) tokens, "
                + String(format: "$%.2f", budget.usd))
        if checkpoints.isEmpty {
            lines.append("- checkpoints: none")
        } else {
            lines.append("- checkpoints:")
            for checkpoint in checkpoints {
                let score = checkpoint.score.map { String(format: "%.3f", $0) } ?? "not evaluated"
                let flag = checkpoint.registered ? "registered" : "trained"
                lines.append("  - \(checkpoint.id) (\(flag)): \(score) at \(checkpoint.modelPath)")
            }
        }
        if !evaluations.isEmpty {
            let scores = evaluations.keys.sorted().map { "\($0) \(String(format: "%.3f", evaluations[$0]!))" }
            lines.append("- evaluations: \(scores.joined(separator: ", "))")
        }
        lines.append("- last decision: \(lastDecision?.rawValue ?? "none")")
        if !history.isEmpty {
            lines.append("History:")
            lines += history.map { "- \($0)" }
        }
        return lines.joined(separator: "\n")
    }
}

extension RunState: Encodable {
    private enum CodingKeys: String, CodingKey {
        case runDirectory, progress, iteration, lastLoggedIteration, stage, stopReason, budget, checkpoints
        case lastDecision, lastPromotionReason, evaluations, tampered, history, recordCount
    }

    /// The state as `status --json` shows it (jobs and approvals are left to the records).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(workspace.root.path, forKey: .runDirectory)
        try c.encode(progress, forKey: .progress)
        try c.encode(iteration, forKey: .iteration)
        try c.encodeIfPresent(lastLoggedIteration, forKey: .lastLoggedIteration)
        try c.encodeIfPresent(stage, forKey: .stage)
        try c.encodeIfPresent(stopReason, forKey: .stopReason)
        try c.encode(budget, forKey: .budget)
        try c.encode(checkpoints, forKey: .checkpoints)
        try c.encodeIfPresent(lastDecision, forKey: .lastDecision)
        try c.encodeIfPresent(lastPromotionReason, forKey: .lastPromotionReason)
        try c.encode(evaluations, forKey: .evaluations)
        try c.encodeIfPresent(tampered, forKey: .tampered)
        try c.encode(history, forKey: .history)
        try c.encode(recordCount, forKey: .recordCount)
    }
}
