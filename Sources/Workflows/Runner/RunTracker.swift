import AgentCore
import Evaluation
import Foundation
import Interfaces
import TrainingBackends

/// Folds a run's records into its ``IterationProgress`` and keeps the checkpoint registry in step with them:
/// registers each trained candidate, attaches each evaluation report, and decides promotions.
///
/// Everything it derives comes from the store, so a new tracker over the same store (after a kill) reaches the same
/// progress; each evaluation is handled exactly once, keyed by the sequence number of its `eval.report` record.
actor RunTracker {
    let store: any ExperimentStore
    let registry: CheckpointRegistry
    let root: URL
    private(set) var progress = IterationProgress()
    private var processed = 0
    private var handledEvaluations: Set<Int> = []
    private var jobs: [String: TrainingJob] = [:]
    private(set) var lastDecision: String?
    /// What was found changed outside the run, when a check found something and the run has not stopped since.
    private(set) var tampered: String?

    init(store: any ExperimentStore, registry: CheckpointRegistry, root: URL) {
        self.store = store
        self.registry = registry
        self.root = root
    }

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
            let kinds = [WorkflowRecordKind.baseline, WorkflowRecordKind.evaluated]
            for record in records where kinds.contains(record.kind) {
                if let sequence = record.payload["evalSequence"]?.intValue { handledEvaluations.insert(sequence) }
            }
        }
        while processed < records.count {
            let record = records[processed]
            processed += 1
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
        let state = steps.isEmpty ? " logged" : " (\(steps.joined(separator: ", ")))"
        let iteration = p.iteration == 0 ? "no iteration yet" : "iteration \(p.iteration)\(state)"
        var line = "Stage: \(p.stage) · \(iteration) · submission (final_model/): \(await registry.best.id)"
        if let baseline = p.baselineScore { line += String(format: " · baseline %.3f", baseline) }
        if let lastDecision { line += "\nLast promotion decision: \(lastDecision)" }
        return line
    }

    private func handle(_ record: ExperimentRecord) async throws {
        let payload = record.payload
        switch record.kind {
        case RecordKind.trainStarted:
            if let job = try? payload["job"]?.decode(as: TrainingJob.self) { jobs[job.id] = job }
        case RecordKind.trainFinished:
            if let id = payload["jobID"]?.stringValue, let directory = payload["modelDirectory"]?.stringValue {
                let iteration = payload["iteration"]?.intValue
                // Checkpoints saved along the way first, so candidates are registered in step order.
                for checkpoint in payload["checkpoints"]?.arrayValue ?? [] {
                    guard let step = checkpoint["step"]?.intValue,
                        let folder = checkpoint["modelDirectory"]?.stringValue
                    else { continue }
                    try await register(
                        id: "\(id)-step\(step)", job: id, modelPath: absolute(folder), iteration: iteration, step: step)
                }
                try await register(id: id, job: id, modelPath: absolute(directory), iteration: iteration)
            }
        case RecordKind.evalReport:
            guard !handledEvaluations.contains(record.sequence) else { return }
            handledEvaluations.insert(record.sequence)
            try await handleEvaluation(record)
        case WorkflowRecordKind.evaluated:
            lastDecision = payload["reason"]?.stringValue ?? lastDecision
        case WorkflowRecordKind.tampered:
            tampered = payload["findings"]?.arrayValue?.compactMap(\.stringValue).joined(separator: "; ")
        case WorkflowRecordKind.stopped:
            tampered = nil
        default:
            break
        }
        if let event = progress.event(for: record, runDirectory: root) { progress.apply(event) }
    }

    private func register(id: String, job jobID: String, modelPath: String, iteration: Int?, step: Int? = nil)
        async throws
    {
        guard await registry.candidate(id) == nil else { return }
        var parent: Candidate?
        if let job = jobs[jobID] { parent = await registry.candidate(atPath: job.baseModel) }
        guard let job = jobs[jobID], let parent else {
            let reason = "not registered: it did not start from the base model or a registered candidate"
            try await store.append(
                ExperimentRecord(
                    kind: WorkflowRecordKind.registrationRefused,
                    payload: ["jobID": .string(id), "error": .string(reason)]))
            return
        }
        let config = (try? JSONValue(encoding: job.hyperparameters).compactText) ?? ""
        let configHash = SHA256.hex(of: Data("\(job.method.rawValue)|\(job.finetuning.rawValue)|\(config)".utf8))
        try await registry.register(
            id: id, modelPath: modelPath, parent: parent.id, datasets: job.datasets, configHash: configHash, step: step)
        var payload: [String: JSONValue] = [
            "id": .string(id),
            "modelPath": .string(Workspace(root: root).relativePath(of: URL(fileURLWithPath: modelPath))),
            "parent": .string(parent.id), "datasets": .array(job.datasets.map(JSONValue.string)),
            "configHash": .string(configHash),
        ]
        if let iteration { payload["iteration"] = .number(Double(iteration)) }
        if let step { payload["step"] = .number(Double(step)) }
        try await store.append(ExperimentRecord(kind: RecordKind.checkpointRegistered, payload: .object(payload)))
    }

    private func handleEvaluation(_ record: ExperimentRecord) async throws {
        let payload = record.payload
        guard let modelPath = payload["modelPath"]?.stringValue,
            let candidate = await registry.resolve(modelPath, relativeTo: root),
            let reportPath = payload["reportPath"]?.stringValue
        else { return }
        let sequence = JSONValue.number(Double(record.sequence))
        let report: EvaluationReport
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: absolute(reportPath)))
            report = try JSONDecoder().decode(EvaluationReport.self, from: data)
        } catch {
            try await appendEvaluated(
                sequence, candidate.id, promoted: false,
                reason: "Not promoted: the report \(reportPath) cannot be read (\(error)).")
            return
        }
        try await registry.attach(report, to: candidate.id)
        if candidate.id == CheckpointRegistry.baseCandidateID {
            try await store.append(
                ExperimentRecord(
                    kind: WorkflowRecordKind.baseline,
                    payload: [
                        "evalSequence": sequence, "label": .string(report.label), "score": .number(report.score),
                    ]))
            return
        }
        if payload["comparable"]?.boolValue == false {
            try await appendEvaluated(
                sequence, candidate.id, promoted: false,
                reason: "Not promoted: \(report.sampleCount) samples is below the evaluation's sample floor; evaluate "
                    + "with more samples before comparing.")
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

    private func appendEvaluated(_ sequence: JSONValue, _ id: String, promoted: Bool, reason: String) async throws {
        try await store.append(
            ExperimentRecord(
                kind: WorkflowRecordKind.evaluated,
                payload: [
                    "evalSequence": sequence, "candidateID": .string(id), "promoted": .bool(promoted),
                    "reason": .string(reason),
                ]))
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : root.appendingPathComponent(path).standardizedFileURL.path
    }
}
