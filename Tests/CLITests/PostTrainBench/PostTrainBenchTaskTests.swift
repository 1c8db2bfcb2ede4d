import AgentCore
import AgentTesting
import DataEngine
import Foundation
import Interfaces
import Testing
import Workflows

@testable import AutoTrainess

/// A PostTrainBench task folder read as the benchmark lays it out: timer, protected files, the contamination gate
/// through both checkers, the rules in the brief, the submission and its identity check.
@Suite struct PostTrainBenchTaskTests {
    @Test func theTimerIsReadAsCreateTimerWritesIt() async throws {
        #expect(PostTrainBenchTimer.parse("Remaining time (hours:minutes):\n9:58\n") == .remaining(9 * 3600 + 58 * 60))
        #expect(PostTrainBenchTimer.parse("Remaining time (hours:minutes):\n0:05") == .remaining(300))
        #expect(PostTrainBenchTimer.parse("Timer expired!\n") == .expired)
        #expect(PostTrainBenchTimer.parse("Timer not initialized (healthcheck has not run yet).") == nil)
        #expect(PostTrainBenchTimer.parse("9:5") == nil)

        let directory = try TemporaryDirectory()
        let standIn = try PostTrainBenchStandIn(in: directory, hours: 0.5)
        guard case .remaining(let seconds) = try await PostTrainBenchTimer.read(taskDirectory: standIn.task) else {
            Issue.record("a fresh 0.5 h timer read as expired")
            return
        }
        #expect(seconds > 28 * 60 && seconds <= 30 * 60)
        try PostTrainBenchStandIn.createTimer(hours: 0, at: standIn.task.appendingPathComponent("timer.sh"))
        #expect(try await PostTrainBenchTimer.read(taskDirectory: standIn.task) == .expired)
    }

    @Test func theFolderIsReadAsTheBenchmarkLaysItOut() throws {
        let directory = try TemporaryDirectory()
        let standIn = try PostTrainBenchStandIn(in: directory)
        let task = try PostTrainBenchTask(directory: standIn.task)
        #expect(task.benchmark == "gsm8k", "benchmark.txt names it (the folder is task/)")
        #expect(task.protectedPaths == ["evaluate.py", "templates", "evaluation_code", "timer.sh"])
        #expect(task.testData?.lastPathComponent == "test_data.json")
        #expect(task.contaminationChecker?.lastPathComponent == "contamination_check.py")
        #expect(throws: PostTrainBenchError.self) { try PostTrainBenchTask(directory: directory.path("data")) }

        let spec = try TaskSpec.postTrainBench(
            task, baseModel: "/models/Qwen3-1.7B-Base", template: "qwen3", remainingSeconds: 3 * 3600, rules: .v1_1)
        #expect(try spec.budgetSeconds().total == 3 * 3600 && spec.budgetSeconds().reserve == 1080)
        #expect(spec.benchmark.evaluator == .posttrainbench && spec.benchmark.directory == standIn.task.path)
        #expect(spec.benchmark.file == standIn.home.appendingPathComponent("test_data.json").path)
        #expect(spec.benchmark.contaminationFields == ["question", "answer"])
        #expect(spec.dataRoots == [standIn.task.path])
        let guarded = try spec.integrityGuard()
        #expect(guarded.baseline.digests.keys.contains("evaluate.py"))
        #expect(guarded.baseline.digests.keys.contains { $0.hasPrefix("timer.sh") })

        // Without ../test_data.json the run says plainly that nothing can be checked.
        try FileManager.default.removeItem(at: standIn.home.appendingPathComponent("test_data.json"))
        let bare = try PostTrainBenchTask(directory: standIn.task)
        let lines = bare.describe(fingerprint: nil, deadline: "30m", rules: .v1_1)
        #expect(lines.contains { $0.contains("NO benchmark data available") && $0.contains("rule 3") })
    }

    @Test func theTemplateIsDerivedFromTheModelsConfig() throws {
        let directory = try TemporaryDirectory()
        func model(_ name: String, type: String, architecture: String) throws -> URL {
            let folder = directory.path(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(#"{"model_type": "\#(type)", "architectures": ["\#(architecture)"]}"#.utf8)
                .write(to: folder.appendingPathComponent("config.json"))
            return folder
        }
        #expect(TaskSpec.llamaFactoryTemplate(forModel: try model("Qwen3-1.7B-Base", type: "qwen3", architecture: "Qwen3ForCausalLM")) == "qwen3")
        #expect(TaskSpec.llamaFactoryTemplate(forModel: try model("SmolLM3-3B-Base", type: "smollm3", architecture: "SmolLM3ForCausalLM")) == "smollm")
        #expect(TaskSpec.llamaFactoryTemplate(forModel: try model("gemma-3-4b-pt", type: "gemma3", architecture: "Gemma3ForConditionalGeneration")) == "gemma3")
        #expect(TaskSpec.llamaFactoryTemplate(forModel: try model("mystery", type: "mamba", architecture: "MambaForCausalLM")) == nil)
    }

    /// A planted test item is refused by our index AND by the task's own contamination_check.py, each on its own.
    @Test func thePlantedTestItemIsRefusedByBothCheckers() async throws {
        let directory = try TemporaryDirectory()
        let standIn = try PostTrainBenchStandIn(in: directory)
        // A test item long enough for the script (it ignores items under 4 unique words, as the real one does),
        // written the way the evaluation asks it.
        let planted = try #require(standIn.items.first { $0.question.split(separator: " ").count >= 6 })
        let rows = standIn.training.prefix(20).map {
            JSONValue.object(["instruction": .string($0.instruction), "output": .string($0.output)])
        } + [
            JSONValue.object([
                "instruction": .string("Write this number in digits, with no other text: \(planted.question)"),
                "output": .string(planted.answer),
            ])
        ]
        let file = directory.path("planted.json")
        try Data(JSONValue.array(rows).compactText.utf8).write(to: file)
        let clean = directory.path("clean.json")
        try Data(JSONValue.array(Array(rows.dropLast())).compactText.utf8).write(to: clean)

        let task = try PostTrainBenchTask(directory: standIn.task)
        let spec = try TaskSpec.postTrainBench(task, baseModel: "/models/base", template: "smollm2")
        let gate = try RunLauncher(progress: { _ in }).contaminationGate(spec)
        let script = try #require(gate.script)
        let python = URL(fileURLWithPath: "/usr/bin/python3")
        let checker = ScriptContaminationChecker(script: script.script, reference: script.reference, python: python)

        let flags = try await checker.flags(in: file)
        #expect(flags.map(\.row) == [20], "the script flags the planted row: \(flags)")
        #expect(try await checker.flags(in: clean).isEmpty)
        let ours = try await gate.engine.check(trainingFile: file)
        #expect(!ours.clean, "our index flags it too: \(ours.summary)")

        let both = PostTrainBenchContaminationGate(engine: gate.engine, script: checker)
        let verdict = try await both.check(trainingFile: file)
        #expect(!verdict.clean && verdict.summary.contains("contamination_check.py flagged 1 document"))
        let check = try await both.check(file: file, format: "alpaca", cutoffLength: 256)
        #expect(check.contamination.contains { $0.overlap.hasPrefix("contamination_check.py") && $0.trainingLine == 20 })
        #expect(try await both.check(trainingFile: clean).clean)

        // A checker that cannot run is a failure, not a clean verdict.
        let broken = ScriptContaminationChecker(
            script: script.script, reference: directory.path("missing.json"), python: python)
        await #expect(throws: ScriptCheckFailure.self) { try await broken.flags(in: clean) }
    }

    /// The brief of a PostTrainBench run carries the rules of its version, pinned as golden files.
    @Test(arguments: [PostTrainBenchRules.v1, .v1_1])
    func theBriefCarriesTheVersionsRules(_ rules: PostTrainBenchRules) throws {
        let directory = try TemporaryDirectory()
        let standIn = try PostTrainBenchStandIn(in: directory)
        let spec = try TaskSpec.postTrainBench(
            try PostTrainBenchTask(directory: standIn.task), baseModel: directory.path("Qwen3-1.7B-Base").path,
            template: "qwen3", rules: rules)
        let text = spec.brief(hardware: Hardware(cpuCores: 2), skills: nil).rendered
        let start = try #require(text.range(of: "## Rules"))
        let end = text.range(of: "\n## ", range: start.upperBound..<text.endIndex)?.lowerBound ?? text.endIndex
        let section = String(text[start.lowerBound..<end]) + "\n"
        let golden = PostTrainBenchStandIn.fixture.deletingLastPathComponent()
            .appendingPathComponent("golden/posttrainbench-rules-\(rules.rawValue).txt")
        if ProcessInfo.processInfo.environment["AUTOTRAINESS_UPDATE_GOLDEN"] != nil {
            try Data(section.utf8).write(to: golden)
        }
        let expected = (try? String(contentsOf: golden, encoding: .utf8)) ?? ""
        let difference = zip(section.split(separator: "\n"), expected.split(separator: "\n")).first { $0 != $1 }
        #expect(section == expected, "differs from \(golden.lastPathComponent): \(String(describing: difference))")
        #expect(section.contains("Fine-tune only Qwen3-1.7B-Base"))
        #expect(section.contains("derived from specific test items") == (rules == .v1_1))
    }

    @Test func theSubmissionIsWrittenInPlaceAndCheckedLikeTheJudgeDoes() throws {
        let directory = try TemporaryDirectory()
        let base = try directory.makeModel("base", marker: "base")
        let candidate = try directory.makeModel("candidate", marker: "tuned")
        let destination = directory.path("task/final_model")
        try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
        try Data("old".utf8).write(to: destination.appendingPathComponent("stale.bin"))
        let inode = try FileManager.default.attributesOfItem(atPath: destination.path)[.systemFileNumber] as? Int

        let written = try PostTrainBenchSubmission.export(from: candidate, to: destination)
        #expect(written.contains("generation_config.json"))
        #expect(try FileManager.default.attributesOfItem(atPath: destination.path)[.systemFileNumber] as? Int == inode,
                "the folder itself is kept (it may be a mounted volume)")
        #expect(!FileManager.default.fileExists(atPath: destination.appendingPathComponent("stale.bin").path))
        #expect(try modelMarker(destination) == "tuned")
        #expect(try PostTrainBenchSubmission.identityMismatches(candidate: destination, base: base).isEmpty)

        var config = try JSONValue(parsing: String(contentsOf: destination.appendingPathComponent("config.json"), encoding: .utf8)).objectValue ?? [:]
        config["hidden_size"] = 2048
        config["num_hidden_layers"] = 36
        try Data(JSONValue.object(config).compactText.utf8).write(to: destination.appendingPathComponent("config.json"))
        let mismatches = try PostTrainBenchSubmission.identityMismatches(candidate: destination, base: base)
        #expect(mismatches.count == 2 && mismatches.contains { $0.hasPrefix("hidden_size:") })
    }
}

/// The leaderboard arithmetic, checked by hand against the contract's tables.
@Suite struct PostTrainBenchScoreTests {
    @Test func cellsWithoutARunFallBackToTheBaseModelAndTheTotalIsTheWeightedMean() {
        let onlyBase = PostTrainBenchScore(version: .v1_2, results: [])
        // Σ weight × mean of the four base models' zero-shot scores × 100, by hand for gsm8k:
        let gsm8kMean = (0.127 + 0.418 + 0.211 + 0.061) / 4
        #expect(abs(onlyBase.means["gsm8k"]! - gsm8kMean) < 1e-12)
        #expect(onlyBase.cells.count == 6 * 4 && onlyBase.cells.allSatisfy { $0.source == "base fallback" })
        #expect(onlyBase.means["bfcl"] == nil, "v1.2 dropped bfcl")

        let improved = PostTrainBenchScore(
            version: .v1_2,
            results: [
                .init(benchmark: "gsm8k", baseModel: "Qwen3-1.7B-Base", score: 0.627, source: "run-a"),
                .init(benchmark: "gsm8k", baseModel: "Qwen3-1.7B-Base", score: 0.527, source: "run-b"),
            ])
        // The two runs average to 0.577, 0.45 above the fallback: the gsm8k mean rises by 0.45 / 4.
        #expect(abs(improved.total - onlyBase.total - 0.1011 * 0.45 / 4 * 100) < 1e-9)
        #expect(improved.rendered.contains("| gsm8k | 0.1011 | 0.577 | 0.418* |"))
        #expect(PostTrainBenchScore.Version.v1_1.weights.values.reduce(0, +) > 0.999)
    }
}

/// The benchmark's clock keeps running while a run is stopped: every session reads `timer.sh` again.
@Suite struct PostTrainBenchTimerResumeTests {
    @Test(.timeLimit(.minutes(10)))
    func aSessionOpenedLaterFollowsTheTimerWhenItHasLessTimeThanTheBudget() async throws {
        let directory = try TemporaryDirectory()
        let standIn = try PostTrainBenchStandIn(in: directory, hours: 1)
        let base = try directory.makeModel("base", marker: "base")
        let spec = try TaskSpec.postTrainBench(
            try PostTrainBenchTask(directory: standIn.task), baseModel: base.path, template: "smollm2",
            remainingSeconds: 3600, rules: .v1_1)
        let lines = LineCollector()
        let launcher = RunLauncher(progress: { lines.append($0) })
        let workspace = try launcher.create(spec: spec, runsDirectory: directory.path("runs"), driver: .external("MCP"))
        // The job was paused: only half an hour is left on the benchmark's timer (the budget said an hour).
        try PostTrainBenchStandIn.createTimer(hours: 0.5, at: standIn.task.appendingPathComponent("timer.sh"))
        let opened = try await launcher.open(workspace)
        defer { opened.close() }
        let left = await opened.budget.limits.deadline.timeIntervalSinceNow
        #expect(left > 0 && left <= 30 * 60, "deadline in \(left) s (the budget alone would give about 3600 s)")
        #expect(lines.lines.contains { $0.hasPrefix("timer.sh: ") }, "\(lines.lines.suffix(5))")
    }
}
