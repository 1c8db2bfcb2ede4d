import Evaluation
import Foundation
import Testing

@Suite("Evaluation summary")
struct EvaluationSummaryTests {
    private func report(_ samples: [SampleRecord]) -> EvaluationReport {
        EvaluationReport(
            benchmark: "toy", metric: "accuracy", score: samples.map(\.score).reduce(0, +) / Double(samples.count),
            stderr: 0.05, sampleCount: samples.count, limit: nil, samples: samples, command: [], versions: [:],
            modelPath: "/m", label: "run1", durationSeconds: 1)
    }

    private var hundred: EvaluationReport {
        report(
            (0..<100).map {
                SampleRecord(id: "s\($0)", input: "q\($0)", target: "\($0)", output: "#### \($0)", score: 1)
            })
    }

    @Test("the pick is seeded: 15 samples, the same for the same seed, different for another")
    func seededPick() {
        let first = EvaluationSummary(report: hundred, seed: 7)
        let again = EvaluationSummary(report: hundred, seed: 7)
        let other = EvaluationSummary(report: hundred, seed: 8)
        #expect(first.picked.count == 15)
        #expect(Set(first.picked.map(\.id)).count == 15)
        #expect(first.picked == again.picked)
        #expect(first.picked != other.picked)
        #expect(EvaluationSummary(report: report(Array(hundred.samples.prefix(4)))).picked.count == 4)
    }

    @Test(
        "wrong answers are triaged by failure mode",
        arguments: [
            ("", "42", FailureMode.noFinalAnswer),
            ("I cannot tell.", "42", .noFinalAnswer),
            ("The answer is 42, so the total is 42 apples", "42", .wrongFormat),
            ("First 40, then 42 is close; final: 41.", "42", .wrongFormat),
            ("#### 41", "42", .wrongValue),
            ("Paris is the capital.", "paris", .wrongFormat),
            ("Lyon.", "paris", .wrongValue),
        ])
    func triage(output: String, target: String, mode: FailureMode) {
        let sample = SampleRecord(id: "x", input: "q", target: target, output: output, score: 0)
        #expect(EvaluationSummary.classify(sample, longestOutput: 1000) == mode)
    }

    @Test("an output cut at the longest length is truncated")
    func truncated() {
        let long = String(repeating: "step by step we add the numbers and", count: 4)
        let sample = SampleRecord(id: "x", input: "q", target: "42", output: long, score: 0)
        #expect(EvaluationSummary.classify(sample, longestOutput: long.count) == .truncated)
        #expect(EvaluationSummary.classify(sample, longestOutput: long.count * 3) == .noFinalAnswer)
    }

    @Test("markdown shows the score, the triage counts with example ids and each picked sample")
    func markdown() {
        var samples = hundred.samples
        samples[3].output = ""
        samples[3].score = 0
        samples[5].output = "#### 6"
        samples[5].score = 0
        let summary = EvaluationSummary(report: report(samples), count: 3, seed: 1)
        let text = summary.markdown()
        #expect(text.hasPrefix("# toy / run1: accuracy 0.980 on 100 samples"))
        #expect(text.contains("## Failure triage (2 wrong)"))
        #expect(text.contains("- no final answer: 1 (e.g. s3)"))
        #expect(text.contains("- wrong value: 1 (e.g. s5)"))
        #expect(text.contains("## 3 random samples"))
        #expect(text.components(separatedBy: "\n### ").count == 4)
    }
}
