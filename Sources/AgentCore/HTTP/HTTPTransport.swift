public import Foundation

/// One HTTP request, as a provider hands it to an ``HTTPTransport``.
public struct HTTPRequest: Sendable, Hashable {
    /// The full URL, including the query.
    public var url: URL
    /// `GET`, `POST`, ...
    public var method: String
    /// Header fields. Values may hold credentials: never log them.
    public var headers: [String: String]
    /// The request body, or `nil` for none.
    public var body: Data?
    /// The longest time to wait for the response head or for the next bytes of the body.
    public var timeout: Duration

    /// Creates a request.
    /// - Parameters:
    ///   - url: where to send it.
    ///   - method: the HTTP method (default `POST`).
    ///   - headers: header fields.
    ///   - body: the body bytes.
    ///   - timeout: the idle timeout: the longest wait for the head or for the next bytes (default 10 minutes).
    public init(
        url: URL, method: String = "POST", headers: [String: String] = [:], body: Data? = nil,
        timeout: Duration = .seconds(600)
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

extension HTTPRequest: CustomStringConvertible, CustomDebugStringConvertible {
    /// The method, URL, header names and body size: never header values, which may hold keys.
    public var description: String {
        let names = headers.keys.sorted().joined(separator: ", ")
        return "\(method) \(url.absoluteString) headers: [\(names)] body: \(body?.count ?? 0) bytes"
    }

    /// The same as ``description``, so that `dump` and `debugPrint` show no header values either.
    public var debugDescription: String { description }
}

/// The answer to an ``HTTPRequest``: status and headers now, the body as it arrives.
public struct HTTPResponse: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Header fields with lower-cased names.
    public var headers: [String: String]
    /// The body in chunks, in order, as they come off the connection.
    ///
    /// Stopping iteration (or dropping the stream) cancels the transfer and closes its connection.
    public var body: AsyncThrowingStream<Data, any Error>

    /// Creates a response.
    /// - Parameters:
    ///   - status: the status code.
    ///   - headers: header fields; names are lower-cased here.
    ///   - body: the body chunks.
    public init(status: Int, headers: [String: String], body: AsyncThrowingStream<Data, any Error>) {
        self.status = status
        self.headers = Dictionary(
            headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        self.body = body
    }

    /// The value of header `name` (case-insensitive), or `nil`.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// Reads the whole body, keeping at most `limit` bytes (the rest is read and dropped).
    /// - Parameter limit: the most bytes kept.
    /// - Throws: ``HTTPTransportError`` when the transfer fails.
    public func collectBody(limit: Int = 1 << 20) async throws -> Data {
        var data = Data()
        for try await chunk in body where data.count < limit {
            data.append(chunk.prefix(limit - data.count))
        }
        return data
    }
}

/// Sends HTTP requests and streams the response bodies: the seam under every model provider.
///
/// Cancelling the calling task, or dropping the body stream, must cancel the transfer and close its connection.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns once the response head has arrived.
    /// - Parameter request: the request to send.
    /// - Returns: the status, the headers and the body stream.
    /// - Throws: ``HTTPTransportError`` when no response head arrived.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}
