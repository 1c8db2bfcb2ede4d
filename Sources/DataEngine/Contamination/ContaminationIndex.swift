import AgentCore
public import Foundation

/// An index of a benchmark's test items, built once, that scans training sets for contamination.
///
/// It holds three hash tables over normalized tokens (see the normalization described in
/// `TextNormalization`): every `ngramSize`-gram of every item; for items shorter than twice `ngramSize`
/// tokens, where one changed word can break every n-gram, the `shingleSize`-grams that occur in that item and
/// no other (for near-duplicates); and the whole normalized text of each field and item (for exact matches).
/// Items shorter than one n-gram are checked on their own (``ShortItemCheck``): every field value in one sample,
/// unlikely by chance.
/// A scan streams the training file in blocks on every core, so its memory is bounded by this index and
/// the blocks, never by the training set.
///
/// ```swift
/// let index = try ContaminationIndex(benchmarkFile: URL(filePath: "gsm8k_test.jsonl"))
/// let report = try index.scan(trainingFile: URL(filePath: "train.jsonl"))
/// if report.blocksTraining { print(report.hits.map(\.trainingLine)) }
/// ```
public final class ContaminationIndex: Sendable {
    /// The fields read when none are named: question-like and answer-like text fields.
    public static let defaultFields = [
        "question", "problem", "prompt", "query", "instruction", "input", "context", "passage",
        "choices", "options", "answer", "answers", "solution", "output", "response", "completion", "target",
        "canonical_solution",
    ]

    /// The benchmark file the index was built from.
    public let benchmarkFile: String
    /// The fields that were indexed.
    public let fields: [String]
    /// The options it was built with (and scans with).
    public let options: ContaminationOptions
    /// Benchmark items with indexed text.
    public var itemCount: Int { items.count }
    /// Distinct n-grams indexed.
    public var ngramCount: Int { ngrams.count }
    /// 1-based lines of the benchmark that were not valid JSON objects and were left out.
    public let skippedBenchmarkLines: [Int]
    /// Approximate bytes the index occupies.
    public var memoryBytes: Int { ngrams.memoryBytes + shingles.memoryBytes + exact.memoryBytes + items.count * 64 }

    let items: [BenchmarkItem]
    let ngrams: HashTable64
    let shingles: HashTable64
    let exact: HashTable64
    /// Items too short for the n-grams, checked on their own (``ShortItemCheck``).
    let shortItems: ShortItemCheck
    /// Benchmark items checked by the short-item check.
    public var shortItemCount: Int { shortItems.items.count }

    /// Builds the index from a benchmark in JSON Lines (or a JSON array) of objects.
    /// - Parameters:
    ///   - benchmarkFile: the benchmark's test items.
    ///   - fields: the fields whose text is indexed, in order (string values, or all strings nested inside);
    ///     `nil` uses ``defaultFields``.
    ///   - options: n-gram sizes and thresholds.
    /// - Throws: ``DataEngineError/fileNotReadable(path:reason:)``,
    ///   ``DataEngineError/noUsableBenchmarkText(path:fields:)`` when no item has text in those fields, or
    ///   ``DataEngineError/invalidOption(name:reason:)``.
    public init(benchmarkFile: URL, fields: [String]? = nil, options: ContaminationOptions = .init()) throws {
        try options.validate()
        let fields = fields ?? Self.defaultFields
        guard !fields.isEmpty else {
            throw DataEngineError.invalidOption(name: "fields", reason: "name at least one benchmark field")
        }
        var builder = IndexBuilder(options: options)
        var skipped: [Int] = []
        try DatasetRecords.forEach(in: benchmarkFile) { record in
            switch record {
            case .brokenArray(let line):
                skipped.append(line)
            case .record(let line, let bytes):
                guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: bytes)) as? [String: Any]
                else {
                    skipped.append(line)
                    return
                }
                builder.add(object, fields: fields, line: line)
            }
        }
        guard !builder.items.isEmpty else {
            throw DataEngineError.noUsableBenchmarkText(path: benchmarkFile.path, fields: fields)
        }
        self.benchmarkFile = benchmarkFile.path
        self.fields = fields
        self.options = options
        self.skippedBenchmarkLines = skipped
        var items = builder.items
        for owner in builder.shingleOwner.values where owner >= 0 { items[Int(owner)].uniqueShingleCount += 1 }
        self.items = items
        self.ngrams = HashTable64(builder.ngramEntries)
        self.exact = HashTable64(builder.exactEntries)
        self.shingles = HashTable64(
            builder.shingleOwner.compactMap { key, owner in owner >= 0 ? (key: key, value: owner) : nil })
        self.shortItems = ShortItemCheck(items: builder.shortItems)
    }

    /// Scans a training set (JSON Lines streamed in blocks on every core, or a JSON array read whole).
    ///
    /// A line that is not valid JSON is counted and reported with its number; it never stops the scan.
    /// - Parameter trainingFile: the training set.
    /// - Returns: the report, with every hit's training line, benchmark item and overlap.
    /// - Throws: ``DataEngineError/fileNotReadable(path:reason:)`` when the file is missing or unreadable.
    public func scan(trainingFile: URL) throws -> ContaminationReport {
        try scan(trainingFile: trainingFile, blockSize: ContaminationScan.defaultBlockSize)
    }

    /// ``scan(trainingFile:)`` from async code: the scan's worker threads run outside Swift's cooperative pool
    /// (``BlockingWork``), so a large scan does not starve the tasks around it.
    /// - Throws: ``DataEngineError/fileNotReadable(path:reason:)`` when the file is missing or unreadable.
    public func scan(trainingFile: URL) async throws -> ContaminationReport {
        try await BlockingWork.run { try self.scan(trainingFile: trainingFile, blockSize: ContaminationScan.defaultBlockSize) }
    }

    /// ``scan(trainingFile:)`` with a chosen block size (tests use tiny blocks to cross block boundaries).
    func scan(trainingFile: URL, blockSize: Int) throws -> ContaminationReport {
        let scan = ContaminationScan(index: self, blockSize: blockSize)
        return try scan.run(trainingFile: trainingFile)
    }
}

/// What the index keeps about one benchmark item.
struct BenchmarkItem: Sendable, Hashable {
    /// The item's id, or `line N`.
    var id: String
    /// 1-based line in the benchmark file.
    var line: Int
    /// Distinct n-grams of the item.
    var ngramCount: Int
    /// Distinct shingles found in this item and no other.
    var uniqueShingleCount: Int
}

/// Accumulates items and their hashes while a benchmark is read.
private struct IndexBuilder {
    let options: ContaminationOptions
    var items: [BenchmarkItem] = []
    var ngramEntries: [(key: UInt64, value: Int32)] = []
    var exactEntries: [(key: UInt64, value: Int32)] = []
    /// Shingle hash to the only item that holds it, -1 when several do, -2 when its only item is long enough
    /// for the n-gram check (such items get no near-duplicate shingles).
    var shingleOwner: [UInt64: Int32] = [:]
    var shortItems: [ShortItemCheck.Item] = []

    init(options: ContaminationOptions) { self.options = options }

    mutating func add(_ object: [String: Any], fields: [String], line: Int) {
        let fieldWords = fields.compactMap { field -> [String]? in
            guard let value = object[field] else { return nil }
            let words = TextNormalization.tokens(of: JSONStrings.all(in: value).joined(separator: " "))
            return words.isEmpty ? nil : words
        }
        let fieldTokens = fieldWords.map { $0.map(TextNormalization.tokenHash) }
        guard !fieldTokens.isEmpty else { return }
        let itemIndex = Int32(items.count)
        if let short = ShortItemCheck.item(
            index: itemIndex, words: fieldWords, hashes: fieldTokens, ngramSize: options.ngramSize)
        {
            shortItems.append(short)
        }
        let all = fieldTokens.flatMap { $0 }
        let exactTexts = fieldTokens + (fieldTokens.count > 1 ? [all] : [])
        for tokens in exactTexts where tokens.count >= options.minimumExactTokens {
            exactEntries.append((TextNormalization.sequenceHash(tokens), itemIndex))
        }
        let ngrams = Set(TextNormalization.windowHashes(all, n: options.ngramSize))
        for hash in ngrams.sorted() { ngramEntries.append((hash, itemIndex)) }
        let needsShingles = all.count < 2 * options.ngramSize
        for hash in Set(TextNormalization.windowHashes(all, n: options.shingleSize)) {
            if let owner = shingleOwner[hash] {
                if owner != itemIndex { shingleOwner[hash] = -1 }
            } else {
                shingleOwner[hash] = needsShingles ? itemIndex : -2
            }
        }
        let item = BenchmarkItem(
            id: Self.identifier(of: object, line: line), line: line, ngramCount: ngrams.count, uniqueShingleCount: 0)
        items.append(item)
    }

    static func identifier(of object: [String: Any], line: Int) -> String {
        for key in ["id", "task_id", "question_id", "idx", "uid"] {
            if let text = object[key] as? String { return text }
            if let number = object[key] as? NSNumber { return number.stringValue }
        }
        return "line \(line)"
    }
}
