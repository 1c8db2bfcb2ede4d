/// How a ``ContaminationIndex`` is built and how it scans.
public struct ContaminationOptions: Sendable, Hashable, Codable {
    /// Length in normalized tokens of the overlapping word sequences that count as contamination (13 by default,
    /// as in the GPT-3 and PostTrainBench decontamination checks).
    public var ngramSize: Int
    /// Length of the shorter word shingles used to find near-duplicates of the items a long n-gram cannot
    /// protect: those shorter than twice `ngramSize` tokens, where one changed word breaks every n-gram.
    public var shingleSize: Int
    /// Fraction of a benchmark item's distinctive shingles that must appear in one training sample for a
    /// near-duplicate hit.
    public var nearDuplicateThreshold: Double
    /// A benchmark field (or the whole item) shorter than this many tokens is not matched exactly on its own
    /// (short answers such as "4" would match everywhere).
    public var minimumExactTokens: Int
    /// Hits with a score at or above this block training (see ``ContaminationReport/blocksTraining``);
    /// 0 blocks on any hit.
    public var blockingScore: Double
    /// At most this many hits (and malformed line numbers) are kept in a report; all are counted.
    public var maximumReportedHits: Int
    /// Concurrent workers for a scan; `nil` uses every active processor.
    public var workers: Int?

    /// Creates options; every parameter has the documented default.
    public init(
        ngramSize: Int = 13,
        shingleSize: Int = 4,
        nearDuplicateThreshold: Double = 0.5,
        minimumExactTokens: Int = 5,
        blockingScore: Double = 0,
        maximumReportedHits: Int = 1000,
        workers: Int? = nil
    ) {
        self.ngramSize = ngramSize
        self.shingleSize = shingleSize
        self.nearDuplicateThreshold = nearDuplicateThreshold
        self.minimumExactTokens = minimumExactTokens
        self.blockingScore = blockingScore
        self.maximumReportedHits = maximumReportedHits
        self.workers = workers
    }

    /// Checks the ranges.
    /// - Throws: ``DataEngineError/invalidOption(name:reason:)``.
    func validate() throws {
        guard (1...64).contains(ngramSize) else {
            throw DataEngineError.invalidOption(name: "ngramSize", reason: "must be 1...64, got \(ngramSize)")
        }
        guard (1...64).contains(shingleSize) else {
            throw DataEngineError.invalidOption(name: "shingleSize", reason: "must be 1...64, got \(shingleSize)")
        }
        guard nearDuplicateThreshold > 0, nearDuplicateThreshold <= 1 else {
            throw DataEngineError.invalidOption(
                name: "nearDuplicateThreshold", reason: "must be in (0, 1], got \(nearDuplicateThreshold)")
        }
        guard maximumReportedHits >= 0 else {
            throw DataEngineError.invalidOption(name: "maximumReportedHits", reason: "must not be negative")
        }
        if let workers, workers < 1 {
            throw DataEngineError.invalidOption(name: "workers", reason: "must be at least 1, got \(workers)")
        }
    }
}
