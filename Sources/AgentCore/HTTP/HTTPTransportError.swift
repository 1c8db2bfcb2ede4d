/// Why an HTTP exchange failed below the level of HTTP status codes.
public struct HTTPTransportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable, Codable {
        /// The server could not be reached (refused, unreachable, DNS failure).
        case cannotConnect
        /// The connection dropped or was reset during the exchange.
        case connectionLost
        /// No response head, or no further body bytes, within the request's timeout.
        case timedOut
        /// The caller cancelled the exchange.
        case cancelled
        /// The server's answer was not valid HTTP.
        case badResponse
        /// Anything else the transport reported.
        case other
    }

    /// The kind of failure.
    public var code: Code
    /// What the transport said, for people.
    public var message: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: the kind of failure.
    ///   - message: what happened.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Whether sending the same request again may succeed.
    public var isTransient: Bool {
        switch code {
        case .cannotConnect, .connectionLost, .timedOut: true
        case .cancelled, .badResponse, .other: false
        }
    }

    /// The code and the message, for people.
    public var description: String { "HTTP transport error (\(code.rawValue)): \(message)" }
}
