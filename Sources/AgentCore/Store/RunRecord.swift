public import Foundation

/// One kind of record in a run's store, as a typed value: a static ``kind`` name and the payload's fields.
///
/// In the style of a protocol method (a name plus typed parameters): writers append the value
/// (`store.append(TrainFinished(...))`), readers decode it back (`record.decode(TrainFinished.self)` or
/// `records.all(TrainFinished.self)`). Records of kinds this version does not know (written by a newer one) stay in
/// the store untouched and are skipped by readers.
public protocol RunRecord: Codable, Sendable {
    /// The record's `kind` in the store, e.g. `train.finished`; unique across all record types.
    static var kind: String { get }
}

extension ExperimentRecord {
    /// A record holding `value` as its payload.
    /// - Throws: the encoder's error (plain structs do not throw).
    public init<Record: RunRecord>(_ value: Record, time: Date = Date()) throws {
        self.init(time: time, kind: Record.kind, payload: try JSONValue(encoding: value))
    }

    /// The payload as `type`, or `nil` when the record is of another kind or its payload does not decode.
    public func decode<Record: RunRecord>(_ type: Record.Type) -> Record? {
        guard kind == Record.kind else { return nil }
        return try? payload.decode(as: Record.self)
    }

    /// Whether the record is of `type`'s kind.
    public func `is`<Record: RunRecord>(_ type: Record.Type) -> Bool { kind == Record.kind }
}

extension ExperimentStore {
    /// Appends a typed record and returns it as stored.
    /// - Throws: the store's error; the record is then not stored.
    @discardableResult
    public func append<Record: RunRecord>(_ value: Record) async throws -> ExperimentRecord {
        try await append(try ExperimentRecord(value))
    }
}

extension Sequence<ExperimentRecord> {
    /// The records of `type`'s kind that decode, in order.
    public func all<Record: RunRecord>(_ type: Record.Type) -> [Record] { compactMap { $0.decode(type) } }

    /// The last record of `type`'s kind that decodes.
    public func last<Record: RunRecord>(_ type: Record.Type) -> Record? {
        var found: Record?
        for record in self where record.is(type) { found = record.decode(type) ?? found }
        return found
    }
}

/// A record whose payload is one existing value, encoded as the value itself (so the stored JSON is the value's).
public protocol ValueRecord: RunRecord {
    associatedtype Value: Codable & Sendable
    /// The value stored.
    var value: Value { get }
    /// Wraps `value`.
    init(_ value: Value)
}

extension ValueRecord {
    public init(from decoder: any Decoder) throws { self.init(try Value(from: decoder)) }
    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}
