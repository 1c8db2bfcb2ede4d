import AgentCore
import AgentTesting
import Evaluation
import Foundation
import Interfaces
import Runtime
import Testing
import MCP
import Workflows

@testable import AutoTrainess

/// The parts of a PostTrainBench run that are not a whole run: the task-file kind, the timer read while the run
/// goes on, the trace kept for the judges, the checkpoints cleaned, and the load check's failure.
@Suite struct PostTrainBenchEndOfRunTests {
    @Test func aTaskFileOfThePostTrainBenchKindIsTheSameTaskAsTheCommandLine() throws {
        let directory = try TemporaryDirectory()
        let standIn = try PostTrainBenchStandIn(in: directory)
        let base = try directory.makeModel("models/base", marker: "base")
        let file = directory.path("ptb.yaml")
        try Data(
            """
            kind: posttrainbench
            task: home/task
            base_model: models/base
            rules: v1
            hours: 2
            limit: 20
            template: smollm2
            data_roots: [data]
            max_iterations: 3

            """.utf8
        ).write(to: file)
        let spec = try TaskSpec.load(from: file)
        let expected = try TaskSpec.postTrainBench(
            try PostTrainBenchTask(directory: standIn.task), baseModel: base.path, template: "smollm2", hours: 2,
            rules: .v1, limit: 20, extraDataRoots: [standIn.data.path], maxIterations: 3)
        #expect(spec == expected)
        #expect(spec.posttrainbench?.rules == .v1 && spec.benchmark.evaluator == .posttrainbench)
        #expect(try spec.budgetSeconds().total == 7200)

        try Data("kind: posttrainbench\ntask: home/task\nbase_model: models/base\nrule: v1\n".utf8).write(to: file)
        #expect {
            try TaskSpec.load(from: file)
        } throws: { "\($0)".contains("field 'rule': unknown key (did you mean 'rules'?)") }
        try Data("kind: posttrainbench\ntask: home/task\nbase_model: models/none\n".utf8).write(to: file)
        #expect { try TaskSpec.load(from: file) } throws: { "\($0)".contains("field 'base_model'") }
        try Data("kind: posttrainbench\ntask: home/task\nbase_model: models/base\nrules: v2\n".utf8).write(to: file)
        #expect { try TaskSpec.load(from: file) } throws: { "\($0)".contains("field 'rules': must be v1 or v1.1") }

        // The benchmark's own evaluation venv: evaluate.py and the load check run there.
        let text = "kind: posttrainbench\ntask: home/task\nbase_model: models/base\nevaluation_venv: ptb-venv\n"
        try Data(text.utf8).write(to: file)
        #expect { try TaskSpec.load(from: file) } throws: { "\($0)".contains("field 'evaluation_venv': no venv at") }
        let venv = directory.path("ptb-venv")
        try FileManager.default.createDirectory(at: venv.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: venv.appendingPathComponent("bin/python").path, withDestinationPath: "/usr/bin/python3")
        let withVenv = try TaskSpec.load(from: file)
        #expect(withVenv.posttrainbench?.evaluationVenv == venv.path)
        #expect(withVenv.evaluationEnvironment?.pythonExecutable.path == venv.path + "/bin/python")
    }

    @Test func theTimerMovesTheDeadlineEarlierOnlyWhenItSaysLessIsLeft() async throws {
        let directory = try TemporaryDirectory()
        let task = directory.path("task")
        try FileManager.default.createDirectory(at: task, withIntermediateDirectories: true)
        let deadlineFile = directory.path("deadline")
        try PostTrainBenchStandIn.createControlledTimer(
            at: task.appendingPathComponent("timer.sh"), deadlineFile: deadlineFile, secondsLeft: 3600)
        let budget = BudgetClock(limits: BudgetLimits(deadline: Date().addingTimeInterval(1800), finalReserve: 60))
        let store = InMemoryExperimentStore()
        let lines = LineCollector()
        let watch = PostTrainBenchTimerWatch(
            taskDirectory: task, budget: budget, store: store, progress: { lines.append($0) })

        #expect(await watch.check() == false, "an hour left on the timer does not lengthen a half-hour budget")
        try PostTrainBenchStandIn.createControlledTimer(
            at: task.appendingPathComponent("timer.sh"), deadlineFile: deadlineFile, secondsLeft: 1800)
        #expect(await watch.check() == false, "within the timer's minute resolution")
        try PostTrainBenchStandIn.createControlledTimer(
            at: task.appendingPathComponent("timer.sh"), deadlineFile: deadlineFile, secondsLeft: 600)
        #expect(await watch.check())
        let ten = await budget.limits.deadline.timeIntervalSinceNow
        #expect(ten > 500 && ten <= 600)
        try PostTrainBenchStandIn.expire(deadlineFile: deadlineFile)
        #expect(await watch.check())
        #expect(await budget.snapshot().exhaustion != nil, "the run stops at its next step")
        let moved = await store.records().all(DeadlineMoved.self)
        #expect(["timer.sh: 0:09 left", "timer.sh: 0:10 left"].contains(moved.first?.source ?? ""), "\(moved)")
        #expect(moved.map(\.source).last == "timer.sh: Timer expired!" && moved.count == 2)
        #expect(lines.lines.last?.contains("final_model/ keeps the best so far") == true)
        #expect(await watch.check() == false, "an expired timer moves the deadline once")
    }

    /// Judged tasks need OPENAI_API_KEY for grading: `evaluate.py` gets it (here a script that scores whether it
    /// did), the task's other scripts and the agent do not.
    @Test(.timeLimit(.minutes(5)))
    func gradingKeysReachEvaluatePyOnly() async throws {
        let directory = try TemporaryDirectory()
        let task = directory.path("home/task")
        try FileManager.default.createDirectory(at: task, withIntermediateDirectories: true)
        try Data("healthbench\n".utf8).write(to: task.appendingPathComponent("benchmark.txt"))
        try Data(
            """
            import argparse, json, os
            parser = argparse.ArgumentParser()
            parser.add_argument("--model-path"); parser.add_argument("--json-output-file"); parser.add_argument("--limit")
            parser.add_argument("--max-new-tokens")
            args = parser.parse_args()
            key = os.environ.get("OPENAI_API_KEY", "")
            json.dump({"accuracy": 1.0 if key.startswith("sk-grading-") else 0.0, "n_examples": 1},
                      open(args.json_output_file, "w"))

            """.utf8
        ).write(to: task.appendingPathComponent("evaluate.py"))
        let base = try directory.makeModel("models/base", marker: "base")
        let folder = try PostTrainBenchTask(directory: task)
        #expect(folder.gradingKeys == ["OPENAI_API_KEY"])
        var spec = try TaskSpec.postTrainBench(folder, baseModel: base.path, template: "qwen", rules: .v1_1)
        let settings = try #require(spec.posttrainbench)
        let environment = ["OPENAI_API_KEY": "sk-grading-123456", "ANTHROPIC_API_KEY": "sk-ant-999999", "PATH": "/bin"]
        #expect(settings.gradingEnvironment(from: environment) == ["OPENAI_API_KEY": "sk-grading-123456"])

        let python = PythonEnvironment()
        try await python.ensure(progress: { _ in })
        let evaluator = PostTrainBenchEvaluator(
            taskDirectory: task, outputDirectory: directory.path("out"), expectedFingerprint: nil,
            benchmark: folder.benchmark,
            environment: python, extraEnvironment: settings.gradingEnvironment(from: environment))
        let report = try await evaluator.evaluate(EvaluationTarget(modelPath: base.path, label: "base", limit: 1))
        #expect(report.score == 1.0, "evaluate.py saw the grading key")
        #expect(!report.command.joined(separator: " ").contains("sk-grading"))

        // info.json's required_api_keys, when present, is the list (as the benchmark's --cleanenv allowlist).
        try Data(#"{"required_api_keys": []}"#.utf8).write(to: task.appendingPathComponent("info.json"))
        #expect(try PostTrainBenchTask(directory: task).gradingKeys.isEmpty)
        spec = try TaskSpec.postTrainBench(
            try PostTrainBenchTask(directory: task), baseModel: base.path, template: "qwen", rules: .v1_1)
        #expect(spec.posttrainbench?.gradingEnvironment(from: environment).isEmpty == true)
    }

    @Test func theTraceIsKeptForTheJudgesAndIntermediateCheckpointsAreRemoved() throws {
        let directory = try TemporaryDirectory()
        let run = directory.path("run")
        func write(_ relative: String, _ text: String = "x") throws {
            let url = run.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        for file in [
            "run.json", "events.jsonl", "experiment_log.md", "report.html", "iterations/1/plan.md",
            "iterations/1/data/d1.json", "iterations/1/data/d1.manifest.json", "iterations/1/data/gen.py",
            "iterations/1/eval/iter1.json", "evaluator/reports/1/iter1.json", "checkpoints/registry.json",
            "checkpoints/iter1-job1/config.json", "checkpoints/iter1-job1/model.safetensors",
            "checkpoints/iter1-job2/model.safetensors", "final_model/config.json",
            "iterations/1/train/iter1-job1/adapter_config.json",
            "iterations/1/train/iter1-job1/checkpoint-5/adapter_model.safetensors",
            "iterations/1/train/iter1-job2/checkpoint-10/adapter_model.safetensors",
        ] { try write(file) }

        let trace = directory.path("task/autotrainess_trace/run")
        let copied = try PostTrainBenchSubmission.copyTrace(of: run, to: trace)
        #expect(copied.files == 9, "run.json, events, log, report, plan, two data files, the script, the eval copy")
        for kept in ["events.jsonl", "iterations/1/data/d1.manifest.json", "iterations/1/data/gen.py", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: trace.appendingPathComponent(kept).path), "\(kept)")
        }
        for skipped in ["evaluator", "checkpoints", "final_model", "iterations/1/train"] {
            #expect(!FileManager.default.fileExists(atPath: trace.appendingPathComponent(skipped).path), "\(skipped)")
        }

        let removed = PostTrainBenchSubmission.removeIntermediateCheckpoints(in: run, keep: "iter1-job1")
        #expect(removed.folders == 3 && removed.bytes == 3)
        let left = ["checkpoints/iter1-job1/model.safetensors", "checkpoints/registry.json",
                    "iterations/1/train/iter1-job1/adapter_config.json"]
        for file in left { #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path)) }
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("checkpoints/iter1-job2").path))
        #expect(!FileManager.default.fileExists(
            atPath: run.appendingPathComponent("iterations/1/train/iter1-job1/checkpoint-5").path))
    }

    @Test(.timeLimit(.minutes(10)))
    func aSubmissionThatDoesNotLoadIsSaidWithTheReason() async throws {
        let directory = try TemporaryDirectory()
        let python = PythonEnvironment()
        try await python.ensure(progress: { _ in })
        let broken = try directory.makeModel("final_model", marker: "not weights")
        let check = await PostTrainBenchSubmission.loadCheck(model: broken, python: python)
        #expect(!check.loaded)
        #expect(check.error?.isEmpty == false, "\(check)")
    }
}

/// What an outside agent reads when it is given a PostTrainBench task over MCP (`autotrainess mcp --posttrainbench`):
/// the version's rules and the task folder in `workflow_status`, a `timer.sh` it can run, and the hidden grader data.
@Suite("autotrainess mcp serves a PostTrainBench task")
struct PostTrainBenchMCPTests {
    @Test(.timeLimit(.minutes(10)))
    func anOutsideAgentReadsTheTaskAndItsRulesOverMCP() async throws {
        let folder = try RunsFolder()
        let directory = try TemporaryDirectory()
        let standIn = try PostTrainBenchStandIn(in: directory, hours: 1)
        let model = try directory.makeModel("models/base", marker: "base")
        let server = try await MCPServerProcess(
            [
                "--posttrainbench", standIn.task.path, "--base-model", model.path, "--template", "smollm2",
                "--rules", "v1", "--run-id", "ptb", "--runs-dir", folder.url.appendingPathComponent("runs").path,
            ], log: folder.url.appendingPathComponent("mcp.log"))
        let (status, failed) = try await server.call("workflow_status")
        #expect(!failed, "\(status)\n\(server.output)")
        #expect(status.contains("PostTrainBench v1:") && status.contains("timer.sh"), "\(status.prefix(3000))")
        #expect(status.contains(standIn.task.path))
        let (timer, _) = try await server.call(
            "run_command", ["command": .string("bash \(standIn.task.appendingPathComponent("timer.sh").path)")])
        #expect(timer.contains("Remaining time (hours:minutes):"), "\(timer)")
        let (grader, refused) = try await server.call(
            "read_file", ["path": .string(standIn.task.appendingPathComponent("evaluation_code/items.jsonl").path)])
        #expect(refused, "the grader's items are hidden: \(grader)")
        #expect(try await server.close())
        let spec = try JSONValue(parsing: String(
            contentsOf: folder.url.appendingPathComponent("runs/ptb/run.json"), encoding: .utf8))["config"]?["spec"]
        #expect(spec?["posttrainbench"]?["rules"]?.stringValue == "v1")
    }
}
