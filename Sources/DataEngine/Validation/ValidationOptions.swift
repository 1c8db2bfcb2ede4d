/// What ``DatasetValidator`` checks and how strictly.
public struct ValidationOptions: Sendable {
    /// LlamaFactory's `cutoff_len`: samples with more tokens are reported as over-long; `nil` skips the check.
    public var cutoffLength: Int?
    /// Counts tokens for the length check (the documented ``EstimatingTokenCounter`` by default).
    public var tokenCounter: any TokenCounter
    /// Estimated Jaccard similarity of word shingles at or above which two samples are near-duplicates.
    public var nearDuplicateThreshold: Double
    /// Words per shingle for near-duplicate detection.
    public var shingleSize: Int
    /// Words found in more than this share of the records are the shared template, left out of near-duplicate
    /// comparisons (exact duplicates are always judged on the whole record).
    public var templateShare: Double
    /// At most this many findings are kept in a report; all are counted.
    public var maximumFindings: Int

    /// Creates options; every parameter has the documented default.
    public init(
        cutoffLength: Int? = 2048,
        tokenCounter: any TokenCounter = EstimatingTokenCounter(),
        nearDuplicateThreshold: Double = 0.8,
        shingleSize: Int = 3,
        templateShare: Double = 0.5,
        maximumFindings: Int = 1000
    ) {
        self.cutoffLength = cutoffLength
        self.tokenCounter = tokenCounter
        self.nearDuplicateThreshold = nearDuplicateThreshold
        self.shingleSize = shingleSize
        self.templateShare = templateShare
        self.maximumFindings = maximumFindings
    }
}
