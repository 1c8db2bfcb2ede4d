public import Foundation

/// One durable record of a run: a tool call, a model turn, a training event, an evaluation.
public struct ExperimentRecord: Sendable, Hashable, Codable {
    /// Position in the run's log, starting at 1, assigned by the store.
    public var sequence: Int
    public var time: Date
    /// What happened: the ``RunRecord/kind`` of the record type its payload holds, e.g. `eval.report`.
    public var kind: String
    public var payload: JSONValue

    public init(sequence: Int = 0, time: Date = Date(), kind: String, payload: JSONValue) {
        self.sequence = sequence
        self.time = time
        self.kind = kind
        self.payload = payload
    }
}

/// The append-only log of one run. A record that `append` returned from is durable.
public protocol ExperimentStore: Sendable {
    /// Appends `record`, assigning its sequence number, and returns it once it is durable.
    /// - Throws: an I/O error; the record is then not stored.
    @discardableResult
    func append(_ record: ExperimentRecord) async throws -> ExperimentRecord

    /// Every record stored so far, in order.
    func records() async throws -> [ExperimentRecord]
}
