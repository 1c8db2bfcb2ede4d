import AutoTrainess
import Foundation
import MCP
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `autotrainess mcp` for real: the built binary serves the quick demo run over stdio to the MCP SDK's own client,
/// which plays the outside agent through a whole iteration (real evaluation, real LlamaFactory training). Part of
/// the serialized demo suite, so it never trains at the same time as the demo tests.
extension DemoCommandTests {
    /// Counts the progress notifications the client receives.
    final class ProgressCount: Sendable {
        private let lines = Mutex<[String]>([])
        func add(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test("an MCP client drives a quick demo run through `autotrainess mcp` under the workflow's rules",
        .timeLimit(.minutes(30)))
    func mcpClientDrivesAQuickDemoRun() async throws {
        let runs = try RunsFolder()
        let progress = ProgressCount()
        let server = try await MCPServerProcess(
            ["--demo", "--quick", "--runs-dir", runs.url.path], log: runs.url.appendingPathComponent("mcp.log")
        ) { client in
            await client.onNotification(ProgressNotification.self) { message in
                progress.add(message.params.message ?? "")
            }
        }
        func output() -> String { server.output }
        func call(_ name: String, _ arguments: [String: Value] = [:], progressToken: String? = nil) async throws
            -> (text: String, isError: Bool)
        {
            try await server.call(name, arguments, progressToken: progressToken)
        }
        #expect(server.hello.serverInfo.name == "autotrainess")
        #expect(server.hello.instructions?.contains("workflow_status") == true)
        let names = try await server.client.listTools().tools.map(\.name)
        #expect(Set(names).isSuperset(of: ["workflow_status", "complete_stage", "plan", "data", "train", "eval", "log"]))

        let status = try await call("workflow_status")
        #expect(status.text.contains("number words"), "\(status.text)")
        #expect(status.text.contains("Stage 'define'"))
        // What a model reads first over MCP is the task brief: the evaluation prompts as the model receives them, the
        // data roots with their files, the rules and the skills; never the benchmark's answers.
        for part in ["# Task brief", "<|im_start|>user\nWrite this number in digits", "training.json", "fields:",
                     "the benchmark: not readable", "## Rules", "read_skill"] {
            #expect(status.text.contains(part), "workflow_status lacks '\(part)'")
        }
        let early = try await call("train", ["iteration": 1, "datasets": ["number_words"], "startFrom": "base"])
        #expect(early.isError && early.text.contains("not available in stage 'define'"), "\(early.text)")
        let defined = try await call("complete_stage", ["summary": "Number words to digits, exact match, CPU LoRA."])
        #expect(defined.text.contains("Stage 'baseline'"), "\(defined.text)")

        let baseline = try await call(
            "eval", ["iteration": 0, "model": "base", "label": "baseline"], progressToken: "baseline")
        #expect(!baseline.isError, "baseline evaluation failed: \(baseline.text)\n\(output())")
        #expect(baseline.text.contains("Stage 'local'"), "\(baseline.text)")

        // The iteration, with the demo's own recipe (sources, mapping, hyperparameters) from the run's task.
        let run = try #require(try runs.runDirectory(), "no run folder:\n\(output())")
        let manifest = try Workspace.open(run).readManifest()
        let spec = try #require(manifest.config["spec"]).decode(as: TaskSpec.self)
        let recipe = try #require(spec.recipe)
        let mapping = try Value(recipe.mapping)
        let hyperparameters = try Value(JSONValue.object(recipe.hyperparameters))
        let planned = try await call(
            "plan",
            [
                "iteration": 1, "weakness": .string(recipe.weakness), "evidence": ["baseline"],
                "hypothesis": .string(recipe.hypothesis), "changes": ["train on number_words"],
                "successCriterion": .string(recipe.successCriterion),
            ])
        #expect(!planned.isError, "\(planned.text)")
        let built = try await call(
            "data",
            [
                "action": "build", "iteration": 1, "dataset": "number_words",
                "sources": .array(recipe.sources.map { .string($0) }), "format": "alpaca", "mapping": mapping,
            ])
        #expect(!built.isError, "\(built.text)")
        let validated = try await call("data", ["action": "validate", "iteration": 1, "dataset": "number_words"])
        #expect(!validated.isError && validated.text.contains("approve"), "\(validated.text)")

        let before = progress.all.count
        let trained = try await call(
            "train",
            ["iteration": 1, "datasets": ["number_words"], "startFrom": "base", "hyperparameters": hyperparameters],
            progressToken: "train")
        #expect(!trained.isError, "training failed: \(trained.text)\n\(output())")
        #expect(progress.all.count > before, "no progress notifications during training")
        #expect(progress.all.contains { $0.contains("step") }, "progress: \(progress.all.suffix(5))")

        let evaluated = try await call(
            "eval", ["iteration": 1, "model": "iter1-job1", "label": "iter1", "compareWith": "baseline"])
        #expect(!evaluated.isError, "\(evaluated.text)")
        let logged = try await call(
            "log",
            [
                "iteration": 1, "stage": "local", "hypothesis": .string(recipe.hypothesis), "data": ["number_words"],
                "scores": ["baseline", "iter1"], "decision": "keep", "nextStep": "stop",
            ])
        #expect(!logged.isError, "\(logged.text)")
        #expect(logged.text.contains("The run has ended"), "the one-iteration task must finish: \(logged.text)")
        let after = try await call("list_dir", ["path": "."])
        #expect(after.isError && after.text.contains("has ended"))

        // Closing the client's end of the pipe ends the server.
        let exited = try await server.close()
        #expect(exited, "the server did not exit when its client went away:\n\(output())")
        if exited { #expect(server.process.terminationStatus == 0, "exit \(server.process.terminationStatus)") }

        let (events, damaged) = try readEvents(run)
        #expect(damaged.isEmpty)
        #expect(events.contains { $0.kind == "workflow.denied" && $0.payload["tool"] as? String == "train" })
        #expect(events.filter { $0.kind == "agent.tool_result" }.count >= 7)
        let stopped = try #require(events.last { $0.kind == "workflow.stopped" }, "the run never stopped")
        #expect(stopped.payload["reason"] as? String == "finished")
        #expect(stopped.payload["finalModelValid"] as? Bool == true)
        #expect(manifest.config["driver"].map { "\($0)" }?.contains("MCP") == true)
    }
}
