import AgentCore
import AgentTesting
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

        // From here the client is a model that knows only what it reads: ``BriefReader`` (the same scripted model
        // that drives the demo through the provider) reads workflow_status and each tool's result, and its answers
        // become MCP calls (a text answer ends its work on the stage with `complete_stage`). No recipe, no path.
        let before = progress.all.count
        let driven = try await BriefReader.drive { name, arguments, token in
            try await call(name, arguments, progressToken: token)
        }
        #expect(driven.ended, "the run did not end: \(driven.calls.suffix(4))\n\(output())")
        let calls = driven.calls.map(\.name)
        #expect(calls.first == "complete_stage" && calls.contains("train") && calls.last == "log", "\(calls)")
        #expect(driven.calls.allSatisfy { !$0.isError }, "\(driven.calls.filter(\.isError))")
        #expect(progress.all.count > before, "no progress notifications during training")
        #expect(progress.all.contains { $0.contains("step") }, "progress: \(progress.all.suffix(5))")
        let logged = try #require(driven.calls.last)
        #expect(logged.text.contains("The run has ended"), "the one-iteration task must finish: \(logged.text)")
        print("DemoCommandTests (brief reader over MCP): \(driven.calls.count) tool calls: \(calls)")
        // The run's report is a resource: the page and its data, built from the records on each read.
        let resources = try await server.client.listResources().resources.map(\.uri)
        #expect(resources == ["autotrainess://run/report.html", "autotrainess://run/report.json"])
        let page = try await server.client.readResource(uri: "autotrainess://run/report.html")
        let html = page.first?.text ?? ""
        #expect(html.contains("<svg id=\"chart-scores\"") && html.contains("iter1-job1"), "\(html.prefix(500))")
        let after = try await call("list_dir", ["path": "."])
        #expect(after.isError && after.text.contains("has ended"))

        // Closing the client's end of the pipe ends the server.
        let exited = try await server.close()
        #expect(exited, "the server did not exit when its client went away:\n\(output())")
        if exited { #expect(server.process.terminationStatus == 0, "exit \(server.process.terminationStatus)") }

        let run = try #require(try runs.runDirectory(), "no run folder:\n\(output())")
        let manifest = try Workspace.open(run).readManifest()
        let (events, damaged) = try readEvents(run)
        #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("report.html").path),
            "the server writes the report when its session ends")
        #expect(damaged.isEmpty)
        #expect(events.contains { $0.kind == "workflow.denied" && $0.payload["tool"] as? String == "train" })
        #expect(events.filter { $0.kind == "agent.tool_result" }.count >= 7)
        let stopped = try #require(events.last { $0.kind == "workflow.stopped" }, "the run never stopped")
        #expect(stopped.payload["reason"] as? String == "finished")
        #expect(stopped.payload["finalModelValid"] as? Bool == true)
        #expect(manifest.config["driver"].map { "\($0)" }?.contains("MCP") == true)
    }
}

extension BriefReader {
    /// One MCP call the reader made and what it read back.
    struct MCPCall: CustomStringConvertible {
        var name: String
        var arguments: String
        var text: String
        var isError: Bool
        var description: String { "\(name) \(arguments) -> \(isError ? "error: " : "")\(text.prefix(300))" }
    }

    /// Drives a run over MCP as a model would: before each turn it reads `workflow_status` (the brief, the stage's
    /// instructions, the status line), which stands in for the system and first user messages our runner sends;
    /// the calls and results of the current stage are its conversation. A tool call is made as an MCP call (training
    /// and evaluation with a progress token); a text answer ends the reader's work on the stage (`complete_stage`).
    static func drive(
        maxTurns: Int = 30,
        call: (String, [String: Value], String?) async throws -> (text: String, isError: Bool)
    ) async throws -> (calls: [MCPCall], ended: Bool) {
        var calls: [MCPCall] = []
        var conversation: [AgentCore.Message] = []
        var stage = ""
        for turn in 0..<maxTurns {
            let status = try await call("workflow_status", [:], nil).text
            if status.contains("The run has ended") { return (calls, true) }
            let current = status.range(of: #"Stage '[a-z_-]+'"#, options: .regularExpression).map { String(status[$0]) }
            if current != stage { (stage, conversation) = (current ?? "", []) }
            let request = ModelRequest(
                model: "brief-reader", messages: [.system(status), .user(status)] + conversation)
            guard let answer = respond(request, turn)?.events else { return (calls, false) }
            let toolCalls = answer.compactMap { if case .toolCall(let call) = $0 { call } else { nil } }
            let text = answer.compactMap { if case .textDelta(let text) = $0 { text } else { nil } }.joined()
            guard let toolCall = toolCalls.first else {
                if status.contains("iteration 1 logged") { return (calls, false) }
                let arguments: [String: Value] = ["summary": .string(text)]
                let result = try await call("complete_stage", arguments, nil)
                calls.append(MCPCall(name: "complete_stage", arguments: text, text: result.text, isError: result.isError))
                conversation = []
                continue
            }
            let arguments = try JSONDecoder().decode([String: Value].self, from: Data(toolCall.arguments.utf8))
            let token = ["train", "eval"].contains(toolCall.name) ? "\(toolCall.name)-\(turn)" : nil
            let result = try await call(toolCall.name, arguments, token)
            calls.append(
                MCPCall(name: toolCall.name, arguments: toolCall.arguments, text: result.text, isError: result.isError))
            conversation += [
                .assistant("", toolCalls: [toolCall]),
                .toolResult(callID: toolCall.id, ToolOutput(result.text, isError: result.isError)),
            ]
            if result.text.contains("The run has ended") { return (calls, true) }
        }
        return (calls, false)
    }
}
