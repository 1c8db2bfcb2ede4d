import AgentCore
import Foundation

/// Compares two evaluation reports sample by sample with a paired bootstrap.
///
/// Only samples present in both reports (matched by ``SampleRecord/id``) are compared. The statistic is the mean
/// difference `b − a` over those samples; its 95% interval comes from resampling the shared samples with
/// replacement, using a seeded generator so the same inputs always give the same interval.
///
/// ```swift
/// let comparison = try PairedBootstrap.compare(baselineReport, candidateReport)
/// if comparison.isImprovement { /* the candidate beats the baseline by more than noise */ }
/// ```
public enum PairedBootstrap {
    /// The fewest shared samples a comparison accepts.
    public static let minimumSharedSamples = 2

    /// The result of comparing report `b` against report `a`.
    public struct Comparison: Sendable, Hashable, Codable {
        /// Mean of `b − a` over the shared samples.
        public var meanDifference: Double
        /// The 2.5th percentile of the resampled mean differences.
        public var lowerBound: Double
        /// The 97.5th percentile of the resampled mean differences.
        public var upperBound: Double
        /// How many samples both reports scored.
        public var sharedCount: Int
        /// How many resamples were drawn.
        public var resamples: Int
        /// The generator seed used.
        public var seed: UInt64
        /// The one-sided bootstrap p-value of "no improvement": the share of resampled mean differences at or below
        /// zero, `(count + 1) / (resamples + 1)`; `nil` in comparisons recorded before 0.2.0.
        public var pValue: Double?

        /// Creates a comparison result.
        public init(
            meanDifference: Double, lowerBound: Double, upperBound: Double, sharedCount: Int, resamples: Int,
            seed: UInt64, pValue: Double? = nil
        ) {
            self.pValue = pValue
            self.meanDifference = meanDifference
            self.lowerBound = lowerBound
            self.upperBound = upperBound
            self.sharedCount = sharedCount
            self.resamples = resamples
            self.seed = seed
        }

        /// Whether `b` beats `a` by more than noise: the whole 95% interval lies above zero.
        public var isImprovement: Bool { lowerBound > 0 }

        /// A one-line human summary, e.g. `+0.120 [0.040, 0.200] over 50 shared samples`.
        public var summary: String {
            func format(_ value: Double) -> String { String(format: "%.3f", value) }
            let sign = meanDifference >= 0 ? "+" : ""
            return "\(sign)\(format(meanDifference)) [\(format(lowerBound)), \(format(upperBound))] "
                + "over \(sharedCount) shared samples"
        }
    }

    /// Why a comparison could not be made.
    public enum ComparisonError: Error, Hashable, CustomStringConvertible {
        /// The reports share fewer samples than ``PairedBootstrap/minimumSharedSamples``.
        case tooFewSharedSamples(shared: Int, required: Int, labelA: String, labelB: String)
        /// A report lists the same sample id twice.
        case duplicateSampleID(id: String, label: String)
        /// `resamples` was not positive.
        case invalidResampleCount(Int)

        public var description: String {
            switch self {
            case .tooFewSharedSamples(let shared, let required, let labelA, let labelB):
                "Reports '\(labelA)' and '\(labelB)' share \(shared) sample id(s); a paired comparison needs at "
                    + "least \(required). Evaluate both models on the same samples (same benchmark and limit)."
            case .duplicateSampleID(let id, let label):
                "Report '\(label)' lists sample id '\(id)' more than once; sample ids must be unique per report."
            case .invalidResampleCount(let count):
                "The resample count must be positive, got \(count)."
            }
        }
    }

    /// Compares report `b` against report `a` over the samples both scored.
    /// - Parameters:
    ///   - a: the reference report (e.g. the current best).
    ///   - b: the report under test (e.g. a new candidate).
    ///   - resamples: bootstrap resamples to draw.
    ///   - seed: seed of the deterministic generator.
    /// - Returns: the mean difference `b − a`, its 95% percentile interval and the shared sample count.
    /// - Throws: ``ComparisonError`` when the reports share too few samples, repeat an id, or `resamples` is not
    ///   positive.
    public static func compare(
        _ a: EvaluationReport, _ b: EvaluationReport, resamples: Int = 2000, seed: UInt64 = 0
    ) throws -> Comparison {
        guard resamples > 0 else { throw ComparisonError.invalidResampleCount(resamples) }
        let scoresA = try scoresByID(a)
        let scoresB = try scoresByID(b)
        let sharedIDs = scoresA.keys.filter { scoresB[$0] != nil }.sorted()
        guard sharedIDs.count >= minimumSharedSamples else {
            throw ComparisonError.tooFewSharedSamples(
                shared: sharedIDs.count, required: minimumSharedSamples, labelA: a.label, labelB: b.label)
        }
        let differences = sharedIDs.map { scoresB[$0]! - scoresA[$0]! }
        let count = differences.count
        let mean = differences.reduce(0, +) / Double(count)

        var generator = SplitMix64(seed: seed)
        var means = [Double]()
        means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var total = 0.0
            for _ in 0..<count { total += differences[Int(generator.next() % UInt64(count))] }
            means.append(total / Double(count))
        }
        means.sort()
        let atOrBelowZero = means.firstIndex { $0 > 0 } ?? means.count
        return Comparison(
            meanDifference: mean, lowerBound: percentile(means, 0.025), upperBound: percentile(means, 0.975),
            sharedCount: count, resamples: resamples, seed: seed,
            pValue: Double(atOrBelowZero + 1) / Double(resamples + 1))
    }

    private static func scoresByID(_ report: EvaluationReport) throws -> [String: Double] {
        var scores = [String: Double]()
        for sample in report.samples {
            guard scores.updateValue(sample.score, forKey: sample.id) == nil else {
                throw ComparisonError.duplicateSampleID(id: sample.id, label: report.label)
            }
        }
        return scores
    }

    /// Linear interpolation between the closest ranks of `sorted`.
    private static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        let position = fraction * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let weight = position - Double(lower)
        return sorted[lower] * (1 - weight) + sorted[upper] * weight
    }
}
