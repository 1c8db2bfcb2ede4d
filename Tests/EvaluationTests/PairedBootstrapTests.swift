import AgentCore
import Testing

@testable import Evaluation

@Suite("PairedBootstrap")
struct PairedBootstrapTests {
    private func report(_ label: String, _ scores: [Double], ids: [String]? = nil) -> EvaluationReport {
        let ids = ids ?? scores.indices.map { "s\($0)" }
        let samples = zip(ids, scores).map { SampleRecord(id: $0, input: "q", target: "a", output: "o", score: $1) }
        return EvaluationReport(
            benchmark: "toy", metric: "accuracy", score: scores.reduce(0, +) / Double(max(1, scores.count)),
            stderr: nil, sampleCount: scores.count, limit: nil, samples: samples, command: [], versions: [:],
            modelPath: "/m/\(label)", label: label, durationSeconds: 1)
    }

    @Test func splitMix64MatchesReferenceOutput() {
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func identicalReportsShowNoDifference() throws {
        let scores = (0..<40).map { Double($0 % 2) }
        let comparison = try PairedBootstrap.compare(report("a", scores), report("b", scores))
        #expect(comparison.meanDifference == 0)
        #expect(comparison.lowerBound == 0 && comparison.upperBound == 0)
        #expect(!comparison.isImprovement)
        #expect(comparison.sharedCount == 40)
    }

    @Test func clearImprovementHasIntervalAboveZero() throws {
        let a = report("a", Array(repeating: 0, count: 50))
        let b = report("b", (0..<50).map { $0 < 30 ? 1 : 0 })
        let comparison = try PairedBootstrap.compare(a, b)
        #expect(abs(comparison.meanDifference - 0.6) < 1e-12)
        #expect(comparison.lowerBound > 0.4 && comparison.lowerBound < 0.6)
        #expect(comparison.upperBound > 0.6 && comparison.upperBound < 0.8)
        #expect(comparison.isImprovement)
        #expect(comparison.summary.hasPrefix("+0.600 ["))
    }

    @Test func noisyDifferenceIsNotAnImprovement() throws {
        let base = (0..<50).map { Double($0 % 2) }
        var candidate = base
        for index in [0, 2, 4] { candidate[index] = 1 }
        for index in [1, 3] { candidate[index] = 0 }
        let comparison = try PairedBootstrap.compare(report("a", base), report("b", candidate))
        #expect(abs(comparison.meanDifference - 0.02) < 1e-12)
        #expect(comparison.lowerBound < 0)
        #expect(!comparison.isImprovement)
    }

    @Test func onlySamplesSharedByIdAreCompared() throws {
        let a = report("a", [0, 0, 0, 1], ids: ["x", "y", "z", "only-a"])
        let b = report("b", [1, 1, 1, 0, 0], ids: ["z", "y", "x", "only-b", "other"])
        let comparison = try PairedBootstrap.compare(a, b)
        #expect(comparison.sharedCount == 3)
        #expect(comparison.meanDifference == 1)
    }

    @Test func tooFewSharedSamplesIsAClearError() {
        let a = report("base", [1, 0], ids: ["p", "q"])
        let b = report("cand", [1, 0], ids: ["q", "r"])
        let expected = PairedBootstrap.ComparisonError.tooFewSharedSamples(
            shared: 1, required: 2, labelA: "base", labelB: "cand")
        #expect(throws: expected) { try PairedBootstrap.compare(a, b) }
        let message = "\(expected)"
        #expect(message.contains("'base'") && message.contains("same samples"))
    }

    @Test func duplicateIdsAndBadResampleCountsAreRejected() {
        let duplicated = report("dup", [1, 0], ids: ["s", "s"])
        #expect(throws: PairedBootstrap.ComparisonError.duplicateSampleID(id: "s", label: "dup")) {
            try PairedBootstrap.compare(duplicated, report("b", [1, 1]))
        }
        #expect(throws: PairedBootstrap.ComparisonError.invalidResampleCount(0)) {
            try PairedBootstrap.compare(report("a", [1, 0]), report("b", [1, 1]), resamples: 0)
        }
    }

    @Test func seedMakesResultsReproducible() throws {
        let a = report("a", (0..<30).map { Double($0 % 3 == 0 ? 1 : 0) })
        let b = report("b", (0..<30).map { Double($0 % 2) })
        let first = try PairedBootstrap.compare(a, b, seed: 7)
        let again = try PairedBootstrap.compare(a, b, seed: 7)
        let other = try PairedBootstrap.compare(a, b, seed: 8)
        #expect(first == again)
        #expect(first.lowerBound != other.lowerBound || first.upperBound != other.upperBound)
    }
}
