/// Finds exact and near duplicates among samples as they arrive: exact by the hash of the normalized token
/// sequence, near by MinHash signatures of word shingles bucketed with locality-sensitive hashing
/// (16 bands of 4 rows), confirmed by the estimated Jaccard similarity.
struct MinHashDeduplicator {
    static let permutations = 64
    static let bands = 16
    static let rows = permutations / bands

    /// Where a sample duplicates an earlier one.
    enum Verdict: Equatable {
        case unique
        case exact(earlierLine: Int)
        case near(earlierLine: Int, similarity: Double)
    }

    let shingleSize: Int
    let threshold: Double
    private var exactLines: [UInt64: Int] = [:]
    private var buckets: [UInt64: [Int32]] = [:]
    private var signatures: [UInt32] = []
    private var lines: [Int] = []

    init(shingleSize: Int, threshold: Double) {
        self.shingleSize = max(1, shingleSize)
        self.threshold = threshold
    }

    /// Checks a sample (its normalized token hashes) against the earlier ones, then remembers it.
    /// - Parameters:
    ///   - tokenHashes: the whole sample, for exact duplicates.
    ///   - varying: the tokens that near-duplicates are judged on (the sample less a template every sample shares;
    ///     the whole sample when `nil`). Empty: the sample is all template, and only an exact copy counts.
    mutating func check(_ tokenHashes: [UInt64], varying: [UInt64]? = nil, line: Int) -> Verdict {
        guard !tokenHashes.isEmpty else { return .unique }
        let whole = TextNormalization.sequenceHash(tokenHashes)
        if let earlier = exactLines[whole] { return .exact(earlierLine: earlier) }
        exactLines[whole] = line
        let compared = varying ?? tokenHashes
        guard !compared.isEmpty else { return .unique }
        // A short varying part (an item inside a template) is compared word by word: with word n-grams, one added
        // word would make the same item look new.
        let shingle = varying != nil && compared.count < 4 * shingleSize ? 1 : shingleSize
        let signature = Self.signature(of: compared, shingleSize: shingle)
        var best: (line: Int, similarity: Double)?
        var seen = Set<Int32>()
        let bandKeys = (0..<Self.bands).map { band in
            var key = UInt64(band) &* 0x9E37_79B9_7F4A_7C15
            for row in 0..<Self.rows { key = TextNormalization.finish(key ^ UInt64(signature[band * Self.rows + row])) }
            return key
        }
        for key in bandKeys {
            for candidate in buckets[key] ?? [] where seen.insert(candidate).inserted {
                let similarity = self.similarity(signature, Int(candidate))
                if similarity >= threshold, similarity > (best?.similarity ?? 0) {
                    best = (lines[Int(candidate)], similarity)
                }
            }
        }
        let sample = Int32(lines.count)
        lines.append(line)
        signatures.append(contentsOf: signature)
        for key in bandKeys { buckets[key, default: []].append(sample) }
        if let best { return .near(earlierLine: best.line, similarity: best.similarity) }
        return .unique
    }

    private func similarity(_ signature: [UInt32], _ other: Int) -> Double {
        var equal = 0
        let base = other * Self.permutations
        for index in 0..<Self.permutations where signatures[base + index] == signature[index] { equal += 1 }
        return Double(equal) / Double(Self.permutations)
    }

    /// The MinHash signature: for each of 64 seeded hash functions, the minimum over the shingles.
    static func signature(of tokenHashes: [UInt64], shingleSize: Int) -> [UInt32] {
        let shingles =
            tokenHashes.count >= shingleSize
            ? TextNormalization.windowHashes(tokenHashes, n: shingleSize)
            : [TextNormalization.sequenceHash(tokenHashes)]
        return (0..<permutations).map { permutation in
            let seed = UInt64(permutation + 1) &* 0xD6E8_FEB8_6659_FD93
            var minimum = UInt64.max
            for shingle in shingles { minimum = min(minimum, TextNormalization.finish(shingle ^ seed)) }
            return UInt32(truncatingIfNeeded: minimum >> 32)
        }
    }
}
