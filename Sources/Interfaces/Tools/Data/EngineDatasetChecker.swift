public import DataEngine
public import Foundation

/// The data engine behind the `data` tool: ``DatasetValidator`` for schema, empties, duplicates and length, and a
/// ``ContaminationIndex`` of the benchmark for the contamination check.
public struct EngineDatasetChecker: DatasetChecker {
    /// The benchmark index; `nil` when the benchmark has no file to index (e.g. an inspect registry task).
    public let index: ContaminationIndex?
    /// Counts tokens for the length check.
    public let tokenCounter: any TokenCounter

    /// Indexes `benchmarkFile` once (question and answer fields by default).
    /// - Throws: ``DataEngineError`` when the benchmark cannot be read or has no usable text.
    public init(
        benchmarkFile: URL?, fields: [String]? = nil, options: ContaminationOptions = .init(),
        tokenCounter: any TokenCounter = EstimatingTokenCounter()
    ) throws {
        index = try benchmarkFile.map { try ContaminationIndex(benchmarkFile: $0, fields: fields, options: options) }
        self.tokenCounter = tokenCounter
    }

    /// Validates `file` and scans it against the benchmark.
    /// - Throws: ``DataEngineError`` when the file cannot be read or the format is unknown.
    public func check(file: URL, format: String, cutoffLength: Int) async throws -> DatasetCheck {
        guard let datasetFormat = DatasetFormat(rawValue: format) else {
            throw DataEngineError.invalidOption(
                name: "format", reason: "'\(format)' is not alpaca, sharegpt or preference")
        }
        let options = ValidationOptions(cutoffLength: cutoffLength, tokenCounter: tokenCounter)
        let report = try DatasetValidator(options: options).validate(file: file, format: datasetFormat)
        var findings: [DatasetFindingKind: (count: Int, rows: [Int], detail: String?)] = [:]
        var flagged: [DatasetFindingKind: [Int]] = [:]
        for finding in report.findings {
            let kind = Self.kind(of: finding.kind)
            var entry = findings[kind] ?? (0, [], finding.message)
            entry.count += 1
            if let line = finding.line, entry.rows.count < 20 { entry.rows.append(line) }
            if let line = finding.line { flagged[kind, default: []].append(line) }
            findings[kind] = entry
        }
        let scan = try await index?.scan(trainingFile: file)
        return DatasetCheck(
            sampleCount: report.sampleCount,
            findings: findings.sorted { $0.key.rawValue < $1.key.rawValue }.map {
                DatasetFinding(kind: $0.key, count: $0.value.count, rows: $0.value.rows, detail: $0.value.detail)
            },
            contamination: scan.map { report in report.hits.filter { $0.score >= report.blockingScore } } ?? [],
            flaggedRows: flagged, lengthCounting: tokenCounter.method)
    }

    /// The data tool's coarser finding kind for a validator finding.
    static func kind(of kind: ValidationFinding.Kind) -> DatasetFindingKind {
        switch kind {
        case .unreadableLine, .invalidUTF8, .notAnObject: .broken
        case .missingField, .wrongType, .invalidRole, .identicalPair: .schema
        case .emptyField, .emptyDataset: .empty
        case .overLength: .tooLong
        case .exactDuplicate: .duplicate
        case .nearDuplicate: .nearDuplicate
        }
    }
}
