import ArgumentParser
import AutoTrainess
import AutoTrainessMCP
import Foundation
import Interfaces
import MCP
import Workflows

/// `autotrainess mcp`: a run's tools served over MCP stdio, for Claude Code, Codex or OpenCode as the agent.
struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve a run's tools over MCP (stdio) so that Claude Code, Codex or OpenCode drives the run.",
        discussion: """
            The stages, rules, budget and checkpoint registry stay enforced here: a call the workflow does not \
            allow is refused with the reason, every call is recorded in the run's events.jsonl, and final_model/ \
            is replaced only by a proven improvement. Standard output carries the protocol; progress goes to \
            standard error. Give exactly one of --run, --task, --posttrainbench or --demo. Examples:
              claude mcp add autotrainess -- autotrainess mcp --task tasks/gsm8k.yaml --run-id gsm8k-claude
              claude mcp add autotrainess -- autotrainess mcp --posttrainbench ~/task --base-model /models/Qwen3-1.7B-Base
              codex mcp add autotrainess -- autotrainess mcp --run runs/2026-11-27-gsm8k
            """
    )

    @Option(help: "Serve an existing run folder.")
    var run: String?

    @Option(help: "Serve a run of this task file (YAML); with --run-id the same run is reopened next time.")
    var task: String?

    @Flag(help: "Serve a new run of the embedded demo task (provisions the model like `autotrainess demo`).")
    var demo = false

    @Flag(help: "With --demo: the quick settings.")
    var quick = false

    @Option(help: "With --task or --posttrainbench: the run's folder name under --runs-dir (reopened when it exists).")
    var runId: String?

    @Option(help: "With --task: override the task's wall-clock budget, e.g. 10h or 45m.")
    var budget: String?

    @Option(help: "Where runs are written (with --task or --demo).")
    var runsDir: String = "runs"

    @OptionGroup(title: "PostTrainBench") var benchmark: PostTrainBenchOptions

    @OptionGroup var shell: ShellFlags

    func validate() throws {
        let sources = [run != nil, task != nil, benchmark.posttrainbench != nil, demo].filter { $0 }.count
        guard sources == 1 else {
            throw ValidationError("Give exactly one of --run DIR, --task FILE, --posttrainbench TASK_DIR or --demo.")
        }
        if quick && !demo { throw ValidationError("--quick goes with --demo.") }
        if runId != nil && task == nil && benchmark.posttrainbench == nil {
            throw ValidationError("--run-id goes with --task or --posttrainbench.")
        }
    }

    func run() async throws {
        let relay = MCPProgressRelay()
        let launcher = RunLauncher(
            progress: { line in
                Console.error(line)
                relay.post(line)
            }, shell: shell.options)
        let workspace = try await workspace(launcher)
        let path = workspace.root.path
        try await Interruption.run(hint: { "Serve it again with: autotrainess mcp --run \(path)" }) {
            let opened = try await launcher.open(workspace)
            defer { opened.close() }
            let gateway = WorkflowGateway(
                workflow: opened.workflow, tools: opened.tools, store: opened.store, registry: opened.registry,
                budget: opened.budget, task: opened.brief)
            try await gateway.start()
            Console.error("Serving run \(path) over MCP (stdio): \(await gateway.toolDefinitions.count) tools.")
            let server = MCPToolServer(
                gateway: gateway, relay: relay,
                instructions: WorkflowRunner.defaultInstructions
                    + " This server runs the AutoTrainess workflow on one run: call "
                    + "\(WorkflowGateway.statusToolName) first for the task, the current stage and its tools.",
                runDirectory: workspace.root)
            try await server.serve(over: StdioTransport())
            if let ending = await gateway.ending { Console.error(ending.summary) }
            launcher.writeReport(workspace)
        }
    }

    /// The run to serve: the one named, or one created for the task or the demo.
    private func workspace(_ launcher: RunLauncher) async throws -> Workspace {
        let runs = URL(fileURLWithPath: runsDir, isDirectory: true)
        if let run { return try Workspace.open(URL(fileURLWithPath: run, isDirectory: true)) }
        if task != nil || benchmark.posttrainbench != nil {
            var spec: TaskSpec
            if let task {
                spec = try TaskSpec.load(from: URL(fileURLWithPath: task))
            } else {
                let found: [String]
                (spec, found) = try await benchmark.spec()
                found.forEach { Console.error($0) }
            }
            if let budget { spec.budget = budget }
            return try launcher.create(spec: spec, runsDirectory: runs, runID: runId, driver: .external("MCP"))
        }
        let demo = DemoRun(
            settings: quick ? .quick : .standard, runsDirectory: runs, driver: .external("MCP"), launcher: launcher)
        return try await demo.prepare()
    }
}
