import AgentCore
import AgentTesting
import DataEngine
import Foundation
import Interfaces
import Testing

@Suite("Interface tools")
struct ToolsTests {
    /// Evaluates the base model on the whole toy benchmark (label `baseline`).
    private func baseline(_ run: InterfaceTestRun) async throws {
        let output = try await run.call("eval", #"{"iteration": 0, "model": "base", "label": "baseline"}"#)
        #expect(!output.isError, "\(output.content)")
    }

    @Test("plan refuses a plan before any evaluation, without checkable evidence, or without a number")
    func planRefusals() async throws {
        let run = try InterfaceTestRun()
        let plan = #"""
            {"iteration": 1, "weakness": "answers lack the final format", "evidence": ["EVIDENCE"],
             "hypothesis": "format examples teach it", "changes": ["add 40 formatted rows"],
             "successCriterion": "CRITERION"}
            """#
        let early = try await run.call(
            "plan",
            plan.replacingOccurrences(of: "EVIDENCE", with: "iterations/0/eval/baseline.json")
                .replacingOccurrences(of: "CRITERION", with: "accuracy >= 0.3"))
        #expect(early.isError)
        #expect(early.content.contains("no checkable evidence"))
        try await baseline(run)
        let vague = try await run.call(
            "plan",
            plan.replacingOccurrences(of: "EVIDENCE", with: "the model seems weak")
                .replacingOccurrences(of: "CRITERION", with: "accuracy >= 0.3"))
        #expect(vague.isError)
        let unmeasurable = try await run.call(
            "plan",
            plan.replacingOccurrences(of: "EVIDENCE", with: "sample item-3")
                .replacingOccurrences(of: "CRITERION", with: "better answers"))
        #expect(unmeasurable.isError)
        #expect(unmeasurable.content.contains("measurable"))
        let malformed = try await run.call("plan", #"{"iteration": "one"}"#)
        #expect(malformed.isError)
        #expect(malformed.content.contains("Invalid arguments"))
        let skipAhead = try await run.call(
            "plan",
            plan.replacingOccurrences(of: "\"iteration\": 1", with: "\"iteration\": 3")
                .replacingOccurrences(of: "EVIDENCE", with: "sample item-3")
                .replacingOccurrences(of: "CRITERION", with: "accuracy >= 0.3"))
        #expect(skipAhead.isError)
        #expect(!FileManager.default.fileExists(atPath: run.workspace.iteration(1).plan.path))
    }

    @Test("plan writes plan.md when the evidence names a saved report or a sample id")
    func planWrites() async throws {
        let run = try InterfaceTestRun()
        try await baseline(run)
        let output = try await run.call(
            "plan",
            #"""
            {"iteration": 1, "weakness": "no final answer on item-3", "evidence":
             ["iterations/0/eval/baseline.json", "sample item-3 says 'I am not sure'"],
             "hypothesis": "format examples teach it", "changes": ["add 40 formatted rows"],
             "successCriterion": "accuracy >= 0.3 on 100 samples"}
            """#)
        #expect(!output.isError, "\(output.content)")
        let text = run.text(run.workspace.iteration(1).plan)
        #expect(text.contains("## Targeted weakness"))
        #expect(text.contains("## Success criterion\naccuracy >= 0.3 on 100 samples"))
        #expect(!text.contains("(not checked)"))
        let records = try await run.store.records()
        #expect(records.contains { $0.kind == PlanWritten.kind && $0.payload["iteration"]?.intValue == 1 })
    }

    @Test("data build maps JSONL sources with a template into alpaca rows")
    func dataBuild() async throws {
        let run = try InterfaceTestRun()
        let source = try run.writeMathSource()
        let output = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "sums", "format": "alpaca", "sources": ["\#(source)"], "#
                + #""mapping": {"instruction": "question", "output": "The sum is {answer}.\n#### {answer}"}}"#)
        #expect(!output.isError, "\(output.content)")
        #expect(output.content.contains("40 rows"))
        let file = run.workspace.iteration(1).data.appendingPathComponent("sums.json")
        let rows = try JSONDecoder().decode([JSONValue].self, from: Data(contentsOf: file))
        #expect(rows.count == 40)
        #expect(rows[0]["instruction"] == "Add 1 and 2.")
        #expect(rows[0]["output"] == "The sum is 3.\n#### 3")
    }

    @Test("data build refuses bad mappings, missing fields and sources outside the jail")
    func dataBuildRefusals() async throws {
        let run = try InterfaceTestRun()
        let source = try run.writeMathSource()
        let noOutput = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "sums", "format": "alpaca", "sources": ["\#(source)"], "#
                + #""mapping": {"instruction": "question"}}"#)
        #expect(noOutput.isError)
        #expect(noOutput.content.contains("mapping.output"))
        let wrongField = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "sums", "format": "sharegpt", "sources": ["\#(source)"], "#
                + #""mapping": {"instruction": "prompt", "output": "answer"}}"#)
        #expect(wrongField.isError)
        #expect(wrongField.content.contains("missing field 'prompt'"))
        let outside = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "sums", "format": "alpaca", "sources": ["/etc/passwd"], "#
                + #""mapping": {"instruction": "a", "output": "b"}}"#)
        #expect(outside.isError)
        #expect(outside.content.contains("not under the run folder or a data root"))
        let badName = try await run.call("data", #"{"action": "validate", "iteration": 1, "dataset": "../x"}"#)
        #expect(badName.isError)
        let badAction = try await run.call("data", #"{"action": "delete"}"#)
        #expect(badAction.isError)
    }

    @Test("data validate approves a clean set and registers it in dataset_info.json")
    func dataValidateApproves() async throws {
        let run = try InterfaceTestRun()
        try await buildSums(run)
        let output = try await run.call("data", #"{"action": "validate", "iteration": 1, "dataset": "sums"}"#)
        #expect(!output.isError)
        #expect(output.content.hasPrefix("sums: approve"))
        let info = try JSONValue(parsing: run.text(run.workspace.iteration(1).datasetInfo))
        #expect(info["sums"]?["file_name"] == "sums.json")
        #expect(info["sums"]?["formatting"] == "alpaca")
    }

    @Test(
        "data validate sends data back with reasons and counts",
        arguments: [
            (
                CountingDatasetChecker(contamination: [ContaminationHit(
                    trainingLine: 3, benchmarkItemID: "item-7", benchmarkLine: 7, kind: .ngram,
                    overlap: "what is the capital of france", score: 0.9)]),
                "back_to_selection", "row 3 ~ item-7"
            ),
            (
                CountingDatasetChecker(findings: [DatasetFinding(kind: .empty, count: 2, rows: [4, 9])]),
                "back_to_construction", "2 empty rows (rows 4, 9)"
            ),
            (
                CountingDatasetChecker(findings: [DatasetFinding(kind: .duplicate, count: 12, rows: [1])]),
                "back_to_construction", "drop the repeats"
            ),
        ])
    func dataValidateRejects(checker: CountingDatasetChecker, verdict: String, reason: String) async throws {
        let run = try InterfaceTestRun(checker: checker)
        try await buildSums(run)
        let output = try await run.call("data", #"{"action": "validate", "iteration": 1, "dataset": "sums"}"#)
        #expect(output.content.hasPrefix("sums: \(verdict)"), "\(output.content)")
        #expect(output.content.contains(reason), "\(output.content)")
        #expect(!FileManager.default.fileExists(atPath: run.workspace.iteration(1).datasetInfo.path))
    }

    @Test("data inspect renders evaluation prompts and training rows through the chat template")
    func dataInspect() async throws {
        let run = try InterfaceTestRun()
        try await baseline(run)
        try await buildSums(run)
        let output = try await run.call(
            "data", #"{"action": "inspect", "iteration": 1, "dataset": "sums", "count": 2}"#)
        #expect(!output.isError)
        #expect(output.content.contains("<|im_start|>user\nWhat is 0 times 3?<|im_end|>\n<|im_start|>assistant\n"))
        #expect(output.content.contains("<|im_start|>assistant\nThe sum is 3.\n#### 3<|im_end|>"))
    }

    @Test("train refuses unapproved or changed datasets and unknown checkpoints")
    func trainRefusals() async throws {
        let run = try InterfaceTestRun()
        try await buildSums(run)
        let unapproved = try await run.call("train", #"{"iteration": 1, "datasets": ["sums"]}"#)
        #expect(unapproved.isError)
        #expect(unapproved.content.contains("not approved"))
        _ = try await run.call("data", #"{"action": "validate", "iteration": 1, "dataset": "sums"}"#)
        let file = run.workspace.iteration(1).data.appendingPathComponent("sums.json")
        try Data("[]".utf8).write(to: file)
        let changed = try await run.call("train", #"{"iteration": 1, "datasets": ["sums"]}"#)
        #expect(changed.isError)
        #expect(changed.content.contains("changed after it was approved"))
        let badStart = try await run.call("train", #"{"iteration": 1, "datasets": ["sums"], "startFrom": "nope"}"#)
        #expect(badStart.isError)
        let badMethod = try await run.call("train", #"{"iteration": 1, "datasets": ["sums"], "method": "magic"}"#)
        #expect(badMethod.isError)
        #expect(try await run.store.records().allSatisfy { $0.kind != TrainStarted.kind })
    }

    @Test("train runs an approved dataset and records progress and the result")
    func trainRuns() async throws {
        let run = try InterfaceTestRun()
        try await buildSums(run)
        _ = try await run.call("data", #"{"action": "validate", "iteration": 1, "dataset": "sums"}"#)
        let output = try await run.call(
            "train", #"{"iteration": 1, "datasets": ["sums"], "hyperparameters": {"learning_rate": 0.0001}}"#)
        #expect(!output.isError, "\(output.content)")
        #expect(output.content.contains("4/4 steps, loss 2.000 -> 0.500"))
        #expect(output.content.contains("checkpoints/iter1-job1"))
        let kinds = try await run.store.records().map(\.kind)
        #expect(kinds.filter { $0 == TrainProgressed.kind }.count == 4)
        #expect(kinds.contains(TrainFinished.kind))
    }

    @Test("train reports a backend failure with the output tail")
    func trainFailure() async throws {
        let run = try InterfaceTestRun(backend: FakeTrainingBackend(script: .init(steps: 2, logsSteps: true, crash: "CUDA out of memory")))
        try await buildSums(run)
        _ = try await run.call("data", #"{"action": "validate", "iteration": 1, "dataset": "sums"}"#)
        let output = try await run.call("train", #"{"iteration": 1, "datasets": ["sums"]}"#)
        #expect(output.isError)
        #expect(output.content.contains("failed at step 2/2: CUDA out of memory"))
        #expect(output.content.contains("step 2 of 2"))
        #expect(try await run.store.records().contains { $0.kind == TrainFailed.kind })
    }

    @Test("eval saves the report and summary, and enforces the sample floor before comparing")
    func evalFloor() async throws {
        let run = try InterfaceTestRun()
        try await baseline(run)
        let eval = run.workspace.iteration(0).eval
        #expect(FileManager.default.fileExists(atPath: eval.appendingPathComponent("baseline.json").path))
        let summary = run.text(eval.appendingPathComponent("baseline-summary.md"))
        #expect(summary.contains("## 15 random samples"))
        #expect(summary.contains("## Failure triage (90 wrong)"))
        let refused = try await run.call(
            "eval", #"{"iteration": 0, "model": "base", "label": "smoke", "limit": 10, "compareWith": "baseline"}"#)
        #expect(refused.isError)
        #expect(refused.content.contains("below the sample floor of 32"))
        let smoke = try await run.call("eval", #"{"iteration": 0, "model": "base", "label": "smoke", "limit": 10}"#)
        #expect(!smoke.isError)
        #expect(smoke.content.contains("NOT comparable"))
        let againstSmoke = try await run.call(
            "eval", #"{"iteration": 0, "model": "base", "label": "again", "compareWith": "smoke"}"#)
        #expect(againstSmoke.isError)
        #expect(againstSmoke.content.contains("below the floor"))
        let unknown = try await run.call("eval", #"{"iteration": 0, "model": "missing-model", "label": "x"}"#)
        #expect(unknown.isError)
        let badLabel = try await run.call("eval", #"{"iteration": 0, "model": "base", "label": "Bad Label"}"#)
        #expect(badLabel.isError)
        let crash = try await run.call("eval", #"{"iteration": 0, "model": "base", "label": "crash-1"}"#)
        #expect(crash.isError)
        #expect(crash.content == "Evaluation crash-1 failed: evaluator crashed: model folder has no weights")
        #expect(try await run.store.records().last?.kind == EvalFailed.kind)
    }

    @Test("log takes scores from saved evaluations and renders experiment_log.md")
    func logRecords() async throws {
        let run = try InterfaceTestRun()
        try await baseline(run)
        _ = try await run.call("eval", #"{"iteration": 0, "model": "base", "label": "smoke", "limit": 10}"#)
        let log = #"""
            {"iteration": 0, "stage": "baseline", "hypothesis": "measure the base model", "data": [],
             "scores": ["SCORE"], "decision": "DECISION", "nextStep": "build formatted data"}
            """#
        let unknown = try await run.call(
            "log",
            log.replacingOccurrences(of: "SCORE", with: "nope").replacingOccurrences(of: "DECISION", with: "keep"))
        #expect(unknown.isError)
        #expect(unknown.content.contains("known: baseline, smoke"))
        let keepOnSmoke = try await run.call(
            "log",
            log.replacingOccurrences(of: "SCORE", with: "smoke").replacingOccurrences(of: "DECISION", with: "keep"))
        #expect(keepOnSmoke.isError)
        let badDecision = try await run.call(
            "log",
            log.replacingOccurrences(of: "SCORE", with: "baseline").replacingOccurrences(of: "DECISION", with: "yes"))
        #expect(badDecision.isError)
        let good = try await run.call(
            "log",
            log.replacingOccurrences(of: "SCORE", with: "baseline").replacingOccurrences(of: "DECISION", with: "keep"))
        #expect(!good.isError, "\(good.content)")
        let markdown = run.text(run.workspace.experimentLogFile)
        #expect(markdown.contains("## Iteration 0 (baseline): keep"))
        #expect(markdown.contains("baseline accuracy: 0.100 ["))
        let state = RunState.rebuild(from: try await run.store.records(), runDirectory: run.root)
        #expect(state.lastDecision == .keep)
        #expect(state.lastLoggedIteration == 0)
    }

    @Test("read_file, write_file and list_dir stay inside the run folder")
    func fileTools() async throws {
        let run = try InterfaceTestRun()
        let wrote = try await run.call("write_file", #"{"path": "notes/idea.md", "content": "try format data"}"#)
        #expect(!wrote.isError)
        let read = try await run.call("read_file", #"{"path": "notes/idea.md"}"#)
        #expect(read.content == "try format data")
        let listed = try await run.call("list_dir", #"{}"#)
        #expect(listed.content.contains("notes/"))
        #expect(listed.content.contains("run.json ("))
        for path in ["../escape.txt", "/etc/passwd", "notes/../../x"] {
            #expect(try await run.call("read_file", #"{"path": "\#(path)"}"#).isError, "\(path)")
            #expect(try await run.call("write_file", #"{"path": "\#(path)", "content": "x"}"#).isError, "\(path)")
        }
        for path in ["run.json", "events.jsonl", "final_model/model.bin"] {
            let output = try await run.call("write_file", #"{"path": "\#(path)", "content": "x"}"#)
            #expect(output.isError)
            #expect(output.content.contains("managed by the run"))
        }
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("outside-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: run.root.appendingPathComponent("link"), withDestinationURL: outside)
        try FileManager.default.createSymbolicLink(
            at: run.root.appendingPathComponent("dangling"),
            withDestinationURL: outside.appendingPathComponent("new-file"))
        let viaLink = try await run.call("write_file", #"{"path": "link/x.txt", "content": "x"}"#)
        #expect(viaLink.isError)
        #expect(viaLink.content.contains("symbolic link"))
        #expect(try await run.call("write_file", #"{"path": "dangling", "content": "x"}"#).isError)
        #expect(!FileManager.default.fileExists(atPath: outside.appendingPathComponent("new-file").path))
        #expect(try await run.call("list_dir", #"{"path": "link"}"#).isError)
    }

    @Test("run_command runs in the run folder without secrets, cuts long output, and times out")
    func runCommand() async throws {
        let run = try InterfaceTestRun(
            commandEnvironment: ["PATH": "/usr/bin:/bin", "OPENAI_API_KEY": "sk-test-secret-value", "MODE": "x"])
        let where_ = try await run.call(
            "run_command", #"{"command": "pwd; echo MODE=$MODE; echo KEY=$OPENAI_API_KEY"}"#)
        #expect(!where_.isError)
        #expect(where_.content.contains(run.workspace.root.path))
        #expect(where_.content.contains("MODE=x"))
        #expect(where_.content.contains("KEY=\n") || where_.content.hasSuffix("KEY="))
        #expect(!where_.content.contains("sk-test-secret-value"))
        let long = try await run.call("run_command", #"{"command": "head -c 20000 /dev/zero | tr '\\0' a"}"#)
        #expect(long.content.contains("characters cut"))
        #expect(long.content.count < 7000)
        let failing = try await run.call("run_command", #"{"command": "exit 3"}"#)
        #expect(failing.isError)
        #expect(failing.content.hasPrefix("Exit status 3."))
        let slow = try await run.call("run_command", #"{"command": "sleep 30 & sleep 30", "timeoutSeconds": 1}"#)
        #expect(slow.isError)
        #expect(slow.content.hasPrefix("Timed out after 1 s"))
        #expect(try await run.call("run_command", #"{"command": "  "}"#).isError)
        #expect(try await run.call("run_command", #"{"command": "true", "timeoutSeconds": 99999}"#).isError)
    }

    private func buildSums(_ run: InterfaceTestRun) async throws {
        let source = try run.writeMathSource()
        let output = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "sums", "format": "alpaca", "sources": ["\#(source)"], "#
                + #""mapping": {"instruction": "question", "output": "The sum is {answer}.\n#### {answer}"}}"#)
        #expect(!output.isError, "\(output.content)")
    }
}

/// The data roots are readable (read-only), relative names are looked up in the run folder then each data root, and
/// the benchmark file is never readable even inside a data root.
@Suite struct DataRootAccessTests {
    @Test func relativeNamesResolveInTheDataRootsAndTheBenchmarkStaysHidden() async throws {
        let run = try InterfaceTestRun(hiddenSources: ["test.jsonl"])
        _ = try run.writeMathSource()
        try Data(#"{"prompt": "What is 2+2?", "target": "4"}"#.utf8).write(
            to: run.dataFolder.appendingPathComponent("test.jsonl"))
        let read = try await run.call("read_file", #"{"path": "math.jsonl"}"#)
        #expect(!read.isError && read.content.contains("Add 1 and 2."), "\(read.content)")
        let listed = try await run.call("list_dir", #"{"path": "\#(run.dataFolder.path)"}"#)
        #expect(listed.content.contains("math.jsonl") && listed.content.contains("test.jsonl"))
        #expect(listed.content.contains("the benchmark: not readable"))
        for path in ["test.jsonl", run.dataFolder.appendingPathComponent("test.jsonl").path] {
            let secret = try await run.call("read_file", #"{"path": "\#(path)"}"#)
            #expect(secret.isError && !secret.content.contains("2+2") && secret.content.contains("not readable"))
        }
        let missing = try await run.call("read_file", #"{"path": "nowhere.jsonl"}"#)
        #expect(missing.isError && missing.content.contains(run.dataFolder.path) && missing.content.contains(run.root.path))
        let write = try await run.call("write_file", #"{"path": "\#(run.dataFolder.path)/new.txt", "content": "x"}"#)
        #expect(write.isError)
        // data build takes a bare file name of a data root; the benchmark cannot be a source.
        let built = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "sums", "format": "alpaca", "sources": ["math.jsonl"], "mapping": {"instruction": "{question}", "output": "{answer}"}}"#)
        #expect(!built.isError, "\(built.content)")
        let leaked = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "leak", "format": "alpaca", "sources": ["test.jsonl"], "mapping": {"instruction": "{prompt}", "output": "{target}"}}"#)
        #expect(leaked.isError && leaked.content.contains("not readable"), "\(leaked.content)")
    }
}
