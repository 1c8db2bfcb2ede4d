import AgentCore
import AgentTesting
import Testing

@Suite struct ScriptedModelProviderTests {
    @Test func replaysTurnsRecordsRequestsAndReportsEnds() async throws {
        let model = ScriptedModelProvider(turns: [
            .text("abcde", chunkSize: 2, usage: Usage(inputTokens: 3, outputTokens: 2)).delayed(by: .milliseconds(1)),
        ])
        let request = ModelRequest(model: "m", messages: [.user("hi")])
        var events: [ModelEvent] = []
        for try await event in model.stream(request) { events.append(event) }
        #expect(events == [
            .textDelta("ab"), .textDelta("cd"), .textDelta("e"), .usage(Usage(inputTokens: 3, outputTokens: 2)),
            .finished(.stop),
        ])
        #expect(model.requests == [request])
        var ends = model.streamEnds.makeAsyncIterator()
        #expect(await ends.next() == .completed)
    }

    @Test func failsWhenTheScriptRunsOutOrAFailureIsScripted() async throws {
        struct RateLimited: Error {}
        let model = ScriptedModelProvider(turns: [.failure(RateLimited(), after: [.textDelta("partial")])])
        let request = ModelRequest(model: "m", messages: [.user("hi")])
        await #expect(throws: RateLimited.self) { _ = try await model.respond(request) }
        await #expect(throws: ScriptedModelProvider.ScriptExhausted.self) { _ = try await model.respond(request) }
        var ends = model.streamEnds.makeAsyncIterator()
        #expect(await ends.next() == .failed)
        #expect(await ends.next() == .failed)
    }
}
