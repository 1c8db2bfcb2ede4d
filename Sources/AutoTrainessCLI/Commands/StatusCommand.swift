import AgentCore
import ArgumentParser
import AutoTrainess
import Foundation
import Interfaces
import Workflows

/// `autotrainess status RUN_DIR [--json] [--watch]`: the run's state rebuilt from its store.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a run's iteration, stage, budget spent, checkpoints and history (exit 1 if not a run)."
    )

    @Argument(help: "The run folder.")
    var runDirectory: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Flag(help: "Redraw a live view (stage, training job with ETA, budget, last decision) until the run stops.")
    var watch = false

    @Option(help: "Seconds between redraws with --watch.")
    var interval: Int = 2

    func validate() throws {
        guard interval >= 1 else { throw ValidationError("--interval must be at least 1 second") }
        guard !(watch && json) else { throw ValidationError("--watch and --json cannot be combined") }
    }

    func run() async throws {
        if watch { return try await watchRun() }
        let workspace: Workspace
        let contents: ExperimentStoreContents
        do {
            workspace = try Workspace.open(URL(fileURLWithPath: runDirectory))
            contents = try JSONLExperimentStore.read(fileURL: workspace.eventsFile)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
        let state = RunState.rebuild(from: contents.records, runDirectory: workspace.root)
        let shell = (try? workspace.readManifest().config["shell"]?.decode(as: ShellOptions.self)) ?? ShellOptions()
        let shellLine =
            shell.unsafe
            ? "Shell: UNSANDBOXED (--unsafe-shell): the agent's commands could change any file of the user"
            : "Shell: sandboxed (bubblewrap)" + (shell.network ? "" : ", no network")
        let tampering = CheckpointRegistry.inspect(runDirectory: workspace.root)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let live = LiveStatus(RunReport(manifest: try? workspace.readManifest(), records: contents.records, workspace: workspace))
            let report = StatusReport(
                state: state, live: live, damage: contents.damage, shell: shell, tampering: tampering)
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(state.summary)
            print(shellLine)
            print(
                tampering.isEmpty
                    ? "Submission: final_model/ is as the run wrote it"
                    : "TAMPERED: " + tampering.joined(separator: "; ")
                        + " (autotrainess resume restores final_model/ and ends the run as tampered)")
            for damage in contents.damage { print("warning: events.jsonl \(damage)") }
        }
    }

    /// Redraws the live view until the run stops (the screen is cleared between frames on a terminal; elsewhere
    /// each frame is printed after a blank line).
    private func watchRun() async throws {
        let run = URL(fileURLWithPath: runDirectory)
        let terminal = isatty(STDOUT_FILENO) == 1
        while true {
            let report: RunReport
            do {
                report = try RunReport.load(runDirectory: run)
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(1)
            }
            let frame = LiveStatus(report).lines().joined(separator: "\n")
            // Written unbuffered, so a pipe or a pseudo-terminal sees each frame as it is drawn.
            FileHandle.standardOutput.write(Data(((terminal ? "\u{1B}[H\u{1B}[2J" : "") + frame + "\n\n").utf8))
            if report.finished { return }
            try await Task.sleep(for: .seconds(interval))
        }
    }
}

/// The JSON shape of `status --json`.
private struct StatusReport: Encodable {
    var state: RunState
    /// What `status --watch` shows.
    var live: LiveStatus
    var damage: [StoreDamage]
    var shell: ShellOptions
    var tampering: [String]
}
