import ArgumentParser
import AutoTrainess
import Foundation
import Interfaces
import Workflows

/// `autotrainess run --task FILE`: a real run of the default workflow.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Post-train a model on a task (YAML file) with the default AutoTrainess workflow."
    )

    @Option(help: "The task file (YAML): base model, template, benchmark and evaluator, budget, optional recipe.")
    var task: String

    @Option(help: "Override the task's wall-clock budget, e.g. 10h or 45m.")
    var budget: String?

    @Option(help: "Where runs are written.")
    var runsDir: String = "runs"

    @Option(help: "The training backend (only llamafactory for now).")
    var backend: String = "llamafactory"

    @Flag(
        help: "Print the first messages of stage 0 exactly as the model would receive them (system message, then the task brief) and exit without creating a run."
    )
    var dryRun = false

    @OptionGroup var driver: DriverOptions
    @OptionGroup var shell: ShellFlags

    func run() async throws {
        guard backend == "llamafactory" else {
            throw ValidationError("Unknown --backend '\(backend)': use llamafactory.")
        }
        var spec = try TaskSpec.load(from: URL(fileURLWithPath: task))
        if let budget { spec.budget = budget }
        if dryRun {
            let messages = try spec.firstMessages(python: PythonEnvironment())
            print("=== system message ===\n\(messages.system)\n\n=== first user message ===\n\(messages.user)")
            return
        }
        let launcher = RunLauncher(progress: Console.line, shell: shell.options)
        let workspace = try launcher.create(
            spec: spec, runsDirectory: URL(fileURLWithPath: runsDir, isDirectory: true), driver: try driver.driver())
        let path = workspace.root.path
        Console.line("Run folder: \(path) (resume with: autotrainess resume \(path))")
        let outcome = try await Interruption.run(hint: { "Resume with: autotrainess resume \(path)" }) {
            try await launcher.run(workspace)
        }
        Console.line(outcome.summary)
        if outcome.ending.isFailure { throw ExitCode(1) }
    }
}

/// `autotrainess resume RUN_DIR`: continues a stopped or killed run from its store.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a run from its events.jsonl after a kill, Ctrl-C or crash."
    )

    @Argument(help: "The run folder.")
    var runDirectory: String

    func run() async throws {
        let workspace = try Workspace.open(URL(fileURLWithPath: runDirectory, isDirectory: true))
        let path = workspace.root.path
        let outcome = try await Interruption.run(hint: { "Resume with: autotrainess resume \(path)" }) {
            try await RunLauncher(progress: Console.line).run(workspace)
        }
        Console.line(outcome.summary)
        if outcome.ending.isFailure { throw ExitCode(1) }
    }
}
