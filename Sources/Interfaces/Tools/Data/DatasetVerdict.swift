import DataEngine
import Foundation

/// Where a checked dataset goes next.
public enum DatasetVerdictKind: String, Sendable, Hashable, Codable {
    /// Ready to train on; registered in the iteration's `dataset_info.json`.
    case approve
    /// The sources are fine but the rows need rework (fix fields, deduplicate, shorten).
    case backToConstruction = "back_to_construction"
    /// The sources themselves are unusable (contaminated, too few usable rows): pick others.
    case backToSelection = "back_to_selection"
}

/// A dataset verdict with the reasons that led to it.
public struct DatasetVerdict: Sendable, Hashable, Codable {
    /// Where the dataset goes next.
    public var kind: DatasetVerdictKind
    /// Why, with counts and row numbers.
    public var reasons: [String]
    /// Minor findings that did not block approval.
    public var notes: [String]

    /// Creates a verdict.
    public init(kind: DatasetVerdictKind, reasons: [String], notes: [String] = []) {
        self.kind = kind
        self.reasons = reasons
        self.notes = notes
    }

    /// Judges `check`.
    ///
    /// Contamination or fewer than `minimumSamples` usable rows send the data back to selection; any schema,
    /// empty or broken row, more than `maxDuplicateShare` duplicates or more than `maxTooLongShare` over-long rows
    /// send it back to construction. Anything else is approved, with the minor findings as notes.
    public static func judge(
        _ check: DatasetCheck, minimumSamples: Int = 16, maxDuplicateShare: Double = 0.1, maxTooLongShare: Double = 0.05
    ) -> DatasetVerdict {
        func rows(_ kinds: DatasetFindingKind...) -> String {
            let sample = check.findings.filter { kinds.contains($0.kind) }.flatMap(\.rows).prefix(6).map(String.init)
            return sample.isEmpty ? "" : " (rows \(sample.joined(separator: ", ")))"
        }
        let total = max(check.sampleCount, 1)
        let invalid = check.count(.schema) + check.count(.empty) + check.count(.broken)
        let duplicates = check.count(.duplicate) + check.count(.nearDuplicate)
        let tooLong = check.count(.tooLong)
        let usable = check.sampleCount - invalid - duplicates

        var selection: [String] = []
        if !check.contamination.isEmpty {
            let examples = check.contamination.prefix(5).map { "row \($0.trainingLine) ~ \($0.benchmarkItemID)" }
            selection.append(
                "\(check.contamination.count) rows overlap benchmark items (\(examples.joined(separator: ", "))): "
                    + "drop those sources or rows")
        }
        if usable < minimumSamples {
            selection.append("only \(max(usable, 0)) usable rows (need at least \(minimumSamples)): add sources")
        }
        if !selection.isEmpty { return DatasetVerdict(kind: .backToSelection, reasons: selection) }

        var construction: [String] = []
        var notes: [String] = []
        for kind in [DatasetFindingKind.schema, .empty, .broken] where check.count(kind) > 0 {
            construction.append("\(check.count(kind)) \(kind.rawValue) rows\(rows(kind)): fix the field mapping")
        }
        let duplicateShare = Double(duplicates) / Double(total)
        if duplicates > 0 {
            let text = "\(duplicates) duplicate or near-duplicate rows (\(percent(duplicateShare)))"
            if duplicateShare > maxDuplicateShare {
                construction.append(
                    text + "\(rows(.duplicate, .nearDuplicate)): drop the repeats; near duplicates are judged on the words "
                        + "that vary between rows (a shared instruction or template does not count), so these rows "
                        + "repeat the same item")
            } else {
                notes.append(text)
            }
        }
        let longShare = Double(tooLong) / Double(total)
        if tooLong > 0 {
            let text = "\(tooLong) rows longer than the cutoff (\(percent(longShare)))"
            if longShare > maxTooLongShare {
                construction.append(text + "\(rows(.tooLong)): shorten them or raise cutoff_len")
            } else {
                notes.append(text + " will be truncated")
            }
        }
        if !construction.isEmpty { return DatasetVerdict(kind: .backToConstruction, reasons: construction) }
        return DatasetVerdict(kind: .approve, reasons: ["\(check.sampleCount) rows, \(usable) usable"], notes: notes)
    }

    private static func percent(_ share: Double) -> String { String(format: "%.1f%%", share * 100) }
}
