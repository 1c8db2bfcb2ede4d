/// One line a child process wrote, tagged with the stream it came from.
public enum ProcessOutputLine: Sendable, Hashable {
    case stdout(String)
    case stderr(String)

    /// The text of the line, whichever stream it came from.
    public var text: String {
        switch self {
        case .stdout(let text), .stderr(let text): text
        }
    }
}

/// How a child process ended.
public struct ProcessOutcome: Sendable, Hashable {
    /// The exit status when the process exited normally; `nil` when a signal ended it.
    public var exitCode: Int32?
    /// The signal that ended the process, if one did.
    public var signal: Int32?
    /// Seconds from launch to the end of the whole process group's output.
    public var wallSeconds: Double
    /// The last lines of stdout and stderr together, in arrival order (at most `ProcessRunner.tailLineLimit`).
    public var outputTail: [String]
    /// Whether the spec's deadline was reached and the group was torn down.
    public var timedOut: Bool

    /// Creates an outcome.
    public init(exitCode: Int32?, signal: Int32?, wallSeconds: Double, outputTail: [String], timedOut: Bool) {
        self.exitCode = exitCode
        self.signal = signal
        self.wallSeconds = wallSeconds
        self.outputTail = outputTail
        self.timedOut = timedOut
    }

    /// Whether the process exited with status 0 before its deadline.
    public var succeeded: Bool { exitCode == 0 && !timedOut }

    /// A short human description: `exit 0`, `exit 1`, `signal 15`, plus `(deadline reached)` when it timed out.
    public var summary: String {
        let end = exitCode.map { "exit \($0)" } ?? signal.map { "signal \($0)" } ?? "unknown end"
        return timedOut ? "\(end) (deadline reached)" : end
    }
}
