import Logging

/// A log handler that redacts known secret values from messages and metadata before passing them on.
///
/// The agent wraps its logger's handler in one, and hands that logger to tools, so a tool that logs what it read
/// cannot leak a key either.
struct RedactingLogHandler: LogHandler {
    var wrapped: any LogHandler
    let redactor: SecretRedactor

    var metadata: Logger.Metadata {
        get { wrapped.metadata }
        set { wrapped.metadata = newValue.mapValues(redact) }
    }

    var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { wrapped.metadataProvider }
        set { wrapped.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { wrapped[metadataKey: key] }
        set { wrapped[metadataKey: key] = newValue.map(redact) }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(redactor.redact(event.message.description))"
        event.metadata = event.metadata?.mapValues(redact)
        wrapped.log(event: event)
    }

    private func redact(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(redactor.redact(text))
        case .stringConvertible(let convertible): .string(redactor.redact(convertible.description))
        case .array(let values): .array(values.map(redact))
        case .dictionary(let values): .dictionary(values.mapValues(redact))
        }
    }
}

extension Logger {
    /// This logger with `redactor`'s secrets removed from everything it logs.
    func redacting(_ redactor: SecretRedactor) -> Logger {
        guard !redactor.secrets.isEmpty else { return self }
        var logger = self
        logger.handler = RedactingLogHandler(wrapped: handler, redactor: redactor)
        return logger
    }
}
