import Logging
import Synchronization

/// A swift-log handler that keeps every rendered line in memory, so tests can read what was logged.
final class CapturedLogs: Sendable {
    private let storage = Mutex<[String]>([])

    /// Everything logged so far, one rendered line per message (level, message, metadata).
    var lines: [String] { storage.withLock { $0 } }

    /// ``lines`` joined with newlines.
    var text: String { lines.joined(separator: "\n") }

    /// A logger at `trace` level that writes into this capture.
    func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    fileprivate func append(_ line: String) { storage.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let capture: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            let rendered = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            capture.append("\(event.level) \(event.message) \(rendered)")
        }
    }
}
