import Synchronization

/// Collects lines from a `ProcessRunner.run` callback (which runs on background tasks).
public final class LineCollector: Sendable {
    private let storage = Mutex<[String]>([])

    /// Creates an empty collector.
    public init() {}

    /// Adds a line.
    public func append(_ line: String) {
        storage.withLock { $0.append(line) }
    }

    /// The lines collected so far, in order.
    public var lines: [String] { storage.withLock { $0 } }
}
