import AgentCore
import AgentTesting
import Foundation
import Interfaces
import Testing

@testable import Workflows

/// The gateway serves the workflow to an agent outside the process (MCP): the same script that drives our own
/// runner, sent as individual calls, must meet the same rules and reach the same decisions.
@Suite("WorkflowGateway")
struct WorkflowGatewayTests {
    typealias Fixture = WorkflowRunnerTests.Fixture
    typealias Script = WorkflowRunnerTests.Script

    private func gateway(_ fixture: Fixture, secrets: [String] = []) throws -> (WorkflowGateway, JSONLExperimentStore) {
        let parts = try fixture.parts()
        let gateway = WorkflowGateway(
            workflow: parts.workflow, tools: parts.tools, store: parts.store, registry: parts.registry,
            budget: parts.budget, task: "Improve toy QA accuracy.", secrets: secrets)
        return (gateway, parts.store)
    }

    /// Sends a scripted turn as the outside agent would: each tool call as a call, an answer as `complete_stage`.
    private func send(_ turn: ScriptedModelProvider.Turn, to gateway: WorkflowGateway) async throws -> [ToolOutput] {
        var outputs: [ToolOutput] = []
        var text = ""
        for event in turn.events {
            switch event {
            case .toolCall(let call):
                outputs.append(try await gateway.call(name: call.name, arguments: call.arguments, callID: call.id))
            case .textDelta(let piece):
                text += piece
            default:
                continue
            }
        }
        if outputs.isEmpty {
            let arguments = JSONValue.object(["summary": .string(text)]).compactText
            outputs.append(
                try await gateway.call(
                    name: WorkflowGateway.completeStageToolName, arguments: arguments, callID: UUID().uuidString))
        }
        return outputs
    }

    private func denials(_ store: JSONLExperimentStore) async throws -> [String] {
        try await WorkflowRunnerTests.denials(store)
    }

    @Test func theRunnersScriptThroughTheGatewayReachesTheSameDecisions() async throws {
        let reference = try Fixture()
        let (runner, runnerStore) = try reference.runner(turns: reference.fullScript)
        let expected = try await runner.run(task: "Improve toy QA accuracy.")

        let fixture = try Fixture()
        let (gateway, store) = try gateway(fixture)
        try await gateway.start()
        var outputs: [ToolOutput] = []
        for turn in fixture.fullScript { outputs += try await send(turn, to: gateway) }

        let outcome = try #require(await gateway.ending, "the run did not end")
        #expect(outcome.ending == expected.ending)
        #expect(outcome.best == expected.best)
        #expect(outcome.progress.promotions == expected.progress.promotions)
        #expect(outcome.progress.iteration == expected.progress.iteration)
        #expect(outcome.finalModelValid)
        #expect(try modelMarker(URL(fileURLWithPath: outcome.finalModel)) == "great")
        #expect(try await denials(store) == (try await denials(runnerStore)))

        let records = try await store.records()
        let stages = records.filter { $0.kind == StageEntered.kind }.compactMap { $0.payload["stage"]?.stringValue }
        #expect(stages == ["define", "baseline", "local", "exploration"])
        #expect(records.filter { $0.kind == RunStopped.kind }.count == 1)
        let results = records.filter { $0.kind == "agent.tool_result" }.count
        #expect(results > 10 && results == records.filter { $0.kind == "agent.tool_call" }.count - 3)

        // Every answer ends with the budget and the run's status; a denial says why.
        #expect(outputs.allSatisfy { $0.content.contains("Budget:") || $0.content.contains("has ended") })
        let denied = try #require(outputs.first { $0.content.hasPrefix("Denied:") })
        #expect(denied.isError && denied.content.contains("(rule: approved data before train)"))
        // The last answer (after the run finished) is refused.
        #expect(outputs.last?.isError == true && outputs.last?.content.contains("has ended") == true)
    }

    @Test func statusNamesTheStageAndStageToolsAreEnforced() async throws {
        let fixture = try Fixture()
        let (gateway, store) = try gateway(fixture)
        try await gateway.start()
        let names = await gateway.toolDefinitions.map(\.name)
        #expect(names.prefix(2) == ["workflow_status", "complete_stage"])
        #expect(Set(names).isSuperset(of: ["plan", "data", "train", "eval", "log", "read_file", "list_dir"]))

        let status = try await gateway.call(name: "workflow_status", arguments: "{}", callID: "1")
        #expect(status.content.contains("Improve toy QA accuracy."))
        #expect(status.content.contains("Stage 'define'"))
        #expect(status.content.contains("Budget:"))

        let early = try await gateway.call(
            name: "eval", arguments: #"{"iteration": 0, "model": "base", "label": "baseline"}"#, callID: "2")
        #expect(early.isError && early.content.contains("not available in stage 'define'"))
        let unknown = try await gateway.call(name: "fly", arguments: "{}", callID: "3")
        #expect(unknown.isError && unknown.content.contains("There is no tool 'fly'"))
        let empty = try await gateway.call(name: "complete_stage", arguments: #"{"summary": " "}"#, callID: "4")
        #expect(empty.isError)

        let done = try await gateway.call(
            name: "complete_stage", arguments: #"{"summary": "Target: toy QA."}"#, callID: "5")
        #expect(!done.isError && done.content.contains("The run moved to a new stage. Stage 'baseline'"))
        let baseline = try await gateway.call(
            name: "eval", arguments: #"{"iteration": 0, "model": "base", "label": "baseline"}"#, callID: "6")
        #expect(!baseline.isError, "\(baseline.content)")
        #expect(baseline.content.contains("Stage 'local'"))
        #expect(try await denials(store) == ["eval: stage tools"])
    }

    @Test func whenTheBudgetEndsTheRunStopsOnceAndRefusesFurtherCalls() async throws {
        let fixture = try Fixture()
        let (gateway, store) = try gateway(fixture)
        try await gateway.start()
        _ = try await gateway.call(name: "complete_stage", arguments: #"{"summary": "defined"}"#, callID: "1")
        fixture.clock.advance(by: 7200)
        let refused = try await gateway.call(
            name: "eval", arguments: #"{"iteration": 0, "model": "base", "label": "baseline"}"#, callID: "2")
        #expect(refused.isError && refused.content.contains("has ended"))
        _ = try await gateway.call(name: "plan", arguments: "{}", callID: "3")
        let outcome = try #require(await gateway.ending)
        guard case .budgetExhausted = outcome.ending else {
            Issue.record("expected a budget ending, got \(outcome.ending)")
            return
        }
        #expect(outcome.best == "base" && outcome.finalModelValid)
        let stopped = try await store.records().filter { $0.kind == RunStopped.kind }
        #expect(stopped.count == 1)
        let status = try await gateway.call(name: "workflow_status", arguments: "{}", callID: "4")
        #expect(status.content.contains("The run has ended"))
    }

    @Test func secretsInResultsAndSummariesAreRedacted() async throws {
        let fixture = try Fixture()
        let secret = "sk-gateway-planted-0123456789"
        try fixture.directory.write("token=\(secret)\n", to: "runs/r1/notes.txt")
        let (gateway, store) = try gateway(fixture, secrets: [secret])
        try await gateway.start()
        let read = try await gateway.call(name: "read_file", arguments: #"{"path": "notes.txt"}"#, callID: "1")
        #expect(!read.isError, "\(read.content)")
        #expect(!read.content.contains(secret) && read.content.contains("token="))
        // A secret in the arguments is replaced before the call is reviewed, run and recorded.
        _ = try await gateway.call(name: "read_file", arguments: #"{"path": "\#(secret).txt"}"#, callID: "1b")
        _ = try await gateway.call(name: "train", arguments: #"{"datasets": ["\#(secret)"]}"#, callID: "1c")
        _ = try await gateway.call(
            name: "complete_stage", arguments: #"{"summary": "found \#(secret)"}"#, callID: "2")
        let text = try String(contentsOf: fixture.runRoot.appendingPathComponent("events.jsonl"), encoding: .utf8)
        #expect(!text.contains(secret))
        #expect(try await store.records().contains { $0.kind == "agent.tool_result" })
    }

    @Test func aStageWhoseAttemptsRunOutEndsTheRunAsOurRunnerDoes() async throws {
        let fixture = try Fixture()
        let (gateway, store) = try gateway(fixture)
        try await gateway.start()
        _ = try await gateway.call(name: "complete_stage", arguments: #"{"summary": "defined"}"#, callID: "0")
        // The baseline stage allows five attempts; none records a baseline.
        for attempt in 1...5 {
            let output = try await gateway.call(
                name: "complete_stage", arguments: #"{"summary": "no baseline yet"}"#, callID: "\(attempt)")
            #expect(output.content.contains(attempt < 5 ? "The stage goes on" : "The run has ended"), "\(attempt)")
        }
        let outcome = try #require(await gateway.ending)
        #expect(outcome.ending == .stageFailed("baseline"))
        #expect(try await store.records().filter { $0.kind == RunStopped.kind }.count == 1)
    }

    /// A tool that runs until it is cancelled.
    struct Endless: Tool {
        struct Arguments: Decodable, Sendable {}
        let name = "endless"
        let description = "Runs until cancelled."
        let parameters = JSONSchema.object(properties: [:])
        func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
            try await Task.sleep(for: .seconds(3600))
            return ToolOutput("never")
        }
    }

    @Test func aWaitingCallCanBeCancelledAndACancelledRunningCallIsRecorded() async throws {
        let fixture = try Fixture()
        let parts = try fixture.parts()
        let workflow = try Workflow(
            name: "one", stages: [Stage(name: "work", instructions: "Work.", allowedTools: ["endless"], exits: [])])
        let gateway = WorkflowGateway(
            workflow: workflow, tools: [AnyTool(Endless())], store: parts.store, registry: parts.registry,
            budget: parts.budget, task: "t", secrets: [])
        try await gateway.start()
        let running = Task { try await gateway.call(name: "endless", arguments: "{}", callID: "a") }
        while try await !parts.store.records().contains(where: { $0.kind == "agent.tool_call" }) {
            try await Task.sleep(for: .milliseconds(10))
        }
        let waiting = Task { try await gateway.call(name: "workflow_status", arguments: "{}", callID: "b") }
        try await Task.sleep(for: .milliseconds(100))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        running.cancel()
        await #expect(throws: CancellationError.self) { try await running.value }
        let result = try #require(try await parts.store.records().last { $0.kind == "agent.tool_result" })
        #expect(result.payload["output"]?["content"]?.stringValue?.hasPrefix("Not completed") == true)
        // The turn was handed on: the gateway still answers.
        let status = try await gateway.call(name: "workflow_status", arguments: "{}", callID: "c")
        #expect(status.content.contains("Stage 'work'"))
    }
}
