import Foundation

/// One event of a `text/event-stream` body.
public struct ServerSentEvent: Sendable, Hashable {
    /// The `event:` field, or `nil` when the event did not name one (the spec's default type, `message`).
    public var event: String?
    /// The `data:` lines of the event, joined with `"\n"`.
    public var data: String
    /// The `id:` field, or `nil`.
    public var id: String?

    /// Creates an event.
    public init(event: String? = nil, data: String, id: String? = nil) {
        self.event = event
        self.data = data
        self.id = id
    }

    /// Whether this is the `data: [DONE]` sentinel that OpenAI-style APIs send last.
    public var isDone: Bool { data == "[DONE]" }
}

/// An incremental parser for `text/event-stream` bodies (the WHATWG Server-Sent Events format).
///
/// Feed it bytes as they arrive, in chunks of any size; it returns the events completed so far.
/// Lines end in LF, CRLF or CR; lines starting with `:` are comments; `data:` lines accumulate; a blank line
/// dispatches the event. Events without data are dropped, as the spec says.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var event: String?
    private var dataLines: [String] = []
    private var id: String?

    /// Creates a parser with nothing buffered.
    public init() {}

    /// Consumes `bytes` and returns the events they completed.
    /// - Parameter bytes: the next bytes of the body.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if lastWasCR {
                lastWasCR = false
                if byte == 0x0A { continue }
            }
            switch byte {
            case 0x0A:
                if let event = endLine() { events.append(event) }
            case 0x0D:
                lastWasCR = true
                if let event = endLine() { events.append(event) }
            default:
                line.append(byte)
            }
        }
        return events
    }

    /// Ends the stream: returns the last event when the body ended without its closing blank line.
    public mutating func finish() -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        if !line.isEmpty, let event = endLine() { events.append(event) }
        if let event = dispatch() { events.append(event) }
        return events
    }

    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty { return dispatch() }
        if line.first == UInt8(ascii: ":") { return nil }
        let text = String(decoding: line, as: UTF8.self)
        let field: Substring
        var value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
        } else {
            field = text[...]
            value = ""
        }
        switch field {
        case "data": dataLines.append(String(value))
        case "event": event = String(value)
        case "id": id = String(value)
        default: break
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            event = nil
            dataLines = []
        }
        guard !dataLines.isEmpty else { return nil }
        return ServerSentEvent(event: event, data: dataLines.joined(separator: "\n"), id: id)
    }
}
