import AgentCore
import AgentTesting
import Foundation
import Testing

@Suite struct AgentLoopTests {
    func agent(
        _ model: ScriptedModelProvider, tools: [AnyTool], store: (any ExperimentStore)? = nil,
        review: (@Sendable (ToolCall) async -> ToolCallDecision)? = nil
    ) -> Agent {
        Agent(
            provider: model, model: "scripted", instructions: "Be brief.", tools: tools, toolCallReview: review,
            store: store, secrets: [])
    }

    @Test func answersWithoutToolsAndStreamsText() async throws {
        let model = ScriptedModelProvider(turns: [.text("Hello there", chunkSize: 4)])
        let (events, error) = await collect(agent(model, tools: []).run("Say hello"))
        #expect(error == nil)
        let deltas = events.compactMap { if case .textDelta(let text) = $0 { text } else { nil } }
        #expect(deltas == ["Hell", "o th", "ere"])
        #expect(events.first == .turnStarted(turn: 1))
        #expect(events.outcome?.reason == .completed)
        #expect(events.outcome?.finalText == "Hello there")
        let request = try #require(model.requests.first)
        #expect(request.messages == [.system("Be brief."), .user("Say hello")])
        #expect(request.model == "scripted")
    }

    @Test(.timeLimit(.minutes(1)))
    func runsParallelCallsConcurrentlyAndAppendsResultsInCallOrder() async throws {
        let gate = GateTool()
        // The first call can only finish after the second one did: run one after the other, they would deadlock.
        let model = ScriptedModelProvider(turns: [
            .toolCalls([
                call("c1", "gate", #"{"name":"first","waitFor":"second"}"#),
                call("c2", "gate", #"{"name":"second"}"#),
            ]),
            .text("Both open."),
        ])
        let session = AgentSession()
        let (events, error) = await collect(agent(model, tools: [AnyTool(gate)]).run("Open the gates", in: session))
        #expect(error == nil)
        #expect(await gate.signals.order == ["second", "first"])
        #expect(events.results.map(\.call.id) == ["c1", "c2"])
        #expect(events.results.map(\.output.content) == ["gate first open", "gate second open"])
        let tail = session.messages.suffix(4)
        #expect(tail.map(\.role) == [.assistant, .tool, .tool, .assistant])
        #expect(tail.compactMap(\.toolCallID) == ["c1", "c2"])
        #expect(model.requests.count == 2)
        #expect(model.requests[1].messages.filter { $0.role == .tool }.map(\.text) == [
            "gate first open", "gate second open",
        ])
        #expect(model.requests[0].tools.map(\.name) == ["gate"])
    }

    @Test func invalidArgumentsComeBackAsAnErrorNamingTheFieldAndTheLoopGoesOn() async throws {
        let model = ScriptedModelProvider(turns: [
            .toolCalls([call("c1", "add", #"{"a": 1}"#)]),
            .toolCalls([call("c2", "add", #"{"a": 1, "b": "two"}"#)]),
            .toolCalls([call("c3", "add", #"{"a": 1, "b": 2}"#)]),
            .text("3"),
        ])
        let (events, error) = await collect(agent(model, tools: [AnyTool(AddTool())]).run("Add 1 and 2"))
        #expect(error == nil)
        let outputs = events.results.map(\.output)
        #expect(outputs.map(\.isError) == [true, true, false])
        #expect(outputs[0].content.contains("missing required field 'b'"))
        #expect(outputs[1].content.contains("'b' should be Int"))
        #expect(outputs[2].content == "3")
        #expect(events.outcome?.reason == .completed)
        let seen = try #require(model.requests[1].messages.last)
        #expect(seen.role == .tool && seen.isError && seen.toolCallID == "c1")
    }

    @Test func aThrowingToolBecomesAnErrorResult() async throws {
        let model = ScriptedModelProvider(turns: [.toolCalls([call("c1", "explode")]), .text("It failed.")])
        let (events, error) = await collect(agent(model, tools: [AnyTool(ThrowingTool(error: DiskFull()))]).run("Go"))
        #expect(error == nil)
        let output = try #require(events.results.first?.output)
        #expect(output.isError)
        #expect(output.content.contains("explode failed: disk full while writing out.jsonl"))
        #expect(events.outcome?.reason == .completed)
    }

    @Test func anUnknownToolIsAnErrorNamingTheAvailableTools() async throws {
        let model = ScriptedModelProvider(turns: [.toolCalls([call("c1", "read_file")]), .text("Sorry.")])
        let tools = [AnyTool(AddTool()), AnyTool(EchoTool())]
        let (events, error) = await collect(agent(model, tools: tools).run("Read it"))
        #expect(error == nil)
        let output = try #require(events.results.first?.output)
        #expect(output.isError)
        #expect(output.content.contains("Unknown tool 'read_file'"))
        #expect(output.content.contains("Available tools: add, echo"))
    }

    @Test func aDeniedCallIsNotRunAndTheModelReadsTheReason() async throws {
        let echo = EchoTool()
        let model = ScriptedModelProvider(turns: [
            .toolCalls([call("c1", "echo", #"{"text":"hi"}"#), call("c2", "add", #"{"a":1,"b":1}"#)]),
            .text("OK."),
        ])
        let reviewed = Counter()
        let review: @Sendable (ToolCall) async -> ToolCallDecision = { call in
            reviewed.increment()
            return call.name == "echo" ? .deny(reason: "echo is not allowed in this stage") : .allow
        }
        let tools = [AnyTool(echo), AnyTool(AddTool())]
        let (events, error) = await collect(agent(model, tools: tools, review: review).run("Go"))
        #expect(error == nil)
        #expect(echo.calls.value == 0)
        #expect(reviewed.value == 2)
        let echoCall = call("c1", "echo", #"{"text":"hi"}"#)
        let denied = AgentEvent.toolDenied(echoCall, reason: "echo is not allowed in this stage")
        #expect(events.contains(denied))
        #expect(events.results.map(\.output) == [.error("Denied: echo is not allowed in this stage"), ToolOutput("2")])
        let toolMessages = model.requests[1].messages.filter { $0.role == .tool }
        #expect(toolMessages.map(\.isError) == [true, false])
    }

    @Test func aStoppingErrorEndsTheRunAndKeepsTheTranscriptWhole() async throws {
        let model = ScriptedModelProvider(turns: [
            .toolCalls([call("c1", "explode"), call("c2", "add", #"{"a":2,"b":2}"#)]),
        ])
        let session = AgentSession()
        let tools = [AnyTool(ThrowingTool(error: OutOfTime())), AnyTool(AddTool())]
        let (events, error) = await collect(agent(model, tools: tools).run("Go", in: session))
        #expect(error is OutOfTime)
        #expect(events.outcome == nil)
        let results = session.messages.filter { $0.role == .tool }
        #expect(results.compactMap(\.toolCallID) == ["c1", "c2"])
        #expect(results[0].isError && results[0].text.contains("Not completed"))
        #expect(!session.isRunning)
        #expect(model.requests.count == 1)
    }

    @Test func aProviderFailureIsThrown() async throws {
        let cut = URLError(.networkConnectionLost)
        let model = ScriptedModelProvider(turns: [.failure(cut, after: [.textDelta("Hi")])])
        let session = AgentSession()
        let (_, error) = await collect(agent(model, tools: []).run("Go", in: session))
        #expect((error as? URLError)?.code == .networkConnectionLost)
        #expect(session.messages.map(\.role) == [.system, .user])
        #expect(!session.isRunning)
    }

    @Test func aSessionContinuesWithMoreInput() async throws {
        let model = ScriptedModelProvider(turns: [.text("Plan: train."), .text("Data built.")])
        let agent = agent(model, tools: [])
        let session = AgentSession()
        _ = await collect(agent.run("Plan", in: session))
        let (events, error) = await collect(agent.run("Now build the data", in: session))
        #expect(error == nil)
        #expect(events.outcome?.finalText == "Data built.")
        #expect(model.requests[1].messages == [
            .system("Be brief."), .user("Plan"), .assistant("Plan: train."), .user("Now build the data"),
        ])
        #expect(session.messages.count == 5)
    }

    @Test(.timeLimit(.minutes(1)))
    func aBusySessionRefusesASecondRun() async throws {
        let model = ScriptedModelProvider(turns: [.hanging(after: [.textDelta("thinking")])])
        let agent = agent(model, tools: [])
        let session = AgentSession()
        let first = agent.run("Think", in: session)
        var iterator = first.makeAsyncIterator()
        while let event = try await iterator.next(), event != .textDelta("thinking") {}
        let (_, error) = await collect(agent.run("Again", in: session))
        #expect(error as? AgentError == .sessionBusy)
    }

    @Test func duplicateToolNamesAreRefused() async throws {
        let model = ScriptedModelProvider(turns: [.text("unused")])
        let (_, error) = await collect(agent(model, tools: [AnyTool(AddTool()), AnyTool(AddTool())]).run("Go"))
        #expect(error as? AgentError == .duplicateToolName("add"))
        #expect(model.requests.isEmpty)
    }

    @Test func aStoreThatCannotRecordStopsTheRunAndReleasesTheSession() async throws {
        struct ReadOnlyStore: ExperimentStore {
            func append(_ record: ExperimentRecord) async throws -> ExperimentRecord { throw DiskFull() }
            func records() async throws -> [ExperimentRecord] { [] }
        }
        let model = ScriptedModelProvider(turns: [.text("unused")])
        let session = AgentSession()
        let (_, error) = await collect(agent(model, tools: [], store: ReadOnlyStore()).run("Go", in: session))
        #expect(error is DiskFull)
        #expect(!session.isRunning)
        #expect(model.requests.isEmpty)
    }

    @Test func everyEventIsRecordedInTheStore() async throws {
        let store = InMemoryExperimentStore()
        let model = ScriptedModelProvider(turns: [
            .toolCalls([call("c1", "add", #"{"a":1,"b":2}"#)], usage: Usage(inputTokens: 10, outputTokens: 5)),
            .text("3", usage: Usage(inputTokens: 20, outputTokens: 1)),
        ])
        _ = await collect(agent(model, tools: [AnyTool(AddTool())], store: store).run("Add"))
        let records = await store.records()
        #expect(records.map(\.sequence) == Array(1...records.count))
        #expect(records.map(\.kind) == [
            "agent.message", "agent.message", "agent.turn_started", "agent.tool_call", "agent.message",
            "agent.usage", "agent.tool_result", "agent.turn_started", "agent.message", "agent.usage", "agent.finished",
        ])
        let outcome = try records.last!.payload.decode(as: AgentOutcome.self)
        #expect(outcome.reason == .completed)
        #expect(outcome.totalUsage == Usage(inputTokens: 30, outputTokens: 6))
        let result = try records[6].payload.decode(as: ToolResult.self)
        #expect(result.output == ToolOutput("3"))
    }
}
