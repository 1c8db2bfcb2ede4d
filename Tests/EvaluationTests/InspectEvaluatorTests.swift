import Evaluation
import Foundation
import Testing

@Suite(
    "InspectEvaluator running the real inspect CLI on a tiny local model",
    .serialized)
struct InspectEvaluatorTests {
    func evaluator(task: String, logs: URL) -> InspectEvaluator {
        InspectEvaluator(
            task: task, model: .huggingFace, logDirectory: logs, modelArguments: ["device": "cpu"], maxTokens: 8,
            environment: PythonStack.environment, extraEnvironment: PythonStack.shimEnvironment)
    }

    @Test("a successful run is read back from its JSON log into a full report")
    func success() async throws {
        try await PythonStack.prepare()
        let model = try await PythonStack.tinyModel.value
        let logs = try Fixtures.temporaryDirectory()
        let task = Fixtures.url("inspect/arith_task.py").path + "@arith"
        let report = try await evaluator(task: task, logs: logs)
            .evaluate(EvaluationTarget(modelPath: model.path, label: "tiny", limit: 2))
        #expect(report.benchmark == "arith")
        #expect(report.metric == "accuracy")
        #expect((0...1).contains(report.score))
        #expect(report.sampleCount == 2)
        #expect(report.limit == 2)
        #expect(report.samples.count == 2)
        #expect(report.samples.allSatisfy { !$0.input.isEmpty && !$0.target.isEmpty })
        #expect(report.versions["inspect_ai"] != nil)
        #expect(report.command.contains("--log-format") && report.command.contains("json"))
        #expect(report.command.contains("hf/\(model.path)"))

        // The log it wrote is a real inspect JSON log that the reader accepts on its own.
        let written = try FileManager.default.subpathsOfDirectory(atPath: logs.path).filter { $0.hasSuffix(".json") }
        #expect(written.count == 1)
        let log = try InspectLogReader.read(logs.appendingPathComponent(try #require(written.first)))
        #expect(log.status == .success)
        #expect(log.eval.limit == 2)
    }

    @Test("a task that errors is a failure although inspect exits 0")
    func erroredTask() async throws {
        try await PythonStack.prepare()
        let model = try await PythonStack.tinyModel.value
        let task = Fixtures.url("inspect/arith_task.py").path + "@broken"
        do {
            _ = try await evaluator(task: task, logs: try Fixtures.temporaryDirectory())
                .evaluate(EvaluationTarget(modelPath: model.path, label: "tiny", limit: 1))
            Issue.record("an errored eval produced a report")
        } catch EvaluationError.evaluationNotSuccessful(let path, let status, let message) {
            #expect(status == "error")
            #expect(message?.contains("solver failed on purpose") == true)
            #expect(path.hasSuffix(".json"))
        }
    }

    @Test("a missing task file is an evaluator failure naming the command")
    func missingTask() async throws {
        try await PythonStack.prepare()
        let model = try await PythonStack.tinyModel.value
        do {
            _ = try await evaluator(task: "/nonexistent/task.py", logs: try Fixtures.temporaryDirectory())
                .evaluate(EvaluationTarget(modelPath: model.path, label: "tiny", limit: 1))
            Issue.record("a missing task produced a report")
        } catch EvaluationError.evaluatorFailed(let command, let exitCode, _, _) {
            #expect(exitCode != 0)
            #expect(command.contains("/nonexistent/task.py"))
        }
    }

    @Test("a model folder that transformers cannot load is a model-load error naming the cause")
    func unloadableModel() async throws {
        try await PythonStack.prepare()
        let broken = try Fixtures.temporaryDirectory()
        try Data(#"{"model_type": "qwen2", "#.utf8).write(to: broken.appendingPathComponent("config.json"))
        let task = Fixtures.url("inspect/arith_task.py").path + "@arith"
        do {
            _ = try await evaluator(task: task, logs: try Fixtures.temporaryDirectory())
                .evaluate(EvaluationTarget(modelPath: broken.path, label: "broken", limit: 1))
            Issue.record("an unloadable model produced a report")
        } catch EvaluationError.modelLoadFailed(let path, let detail) {
            #expect(path == broken.path)
            #expect(detail.contains("config.json"))
        }
    }

    @Test("a missing model folder is refused before inspect starts")
    func missingModel() async throws {
        try await PythonStack.prepare()
        await #expect(throws: EvaluationError.modelNotFound(path: "/nonexistent/model")) {
            try await evaluator(task: "x.py", logs: try Fixtures.temporaryDirectory())
                .evaluate(EvaluationTarget(modelPath: "/nonexistent/model", label: "m"))
        }
    }
}

@Suite("InspectEvaluator command line")
struct InspectCommandLineTests {
    @Test("always JSON logs into the given folder; model strings per provider")
    func arguments() {
        let target = EvaluationTarget(modelPath: "/m/final", label: "x", limit: 5)
        let logs = URL(fileURLWithPath: "/logs/run")
        let local = InspectEvaluator(
            task: "inspect_evals/gsm8k",
            model: .openAICompatible(service: "local", servedName: "final", baseURL: "http://127.0.0.1:8000/v1"),
            logDirectory: logs, modelArguments: ["b": "2", "a": "1"], maxTokens: 64)
        #expect(local.arguments(for: target, logFolder: logs) == [
            "eval", "inspect_evals/gsm8k", "--model", "openai-api/local/final", "--log-format", "json",
            "--log-dir", "/logs/run", "--display", "none", "--model-base-url", "http://127.0.0.1:8000/v1",
            "--limit", "5", "--max-tokens", "64", "--temperature", "0.0", "-M", "a=1", "-M", "b=2",
        ])
        #expect(InspectModel.vllm.modelString(for: "/m/final") == "vllm//m/final")
        #expect(InspectModel.huggingFace.modelString(for: "/m/final") == "hf//m/final")
        #expect(!InspectModel.custom("mockllm/model").loadsModelFolder)
    }
}
