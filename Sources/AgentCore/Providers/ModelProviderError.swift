public import Foundation

/// A failed model request: what went wrong, with which provider and model, and what the API itself said.
///
/// The description never contains an API key: every text is redacted against the provider's key and the
/// secrets of the process environment when the error is made.
public struct ModelProviderError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// The kind of failure.
    public enum Code: String, Sendable, Hashable, Codable {
        /// No API key was given and its environment variable is unset.
        case missingAPIKey
        /// The provider settings are unusable (unknown provider name, bad base URL).
        case invalidConfiguration
        /// HTTP 401: the API key was refused.
        case unauthorized
        /// HTTP 403: the key may not use this model or endpoint.
        case forbidden
        /// HTTP 400 or 422: the API rejected the request (bad parameters, context too long).
        case badRequest
        /// HTTP 404: unknown model or endpoint.
        case notFound
        /// HTTP 429, after the retries ran out.
        case rateLimited
        /// HTTP 5xx (or an error event in the stream), after the retries ran out.
        case server
        /// Another unexpected HTTP status.
        case unexpectedStatus
        /// The connection failed or dropped.
        case transport
        /// No answer, or no further bytes, within the request timeout.
        case timeout
        /// The stream was not what the API documents: bad JSON, missing fields, or it ended early.
        case malformedStream
        /// The caller cancelled the request.
        case cancelled
    }

    /// The kind of failure.
    public var code: Code
    /// The provider's name (`openai`, `anthropic`, `deepseek`, ...).
    public var provider: String
    /// The model the request named (empty when the failure came before any request).
    public var model: String
    /// The HTTP status, when the failure came with one.
    public var status: Int?
    /// The API's own error message, when it sent one.
    public var apiMessage: String?
    /// What happened, in our words.
    public var detail: String
    /// The server's `Retry-After`, when it sent one.
    public var retryAfter: Duration?

    /// Creates an error, redacting `secrets` (and the environment's secrets) from every text.
    /// - Parameters:
    ///   - code: the kind of failure.
    ///   - provider: the provider's name.
    ///   - model: the model the request named.
    ///   - status: the HTTP status, if any.
    ///   - apiMessage: the API's own error message, if any.
    ///   - detail: what happened.
    ///   - retryAfter: the server's `Retry-After`, if any.
    ///   - secrets: values to redact besides the environment's secrets (pass the API key).
    public init(
        _ code: Code, provider: String, model: String, status: Int? = nil, apiMessage: String? = nil,
        detail: String, retryAfter: Duration? = nil, secrets: [String] = []
    ) {
        self.code = code
        self.provider = provider
        self.model = model
        self.status = status
        self.apiMessage = apiMessage.map { Secrets.redactEnvironmentSecrets($0, extra: secrets) }
        self.detail = Secrets.redactEnvironmentSecrets(detail, extra: secrets)
        self.retryAfter = retryAfter
    }

    /// The provider, the model, what happened, the HTTP status, the API's message and what to do.
    public var description: String {
        var text = model.isEmpty ? "\(provider): \(detail)" : "\(provider) model '\(model)': \(detail)"
        if let status { text += " (HTTP \(status))" }
        if let apiMessage, !apiMessage.isEmpty { text += ". The API said: \"\(apiMessage)\"" }
        if let hint { text += ". \(hint)" }
        return text
    }

    /// The same text as ``description``, for `localizedDescription`.
    public var errorDescription: String? { description }

    /// Whether sending the request again may succeed.
    public var isRetryable: Bool {
        switch code {
        case .rateLimited, .server, .transport, .timeout: true
        default: false
        }
    }

    private var hint: String? {
        switch code {
        case .unauthorized: "Check the API key for \(provider)"
        case .forbidden: "Check that the key may use this model"
        case .notFound: "Check the model name and the base URL"
        case .badRequest: "Fix the request (parameters, tool schemas, context length)"
        case .rateLimited: "Wait, lower the request rate, or raise the account's limits"
        case .server: "The provider had a failure; try again later"
        case .timeout: "Raise the request timeout or check the server"
        case .transport: "Check the network and the base URL"
        default: nil
        }
    }
}
