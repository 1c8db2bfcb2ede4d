public import AgentCore
import Foundation
public import Interfaces

/// Drives an agent through a ``Workflow``: one agent session per attempt at a stage, with the stage's tools and
/// rules, until an exit leads to `.finish`, a stage fails, or the budget ends.
///
/// Every tool call is reviewed by the workflow's and the stage's rules (through the agent's tool-call review hook);
/// each denial is recorded with its rule and reason, and the model reads the reason. The budget and the run's status
/// are shown to the model on every turn (``BudgetedModelProvider``). Everything is recorded in the store, and the
/// progress is rebuilt from it, so running again over the same store and run folder after a kill resumes where the
/// run stopped and takes the same decisions. The checkpoint registry keeps `final_model/` valid throughout.
///
/// ```swift
/// let runner = WorkflowRunner(
///     workflow: .autoTrainess(options), provider: provider, model: "claude-sonnet-4-5",
///     tools: InterfaceTools.all(in: environment), store: store, registry: registry, budget: budget)
/// let outcome = try await runner.run(task: "Improve GSM8K accuracy of the base model.")
/// ```
public struct WorkflowRunner: Sendable {
    /// The stages and rules.
    public var workflow: Workflow
    /// The model behind the agent.
    public var provider: any ModelProvider
    /// The model name.
    public var model: String
    /// General instructions, sent before each stage's own instructions.
    public var instructions: String
    /// Every tool; each session gets those its stage allows.
    public var tools: [AnyTool]
    /// The run's store (the interface tools must write to the same one).
    public var store: any ExperimentStore
    /// The run's checkpoint registry.
    public var registry: CheckpointRegistry
    /// The run's budget.
    public var budget: BudgetClock
    /// Limits of one agent session.
    public var sessionLimits: AgentLimits
    /// Prices for dollar accounting.
    public var prices: PriceTable
    /// Secret values redacted from everything the agent emits.
    public var secrets: [String]
    /// When an agent that makes no progress is stopped.
    public var runaway: RunawayLimits

    /// Creates a runner.
    public init(
        workflow: Workflow, provider: any ModelProvider, model: String,
        instructions: String = WorkflowRunner.defaultInstructions, tools: [AnyTool], store: any ExperimentStore,
        registry: CheckpointRegistry, budget: BudgetClock, sessionLimits: AgentLimits = AgentLimits(maxTurns: 200),
        prices: PriceTable = .standard, secrets: [String] = Secrets.values(), runaway: RunawayLimits = RunawayLimits()
    ) {
        self.workflow = workflow
        self.provider = provider
        self.model = model
        self.instructions = instructions
        self.tools = tools
        self.store = store
        self.registry = registry
        self.budget = budget
        self.sessionLimits = sessionLimits
        self.prices = prices
        self.secrets = secrets
        self.runaway = runaway
    }

    /// The general instructions used when none are given.
    public static let defaultInstructions = """
        You are an engineer post-training a language model under a fixed budget. Work in small, attributable \
        iterations, read evaluation results before changing anything, and record every iteration. Rules are \
        enforced in code: when a call is denied, read the reason and adapt. The budget and the run's status are \
        shown below on every turn.
        """

    /// Runs (or resumes) the workflow.
    /// - Parameter task: the task description given to the agent in every session.
    /// - Returns: how the run ended; `final_model/` is valid in every case.
    /// - Throws: store, registry and provider failures (a killed or failed run can be resumed by calling `run`
    ///   again over the same store and run folder); ``WorkflowRunnerError`` when the store belongs to another
    ///   workflow.
    public func run(task: String) async throws -> WorkflowOutcome {
        let controller = WorkflowController(
            workflow: workflow, store: store, registry: registry, budget: budget, runaway: runaway)
        try await controller.start()
        while true {
            // A cancelled run (Ctrl-C) stops here: a cancelled session ends without an outcome, and starting
            // another one would only end the same way, over and over.
            try Task.checkCancellation()
            let (stage, progress): (Stage, IterationProgress)
            switch try await controller.settle() {
            case .ended(let ending): return try await controller.stop(ending)
            case .stage(let current, let now): (stage, progress) = (current, now)
            }
            try await controller.recordSessionStarted(stage, progress)
            do {
                let outcome = try await runSession(stage, task: task, controller: controller)
                try Task.checkCancellation()
                try await controller.recordSessionEnded(
                    stage, completed: outcome?.reason == .completed,
                    reason: outcome.map { "\($0.reason)" } ?? "ended without an outcome",
                    finalText: outcome?.finalText ?? "")
            } catch let error as BudgetExhaustedError {
                try await controller.recordSessionEnded(stage, completed: false, reason: "\(error)")
                return try await controller.stop(.budgetExhausted(error.reason))
            } catch let error as RunawayStopError {
                try await controller.recordSessionEnded(stage, completed: false, reason: "\(error)")
                return try await controller.stop(.stalled(error.reason))
            }
        }
    }

    private func runSession(
        _ stage: Stage, task: String, controller: WorkflowController
    ) async throws -> AgentOutcome? {
        let budget = budget
        let tracker = controller.tracker
        try await tracker.refresh()
        let messages = Self.sessionMessages(
            task: task, state: await tracker.state, stage: stage, instructions: instructions)
        let agent = Agent(
            provider: BudgetedModelProvider(
                base: provider, budget: budget,
                status: { await controller.statusLine() }, stopReason: { await controller.runawayViolation() }),
            model: model,
            instructions: messages.system,
            tools: tools.filter { stage.allowedTools.contains($0.name) },
            limits: sessionLimits,
            prices: prices,
            toolCallReview: { call in await controller.review(call, in: stage) },
            store: store,
            secrets: secrets)

        var outcome: AgentOutcome?
        for try await event in agent.run(messages.user) {
            switch event {
            case .usage(let usage):
                await budget.recordModelUsage(usage.turnUsage, costUSD: usage.turnCostUSD)
                try await store.append(
                    ModelUsed(
                        inputTokens: usage.turnUsage.inputTokens, outputTokens: usage.turnUsage.outputTokens,
                        cachedInputTokens: usage.turnUsage.cachedInputTokens, costUSD: usage.turnCostUSD ?? 0))
                try await controller.recordBudgetUsage()
            case .finished(let finished):
                outcome = finished
            default:
                continue
            }
        }
        return outcome
    }

    /// The first two messages of a session in `stage`: the system message (general instructions, then the stage's)
    /// and the first user message (the task brief, the run's state, the stage). What `autotrainess run --dry-run`
    /// prints and the golden files in the tests pin.
    public static func sessionMessages(
        task: String, state: RunState, stage: Stage, instructions: String = WorkflowRunner.defaultInstructions
    ) -> (system: String, user: String) {
        let user = """
            Task:
            \(task)

            \(state.summary)

            You are in stage '\(stage.name)'. \(stage.instructions)
            """
        return (instructions + "\n\n" + stage.instructions, user)
    }
}
