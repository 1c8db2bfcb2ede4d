public import AgentCore
public import Foundation
public import Runtime
import Synchronization

/// The outcome of one shell command.
public struct CommandResult: Sendable, Hashable {
    /// The exit status, or the signal number when `timedOut` or killed.
    public var status: Int32
    /// Whether the command was killed at its timeout.
    public var timedOut: Bool
    /// Standard output and error, interleaved.
    public var output: String
}

/// How the agent's shell runs.
public enum ShellAccess: Sendable, Hashable {
    /// Inside `sandbox` (see ``ShellSandbox``): the run folder read-only except its work folders (`scratch/`, each
    /// iteration's `data/` and `train/`), the data roots read-only, `hidden` not mounted at all.
    case sandboxed(ShellSandbox, hidden: [URL], network: Bool, limits: ShellSandbox.Limits)
    /// Without a sandbox: the command can do whatever the user running AutoTrainess can. Only when accepted
    /// explicitly (`--unsafe-shell`), or in tests of the tool itself.
    case unsandboxed
}

/// `run_command`: runs a shell command in the run folder with a timeout, an environment without secrets, and
/// output cut to a head and a tail with a note; in a sandbox (``ShellAccess/sandboxed(_:hidden:network:limits:)``)
/// unless the run accepted an unsandboxed shell.
public struct RunCommandTool: Tool {
    /// The tool's arguments, as the model writes them (see ``parameters``).
    public struct Arguments: Decodable, Sendable {
        /// A `/bin/sh` command line.
        public var command: String
        /// Seconds before the command is killed (default 120).
        public var timeoutSeconds: Int?
    }

    /// The run folder.
    public let workspace: Workspace
    /// The environment the command starts from; secret variables are removed (in a sandbox, only allow-listed
    /// variables pass).
    public let environment: [String: String]
    /// Sandboxed or not.
    public let access: ShellAccess
    /// Folders outside the run that commands may read (the task's data roots).
    public let readableRoots: [URL]
    /// Characters of output kept from the start and from the end.
    public var keptCharacters: Int
    /// The longest a command may run.
    public var maxTimeoutSeconds: Int

    /// Creates the tool for the run folder of `workspace`.
    public init(
        workspace: Workspace, environment: [String: String], access: ShellAccess = .unsandboxed,
        readableRoots: [URL] = [], keptCharacters: Int = 3000, maxTimeoutSeconds: Int = 1800
    ) {
        self.workspace = workspace
        self.environment = Secrets.scrub(environment: environment)
        self.access = access
        self.readableRoots = readableRoots
        self.keptCharacters = keptCharacters
        self.maxTimeoutSeconds = maxTimeoutSeconds
    }

    public var name: String { "run_command" }
    public var description: String {
        var text =
            "Run a shell command in the run folder (default timeout 120 s). Long output is cut to its start and "
            + "end. Use the plan/data/train/eval/log tools for those steps."
        if case .sandboxed = access, let policy = try? policy() {
            text += " " + ShellSandbox.describe(policy, relativeTo: workspace.root)
                + " Write generated files to scratch/ or to the iteration's data/ folder."
        }
        return text
    }

    public var parameters: JSONSchema {
        .object(
            properties: [
                "command": .string(description: "A /bin/sh command line"),
                "timeoutSeconds": .integer(description: "Kill the command after this long (default 120)", minimum: 1),
            ],
            required: ["command"])
    }

    public func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
        guard !arguments.command.trimmingCharacters(in: .whitespaces).isEmpty else {
            return .error("command is empty.")
        }
        let timeout = arguments.timeoutSeconds ?? 120
        guard timeout <= maxTimeoutSeconds else {
            return .error("timeoutSeconds \(timeout) is above the limit of \(maxTimeoutSeconds).")
        }
        let result = try await run(arguments.command, timeoutSeconds: timeout)
        let output = Self.truncate(Secrets.redactEnvironmentSecrets(result.output), keeping: keptCharacters)
        let header: String
        if result.timedOut {
            header = "Timed out after \(timeout) s and was killed."
        } else {
            header = "Exit status \(result.status)."
        }
        let text = header + (output.isEmpty ? " No output." : "\n" + output)
        return result.status == 0 && !result.timedOut ? ToolOutput(text) : .error(text)
    }

    /// The folder commands write their own files to.
    public var scratch: URL { workspace.root.appendingPathComponent("scratch", isDirectory: true) }

    /// The sandbox policy for the run folder as it is now: writable `scratch/` and each iteration's `data/` and
    /// `train/` (their `dataset_info.json`, which the data tool owns, stay read-only).
    /// - Throws: ``ToolRefusal`` when the shell is not sandboxed.
    public func policy() throws -> ShellSandbox.Policy {
        guard case .sandboxed(_, let hidden, let network, let limits) = access else {
            throw ToolRefusal("the shell is not sandboxed")
        }
        var writable = [scratch]
        var readOnly = [workspace.root] + readableRoots
        let iterations = (try? FileManager.default.contentsOfDirectory(atPath: workspace.iterationsDirectory.path)) ?? []
        for name in iterations {
            guard let number = Int(name) else { continue }
            let paths = workspace.iteration(number)
            writable += [paths.data, paths.train].filter { FileManager.default.fileExists(atPath: $0.path) }
            readOnly.append(paths.datasetInfo)
        }
        return ShellSandbox.Policy(
            workingDirectory: workspace.root, writable: writable, readOnly: readOnly, hidden: hidden,
            environment: ShellSandbox.allowedEnvironment(from: environment), network: network, limits: limits)
    }

    /// Runs `command` with `/bin/sh -c` in the run folder (in the sandbox when there is one); on timeout or
    /// cancellation the whole process group is killed.
    /// - Throws: when the shell cannot be started.
    public func run(_ command: String, timeoutSeconds: Int) async throws -> CommandResult {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let spec: ProcessSpec
        var processLimit: ShellSandbox.ProcessLimit?
        defer { processLimit?.remove() }
        let deadline = Date().addingTimeInterval(TimeInterval(timeoutSeconds))
        switch access {
        case .sandboxed(let sandbox, _, _, let limits):
            processLimit = ShellSandbox.ProcessLimit.make(processes: limits.processes)
            let (executable, arguments) = sandbox.command(
                for: command, policy: try policy(), processLimit: processLimit)
            spec = ProcessSpec(
                executable: executable.path, arguments: arguments, environment: ["PATH": "/usr/bin:/bin"],
                workingDirectory: workspace.root, deadline: deadline, terminationGracePeriod: .milliseconds(200))
        case .unsandboxed:
            spec = ProcessSpec(
                executable: "/bin/sh", arguments: ["-c", command], environment: environment,
                workingDirectory: workspace.root, deadline: deadline, terminationGracePeriod: .milliseconds(200))
        }
        let output = OutputWindow(keeping: 4 * keptCharacters)
        let outcome = try await ProcessRunner.run(spec) { line in output.append(line.text) }
        return CommandResult(
            status: outcome.exitCode ?? outcome.signal ?? -1, timedOut: outcome.timedOut, output: output.text)
    }

    /// `text` cut to its first and last `keeping` characters, with a note of what was left out.
    static func truncate(_ text: String, keeping: Int) -> String {
        guard text.count > 2 * keeping else { return text }
        let cut = text.count - 2 * keeping
        return text.prefix(keeping) + "\n[… \(cut) characters cut; redirect to a file and read it in parts …]\n"
            + text.suffix(keeping)
    }
}

/// The first and last characters of a command's output, however much it prints.
private final class OutputWindow: Sendable {
    private struct State {
        var head = ""
        var tail = ""
        var dropped = 0
    }
    private let keeping: Int
    private let state = Mutex(State())

    init(keeping: Int) { self.keeping = keeping }

    func append(_ line: String) {
        state.withLock { state in
            let line = line + "\n"
            if state.head.count < keeping {
                state.head += line
                return
            }
            state.tail += line
            if state.tail.count > 2 * keeping {
                let excess = state.tail.count - keeping
                state.tail.removeFirst(excess)
                state.dropped += excess
            }
        }
    }

    var text: String {
        state.withLock { state in
            let middle = state.dropped > 0 ? "[… \(state.dropped) characters not kept …]\n" : ""
            return String((state.head + middle + state.tail).dropLast(state.head.isEmpty && state.tail.isEmpty ? 0 : 1))
        }
    }
}
