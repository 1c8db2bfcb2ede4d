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
    /// At most this many findings are kept in a report; all are counted.
    public var maximumFindings: Int

    /// Creates options; every parameter has the documented default.
    public init(
        cutoffLength: Int? = 2048,
        tokenCounter: any TokenCounter = EstimatingTokenCounter(),
        nearDuplicateThreshold: Double = 0.8,
        shingleSize: Int = 3,
        maximumFindings: Int = 1000
    ) {
        self.cutoffLength = cutoffLength
        self.tokenCounter = tokenCounter
        self.nearDuplicateThreshold = nearDuplicateThreshold
        self.shingleSize = shingleSize
        self.maximumFindings = maximumFindings
    }
}
