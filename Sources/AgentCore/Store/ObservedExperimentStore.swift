/// A store that hands every record it appended to an observer: progress output, live dashboards, metrics.
///
/// The observer runs after the record is durable and must not block for long.
public struct ObservedExperimentStore: ExperimentStore {
    /// The store records are written to.
    public let base: any ExperimentStore
    /// Called with each appended record, in order.
    public let observer: @Sendable (ExperimentRecord) -> Void

    /// Wraps `base`, calling `observer` after each append.
    public init(_ base: any ExperimentStore, observer: @escaping @Sendable (ExperimentRecord) -> Void) {
        self.base = base
        self.observer = observer
    }

    /// Appends to the base store, then tells the observer.
    /// - Throws: the base store's error (the observer is then not called).
    @discardableResult
    public func append(_ record: ExperimentRecord) async throws -> ExperimentRecord {
        let stored = try await base.append(record)
        observer(stored)
        return stored
    }

    /// The base store's records.
    public func records() async throws -> [ExperimentRecord] {
        try await base.records()
    }
}
