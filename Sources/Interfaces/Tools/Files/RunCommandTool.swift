import AgentCore
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The outcome of one shell command.
public struct CommandResult: Sendable, Hashable {
    /// The exit status, or the signal number when `timedOut` or killed.
    public var status: Int32
    /// Whether the command was killed at its timeout.
    public var timedOut: Bool
    /// Standard output and error, interleaved.
    public var output: String
}

/// `run_command`: runs a shell command in the run folder with a timeout, an environment without secrets, and
/// output cut to a head and a tail with a note.
///
/// The working directory is the run folder; the command itself is not sandboxed.
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
    /// The environment the command starts from; secret variables are removed.
    public let environment: [String: String]
    /// Characters of output kept from the start and from the end.
    public var keptCharacters: Int
    /// The longest a command may run.
    public var maxTimeoutSeconds: Int

    /// Creates the tool for the run folder of `workspace`.
    public init(
        workspace: Workspace, environment: [String: String], keptCharacters: Int = 3000, maxTimeoutSeconds: Int = 1800
    ) {
        self.workspace = workspace
        self.environment = Secrets.scrub(environment: environment)
        self.keptCharacters = keptCharacters
        self.maxTimeoutSeconds = maxTimeoutSeconds
    }

    public var name: String { "run_command" }
    public var description: String {
        "Run a shell command in the run folder (default timeout 120 s). Long output is cut to its start and end. "
            + "Use the plan/data/train/eval/log tools for those steps."
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

    /// Runs `command` with `/bin/sh -c` in the run folder; on timeout or cancellation the whole process group
    /// is killed.
    /// - Throws: when the shell cannot be started.
    public func run(_ command: String, timeoutSeconds: Int) async throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = workspace.root
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        let collector = OutputCollector()
        pipe.fileHandleForReading.readabilityHandler = { handle in collector.append(handle.availableData) }
        let finished = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in finished.continuation.finish() }
        try process.run()
        let pid = process.processIdentifier
        let timedOut = TimeoutFlag()
        let killer = Task {
            try await Task.sleep(for: .seconds(timeoutSeconds))
            timedOut.set()
            Self.killGroup(pid)
        }
        await withTaskCancellationHandler {
            for await _ in finished.stream {}
        } onCancel: {
            Self.killGroup(pid)
        }
        killer.cancel()
        Self.killGroup(pid)
        pipe.fileHandleForReading.readabilityHandler = nil
        collector.append(Self.drain(pipe.fileHandleForReading.fileDescriptor))
        try Task.checkCancellation()
        return CommandResult(
            status: process.terminationStatus, timedOut: timedOut.value,
            output: String(decoding: collector.data, as: UTF8.self))
    }

    /// Kills the process group led by `pid` (Foundation starts children in their own group on Linux).
    private static func killGroup(_ pid: Int32) {
        guard pid > 0 else { return }
        kill(-pid, SIGKILL)
    }

    /// Reads what is left in a pipe without blocking (a detached grandchild may still hold its write end).
    private static func drain(_ descriptor: Int32) -> Data {
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
        }
        return data
    }

    /// `text` cut to its first and last `keeping` characters, with a note of what was left out.
    static func truncate(_ text: String, keeping: Int) -> String {
        guard text.count > 2 * keeping else { return text }
        let cut = text.count - 2 * keeping
        return text.prefix(keeping) + "\n[… \(cut) characters cut; redirect to a file and read it in parts …]\n"
            + text.suffix(keeping)
    }
}

/// Collects output from a pipe's readability handler.
private final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = Data()

    func append(_ data: Data) {
        lock.lock()
        buffer.append(data)
        lock.unlock()
    }

    var data: Data {
        lock.lock()
        defer { lock.unlock() }
        return buffer
    }
}

/// Whether the timeout fired.
private final class TimeoutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false

    func set() {
        lock.lock()
        fired = true
        lock.unlock()
    }

    var value: Bool {
        lock.lock()
        defer { lock.unlock() }
        return fired
    }
}
