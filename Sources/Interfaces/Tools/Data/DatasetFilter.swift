public import AgentCore
public import DataEngine
public import Foundation

/// Drops the rows of a dataset that the data checks flag: rows overlapping the benchmark, exact and near duplicates
/// of earlier rows, rows over the cutoff. The rows are checked one per line (JSONL), so every flagged row is known by
/// its index, and the kept rows keep their order.
public struct DatasetFilter: Sendable {
    /// What a filter kept and dropped.
    public struct Outcome: Sendable {
        public var kept: [JSONValue]
        public var rowsIn: Int
        /// Rows dropped, by reason (a row flagged for several reasons counts under the first in
        /// contamination, duplicate, near_duplicate, too_long, failed_verifier).
        public var dropped: [String: Int]
        public var format: DatasetFormat
    }

    public var checker: any DatasetChecker
    /// When set, rows whose answer fails it are dropped too (`failed_verifier`).
    public var verifier: RowVerifier?

    public init(checker: any DatasetChecker, verifier: RowVerifier? = nil) {
        self.checker = checker
        self.verifier = verifier
    }

    /// Filters the dataset in `file`.
    /// - Parameters:
    ///   - kinds: the reasons to drop for: `contamination`, `duplicate`, `near_duplicate`, `too_long`.
    ///   - cutoffLength: the cutoff for `too_long`.
    public func filter(_ file: URL, dropping kinds: Set<String>, cutoffLength: Int) async throws -> Outcome {
        let rows = try DatasetBuilder.readRows(file)
        let format = DataTool.detectFormat(rows.first)
        let lines = FileManager.default.temporaryDirectory.appendingPathComponent("filter-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: lines) }
        try Data((rows.map(\.compactText).joined(separator: "\n") + "\n").utf8).write(to: lines)
        let check = try await checker.check(file: lines, format: format.rawValue, cutoffLength: cutoffLength)
        var reason: [Int: String] = [:]
        let order: [(String, [Int])] = [
            ("contamination", check.contamination.map { $0.trainingLine - 1 }),
            ("duplicate", (check.flaggedRows[.duplicate] ?? []).map { $0 - 1 }),
            ("near_duplicate", (check.flaggedRows[.nearDuplicate] ?? []).map { $0 - 1 }),
            ("too_long", (check.flaggedRows[.tooLong] ?? []).map { $0 - 1 }),
        ]
        for (kind, indices) in order where kinds.contains(kind) {
            for index in indices where reason[index] == nil { reason[index] = kind }
        }
        if let verifier {
            for (index, row) in rows.enumerated() where reason[index] == nil {
                let answer = RowVerifier.answer(of: row, format: format)
                if (try? verifier.accepts(answer, row: row)) != true { reason[index] = "failed_verifier" }
            }
        }
        var dropped: [String: Int] = [:]
        for kind in reason.values { dropped[kind, default: 0] += 1 }
        let kept = rows.indices.filter { reason[$0] == nil }.map { rows[$0] }
        return Outcome(kept: kept, rowsIn: rows.count, dropped: dropped, format: format)
    }
}

/// How many rows each part of a mix contributes.
public enum DatasetMix {
    /// Row counts per part: with weights, their shares of `total` (required then), capped by the part's size and
    /// its `cap`; without, each part's `cap` or all its rows.
    /// - Throws: ``DatasetBuildError`` when weights are given without a total, or are not positive.
    public static func plan(parts: [(name: String, weight: Double?, cap: Int?)], sizes: [Int], total: Int?) throws
        -> [Int]
    {
        let weights = parts.compactMap(\.weight)
        if !weights.isEmpty {
            guard weights.count == parts.count, weights.allSatisfy({ $0 > 0 }) else {
                throw DatasetBuildError("mix: give every part a positive weight, or none (then caps or all rows)")
            }
            guard let total, total > 0 else {
                throw DatasetBuildError("mix: weights are shares of `limit` rows; give limit (the mix's size)")
            }
            let sum = weights.reduce(0, +)
            return zip(parts, sizes).map { part, size in
                min(size, part.cap ?? Int.max, Int((part.weight! / sum * Double(total)).rounded()))
            }
        }
        return zip(parts, sizes).map { part, size in min(size, part.cap ?? size) }
    }
}
