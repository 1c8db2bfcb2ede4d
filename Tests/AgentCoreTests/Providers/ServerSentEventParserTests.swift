import AgentCore
import Testing

@Suite struct ServerSentEventParserTests {
    @Test func parsesFieldsMultiLineDataCommentsAndDone() {
        let body = """
            : a comment the server sends to keep the connection alive
            event: update
            id: 7
            data: first line
            data: second line

            data:no space after the colon
            retry: 1000

            data: [DONE]


            """
        var parser = ServerSentEventParser()
        let events = parser.feed(Array(body.utf8)) + parser.finish()
        #expect(
            events == [
                ServerSentEvent(event: "update", data: "first line\nsecond line", id: "7"),
                ServerSentEvent(data: "no space after the colon", id: "7"),
                ServerSentEvent(data: "[DONE]", id: "7"),
            ])
        #expect(events.map(\.isDone) == [false, false, true])
    }

    @Test(arguments: ["\n", "\r\n", "\r"])
    func acceptsEveryLineEnding(_ newline: String) {
        let body = ["event: a", "data: x", "", "data: y", "", ""].joined(separator: newline)
        var parser = ServerSentEventParser()
        let events = parser.feed(Array(body.utf8))
        #expect(events == [ServerSentEvent(event: "a", data: "x"), ServerSentEvent(data: "y")])
    }

    @Test func byteAtATimeEqualsAllAtOnceAcrossUTF8Boundaries() {
        let body = "data: café ✓ crème\r\n\r\nevent: e\ndata: {\"a\": 1}\n\n: note\ndata: tail"
        var whole = ServerSentEventParser()
        let expected = whole.feed(Array(body.utf8)) + whole.finish()
        var split = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for byte in Array(body.utf8) { events += split.feed([byte]) }
        events += split.finish()
        #expect(events == expected)
        #expect(expected.map(\.data) == ["café ✓ crème", "{\"a\": 1}", "tail"])
    }

    @Test func dropsEventsWithoutData() {
        var parser = ServerSentEventParser()
        #expect(parser.feed(Array("event: ping\n\n: only a comment\n\n".utf8)).isEmpty)
        #expect(parser.finish().isEmpty)
    }
}
