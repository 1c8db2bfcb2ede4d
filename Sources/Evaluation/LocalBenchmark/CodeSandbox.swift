import Foundation
import Runtime

/// Runs untrusted model-written Python in a subprocess: a fresh temporary folder as working directory and `HOME`,
/// Python's isolated mode (`-I`), an environment holding only `PATH`, CPU-time and address-space limits
/// (`ulimit -t`, `ulimit -v`), and a wall-clock deadline after which the whole process group is killed.
///
/// This contains accidents (infinite loops, memory blow-ups, stray files), not a determined attacker: it is not a
/// container. Run benchmarks from trusted sources only.
public struct CodeSandbox: Sendable, Hashable, Codable {
    /// The Python interpreter.
    public var pythonExecutable: String
    /// Wall-clock limit per program.
    public var timeoutSeconds: Double
    /// Address-space limit per program.
    public var memoryLimitMegabytes: Int

    /// The outcome of one program.
    public struct Result: Sendable, Hashable, Codable {
        /// Exited 0 before the deadline.
        public var passed: Bool
        /// Stopped at the deadline.
        public var timedOut: Bool
        /// The last lines of its output.
        public var outputTail: [String]
    }

    /// A sandbox.
    public init(pythonExecutable: String = "python3", timeoutSeconds: Double = 10, memoryLimitMegabytes: Int = 1024) {
        self.pythonExecutable = pythonExecutable
        self.timeoutSeconds = timeoutSeconds
        self.memoryLimitMegabytes = memoryLimitMegabytes
    }

    /// Runs `program` and reports whether it exited 0 in time.
    /// - Throws: `EvaluationError.invalidInput` when the sandbox folder cannot be made; `ProcessRunnerError` when
    ///   the shell cannot be launched; `CancellationError`.
    public func run(_ program: String) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("autotrainess-sandbox-\(UUID().uuidString)", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(program.utf8).write(to: folder.appendingPathComponent("program.py"))
        } catch {
            throw EvaluationError.invalidInput("cannot prepare a sandbox folder at \(folder.path): \(error)")
        }
        defer { try? FileManager.default.removeItem(at: folder) }
        let cpuSeconds = max(1, Int(timeoutSeconds.rounded(.up)))
        let script = "ulimit -t \(cpuSeconds); ulimit -v \(memoryLimitMegabytes * 1024); exec \"$0\" -I program.py"
        let spec = ProcessSpec(
            executable: "/bin/sh", arguments: ["-c", script, pythonExecutable],
            environment: ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": folder.path, "PYTHONDONTWRITEBYTECODE": "1"],
            workingDirectory: folder, deadline: Date().addingTimeInterval(timeoutSeconds),
            terminationGracePeriod: .milliseconds(200))
        let outcome = try await ProcessRunner.run(spec)
        return Result(
            passed: outcome.succeeded, timedOut: outcome.timedOut, outputTail: Array(outcome.outputTail.suffix(20)))
    }
}
