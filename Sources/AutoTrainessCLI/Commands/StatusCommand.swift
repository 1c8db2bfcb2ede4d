import AgentCore
import ArgumentParser
import AutoTrainess
import Foundation
import Interfaces
import Workflows

/// `autotrainess status RUN_DIR [--json]`: the run's state rebuilt from its store.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a run's iteration, stage, budget spent, checkpoints and history (exit 1 if not a run)."
    )

    @Argument(help: "The run folder.")
    var runDirectory: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() async throws {
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
            let report = StatusReport(state: state, damage: contents.damage, shell: shell, tampering: tampering)
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
}

/// The JSON shape of `status --json`.
private struct StatusReport: Encodable {
    var state: RunState
    var damage: [StoreDamage]
    var shell: ShellOptions
    var tampering: [String]
}
