import Evaluation
import Synchronization
import Foundation
import Testing

@Suite(
    "LocalBenchmarkEvaluator end to end on a tiny random Qwen2 model (CPU)",
    .serialized)
struct LocalBenchmarkEvaluatorTests {
    static let benchmark = LocalBenchmark(name: "toy", items: [
        BenchmarkItem(id: "n1", prompt: "What is 2+2?", target: "4", scorer: .numeric),
        BenchmarkItem(id: "e1", prompt: "Say hi.", target: "hi", scorer: .exact),
        BenchmarkItem(id: "m1", prompt: "Pick A or B.", target: "B", scorer: .multipleChoice, choices: ["x", "y"]),
        BenchmarkItem(id: "r1", prompt: "Say yes.", target: "(?i)yes", scorer: .regex),
        BenchmarkItem(id: "c1", prompt: "Write add(a, b).", target: "assert add(1, 2) == 3", scorer: .code),
        BenchmarkItem(id: "n2", prompt: "What is 3+3?", target: "6", scorer: .numeric),
    ])

    @Test("generates, scores every item, and records durations, command and versions")
    func endToEnd() async throws {
        try await PythonStack.prepare()
        let model = try await PythonStack.tinyModel.value
        let work = try Fixtures.temporaryDirectory()
        let progress = ProgressLog()
        let evaluator = LocalBenchmarkEvaluator(
            benchmark: Self.benchmark, workDirectory: work, maxNewTokens: 8, batchSize: 4,
            environment: PythonStack.environment, onProgress: { progress.record($0, $1) })
        let report = try await evaluator.evaluate(EvaluationTarget(modelPath: model.path, label: "tiny", limit: 5))
        #expect(report.benchmark == "toy")
        #expect(report.metric == "accuracy")
        #expect(report.sampleCount == 5)
        #expect(report.limit == 5)
        #expect(report.samples.map(\.id) == ["n1", "e1", "m1", "r1", "c1"])
        #expect(report.samples.allSatisfy { [0, 1].contains($0.score) && ($0.durationSeconds ?? -1) >= 0 })
        #expect(report.score == report.samples.map(\.score).reduce(0, +) / 5)
        #expect(report.stderr != nil)
        #expect(report.versions["transformers"] != nil && report.versions["torch"] != nil)
        #expect(report.versions["chat_template"] == "true")
        #expect(report.versions["decoding"] == "greedy")
        #expect(report.command.contains("--max-new-tokens") && report.command.contains("8"))
        #expect(progress.values.last.map { $0 == (5, 5) } == true)
    }

    @Test("a model folder that cannot be loaded is a model-load error naming the folder")
    func unloadableModel() async throws {
        try await PythonStack.prepare()
        let broken = try Fixtures.temporaryDirectory()
        try Data(#"{"model_type": "qwen2", "hidden_size": "#.utf8)
            .write(to: broken.appendingPathComponent("config.json"))
        let evaluator = LocalBenchmarkEvaluator(
            benchmark: Self.benchmark, workDirectory: try Fixtures.temporaryDirectory(), maxNewTokens: 4,
            environment: PythonStack.environment)
        do {
            _ = try await evaluator.evaluate(EvaluationTarget(modelPath: broken.path, label: "broken"))
            Issue.record("an unloadable model produced a report")
        } catch EvaluationError.modelLoadFailed(let path, let detail) {
            #expect(path == broken.path)
            #expect(!detail.isEmpty)
        }
    }

    @Test("a missing model folder is refused before Python starts")
    func missingModel() async throws {
        try await PythonStack.prepare()
        let evaluator = LocalBenchmarkEvaluator(
            benchmark: Self.benchmark, workDirectory: try Fixtures.temporaryDirectory(),
            environment: PythonStack.environment)
        await #expect(throws: EvaluationError.modelNotFound(path: "/nonexistent/model")) {
            try await evaluator.evaluate(EvaluationTarget(modelPath: "/nonexistent/model", label: "x"))
        }
    }
}

/// Collects progress callbacks from the evaluator's background task.
final class ProgressLog: Sendable {
    private let storage = Mutex<[(Int, Int)]>([])
    func record(_ done: Int, _ total: Int) { storage.withLock { $0.append((done, total)) } }
    var values: [(Int, Int)] { storage.withLock { $0 } }
}

@Suite("CodeSandbox")
struct CodeSandboxTests {
    let sandbox = CodeSandbox(timeoutSeconds: 30)

    @Test("passing code and tests pass; a failing assertion fails")
    func passAndFail() async throws {
        try await PythonStack.prepare()
        let code = AnswerMatching.code(in: "```python\ndef add(a, b):\n    return a + b\n```")
        #expect(try await sandbox.run(code + "\nassert add(1, 2) == 3\n").passed)
        #expect(try await !sandbox.run(code + "\nassert add(1, 2) == 4\n").passed)
        #expect(try await !sandbox.run("def broken(:\n").passed)
    }

    @Test("an endless loop is stopped at the timeout")
    func timeout() async throws {
        try await PythonStack.prepare()
        let result = try await CodeSandbox(timeoutSeconds: 1).run("while True:\n    pass\n")
        #expect(!result.passed)
    }

    @Test("the program sees no secrets and runs in its own empty folder")
    func isolation() async throws {
        try await PythonStack.prepare()
        let program = """
            import os
            assert not any("KEY" in name or "TOKEN" in name for name in os.environ), sorted(os.environ)
            assert os.listdir(".") == ["program.py"], os.listdir(".")
            """
        #expect(try await sandbox.run(program).passed)
    }
}
