import Foundation
import Logging

/// Turns a response body, chunk by chunk, into ``ModelEvent``s.
protocol ProviderBodyDecoder: Sendable {
    /// Whether the whole response has been decoded; the rest of the body is not read.
    var isComplete: Bool { get }
    /// The model events that `chunk` completes.
    /// - Throws: ``StreamFailure`` when the body is not what the API documents.
    mutating func consume(_ chunk: Data) throws -> [ModelEvent]
    /// The last events, once the body has ended.
    /// - Throws: ``StreamFailure`` when the body ended before the response was complete.
    mutating func finish() throws -> [ModelEvent]
}

/// A `text/event-stream` body: SSE framing around a provider's event decoder.
struct ServerSentEventBodyDecoder<Events: ProviderStreamDecoder>: ProviderBodyDecoder {
    private var parser = ServerSentEventParser()
    private var events: Events

    init(_ events: Events) { self.events = events }

    var isComplete: Bool { events.isComplete }

    mutating func consume(_ chunk: Data) throws -> [ModelEvent] {
        var decoded: [ModelEvent] = []
        for event in parser.feed(chunk) {
            decoded += try events.decode(event)
            if events.isComplete { break }
        }
        return decoded
    }

    mutating func finish() throws -> [ModelEvent] {
        var decoded: [ModelEvent] = []
        if !events.isComplete {
            for event in parser.finish() { decoded += try events.decode(event) }
        }
        return decoded + (try events.finish())
    }
}

/// Turns one provider's server-sent events into ``ModelEvent``s.
protocol ProviderStreamDecoder: Sendable {
    /// Whether the provider has signalled the end of the response (`[DONE]`, `message_stop`).
    var isComplete: Bool { get }
    /// The model events that `event` completes.
    /// - Throws: ``StreamFailure`` when the event is not what the API documents, or is an error event.
    mutating func decode(_ event: ServerSentEvent) throws -> [ModelEvent]
    /// The last events, once the body has ended.
    /// - Throws: ``StreamFailure`` when the body ended before the response was complete.
    mutating func finish() throws -> [ModelEvent]
}

/// A failure found while decoding a stream, before it is given the provider's and model's names.
struct StreamFailure: Error {
    var code: ModelProviderError.Code
    var detail: String
    var apiMessage: String?

    static func malformed(_ detail: String) -> StreamFailure { StreamFailure(code: .malformedStream, detail: detail) }
}

/// Sends a request with retries and feeds the response body through a ``ProviderBodyDecoder``.
///
/// Shared by the providers: status-code errors, `Retry-After`, retry only while nothing was delivered to the
/// caller, cancellation, and redaction of the key from every error.
struct ProviderStreamDriver: Sendable {
    /// The provider's name, for errors and logs.
    var provider: String
    var transport: any HTTPTransport
    var retryPolicy: RetryPolicy
    var logger: Logger
    /// Values to redact from every error text (the API key).
    var secrets: [String]

    /// The most bytes of an error body that are read.
    static let errorBodyLimit = 64 * 1024

    /// Streams the response to `request`, decoding it with a fresh decoder per attempt.
    func stream<Decoder: ProviderBodyDecoder>(
        model: String, request: HTTPRequest, decoder: @escaping @Sendable () -> Decoder
    ) -> AsyncThrowingStream<ModelEvent, any Error> {
        .producing { continuation in
            await run(model: model, request: request, decoder: decoder, into: continuation)
        }
    }

    private func run<Decoder: ProviderBodyDecoder>(
        model: String, request: HTTPRequest, decoder: @Sendable () -> Decoder,
        into continuation: AsyncThrowingStream<ModelEvent, any Error>.Continuation
    ) async {
        var attempt = 0
        while true {
            attempt += 1
            var delivered = false
            let failure: ModelProviderError
            do {
                try await send(
                    model: model, request: request, decoder: decoder(), delivered: &delivered, into: continuation)
                continuation.finish()
                return
            } catch {
                failure = classify(error, model: model, delivered: delivered)
            }
            if Task.isCancelled || failure.code == .cancelled {
                continuation.finish(throwing: cancelled(model: model))
                return
            }
            guard !delivered, failure.isRetryable,
                let delay = retryPolicy.delay(afterAttempt: attempt, retryAfter: failure.retryAfter)
            else {
                logger.error(
                    "model request failed",
                    metadata: [
                        "provider": "\(provider)", "model": "\(model)", "attempt": "\(attempt)",
                        "error": "\(failure.description)",
                    ])
                continuation.finish(throwing: failure)
                return
            }
            logger.warning(
                "model request failed; retrying",
                metadata: [
                    "provider": "\(provider)", "model": "\(model)", "attempt": "\(attempt)",
                    "delay": "\(delay)", "error": "\(failure.description)",
                ])
            do {
                try await retryPolicy.sleep(delay)
            } catch {
                continuation.finish(throwing: cancelled(model: model))
                return
            }
        }
    }

    private func send<Decoder: ProviderBodyDecoder>(
        model: String, request: HTTPRequest, decoder: Decoder, delivered: inout Bool,
        into continuation: AsyncThrowingStream<ModelEvent, any Error>.Continuation
    ) async throws {
        var decoder = decoder
        logger.debug("sending model request", metadata: ["provider": "\(provider)", "model": "\(model)"])
        let response = try await transport.send(request)
        guard (200..<300).contains(response.status) else {
            let body = try await response.collectBody(limit: Self.errorBodyLimit)
            throw statusError(response, body: body, model: model)
        }
        for try await chunk in response.body {
            for modelEvent in try decoder.consume(chunk) {
                continuation.yield(modelEvent)
                delivered = true
            }
            if decoder.isComplete { break }
        }
        for modelEvent in try decoder.finish() {
            continuation.yield(modelEvent)
            delivered = true
        }
    }

    private func statusError(_ response: HTTPResponse, body: Data, model: String) -> ModelProviderError {
        let status = response.status
        let code: ModelProviderError.Code =
            switch status {
            case 400, 422: .badRequest
            case 401: .unauthorized
            case 403: .forbidden
            case 404: .notFound
            case 408: .timeout
            case 429: .rateLimited
            case 500...599: .server
            default: .unexpectedStatus
            }
        var retryAfter: Duration?
        if let milliseconds = response.header("retry-after-ms").flatMap(Double.init), milliseconds >= 0 {
            retryAfter = .milliseconds(Int(milliseconds))
        } else if let value = response.header("retry-after") {
            retryAfter = RetryPolicy.parseRetryAfter(value)
        }
        let detail =
            switch code {
            case .unauthorized: "the API key was refused"
            case .forbidden: "the API key may not do this"
            case .badRequest: "the API rejected the request"
            case .notFound: "the API does not know this model or endpoint"
            case .rateLimited: "rate limited"
            case .server: "the API had a server error"
            case .timeout: "the API timed out"
            default: "unexpected HTTP status"
            }
        return ModelProviderError(
            code, provider: provider, model: model, status: status, apiMessage: Self.apiMessage(in: body),
            detail: detail, retryAfter: retryAfter, secrets: secrets)
    }

    private func classify(_ error: any Error, model: String, delivered: Bool) -> ModelProviderError {
        let afterBytes = delivered ? " after part of the response was delivered (not retried)" : ""
        switch error {
        case let error as ModelProviderError:
            return error
        case let failure as StreamFailure:
            return ModelProviderError(
                failure.code, provider: provider, model: model, apiMessage: failure.apiMessage,
                detail: failure.detail, secrets: secrets)
        case let failure as HTTPTransportError:
            let code: ModelProviderError.Code =
                switch failure.code {
                case .timedOut: .timeout
                case .cancelled: .cancelled
                default: .transport
                }
            return ModelProviderError(
                code, provider: provider, model: model,
                detail: "the connection failed\(afterBytes): \(failure.message)", secrets: secrets)
        case is CancellationError:
            return cancelled(model: model)
        default:
            return ModelProviderError(
                .transport, provider: provider, model: model, detail: "the request failed\(afterBytes): \(error)",
                secrets: secrets)
        }
    }

    private func cancelled(model: String) -> ModelProviderError {
        ModelProviderError(.cancelled, provider: provider, model: model, detail: "the request was cancelled")
    }

    /// The API's own message in an error body: `error.message`, `error` (a string), `message` or `detail`;
    /// else the body's text, shortened.
    static func apiMessage(in body: Data) -> String? {
        if let json = try? JSONDecoder().decode(JSONValue.self, from: body) {
            let candidates = [json["error"]?["message"], json["error"], json["message"], json["detail"]]
            for candidate in candidates {
                if let text = candidate?.stringValue, !text.isEmpty { return text }
            }
            if let detail = json["detail"], detail != .null { return detail.compactText }
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return nil }
        return text.count > 500 ? String(text.prefix(500)) + "…" : text
    }
}
