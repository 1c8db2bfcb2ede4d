import Foundation
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// An ``HTTPTransport`` over Foundation's `URLSession` that streams response bodies, on Linux too.
///
/// `URLSession.bytes(for:)` does not exist in FoundationNetworking, so each request runs on its own ephemeral
/// session whose `URLSessionDataDelegate` forwards bytes into an `AsyncThrowingStream` as they arrive.
/// Cancelling the calling task or dropping the body stream cancels the data task, which closes the socket.
public struct URLSessionTransport: HTTPTransport {
    /// The longest a whole exchange may take, from sending to the last body byte.
    public var resourceTimeout: Duration

    /// Creates a transport.
    /// - Parameter resourceTimeout: the longest a whole exchange may take (default one hour); the per-request
    ///   ``HTTPRequest/timeout`` bounds each wait for bytes.
    public init(resourceTimeout: Duration = .seconds(3600)) {
        self.resourceTimeout = resourceTimeout
    }

    /// Sends `request` and returns once the response head has arrived; the body streams afterwards.
    /// - Throws: ``HTTPTransportError`` when no response head arrived.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.httpBody = request.body
        urlRequest.timeoutInterval = Self.seconds(request.timeout)
        urlRequest.cachePolicy = .reloadIgnoringLocalCacheData

        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = Self.seconds(request.timeout)
        configuration.timeoutIntervalForResource = Self.seconds(resourceTimeout)
        configuration.urlCache = nil

        let bridge = DataTaskBridge()
        let session = URLSession(configuration: configuration, delegate: bridge, delegateQueue: nil)
        let task = session.dataTask(with: urlRequest)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                bridge.start(task, in: session, head: continuation)
            }
        } onCancel: {
            bridge.cancel()
        }
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let parts = duration.components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }
}

/// Forwards one data task's delegate callbacks into a head continuation and a body stream.
private final class DataTaskBridge: NSObject, URLSessionDataDelegate, Sendable {
    private struct State {
        var head: CheckedContinuation<HTTPResponse, any Error>?
        var task: URLSessionDataTask?
        var cancelled = false
        /// Handed to the response once; the bridge must not keep it, so that dropping it cancels the task.
        var body: AsyncThrowingStream<Data, any Error>?
    }

    private let state: Mutex<State>
    private let bodyContinuation: AsyncThrowingStream<Data, any Error>.Continuation

    override init() {
        let (body, continuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        state = Mutex(State(body: body))
        bodyContinuation = continuation
        super.init()
    }

    func start(_ task: URLSessionDataTask, in session: URLSession, head: CheckedContinuation<HTTPResponse, any Error>) {
        let cancelledEarly = state.withLock { state in
            state.head = head
            state.task = task
            return state.cancelled || Task.isCancelled
        }
        bodyContinuation.onTermination = { _ in task.cancel() }
        task.resume()
        session.finishTasksAndInvalidate()
        if cancelledEarly { cancel() }
    }

    func cancel() {
        let task = state.withLock { state in
            state.cancelled = true
            return state.task
        }
        task?.cancel()
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        let (head, body) = state.withLock { state in
            defer {
                state.head = nil
                state.body = nil
            }
            return (state.head, state.body)
        }
        guard let http = response as? HTTPURLResponse, let body else {
            head?.resume(throwing: HTTPTransportError(.badResponse, "the response is not an HTTP response"))
            completionHandler(.cancel)
            return
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name] = value }
        }
        head?.resume(returning: HTTPResponse(status: http.statusCode, headers: headers, body: body))
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        bodyContinuation.yield(data)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let (head, cancelled) = state.withLock { state in
            defer { state.head = nil }
            return (state.head, state.cancelled)
        }
        guard let error else {
            head?.resume(throwing: HTTPTransportError(.badResponse, "the exchange ended without a response"))
            bodyContinuation.finish()
            return
        }
        let failure = cancelled ? HTTPTransportError(.cancelled, "the request was cancelled") : Self.map(error)
        head?.resume(throwing: failure)
        bodyContinuation.finish(throwing: failure)
    }

    private static func map(_ error: any Error) -> HTTPTransportError {
        guard let urlError = error as? URLError else { return HTTPTransportError(.other, "\(error)") }
        let message = urlError.localizedDescription
        switch urlError.code {
        case .timedOut:
            return HTTPTransportError(.timedOut, "no bytes arrived within the request timeout")
        case .cancelled:
            return HTTPTransportError(.cancelled, "the request was cancelled")
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet:
            return HTTPTransportError(.cannotConnect, "cannot connect to the server: \(message)")
        case .networkConnectionLost, .secureConnectionFailed, .unknown:
            // libcurl reports a body cut short ("transfer closed with outstanding read data") as an unknown error.
            return HTTPTransportError(.connectionLost, "the connection was lost: \(message)")
        case .badServerResponse, .cannotParseResponse, .cannotDecodeRawData:
            return HTTPTransportError(.badResponse, "the server's answer is not valid HTTP: \(message)")
        default:
            return HTTPTransportError(.other, "\(message) (URLError \(urlError.code.rawValue))")
        }
    }
}
