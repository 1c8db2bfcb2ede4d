import AgentCore
import AgentTesting
import Testing

@Suite(.timeLimit(.minutes(1))) struct AgentCancellationTests {
    @Test func cancellingTheConsumerStopsTheModelStream() async throws {
        let model = ScriptedModelProvider(turns: [.hanging(after: [.textDelta("thinking")])])
        let agent = Agent(provider: model, model: "scripted", secrets: [])
        let session = AgentSession()
        let (seen, saw) = AsyncStream.makeStream(of: Void.self)
        let consumer = Task {
            for try await event in agent.run("Think", in: session) where event == .textDelta("thinking") {
                saw.yield()
            }
        }
        for await _ in seen { break }
        consumer.cancel()
        var ends = model.streamEnds.makeAsyncIterator()
        #expect(await ends.next() == .cancelled)
        await session.waitUntilIdle()
        #expect(session.messages.map(\.role) == [.user])
    }

    @Test func droppingTheStreamStopsTheModelStream() async throws {
        let model = ScriptedModelProvider(turns: [.hanging(after: [.textDelta("thinking")])])
        let agent = Agent(provider: model, model: "scripted", secrets: [])
        for try await event in agent.run("Think") where event == .textDelta("thinking") { break }
        var ends = model.streamEnds.makeAsyncIterator()
        #expect(await ends.next() == .cancelled)
    }

    @Test func cancellingDuringAToolCancelsTheToolAndClosesItsCall() async throws {
        let (started, startedSignal) = AsyncStream.makeStream(of: Void.self)
        let (cancelled, cancelledSignal) = AsyncStream.makeStream(of: Void.self)
        let slow = SlowTool(started: startedSignal, cancelled: cancelledSignal)
        let model = ScriptedModelProvider(turns: [.toolCalls([call("c1", "slow")]), .text("never asked")])
        let agent = Agent(provider: model, model: "scripted", tools: [AnyTool(slow)], secrets: [])
        let session = AgentSession()
        let consumer = Task { for try await _ in agent.run("Wait", in: session) {} }
        for await _ in started { break }
        consumer.cancel()
        for await _ in cancelled { break }
        await session.waitUntilIdle()
        #expect(model.requests.count == 1)
        let last = try #require(session.messages.last)
        #expect(last.role == .tool && last.toolCallID == "c1" && last.isError)
        #expect(last.text.contains("Not completed"))
    }
}
