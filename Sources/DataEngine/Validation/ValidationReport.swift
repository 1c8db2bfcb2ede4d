/// One problem found in a dataset.
public struct ValidationFinding: Sendable, Hashable, Codable {
    /// What kind of problem it is.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable, CodingKeyRepresentable {
        /// The line is not valid JSON (or a JSON array is broken there).
        case unreadableLine
        /// The line's bytes are not valid UTF-8.
        case invalidUTF8
        /// The record is valid JSON but not an object.
        case notAnObject
        /// A required field is absent.
        case missingField
        /// A field has the wrong JSON type.
        case wrongType
        /// A text field is empty or only whitespace.
        case emptyField
        /// A conversation has an unknown role or roles in the wrong order.
        case invalidRole
        /// The sample is longer than the cutoff length.
        case overLength
        /// The preference pair's chosen and rejected answers are the same.
        case identicalPair
        /// The sample equals an earlier one after normalization.
        case exactDuplicate
        /// The sample is nearly the same as an earlier one (MinHash estimate of word-shingle Jaccard).
        case nearDuplicate
        /// The file holds no samples.
        case emptyDataset
    }

    /// The kind of problem.
    public var kind: Kind
    /// 1-based line where the sample starts (`nil` for problems of the whole file).
    public var line: Int?
    /// The field concerned, if one is.
    public var field: String?
    /// What is wrong and what to do.
    public var message: String
    /// For duplicates, the line of the earlier sample.
    public var relatedLine: Int?

    /// Creates a finding.
    public init(kind: Kind, line: Int?, field: String? = nil, message: String, relatedLine: Int? = nil) {
        self.kind = kind
        self.line = line
        self.field = field
        self.message = message
        self.relatedLine = relatedLine
    }
}

/// The result of ``DatasetValidator/validate(file:format:)``.
public struct ValidationReport: Sendable, Hashable, Codable {
    /// The validated file.
    public var file: String
    /// The format it was checked against.
    public var format: DatasetFormat
    /// Records read (non-blank lines or array elements), bad ones included.
    public var sampleCount: Int
    /// The findings in file order (at most `maximumFindings`).
    public var findings: [ValidationFinding]
    /// Findings per kind, counted in full.
    public var counts: [ValidationFinding.Kind: Int]

    /// Creates a report.
    public init(
        file: String, format: DatasetFormat, sampleCount: Int, findings: [ValidationFinding],
        counts: [ValidationFinding.Kind: Int]
    ) {
        self.file = file
        self.format = format
        self.sampleCount = sampleCount
        self.findings = findings
        self.counts = counts
    }

    /// Total findings, counted in full.
    public var findingCount: Int { counts.values.reduce(0, +) }

    /// No finding at all.
    public var isClean: Bool { findingCount == 0 }
}
