public import AgentCore

/// An ``ExperimentStore`` that keeps records in memory, for tests and previews.
public actor InMemoryExperimentStore: ExperimentStore {
    private var stored: [ExperimentRecord]

    /// Creates a store, optionally holding earlier records (renumbered from 1).
    public init(records: [ExperimentRecord] = []) {
        stored = records.enumerated().map { index, record in
            var record = record
            record.sequence = index + 1
            return record
        }
    }

    /// Appends `record` with the next sequence number.
    @discardableResult
    public func append(_ record: ExperimentRecord) -> ExperimentRecord {
        var record = record
        record.sequence = stored.count + 1
        stored.append(record)
        return record
    }

    /// Every record, in order.
    public func records() -> [ExperimentRecord] { stored }

    /// The records of one kind (for example `"agent.tool_call"`), in order.
    public func records(ofKind kind: String) -> [ExperimentRecord] { stored.filter { $0.kind == kind } }
}
