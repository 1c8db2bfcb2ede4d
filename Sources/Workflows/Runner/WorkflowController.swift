import AgentCore
import Foundation
import Interfaces

/// The workflow's bookkeeping, shared by every way of driving a run: the ``WorkflowRunner`` (our agent loop) and the
/// ``WorkflowGateway`` (an agent elsewhere, e.g. over MCP). It rebuilds the run's state from the store, takes the
/// stage exits that are met (recording each transition), checks the budget, reviews tool calls against the rules
/// (recording each denial), and records how the run stopped.
struct WorkflowController: Sendable {
    /// Where the run stands after the exits that are met were taken.
    enum Position: Sendable {
        /// In `stage`, with the run's progress.
        case stage(Stage, IterationProgress)
        /// The run is over.
        case ended(WorkflowOutcome.Ending)
    }

    let workflow: Workflow
    let store: any ExperimentStore
    let registry: CheckpointRegistry
    let budget: BudgetClock
    let tracker: RunTracker
    let runaway: RunawayLimits

    init(
        workflow: Workflow, store: any ExperimentStore, registry: CheckpointRegistry, budget: BudgetClock,
        runaway: RunawayLimits = RunawayLimits()
    ) {
        self.workflow = workflow
        self.store = store
        self.registry = registry
        self.budget = budget
        self.runaway = runaway
        tracker = RunTracker(store: store, registry: registry, root: registry.runDirectory)
    }

    /// Why the run should stop because the agent makes no progress (``RunawayLimits``), or `nil`.
    func runawayViolation() async -> String? {
        guard let records = try? await store.records() else { return nil }
        return runaway.violation(in: records)
    }

    /// Rebuilds the state from the store (progress, registry, spent budget) and enters the first stage of a new run.
    func start() async throws {
        try await tracker.refresh()
        if let last = try await store.records().last(BudgetRecorded.self) { await budget.restore(last.value) }
        if await tracker.progress.stage.isEmpty { try await enter(workflow.initialStage.name) }
        try await checkIntegrity()
    }

    /// Compares the submission, the registry and the store with what the run itself wrote; when anything changed,
    /// restores `final_model/` from the run's records and records what changed (the run then ends as tampered).
    /// - Returns: what changed, empty when nothing did.
    @discardableResult
    func checkIntegrity() async throws -> [String] {
        let records = try await store.records()
        var findings = await registry.tampering()
        var previous: Int?
        for record in records {
            if let previous, record.sequence != previous + 1 {
                findings.append("events.jsonl: record \(record.sequence) follows record \(previous)")
                break
            }
            previous = record.sequence
        }
        findings += Self.foreignLines(in: registry.runDirectory.appendingPathComponent("events.jsonl"))
        let decided = Self.submission(in: records)
        let best = await registry.best.id
        if best != decided, !Self.wasPromoted(best, in: records) {
            findings.append("checkpoints/registry.json names '\(best)' as the submission; the run promoted '\(decided)'")
        }
        // A foreign line stays in the append-only store: report each finding once.
        let reported = Set(records.all(TamperingFound.self).flatMap(\.findings))
        findings = findings.filter { !$0.hasPrefix("events.jsonl line") || !reported.contains($0) }
        guard !findings.isEmpty else { return [] }
        let restored = try await registry.restore(bestID: decided)
        try await store.append(TamperingFound(findings: findings, restored: restored))
        try await tracker.refresh()
        return findings
    }

    /// Lines of the store file that are complete JSON but not records: written by something else (a crash cuts a
    /// line short, leaving incomplete JSON).
    static func foreignLines(in eventsFile: URL) -> [String] {
        guard let data = try? Data(contentsOf: eventsFile) else { return [] }
        return JSONLExperimentStore.decode(data).damage.filter { damage in
            let bytes = data[damage.byteOffset..<(damage.byteOffset + damage.byteCount)]
            return (try? JSONSerialization.jsonObject(with: bytes, options: [.fragmentsAllowed])) != nil
        }.map { "events.jsonl line \($0.line) is not a record the run wrote" }
    }

    /// The candidate the run's records promoted last, or the base model.
    static func submission(in records: [ExperimentRecord]) -> String {
        records.all(CandidateEvaluated.self).last(where: \.promoted)?.candidateID ?? CheckpointRegistry.baseCandidateID
    }

    /// Whether the records show `id` promoted (a promotion whose record a crash cut off is found again on resume as
    /// "already the submission").
    static func wasPromoted(_ id: String, in records: [ExperimentRecord]) -> Bool {
        records.all(CandidateEvaluated.self).contains {
            $0.candidateID == id && ($0.promoted || $0.reason.contains("already the submission"))
        }
    }

    /// Takes every stage exit that is met, recording each transition, then checks the budget and the stage's
    /// attempts (sessions started in it: our agent's sessions, or an outside agent's `complete_stage` calls).
    /// - Throws: store failures; ``WorkflowRunnerError/unknownStage(_:)`` when the store names a stage the workflow
    ///   does not have.
    func settle() async throws -> Position {
        while true {
            try await tracker.refresh()
            if let findings = await tracker.tampered { return .ended(.tampered(findings)) }
            let progress = await tracker.progress
            guard let stage = workflow.stage(named: progress.stage) else {
                throw WorkflowRunnerError.unknownStage(progress.stage)
            }
            if let exit = stage.exit(for: progress) {
                let target: String
                switch exit.target {
                case .finish: target = "finish"
                case .stage(let next): target = next
                }
                try await store.append(StageTransition(from: stage.name, exit: exit.name, to: target))
                guard case .stage(let next) = exit.target else { return .ended(.finished) }
                try await enter(next)
                continue
            }
            if let exhaustion = await budget.snapshot().exhaustion { return .ended(.budgetExhausted(exhaustion)) }
            guard progress.sessionsInStage < stage.maxAttempts else { return .ended(.stageFailed(stage.name)) }
            if let reason = await runawayViolation() { return .ended(.stalled(reason)) }
            return .stage(stage, progress)
        }
    }

    /// Reviews `call` against the workflow's and `stage`'s rules; a denial is recorded with its rule and reason.
    func review(_ call: ToolCall, in stage: Stage) async -> ToolCallDecision {
        do {
            try await tracker.refresh()
        } catch {
            return .deny(reason: "The run's state could not be read (\(error)); the call was not run.")
        }
        let context = RuleContext(
            toolName: call.name, rawArguments: call.arguments, progress: await tracker.progress,
            budget: await budget.snapshot())
        guard let denial = await workflow.review(context, in: stage) else { return .allow }
        _ = try? await store.append(
            CallDenied(
                stage: stage.name, tool: call.name, rule: denial.rule, reason: denial.reason,
                arguments: call.arguments))
        return .deny(reason: "\(denial.reason) (rule: \(denial.rule))")
    }

    /// The budget and the status line, as the agent sees them on every turn.
    func statusLines() async -> String {
        await budget.snapshot().summary + "\n" + (await statusLine())
    }

    /// The run's status line; when logging the open iteration would end the run, it says so before the call.
    func statusLine() async -> String {
        try? await tracker.refresh()
        let snapshot = await budget.snapshot()
        var lines = await tracker.statusLine()
        let progress = await tracker.progress
        if progress.planned, let stage = workflow.stage(named: progress.stage) {
            var logged = progress
            logged.apply(.logged)
            if let exit = stage.exit(for: logged), case .finish = exit.target {
                lines += "\nNote: logging iteration \(progress.iteration) ends the run (exit '\(exit.name)'); "
                    + "\(DurationText.format(snapshot.jobSeconds)) of job time would be left unused. Use what you need "
                    + "first (a fuller evaluation, a saved step), then log."
            }
        }
        return lines
    }

    /// Records that the run stopped and why, and describes the submission.
    func stop(_ ending: WorkflowOutcome.Ending) async throws -> WorkflowOutcome {
        var ending = ending
        let findings: [String]
        if case .tampered = ending { findings = [] } else { findings = try await checkIntegrity() }
        if !findings.isEmpty { ending = .tampered(findings.joined(separator: "; ")) }
        try await tracker.refresh()
        let best = await registry.best.id
        let finalModel = registry.finalModelURL
        let valid = (try? ModelFolder.validate(finalModel)) != nil
        let reason: String
        switch ending {
        case .finished: reason = "finished"
        case .budgetExhausted(let why): reason = "budget exhausted: \(why)"
        case .stageFailed(let stage): reason = "stage '\(stage)' used all its attempts"
        case .stalled(let why): reason = "stalled: \(why)"
        case .tampered(let findings): reason = "tampered: \(findings)"
        }
        try await store.append(
            RunStopped(reason: reason, best: best, finalModel: finalModel.path, finalModelValid: valid))
        return WorkflowOutcome(
            ending: ending, progress: await tracker.progress, best: best, finalModel: finalModel.path,
            finalModelValid: valid)
    }

    /// Records that a session (our agent's, or an outside agent's work on a stage) started in `stage`, as attempt
    /// `progress.sessionsInStage + 1`.
    func recordSessionStarted(_ stage: Stage, _ progress: IterationProgress) async throws {
        try await store.append(SessionStarted(stage: stage.name, attempt: progress.sessionsInStage + 1))
    }

    /// Records how a session in `stage` ended; a completed one counts towards exits such as "task defined".
    func recordSessionEnded(_ stage: Stage, completed: Bool, reason: String, finalText: String = "") async throws {
        try await store.append(
            SessionEnded(stage: stage.name, completed: completed, reason: reason, finalText: finalText))
    }

    /// Records what the run has spent so far (time, GPU-hours, tokens, dollars), so that a resumed run counts it.
    func recordBudgetUsage() async throws {
        try await store.append(BudgetRecorded(await budget.snapshot().usage))
    }

    private func enter(_ stage: String) async throws {
        try await store.append(StageEntered(stage: stage))
    }
}
