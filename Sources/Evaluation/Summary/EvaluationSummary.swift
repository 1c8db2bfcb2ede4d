import AgentCore
import Foundation

/// Why a sample was scored wrong, as far as its output shows.
public enum FailureMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// The output is empty or holds no answer that can be extracted.
    case noFinalAnswer = "no final answer"
    /// The expected answer is in the output, but not where or how the scorer reads it.
    case wrongFormat = "wrong format"
    /// The output stops mid-sentence at about the longest length seen: generation hit its limit.
    case truncated
    /// An answer was given and it is wrong.
    case wrongValue = "wrong value"
}

/// A reader's view of an evaluation: a seeded random pick of samples and a triage of the wrong answers.
public struct EvaluationSummary: Sendable, Hashable, Codable {
    /// The benchmark's name.
    public var benchmark: String
    /// The evaluation's label.
    public var label: String
    /// The metric name, e.g. `accuracy`.
    public var metric: String
    /// The headline score.
    public var score: Double
    /// Number of samples scored.
    public var sampleCount: Int
    /// The picked samples, in report order.
    public var picked: [SampleRecord]
    /// Number of wrong samples (score below 1) per failure mode.
    public var triage: [FailureMode: Int]
    /// Up to three ids of wrong samples per failure mode.
    public var examples: [FailureMode: [String]]

    /// Summarises `report`.
    /// - Parameters:
    ///   - report: the evaluation.
    ///   - count: how many samples to pick (all when the report has fewer).
    ///   - seed: the pick's seed: the same seed picks the same samples.
    public init(report: EvaluationReport, count: Int = 15, seed: UInt64 = 0) {
        benchmark = report.benchmark
        label = report.label
        metric = report.metric
        score = report.score
        sampleCount = report.sampleCount
        var generator = SplitMix64(seed: seed)
        let indices = Array(report.samples.indices).shuffled(using: &generator).prefix(count).sorted()
        picked = indices.map { report.samples[$0] }
        let longest = report.samples.map(\.output.count).max() ?? 0
        var triage: [FailureMode: Int] = [:]
        var examples: [FailureMode: [String]] = [:]
        for sample in report.samples where sample.score < 1 {
            let mode = Self.classify(sample, longestOutput: longest)
            triage[mode, default: 0] += 1
            if examples[mode, default: []].count < 3 { examples[mode, default: []].append(sample.id) }
        }
        self.triage = triage
        self.examples = examples
    }

    /// The failure mode of a wrong sample.
    ///
    /// Numeric targets are compared with the last number in the output; other targets by normalized text.
    /// - Parameters:
    ///   - sample: a sample scored below 1.
    ///   - longestOutput: the longest output length in the report, used to recognise outputs cut at the limit.
    public static func classify(_ sample: SampleRecord, longestOutput: Int) -> FailureMode {
        let output = sample.output.trimmingCharacters(in: .whitespacesAndNewlines)
        if output.isEmpty { return .noFinalAnswer }
        let endsCleanly = output.last.map { ".!?)]}`\"'*$".contains($0) || $0.isNumber } ?? false
        if !endsCleanly, longestOutput >= 40, Double(output.count) >= 0.95 * Double(longestOutput) {
            return .truncated
        }
        let target = sample.target.trimmingCharacters(in: .whitespacesAndNewlines)
        if let expected = Self.numbers(in: target).last, target.count <= 24 {
            guard let answer = Self.numbers(in: output).last else { return .noFinalAnswer }
            if answer == expected { return .wrongFormat }
            return Self.numbers(in: output).contains(expected) ? .wrongFormat : .wrongValue
        }
        let normalizedTarget = Self.normalize(target)
        if !normalizedTarget.isEmpty, Self.normalize(output).contains(normalizedTarget) { return .wrongFormat }
        return .wrongValue
    }

    /// The summary as markdown: score, triage counts, then each picked sample.
    /// - Parameters:
    ///   - maxFieldLength: longer inputs, targets and outputs are cut to this many characters.
    ///   - showTargets: whether the benchmark's answers are shown; without them each wrong sample says why it was
    ///     wrong (the failure class), which is what an agent under training may read.
    public func markdown(maxFieldLength: Int = 400, showTargets: Bool = true) -> String {
        var lines = [
            "# \(benchmark) / \(label): \(metric) \(String(format: "%.3f", score)) on \(sampleCount) samples", "",
        ]
        let wrong = triage.values.reduce(0, +)
        lines.append("## Failure triage (\(wrong) wrong)")
        if wrong == 0 { lines.append("- none") }
        for mode in FailureMode.allCases {
            guard let count = triage[mode], count > 0 else { continue }
            let ids = examples[mode, default: []].joined(separator: ", ")
            lines.append("- \(mode.rawValue): \(count) (e.g. \(ids))")
        }
        lines.append("")
        lines.append("## \(picked.count) random samples")
        for sample in picked {
            lines.append("")
            lines.append("### \(sample.id): score \(String(format: "%g", sample.score))")
            lines.append("- input: \(Self.cut(sample.input, maxFieldLength))")
            if showTargets {
                lines.append("- target: \(Self.cut(sample.target, maxFieldLength))")
            } else {
                let longest = picked.map(\.output.count).max() ?? 0
                lines.append(
                    sample.score > 0
                        ? "- verdict: right"
                        : "- verdict: wrong (\(Self.classify(sample, longestOutput: longest).rawValue))")
            }
            lines.append("- output: \(Self.cut(sample.output, maxFieldLength))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func cut(_ text: String, _ limit: Int) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ⏎ ")
        return flat.count <= limit ? flat : flat.prefix(limit) + " […\(flat.count - limit) more characters]"
    }

    private static func normalize(_ text: String) -> String {
        text.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    private static func numbers(in text: String) -> [Double] {
        var results: [Double] = []
        var current = ""
        func flush() {
            let cleaned = current.replacingOccurrences(of: ",", with: "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
            if let value = Double(cleaned), cleaned.contains(where: \.isNumber) { results.append(value) }
            current = ""
        }
        for character in text {
            if character.isASCII,
                character.isNumber || character == "." || character == ","
                    || (character == "-" && current.isEmpty)
            {
                current.append(character)
            } else {
                flush()
            }
        }
        flush()
        return results
    }
}

