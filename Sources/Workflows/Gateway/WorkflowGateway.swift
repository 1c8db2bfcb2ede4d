public import AgentCore
import Foundation
import Interfaces

/// Serves a workflow's tools to an agent that runs somewhere else (Claude Code, Codex or OpenCode over MCP), with
/// the same rules as ``WorkflowRunner``: each call is checked against the current stage's tools and the workflow's
/// rules (denials are recorded and explained), runs only while the budget lasts, and is recorded in the store as
/// `agent.tool_call` / `agent.tool_result`. Stage exits are taken after every call, and each result ends with the
/// budget and the run's status, so the outside agent sees them on every turn as ours does.
///
/// Calls run one at a time, each after the one before it has finished, so that the rules judge the state each call
/// leaves behind (calls a client sends in parallel run in an unspecified order). A call still waiting its turn can
/// be cancelled. Calls are redacted (the secrets replaced) before they are reviewed, run and recorded, as in our own
/// agent loop.
///
/// ```swift
/// let gateway = WorkflowGateway(
///     workflow: workflow, tools: tools, store: store, registry: registry, budget: budget, task: "Improve GSM8K.")
/// try await gateway.start()
/// let output = try await gateway.call(name: "plan", arguments: #"{"weakness": …}"#, callID: "1")
/// ```
public actor WorkflowGateway {
    /// The name of the gateway's own tool: the task, the stage and its instructions, the budget and the run's state.
    public static let statusToolName = "workflow_status"
    /// The name of the gateway's tool that ends the agent's work on the current stage (the outside agent's
    /// equivalent of one of our sessions ending with an answer), e.g. after writing the task definition.
    public static let completeStageToolName = "complete_stage"

    private let controller: WorkflowController
    private let tools: [String: AnyTool]
    private let definitions: [ToolDefinition]
    private let task: String
    private let secrets: [String]
    private var outcome: WorkflowOutcome?
    /// Whether a call (or `start`) is running; those waiting for their turn, first come first.
    private var busy = false
    private var waiting: [(id: UUID, turn: CheckedContinuation<Void, any Error>)] = []

    /// Creates a gateway over a run's store, registry and budget.
    /// - Parameters:
    ///   - workflow: the stages and rules.
    ///   - tools: the tools the stages name (others are not served).
    ///   - task: the task, as the agent should read it.
    ///   - secrets: values redacted from every result.
    public init(
        workflow: Workflow, tools: [AnyTool], store: any ExperimentStore, registry: CheckpointRegistry,
        budget: BudgetClock, task: String, secrets: [String] = Secrets.values()
    ) {
        controller = WorkflowController(workflow: workflow, store: store, registry: registry, budget: budget)
        let used = workflow.stages.reduce(into: Set<String>()) { $0.formUnion($1.allowedTools) }
        let served = tools.filter { used.contains($0.name) }
        self.tools = Dictionary(served.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        definitions =
            [
                ToolDefinition(
                    name: Self.statusToolName,
                    description: "The task, the current stage with its instructions and tools, the budget, and the "
                        + "run's state (iteration, checkpoints, last decision). Call it first and whenever unsure.",
                    parameters: JSONSchema.object(properties: [:])),
                ToolDefinition(
                    name: Self.completeStageToolName,
                    description: "Say that your work on the current stage is done, with a short summary (for the "
                        + "'define' stage: the definition it asks for). The run moves on when the stage's exit "
                        + "condition holds; the result says which stage you are in afterwards. Each call counts as "
                        + "one attempt at the stage: a stage whose attempts run out without its exit ends the run.",
                    parameters: JSONSchema.object(
                        properties: ["summary": .string(description: "What you did or concluded in this stage.")],
                        required: ["summary"])),
            ] + served.map(\.definition)
        self.task = task
        self.secrets = secrets.filter { !$0.isEmpty }
    }

    /// Every tool served, the status tool first.
    public var toolDefinitions: [ToolDefinition] { definitions }

    /// Rebuilds the run's state from the store and enters the first stage of a new run.
    public func start() async throws {
        try await serialized {
            try await controller.start()
            _ = try await position()
        }
    }

    /// How the run ended, once it has.
    public var ending: WorkflowOutcome? { outcome }

    /// Runs one tool call after the calls before it.
    /// - Parameters:
    ///   - name: the tool.
    ///   - arguments: its arguments as JSON text.
    ///   - callID: an identifier for the records.
    /// - Returns: what the agent reads: the tool's output (or why it was not run), then the budget and status.
    /// - Throws: `CancellationError` when the caller cancelled; store failures.
    public func call(name: String, arguments: String, callID: String) async throws -> ToolOutput {
        try await serialized {
            let output = try await perform(name: name, arguments: arguments, callID: callID)
            return ToolOutput(Secrets.redact(output.content, secrets: secrets), isError: output.isError)
        }
    }

    /// The status tool's text: task, stage, instructions, tools, budget and state.
    public func briefing() async throws -> String {
        try await serialized { try await status() }
    }

    /// Runs `body` when no other call is running.
    private func serialized<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await waitForTurn()
        defer { passTurn() }
        try Task.checkCancellation()
        return try await body()
    }

    private func waitForTurn() async throws {
        guard busy else {
            busy = true
            return
        }
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (turn: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    turn.resume(throwing: CancellationError())
                } else {
                    waiting.append((id, turn))
                }
            }
        } onCancel: {
            Task { await self.stopWaiting(id) }
        }
    }

    /// Hands the turn to the first waiting call, or frees it.
    private func passTurn() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().turn.resume()
        }
    }

    /// A waiting call was cancelled: it gives up its place (a call already given the turn keeps it).
    private func stopWaiting(_ id: UUID) {
        guard let index = waiting.firstIndex(where: { $0.id == id }) else { return }
        waiting.remove(at: index).turn.resume(throwing: CancellationError())
    }

    private func status() async throws -> String {
        let lines: String
        switch try await position() {
        case .ended:
            lines = "The run has ended: \(outcome.map(\.summary) ?? "")"
        case .stage(let stage, _):
            lines = Self.describe(stage)
        }
        try await controller.tracker.refresh()
        let state = await controller.tracker.state
        return "Task:\n\(task)\n\n\(lines)\n\n\(state.summary)\n\n\(await controller.statusLines())"
    }

    private func perform(name: String, arguments: String, callID: String) async throws -> ToolOutput {
        if name == Self.statusToolName { return ToolOutput(try await status()) }
        let call = ToolCall(
            id: callID, name: redact(name), arguments: redact(arguments))
        guard case .stage(let stage, _) = try await position() else { return try await ended() }
        if name == Self.completeStageToolName { return try await complete(stage, arguments: call.arguments) }
        try await append(AgentEvent.toolCall(call))
        guard let tool = tools[name] else {
            let known = ([Self.statusToolName, Self.completeStageToolName] + tools.keys.sorted())
                .joined(separator: ", ")
            let reason = "There is no tool '\(call.name)'. The tools are: \(known)."
            try await append(AgentEvent.toolDenied(call, reason: reason))
            return try await footed(.error(reason), after: stage)
        }
        if case .deny(let reason) = await controller.review(call, in: stage) {
            let reason = redact(reason)
            try await append(AgentEvent.toolDenied(call, reason: reason))
            return try await footed(.error("Denied: \(reason)"), after: stage)
        }
        let output: ToolOutput
        do {
            output = try await tool.call(arguments: call.arguments, in: ToolContext(callID: callID))
        } catch let error as any AgentStoppingError {
            output = .error("\(error)")
        } catch {
            // Cancelled (the client went away or cancelled the request): recorded like our agent's stopped calls.
            let stopped = ToolOutput.error("Not completed: the call was cancelled while it was running.")
            try? await append(AgentEvent.toolResult(ToolResult(call: call, output: stopped)))
            throw error
        }
        let redacted = ToolOutput(redact(output.content), isError: output.isError)
        try await append(AgentEvent.toolResult(ToolResult(call: call, output: redacted)))
        try await controller.recordBudgetUsage()
        return try await footed(redacted, after: stage)
    }

    private func redact(_ text: String) -> String { Secrets.redact(text, secrets: secrets) }

    /// Records the end of the agent's work on `stage` as one completed session with its summary.
    private func complete(_ stage: Stage, arguments: String) async throws -> ToolOutput {
        struct Arguments: Decodable { var summary: String }
        guard let summary = try? JSONDecoder().decode(Arguments.self, from: Data(arguments.utf8)).summary,
            !summary.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        else {
            return .error("\(Self.completeStageToolName) needs a non-empty 'summary' string.")
        }
        try await controller.recordSessionStarted(stage, await controller.tracker.progress)
        try await controller.recordSessionEnded(stage, completed: true, reason: "completed", finalText: redact(summary))
        var note = "Recorded the end of your work on stage '\(stage.name)'."
        if case .stage(let now, _) = try await position(), now.name == stage.name {
            note += " The stage goes on until one of its exits holds: "
                + stage.exits.map(\.name).joined(separator: "; ") + "."
        }
        return try await footed(ToolOutput(note), after: stage)
    }

    /// Where the run stands now; the first time the run is found over, its end is recorded.
    private func position() async throws -> WorkflowController.Position {
        if let outcome { return .ended(outcome.ending) }
        let position = try await controller.settle()
        if case .ended(let ending) = position { outcome = try await controller.stop(ending) }
        return position
    }

    private func ended() async throws -> ToolOutput {
        .error(
            "The run has ended; no more tools run. \(outcome.map(\.summary) ?? "")"
                + "Call \(Self.statusToolName) for the run's state.")
    }

    /// `output`, then what changed (a new stage, or the end of the run), then the budget and status lines.
    private func footed(_ output: ToolOutput, after stage: Stage) async throws -> ToolOutput {
        var text = output.content
        switch try await position() {
        case .stage(let now, _) where now.name != stage.name:
            text += "\n\n" + "The run moved to a new stage. " + Self.describe(now)
        case .ended:
            text += "\n\nThe run has ended. \(outcome.map(\.summary) ?? "")"
        default:
            break
        }
        text += "\n\n" + (await controller.statusLines())
        return ToolOutput(text, isError: output.isError)
    }

    private func append(_ event: AgentEvent) async throws {
        if let record = event.experimentRecord { try await controller.store.append(record) }
    }

    private static func describe(_ stage: Stage) -> String {
        """
        Stage '\(stage.name)': \(stage.instructions)
        Tools in this stage: \(stage.allowedTools.sorted().joined(separator: ", ")).
        """
    }
}
