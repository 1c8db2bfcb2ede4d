import Foundation

/// The contamination check for benchmark items too short for the n-gram index: a Roman numeral and its value, a
/// word and its translation, a short arithmetic expression. A 13-gram never fits inside such an item, so a
/// training sample that holds it verbatim, rephrased around it, or as the exact evaluation prompt shares no n-gram
/// with it.
///
/// An item is short when its indexed text has fewer than `ngramSize` tokens and at least two of its fields have
/// text (a lone short field, such as a single word, is too ambiguous to judge on its own). A training sample is a
/// hit when **every** field value of the item occurs in it as a token sequence, and that co-occurrence is unlikely
/// by chance: with `df` the number of training samples holding a field value and `N` the samples, `N × Π(df/N)`
/// samples would hold them all by chance; the hit's score is `1 − expected / observed`, and it is reported when the
/// score is at least ``minimumScore``. So a common answer like "14" never flags a sample on its own, and two common
/// values that co-occur as often as chance predicts do not either.
struct ShortItemCheck: Sendable {
    /// Hits whose score is lower are chance co-occurrences and are not reported.
    static let minimumScore = 0.5

    /// One short item: its index among the benchmark items and its field values as token-hash sequences.
    struct Item: Sendable {
        var index: Int32
        var fields: [[UInt64]]
        /// The field values as normalized text, for the report.
        var texts: [String]
    }

    let items: [Item]
    /// First token of a field value → (item, field) pairs that start with it.
    private let starts: [UInt64: [(item: Int32, field: Int32)]]

    init(items: [Item]) {
        self.items = items
        var starts: [UInt64: [(item: Int32, field: Int32)]] = [:]
        for (position, item) in items.enumerated() {
            for (field, tokens) in item.fields.enumerated() {
                starts[tokens[0], default: []].append((Int32(position), Int32(field)))
            }
        }
        self.starts = starts
    }

    var isEmpty: Bool { items.isEmpty }

    /// The short item of a benchmark item's fields (normalized words and their token hashes), or `nil` when it is
    /// long or has a single field.
    static func item(index: Int32, words: [[String]], hashes: [[UInt64]], ngramSize: Int) -> Item? {
        let total = hashes.reduce(0) { $0 + $1.count }
        guard hashes.count >= 2, total < ngramSize else { return nil }
        return Item(index: index, fields: hashes, texts: words.map { $0.joined(separator: " ") })
    }

    /// Scans `trainingFile` and returns the hits against `benchmark` (line numbers 1-based).
    func scan(trainingFile: URL, benchmark: [BenchmarkItem]) throws -> [ContaminationHit] {
        // Pass over the samples: which field values each holds (for document frequencies) and which items are
        // complete in it.
        var samples = 0
        var documentFrequency: [Int: Int] = [:]  // (item << 16 | field) → samples holding that value
        var complete: [(line: Int, item: Int32)] = []
        try DatasetRecords.forEach(in: trainingFile) { record in
            guard case .record(let line, let bytes) = record else { return }
            samples += 1
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: bytes)) else { return }
            let tokens = TextNormalization.tokens(of: JSONStrings.all(in: object).joined(separator: " "))
                .map(TextNormalization.tokenHash)
            var found: [Int32: Set<Int32>] = [:]
            for position in tokens.indices {
                guard let candidates = starts[tokens[position]] else { continue }
                for candidate in candidates {
                    let value = items[Int(candidate.item)].fields[Int(candidate.field)]
                    guard position + value.count <= tokens.count,
                        value.indices.allSatisfy({ tokens[position + $0] == value[$0] })
                    else { continue }
                    found[candidate.item, default: []].insert(candidate.field)
                }
            }
            for (item, fields) in found {
                for field in fields { documentFrequency[Int(item) << 16 | Int(field), default: 0] += 1 }
                if fields.count == items[Int(item)].fields.count { complete.append((line, item)) }
            }
        }
        guard samples > 0 else { return [] }
        var observed: [Int32: Int] = [:]
        for hit in complete { observed[hit.item, default: 0] += 1 }
        let total = Double(samples)
        return complete.compactMap { hit in
            let item = items[Int(hit.item)]
            let expected = item.fields.indices.reduce(total) { product, field in
                product * Double(documentFrequency[Int(hit.item) << 16 | field] ?? 0) / total
            }
            let score = 1 - min(1, expected / Double(observed[hit.item] ?? 1))
            guard score >= Self.minimumScore else { return nil }
            let source = benchmark[Int(item.index)]
            return ContaminationHit(
                trainingLine: hit.line, benchmarkItemID: source.id, benchmarkLine: source.line, kind: .shortItem,
                overlap: item.texts.joined(separator: " … "), score: score)
        }
    }
}
