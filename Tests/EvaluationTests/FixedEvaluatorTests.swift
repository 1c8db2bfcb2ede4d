import AgentTesting
import Evaluation
import Testing

@Suite("FixedEvaluator")
struct FixedEvaluatorTests {
    @Test("serves scripted reports in order, by label first, and records targets")
    func scripted() async throws {
        let evaluator = FixedEvaluator(
            replies: [.report(FixedEvaluator.report(score: 0.2)), .failure(.modelNotFound(path: "/m"))],
            byLabel: ["baseline": .report(FixedEvaluator.report(score: 0.1))])
        let baseline = try await evaluator.evaluate(EvaluationTarget(modelPath: "/base", label: "baseline"))
        #expect(baseline.score == 0.1 && baseline.modelPath == "/base")
        let first = try await evaluator.evaluate(EvaluationTarget(modelPath: "/c1", label: "c1", limit: 5))
        #expect(first.score == 0.2 && first.label == "c1" && first.limit == 5)
        await #expect(throws: EvaluationError.modelNotFound(path: "/m")) {
            try await evaluator.evaluate(EvaluationTarget(modelPath: "/c2", label: "c2"))
        }
        await #expect(throws: EvaluationError.self) {
            try await evaluator.evaluate(EvaluationTarget(modelPath: "/c3", label: "c3"))
        }
        #expect(await evaluator.targets.map(\.label) == ["baseline", "c1", "c2", "c3"])
    }
}
