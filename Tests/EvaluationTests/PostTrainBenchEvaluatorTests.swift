import Evaluation
import Foundation
import Testing

@Suite("PostTrainBenchEvaluator against a stand-in evaluate.py that follows the real contract")
struct PostTrainBenchEvaluatorTests {
    /// A copy of the stand-in task folder, a neutrally named Llama-config model folder, and an output folder.
    struct Setup {
        var task: URL
        var model: URL
        var output: URL
        var record: URL

        init() throws {
            let root = try Fixtures.temporaryDirectory("ptb")
            task = root.appendingPathComponent("toytask", isDirectory: true)
            try FileManager.default.copyItem(at: Fixtures.url("posttrainbench/standin"), to: task)
            model = root.appendingPathComponent("candidate", isDirectory: true)
            try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
            try Data(#"{"architectures": ["LlamaForCausalLM"]}"#.utf8)
                .write(to: model.appendingPathComponent("config.json"))
            output = root.appendingPathComponent("out", isDirectory: true)
            record = root.appendingPathComponent("invocations.jsonl")
        }

        func evaluator(
            cascade: MaxTokenCascade = .once, fingerprint: FileFingerprint? = nil, environment: [String: String] = [:],
            cleanup: GPUProcessCleanup = GPUProcessCleanup(commandPatterns: [], killGPUComputeProcesses: false)
        ) throws -> PostTrainBenchEvaluator {
            var variables = environment
            variables["STANDIN_RECORD"] = record.path
            return PostTrainBenchEvaluator(
                taskDirectory: task, outputDirectory: output, expectedFingerprint: fingerprint, cascade: cascade,
                environment: try PythonStack.plainPythonEnvironment(), extraEnvironment: variables, cleanup: cleanup)
        }

        var invocations: [[String]] {
            guard let text = try? String(contentsOf: record, encoding: .utf8) else { return [] }
            return text.split(separator: "\n").compactMap { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["argv"] as? [String]
            }
        }
    }

    @Test("reads the metrics from the JSON file, runs in the task folder, passes --limit")
    func success() async throws {
        let setup = try Setup()
        let evaluator = try setup.evaluator()
        let target = EvaluationTarget(modelPath: setup.model.path, label: "cand", limit: 20)
        let report = try await evaluator.evaluate(target)
        #expect(report.benchmark == "toytask")
        #expect(report.metric == "accuracy")
        #expect(report.score == 0.25)
        #expect(report.stderr.map { abs($0 - (0.25 * 0.75 / 19).squareRoot()) < 1e-12 } == true)
        #expect(report.limit == 20)
        #expect(report.command.contains("--json-output-file"))
        #expect(report.versions["evaluate.py sha256"]?.count == 64)
        let argv = try #require(setup.invocations.first)
        #expect(argv.contains("--limit") && argv.contains("20"))
        #expect(argv[argv.firstIndex(of: "--model-path")! + 1] == setup.model.path)
    }

    @Test("retries along the max-token cascade until a metrics file appears")
    func cascade() async throws {
        let setup = try Setup()
        let cascade = MaxTokenCascade(phases: [
            .init(attempts: 2, arguments: []),
            .init(attempts: 1, arguments: ["--max-tokens", "3000"]),
            .init(attempts: 1, arguments: ["--max-tokens", "2000"]),
        ])
        let evaluator = try setup.evaluator(cascade: cascade, environment: ["STANDIN_MAX_TOKENS_THAT_FIT": "2500"])
        let report = try await evaluator.evaluate(EvaluationTarget(modelPath: setup.model.path, label: "c"))
        #expect(report.score == 37.0 / 150)
        let maxTokens = setup.invocations.map { argv in argv.firstIndex(of: "--max-tokens").map { argv[$0 + 1] } }
        #expect(maxTokens == [nil, nil, "3000", "2000"])
        #expect(report.command.suffix(2) == ["--max-tokens", "2000"])
    }

    @Test("the benchmark's own schedule for gsm8k: 4 as is, 3 at 3000 tokens, 2 at 2000")
    func benchmarkSchedule() {
        let schedule = MaxTokenCascade.postTrainBench(task: "gsm8k")
        #expect(schedule.phases.map(\.attempts) == [4, 3, 2])
        #expect(schedule.phases.map(\.arguments) == [[], ["--max-tokens", "3000"], ["--max-tokens", "2000"]])
        let healthbench = MaxTokenCascade.postTrainBench(task: "healthbench")
        #expect(healthbench.phases[1].arguments == ["--max-new-tokens", "12288"])
    }

    @Test("refuses to run when evaluate.py or templates/ changed since the recorded fingerprint")
    func refusesChangedFiles() async throws {
        let setup = try Setup()
        let recorded = try setup.evaluator().fingerprint()
        #expect(recorded.digests.keys.sorted() == ["evaluate.py", "templates/llama3.jinja", "templates/smollm.jinja"])
        try Data("{{ tampered }}".utf8).write(to: setup.task.appendingPathComponent("templates/llama3.jinja"))
        let evaluator = try setup.evaluator(fingerprint: recorded)
        await #expect(throws: EvaluationError.evaluationFilesChanged(changes: [
            .init(path: "templates/llama3.jinja", kind: .modified),
        ])) {
            try await evaluator.evaluate(EvaluationTarget(modelPath: setup.model.path, label: "c"))
        }
        #expect(setup.invocations.isEmpty)
    }

    @Test("an unchanged fingerprint lets the evaluation run")
    func unchangedFingerprint() async throws {
        let setup = try Setup()
        let evaluator = try setup.evaluator(fingerprint: try setup.evaluator().fingerprint())
        let report = try await evaluator.evaluate(EvaluationTarget(modelPath: setup.model.path, label: "c"))
        #expect(report.score == 37.0 / 150)
    }

    @Test("a missing model folder is refused before anything runs")
    func missingModel() async throws {
        let setup = try Setup()
        let missing = setup.model.deletingLastPathComponent().appendingPathComponent("nope").path
        await #expect(throws: EvaluationError.modelNotFound(path: missing)) {
            try await setup.evaluator().evaluate(EvaluationTarget(modelPath: missing, label: "c"))
        }
        #expect(setup.invocations.isEmpty)
    }

    @Test("a crash, a model that cannot load, and a bad metrics file each fail with the cause")
    func failures() async throws {
        let setup = try Setup()
        let target = EvaluationTarget(modelPath: setup.model.path, label: "c")
        do {
            _ = try await setup.evaluator(environment: ["STANDIN_CRASH": "1"]).evaluate(target)
            Issue.record("a crash produced a report")
        } catch EvaluationError.evaluatorFailed(_, let exitCode, _, let tail) {
            #expect(exitCode == 1)
            #expect(tail.contains { $0.contains("crashed on purpose") })
        }

        let broken = setup.model.deletingLastPathComponent().appendingPathComponent("weights-only")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        do {
            _ = try await setup.evaluator().evaluate(EvaluationTarget(modelPath: broken.path, label: "c"))
            Issue.record("an unloadable model produced a report")
        } catch EvaluationError.evaluatorFailed(_, _, _, let tail) {
            #expect(tail.contains { $0.contains("config.json") })
        }

        await #expect(throws: EvaluationError.self) {
            try await setup.evaluator(environment: ["STANDIN_BAD_JSON": "1"]).evaluate(target)
        }
    }

    @Test("a stray process left by the evaluator is killed by the cleanup that follows it")
    func orphanCleanup() async throws {
        let setup = try Setup()
        let marker = "autotrainess-test-orphan-\(UUID().uuidString)"
        let evaluator = try setup.evaluator(
            environment: ["STANDIN_SPAWN_ORPHAN": marker],
            cleanup: GPUProcessCleanup(commandPatterns: [marker], killGPUComputeProcesses: false))
        _ = try await evaluator.evaluate(EvaluationTarget(modelPath: setup.model.path, label: "c"))
        var remaining = GPUProcessCleanup.processes(matching: [marker])
        for _ in 0..<50 where !remaining.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            remaining = GPUProcessCleanup.processes(matching: [marker])
        }
        #expect(remaining.isEmpty)
    }

    @Test("metrics files: flat objects of numbers only")
    func metricsFiles() throws {
        let folder = try Fixtures.temporaryDirectory()
        func read(_ text: String) throws -> [String: Double] {
            let url = folder.appendingPathComponent("m.json")
            try Data(text.utf8).write(to: url)
            return try PostTrainBenchEvaluator.readMetrics(url)
        }
        #expect(try read(#"{"accuracy": 0.5, "stderr": 0.1, "note": "x"}"#) == ["accuracy": 0.5, "stderr": 0.1])
        #expect(throws: EvaluationError.self) { try read("") }
        #expect(throws: EvaluationError.self) { try read("[0.5]") }
        #expect(throws: EvaluationError.self) { try read(#"{"note": "x"}"#) }
    }
}
