/// Recovers, for one training sample and one benchmark item, the normalized text they share.
/// Runs only for reported hits, so it favours clarity over speed.
struct OverlapFinder {
    /// Longest overlap text kept in a hit.
    static let maximumCharacters = 400

    let index: ContaminationIndex

    /// The longest shared text for a hit of `kind` between the sample in `bytes` and `item`.
    func overlap(in bytes: UnsafeBufferPointer<UInt8>, item: Int32, kind: ContaminationKind) -> String {
        var collector = TokenCollector()
        guard JSONByteScanner.scanDocument(bytes, into: &collector) else { return "" }
        collector.flush()
        let tokens = collector.tokens
        let hashes = tokens.map(TextNormalization.tokenHash)
        let shared: ArraySlice<String>
        switch kind {
        case .exact:
            let candidates = collector.valueRanges + [0..<tokens.count]
            let range = candidates.first { range in
                index.exact.value(for: TextNormalization.sequenceHash(Array(hashes[range]))) == item
            }
            shared = tokens[range ?? 0..<tokens.count]
        case .ngram:
            shared = longestRun(tokens, hashes, size: index.options.ngramSize, table: index.ngrams, item: item)
        case .nearDuplicate:
            shared = longestRun(tokens, hashes, size: index.options.shingleSize, table: index.shingles, item: item)
        case .shortItem:
            // The short-item check writes its own overlap (the item's field values).
            shared = []
        }
        let text = shared.joined(separator: " ")
        return text.count > Self.maximumCharacters ? String(text.prefix(Self.maximumCharacters)) + "…" : text
    }

    /// The tokens covered by the longest run of consecutive windows that the table maps to `item`.
    private func longestRun(
        _ tokens: [String], _ hashes: [UInt64], size: Int, table: HashTable64, item: Int32
    ) -> ArraySlice<String> {
        let windows = TextNormalization.windowHashes(hashes, n: size)
        var best = 0..<0
        var runStart: Int?
        for position in 0...windows.count {
            let matches = position < windows.count && table.value(for: windows[position]) == item
            if matches, runStart == nil { runStart = position }
            if !matches, let start = runStart {
                let covered = start..<(position - 1 + size)
                if covered.count > best.count { best = covered }
                runStart = nil
            }
        }
        return tokens[best]
    }
}

/// Collects the normalized tokens of a sample's string values, and where each value's tokens are.
struct TokenCollector: JSONTextSink {
    var tokens: [String] = []
    var valueRanges: [Range<Int>] = []
    private var current: [UInt8] = []
    private var valueStart = 0

    mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) {
        for byte in bytes {
            let normalized = TextNormalization.tokenByte[Int(byte)]
            if normalized != 0 { current.append(normalized) } else { flush() }
        }
    }

    mutating func endOfString() {
        flush()
        if tokens.count > valueStart { valueRanges.append(valueStart..<tokens.count) }
        valueStart = tokens.count
    }

    /// Ends the token being read, if any.
    mutating func flush() {
        guard !current.isEmpty else { return }
        tokens.append(String(decoding: current, as: UTF8.self))
        current.removeAll(keepingCapacity: true)
    }
}
