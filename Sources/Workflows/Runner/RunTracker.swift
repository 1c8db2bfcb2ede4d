import AgentCore
import Evaluation
import Foundation
import Interfaces
import TrainingBackends

/// Folds a run's records into its ``RunState`` and keeps the checkpoint registry in step with them: registers each
/// trained candidate, attaches each evaluation report, and decides promotions.
///
/// Everything it derives comes from the store, so a new tracker over the same store (after a kill) reaches the same
/// state; each record is folded once, and each evaluation is handled exactly once, keyed by the sequence number of
/// its `eval.report` record.
actor RunTracker {
    let store: any ExperimentStore
    let registry: CheckpointRegistry
    private(set) var state: RunState
    private var processed = 0
    private var handledEvaluations: Set<Int> = []
    /// The members of evaluation groups (one `eval` call's candidates) reported so far, by group, until the last.
    private var pendingGroups: [[String]: (reported: Int, members: [(sequence: Int, candidate: String)])] = [:]

    init(store: any ExperimentStore, registry: CheckpointRegistry, root: URL) {
        self.store = store
        self.registry = registry
        state = RunState(workspace: Workspace(root: root))
    }

    /// Where the workflow stands (what rules and stage exits read).
    var progress: IterationProgress { state.progress }

    /// What was found changed outside the run, when a check found something and the run has not stopped since.
    var tampered: String? { state.tampered }

    /// The refresh in progress: refreshes run one after another so that records are handled in store order.
    private var running: Task<Void, any Error>?

    /// Reads the records added since the last call, handling each in order (including those it appends itself).
    func refresh() async throws {
        let previous = running
        let task = Task {
            _ = await previous?.result
            try await drain()
        }
        running = task
        try await task.value
    }

    private func drain() async throws {
        var records = try await store.records()
        if processed == 0 {
            for record in records {
                if let baseline = record.decode(BaselineEvaluated.self) { handledEvaluations.insert(baseline.evalSequence) }
                if let evaluated = record.decode(CandidateEvaluated.self) {
                    handledEvaluations.insert(evaluated.evalSequence)
                }
            }
        }
        while processed < records.count {
            let record = records[processed]
            processed += 1
            state.apply(record)
            try await handle(record)
            if processed == records.count { records = try await store.records() }
        }
    }

    /// One line for the agent: stage, iteration state, submission and last promotion decision.
    func statusLine() async -> String {
        let p = progress
        var steps: [String] = []
        if p.planned {
            steps.append("planned")
            if let dataset = p.approvedDataset { steps.append("data '\(dataset.name)' approved") }
            if let candidate = p.trainedCandidate { steps.append("trained \(candidate)") }
            if p.evaluated { steps.append("evaluated") }
            steps.append("not logged yet")
        }
        let status = steps.isEmpty ? " logged" : " (\(steps.joined(separator: ", ")))"
        let iteration = p.iteration == 0 ? "no iteration yet" : "iteration \(p.iteration)\(status)"
        var line = "Stage: \(p.stage) · \(iteration) · submission (final_model/): \(await registry.best.id)"
        if let baseline = p.baselineScore { line += String(format: " · baseline %.3f", baseline) }
        if let reason = state.lastPromotionReason { line += "\nLast promotion decision: \(reason)" }
        return line
    }

    private func handle(_ record: ExperimentRecord) async throws {
        if let finished = record.decode(TrainFinished.self) {
            // Checkpoints saved along the way first, so candidates are registered in step order.
            for saved in finished.checkpoints ?? [] {
                try await register(
                    id: "\(finished.jobID)-step\(saved.step)", job: finished.jobID, modelPath: saved.modelDirectory,
                    iteration: finished.iteration, step: saved.step)
            }
            try await register(
                id: finished.jobID, job: finished.jobID, modelPath: finished.modelDirectory,
                iteration: finished.iteration)
        } else if let report = record.decode(EvalReported.self), !handledEvaluations.contains(record.sequence) {
            handledEvaluations.insert(record.sequence)
            try await handleEvaluation(report, sequence: record.sequence)
        }
    }

    private func register(id: String, job jobID: String, modelPath: String, iteration: Int, step: Int? = nil)
        async throws
    {
        guard await registry.candidate(id) == nil else { return }
        var parent: Candidate?
        if let job = state.jobs[jobID] { parent = await registry.candidate(atPath: job.baseModel.path) }
        guard let job = state.jobs[jobID], let parent else {
            try await store.append(
                RegistrationRefused(
                    jobID: id, error: "not registered: it did not start from the base model or a registered candidate"))
            return
        }
        let config = (try? JSONValue(encoding: job.hyperparameters).compactText) ?? ""
        let configHash = SHA256.hex(of: Data("\(job.method.rawValue)|\(job.finetuning.rawValue)|\(config)".utf8))
        let workspace = state.workspace
        try await registry.register(
            id: id, modelPath: workspace.resolve(modelPath).path, parent: parent.id, datasets: job.datasets,
            configHash: configHash, step: step)
        try await store.append(
            CheckpointRegistered(
                id: id, modelPath: workspace.relativePath(of: workspace.resolve(modelPath)), parent: parent.id,
                datasets: job.datasets, configHash: configHash, iteration: iteration, step: step))
    }

    private func handleEvaluation(_ evaluation: EvalReported, sequence: Int) async throws {
        let workspace = state.workspace
        guard let candidate = await registry.resolve(evaluation.modelPath, relativeTo: workspace.root) else { return }
        let report: EvaluationReport
        do {
            let data = try Data(contentsOf: workspace.resolve(evaluation.reportPath))
            report = try JSONDecoder().decode(EvaluationReport.self, from: data)
        } catch {
            try await appendEvaluated(
                sequence, candidate.id, promoted: false,
                reason: "Not promoted: the report \(evaluation.reportPath) cannot be read (\(error)).")
            return
        }
        try await registry.attach(report, to: candidate.id)
        if candidate.id == CheckpointRegistry.baseCandidateID {
            try await store.append(BaselineEvaluated(evalSequence: sequence, label: report.label, score: report.score))
            return
        }
        let belowFloor = "Not promoted: \(report.sampleCount) samples is below the evaluation's sample floor; "
            + "evaluate with more samples before comparing."
        if let group = evaluation.group, group.count > 1 {
            // A group is decided once, when its last member is reported (they are recorded together).
            var pending = pendingGroups[group] ?? (0, [])
            pending.reported += 1
            if evaluation.comparable {
                pending.members.append((sequence, candidate.id))
            } else {
                try await appendEvaluated(sequence, candidate.id, promoted: false, reason: belowFloor)
            }
            guard pending.reported >= group.count else {
                pendingGroups[group] = pending
                return
            }
            pendingGroups[group] = nil
            try await decideGroup(pending.members, benchmark: report.benchmark)
            return
        }
        if !evaluation.comparable {
            try await appendEvaluated(sequence, candidate.id, promoted: false, reason: belowFloor)
            return
        }
        let reason: String
        do {
            reason = try await registry.promote(candidate.id, benchmark: report.benchmark).reason
        } catch {
            reason = "Not promoted: \(error)"
        }
        let promoted = await registry.best.id == candidate.id
        try await appendEvaluated(sequence, candidate.id, promoted: promoted, reason: reason)
    }

    /// The joint decision over a group's comparable members (``CheckpointRegistry/promoteBest(of:benchmark:)``).
    private func decideGroup(_ members: [(sequence: Int, candidate: String)], benchmark: String) async throws {
        guard !members.isEmpty else { return }
        let decisions: [PromotionDecision]
        do {
            decisions = try await registry.promoteBest(of: members.map(\.candidate), benchmark: benchmark)
        } catch {
            for member in members {
                try await appendEvaluated(member.sequence, member.candidate, promoted: false, reason: "Not promoted: \(error)")
            }
            return
        }
        for (member, decision) in zip(members, decisions) {
            try await appendEvaluated(member.sequence, member.candidate, promoted: decision.promoted, reason: decision.reason)
        }
    }

    private func appendEvaluated(_ sequence: Int, _ id: String, promoted: Bool, reason: String) async throws {
        try await store.append(
            CandidateEvaluated(evalSequence: sequence, candidateID: id, promoted: promoted, reason: reason))
    }
}
