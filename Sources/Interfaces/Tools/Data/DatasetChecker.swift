public import DataEngine
public import Foundation

/// A kind of problem a dataset check counts.
public enum DatasetFindingKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A row that does not follow the format's schema (missing or mistyped fields).
    case schema
    /// A row whose prompt or answer is empty.
    case empty
    /// A row that cannot be parsed at all.
    case broken
    /// An exact duplicate of an earlier row.
    case duplicate
    /// A near duplicate of an earlier row (e.g. MinHash similarity above the threshold).
    case nearDuplicate = "near_duplicate"
    /// A row longer than the cutoff length: training would truncate it.
    case tooLong = "too_long"
}

/// How many rows showed one kind of problem, with a few row numbers to look at.
public struct DatasetFinding: Sendable, Hashable, Codable {
    /// What kind of problem.
    public var kind: DatasetFindingKind
    /// How many rows have it.
    public var count: Int
    /// Up to a handful of 0-based row indices.
    public var rows: [Int]
    /// One line of detail, e.g. the field that was missing.
    public var detail: String?

    /// Creates a finding.
    public init(kind: DatasetFindingKind, count: Int, rows: [Int] = [], detail: String? = nil) {
        self.kind = kind
        self.count = count
        self.rows = rows
        self.detail = detail
    }
}

/// The result of checking one dataset file.
public struct DatasetCheck: Sendable, Hashable, Codable {
    /// Number of samples scored.
    public var sampleCount: Int
    /// Problems found, by kind.
    public var findings: [DatasetFinding]
    /// Rows that overlap benchmark items.
    public var contamination: [ContaminationHit]
    /// Every flagged row (0-based) by kind, uncapped (``DatasetFinding/rows`` lists only a few): what
    /// `data action=filter` drops. Empty when the checker does not report rows.
    public var flaggedRows: [DatasetFindingKind: [Int]]
    /// How row lengths were counted against the cutoff (the model's tokenizer, or an estimate), when known.
    public var lengthCounting: String?

    /// Creates a check result.
    public init(
        sampleCount: Int, findings: [DatasetFinding] = [], contamination: [ContaminationHit] = [],
        flaggedRows: [DatasetFindingKind: [Int]] = [:], lengthCounting: String? = nil
    ) {
        self.sampleCount = sampleCount
        self.findings = findings
        self.contamination = contamination
        self.flaggedRows = flaggedRows
        self.lengthCounting = lengthCounting
    }

    /// The number of rows with findings of `kind`.
    public func count(_ kind: DatasetFindingKind) -> Int {
        findings.filter { $0.kind == kind }.reduce(0) { $0 + $1.count }
    }
}

/// Checks a dataset file: schema, empty/broken/duplicate rows, length against the cutoff, contamination.
///
/// The `data` tool's seam onto the data engine.
public protocol DatasetChecker: Sendable {
    /// Checks `file`.
    /// - Parameters:
    ///   - file: a JSON or JSONL dataset.
    ///   - format: `alpaca`, `sharegpt` or `preference`.
    ///   - cutoffLength: the training cutoff in tokens; longer rows are counted as ``DatasetFindingKind/tooLong``.
    /// - Throws: when the file cannot be read at all.
    func check(file: URL, format: String, cutoffLength: Int) async throws -> DatasetCheck
}
