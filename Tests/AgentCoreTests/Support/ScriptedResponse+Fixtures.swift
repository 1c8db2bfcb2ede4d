import AgentTesting

extension ScriptedResponse {
    /// An SSE stream of `fixture` (a path under Fixtures/), sent with chunked encoding.
    static func sse(
        _ fixture: String, status: Int = 200, chunkSize: Int = 7, ending: Ending = .complete
    ) throws -> ScriptedResponse {
        ScriptedResponse(
            status: status, headers: ["Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"],
            body: try Fixtures.bytes(fixture), chunkSize: chunkSize, ending: ending, stall: false)
    }

    /// A JSON error body from `fixture`, with extra headers such as `Retry-After`.
    static func json(_ fixture: String, status: Int, headers: [String: String] = [:]) throws -> ScriptedResponse {
        ScriptedResponse(
            status: status, headers: headers.merging(["Content-Type": "application/json"]) { first, _ in first },
            body: try Fixtures.bytes(fixture), chunkSize: 1 << 16, ending: .complete, stall: false)
    }
}
