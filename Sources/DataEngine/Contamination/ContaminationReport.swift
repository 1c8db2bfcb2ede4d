/// How a training sample overlaps a benchmark item.
public enum ContaminationKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A text value of the sample (or the whole sample) equals a benchmark field (or the whole item)
    /// after normalization.
    case exact
    /// The sample shares at least one run of `ngramSize` normalized tokens with the item.
    case ngram
    /// The sample holds at least `nearDuplicateThreshold` of the item's distinctive shingles.
    case nearDuplicate
    /// The sample holds every field value of an item too short for the n-grams (see `ShortItemCheck`).
    case shortItem
}

/// One training sample that overlaps one benchmark item.
public struct ContaminationHit: Sendable, Hashable, Codable {
    /// 1-based line of the training sample.
    public var trainingLine: Int
    /// The benchmark item's `id` (or `task_id`, `question_id`, `idx`), else `line N`.
    public var benchmarkItemID: String
    /// 1-based line of the benchmark item in its file.
    public var benchmarkLine: Int
    /// The strongest kind of overlap found for this pair.
    public var kind: ContaminationKind
    /// The longest overlapping normalized text (cut to 400 characters).
    public var overlap: String
    /// 1 for exact; for n-gram, the fraction of the item's n-grams present in the sample; for near-duplicate,
    /// the fraction of its distinctive shingles present; for a short item, one less the share of such
    /// co-occurrences that chance would explain.
    public var score: Double

    /// Creates a hit.
    public init(
        trainingLine: Int, benchmarkItemID: String, benchmarkLine: Int, kind: ContaminationKind, overlap: String,
        score: Double
    ) {
        self.trainingLine = trainingLine
        self.benchmarkItemID = benchmarkItemID
        self.benchmarkLine = benchmarkLine
        self.kind = kind
        self.overlap = overlap
        self.score = score
    }
}

/// The result of ``ContaminationIndex/scan(trainingFile:)``.
public struct ContaminationReport: Sendable, Hashable, Codable {
    /// Path of the scanned training file.
    public var trainingFile: String
    /// Path of the benchmark the index was built from.
    public var benchmarkFile: String
    /// Records read (non-blank lines or array elements), malformed ones included.
    public var scannedSamples: Int
    /// Bytes of the training file.
    public var scannedBytes: Int
    /// Lines that are not valid JSON, counted in full.
    public var malformedLineCount: Int
    /// Their 1-based line numbers, ascending (at most `maximumReportedHits`).
    public var malformedLines: [Int]
    /// Training samples with at least one hit.
    public var contaminatedSamples: Int
    /// All (sample, item) hits found, counted in full.
    public var hitCount: Int
    /// The hits, ordered by training line (at most `maximumReportedHits`).
    public var hits: [ContaminationHit]
    /// The highest score over all hits, kept or not (0 when clean).
    public var maximumScore: Double
    /// The score at or above which a hit blocks training.
    public var blockingScore: Double
    /// Wall-clock seconds the scan took.
    public var seconds: Double

    /// Creates a report.
    public init(
        trainingFile: String, benchmarkFile: String, scannedSamples: Int, scannedBytes: Int,
        malformedLineCount: Int, malformedLines: [Int], contaminatedSamples: Int, hitCount: Int,
        hits: [ContaminationHit], maximumScore: Double, blockingScore: Double, seconds: Double
    ) {
        self.trainingFile = trainingFile
        self.benchmarkFile = benchmarkFile
        self.scannedSamples = scannedSamples
        self.scannedBytes = scannedBytes
        self.malformedLineCount = malformedLineCount
        self.malformedLines = malformedLines
        self.contaminatedSamples = contaminatedSamples
        self.hitCount = hitCount
        self.hits = hits
        self.maximumScore = maximumScore
        self.blockingScore = blockingScore
        self.seconds = seconds
    }

    /// No hit at all (malformed lines do not make a set contaminated; validation reports them).
    public var isClean: Bool { hitCount == 0 }

    /// Whether any hit reaches ``blockingScore``: the workflow refuses to train on this set.
    public var blocksTraining: Bool { blocksTraining(atScore: blockingScore) }

    /// Whether any hit reaches `score`.
    /// - Parameter score: the blocking threshold to apply instead of the stored one.
    public func blocksTraining(atScore score: Double) -> Bool { hitCount > 0 && maximumScore >= score }
}
