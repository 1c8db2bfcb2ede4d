public import AgentCore
public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A request the loopback server received.
public struct RecordedRequest: Sendable {
    public var method: String
    public var path: String
    /// Header fields with lower-cased names.
    public var headers: [String: String]
    public var body: Data

    /// The body parsed as JSON (`null` when it is not JSON).
    public var json: JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: body)) ?? .null }
}

/// What the loopback server answers to one request.
public struct ScriptedResponse: Sendable {
    /// How the response ends.
    public enum Ending: Sendable {
        /// The terminating zero-length chunk, then close.
        case complete
        /// Close the socket in the middle of the chunked body (no terminating chunk).
        case cutConnection
        /// Keep the connection open until the client closes it (bounded), recording that it did.
        case holdUntilClientCloses
    }

    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]
    /// Bytes per HTTP chunk, so that events and UTF-8 characters are split across chunks.
    public var chunkSize: Int
    public var ending: Ending
    /// Send nothing at all (not even the head) and wait for the client to give up.
    public var stall: Bool

    /// A response with every part given.
    public init(
        status: Int, headers: [String: String], body: [UInt8], chunkSize: Int, ending: Ending = .complete,
        stall: Bool = false
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.chunkSize = chunkSize
        self.ending = ending
        self.stall = stall
    }

    /// A response with `body` as given.
    public static func text(_ body: String, status: Int, headers: [String: String] = [:]) -> ScriptedResponse {
        ScriptedResponse(
            status: status, headers: headers, body: Array(body.utf8), chunkSize: 1 << 16, ending: .complete,
            stall: false)
    }

    /// A `200` event-stream head, then the connection closes before any byte of the body.
    public static let cutBeforeBody = ScriptedResponse(
        status: 200, headers: ["Content-Type": "text/event-stream; charset=utf-8"], body: [], chunkSize: 1,
        ending: .cutConnection, stall: false)

    /// No response at all: the client's timeout must fire.
    public static let stalled = ScriptedResponse(
        status: 0, headers: [:], body: [], chunkSize: 1, ending: .holdUntilClientCloses, stall: true)
}

/// An HTTP/1.1 server on 127.0.0.1 (ephemeral port) that answers requests with a script, one connection each,
/// and records what it received. Written on POSIX sockets so tests exercise the real `URLSessionTransport`.
///
/// Requests beyond the script get `418` with a body saying so (not retried by clients), so a wrong retry shows
/// up as an extra recorded request instead of a hang. Every wait is bounded; the serving thread ends when the
/// server is stopped or released, or after its lifetime.
public final class LoopbackHTTPServer: Sendable {
    private struct State {
        var requests: [RecordedRequest] = []
        var clientClosedConnections = 0
        var served = 0
        var stopped = false
    }

    /// The port the server listens on.
    public let port: Int
    private let listener: Int32
    private let state = Mutex(State())
    private let answer: @Sendable (RecordedRequest, Int) -> ScriptedResponse
    /// The longest the server lives unless told otherwise, and the longest it holds one connection open.
    public static let defaultLifetime: Duration = .seconds(120)
    private static let holdLimit: Duration = .seconds(45)

    /// The URL of the server's root, e.g. `http://127.0.0.1:54321`.
    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// Starts a server that answers the i-th connection with `script[i]`.
    public convenience init(script: [ScriptedResponse]) throws {
        try self.init { _, index in
            index < script.count
                ? script[index] : .text("unscripted request \(index + 1): the test expected fewer", status: 418)
        }
    }

    /// Starts a server that answers each request with what `answer` returns for it and its index (0-based). The
    /// answer is computed on the server's own thread, which may block on it.
    public init(
        lifetime: Duration = LoopbackHTTPServer.defaultLifetime,
        answer: @escaping @Sendable (RecordedRequest, Int) -> ScriptedResponse
    ) throws {
        self.answer = answer
        #if os(Linux)
            let socketType = Int32(SOCK_STREAM.rawValue)
        #else
            let socketType = SOCK_STREAM
        #endif
        let fd = socket(AF_INET, socketType, 0)
        guard fd >= 0 else { throw LoopbackError("socket() failed: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw LoopbackError("bind/listen on 127.0.0.1 failed: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let deadline = ContinuousClock.now + lifetime
        let thread = Thread { [weak self] in
            while ContinuousClock.now < deadline, let server = self, server.serveNextConnection() {}
        }
        thread.start()
    }

    deinit {
        stop()
        close(listener)
    }

    /// The requests received so far, in order.
    public var requests: [RecordedRequest] { state.withLock { $0.requests } }

    /// How many held connections the client closed (cancellation reaching the socket, or a client timeout).
    public var clientClosedConnections: Int { state.withLock { $0.clientClosedConnections } }

    /// Stops accepting connections.
    public func stop() {
        let first = state.withLock { state in
            defer { state.stopped = true }
            return !state.stopped
        }
        if first {
            shutdown(listener, Int32(SHUT_RDWR))
        }
    }

    /// Waits, bounded, until the client has closed `count` held connections; returns whether it did.
    public func waitForClientClose(count: Int = 1) async -> Bool {
        let deadline = ContinuousClock.now + Self.holdLimit
        while ContinuousClock.now < deadline {
            if clientClosedConnections >= count { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return clientClosedConnections >= count
    }

    /// Waits, bounded, until `count` requests have arrived; returns whether they did.
    public func waitForRequests(_ count: Int) async -> Bool {
        let deadline = ContinuousClock.now + Self.holdLimit
        while ContinuousClock.now < deadline {
            if requests.count >= count { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return requests.count >= count
    }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    /// Waits briefly for one connection and answers it; returns `false` once the server is stopped.
    private func serveNextConnection() -> Bool {
        guard !isStopped else { return false }
        guard Self.waitReadable(listener, milliseconds: 50) else { return true }
        let client = accept(listener, nil, nil)
        guard client >= 0 else { return true }
        defer { close(client) }
        var closedEarly = false
        guard let request = Self.readRequest(client, closedEarly: &closedEarly) else {
            // A client that gave up before its request was complete (a timeout on a loaded machine can fire
            // before the request is even sent) closed the connection too.
            if closedEarly { state.withLock { $0.clientClosedConnections += 1 } }
            return true
        }
        let served = state.withLock { state in
            state.requests.append(request)
            defer { state.served += 1 }
            return state.served
        }
        respond(answer(request, served), on: client)
        return true
    }

    private func respond(_ response: ScriptedResponse, on client: Int32) {
        if response.stall {
            holdUntilClosed(client)
            return
        }
        var head = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
        for (name, value) in response.headers.sorted(by: { $0.key < $1.key }) { head += "\(name): \(value)\r\n" }
        let chunked = response.status / 100 == 2
        head += chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: \(response.body.count)\r\n"
        head += "Connection: close\r\n\r\n"
        guard Self.write(Array(head.utf8), to: client) else { return }
        guard chunked else {
            _ = Self.write(response.body, to: client)
            return
        }
        var offset = 0
        while offset < response.body.count {
            let piece = response.body[offset..<min(offset + response.chunkSize, response.body.count)]
            offset += piece.count
            let framed = Array(String(piece.count, radix: 16).utf8) + [13, 10] + piece + [13, 10]
            guard Self.write(framed, to: client) else { return }
        }
        switch response.ending {
        case .complete: _ = Self.write(Array("0\r\n\r\n".utf8), to: client)
        case .cutConnection: break
        case .holdUntilClientCloses: holdUntilClosed(client)
        }
    }

    private func holdUntilClosed(_ client: Int32) {
        let deadline = ContinuousClock.now + Self.holdLimit
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !isStopped, ContinuousClock.now < deadline {
            guard Self.waitReadable(client, milliseconds: 20) else { continue }
            if recv(client, &buffer, buffer.count, 0) <= 0 {
                state.withLock { $0.clientClosedConnections += 1 }
                return
            }
        }
    }

    private static func readRequest(_ client: Int32, closedEarly: inout Bool) -> RecordedRequest? {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil, data.count < 1 << 20 {
            guard waitReadable(client, milliseconds: 5000) else { return nil }
            let count = recv(client, &buffer, buffer.count, 0)
            guard count > 0 else {
                closedEarly = count == 0
                return nil
            }
            data += buffer[0..<count]
            headEnd = data.firstRange(of: separator)?.lowerBound
        }
        guard let headEnd else { return nil }
        let lines = String(decoding: data[0..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = lines[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        if headers["expect"]?.lowercased() == "100-continue" {
            _ = write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), to: client)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        var body = Array(data[(headEnd + 4)...])
        while body.count < length {
            guard waitReadable(client, milliseconds: 5000) else { return nil }
            let count = recv(client, &buffer, min(buffer.count, length - body.count), 0)
            guard count > 0 else {
                closedEarly = count == 0
                return nil
            }
            body += buffer[0..<count]
        }
        return RecordedRequest(
            method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: Data(body))
    }

    private static func waitReadable(_ fd: Int32, milliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, milliseconds) > 0
    }

    private static func write(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 418: "I'm a teapot"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 529: "Overloaded"
        default: "Status"
        }
    }
}

/// The loopback server could not start.
public struct LoopbackError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
