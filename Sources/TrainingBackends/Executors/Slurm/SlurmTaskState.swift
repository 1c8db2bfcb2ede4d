/// The state of one Slurm job or array task, as `scontrol show job -o` or `sacct -P` report it.
public struct SlurmTaskState: Sendable, Hashable {
    /// The array task index; `nil` for a plain job, or for a line covering pending tasks not yet split out.
    public var arrayIndex: Int?
    /// Whether the line covers a range of array tasks (`ArrayTaskId=0-3`), which are all still pending.
    public var isPendingRange: Bool
    /// The state name, such as `PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, `CANCELLED`, `TIMEOUT`.
    public var state: String
    /// The exit status of the batch script (the part before `:` in `ExitCode=`).
    public var exitCode: Int32
    /// The signal that ended it (the part after `:`), 0 when none.
    public var signal: Int32

    /// Creates a state.
    public init(arrayIndex: Int?, isPendingRange: Bool = false, state: String, exitCode: Int32, signal: Int32) {
        self.arrayIndex = arrayIndex
        self.isPendingRange = isPendingRange
        self.state = state
        self.exitCode = exitCode
        self.signal = signal
    }

    /// Whether the job or task has ended (it will not run again).
    public var isFinished: Bool {
        !isPendingRange
            && [
                "COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL",
                "DEADLINE",
            ].contains(state)
    }

    /// Whether Slurm stopped it for its time limit.
    public var reachedTimeLimit: Bool { state == "TIMEOUT" || state == "DEADLINE" }

    /// The states in `scontrol show job -o <id>` output (one line per job or array task).
    public static func parseScontrol(_ lines: [String]) -> [SlurmTaskState] {
        lines.compactMap { line in
            var fields: [String: String] = [:]
            for word in line.split(separator: " ") {
                guard let equals = word.firstIndex(of: "=") else { continue }
                fields[String(word[..<equals])] = String(word[word.index(after: equals)...])
            }
            guard let state = fields["JobState"] else {
                return nil
            }
            let (code, signal) = parseExitCode(fields["ExitCode"] ?? "0:0")
            let task = fields["ArrayTaskId"]
            return SlurmTaskState(
                arrayIndex: task.flatMap { Int($0) }, isPendingRange: task.map { Int($0) == nil } ?? false,
                state: state, exitCode: code, signal: signal)
        }
    }

    /// The states in `sacct -n -P -X -o JobID,State,ExitCode -j <id>` output (`123_4|COMPLETED|0:0`).
    public static func parseSacct(_ lines: [String]) -> [SlurmTaskState] {
        lines.compactMap { line in
            let parts = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 3, !parts[0].contains(".") else {
                return nil
            }
            let state = parts[1].split(separator: " ").first.map(String.init) ?? parts[1]
            let (code, signal) = parseExitCode(parts[2])
            let task = parts[0].split(separator: "_").dropFirst().first.map(String.init)
            return SlurmTaskState(
                arrayIndex: task.flatMap { Int($0) }, isPendingRange: task.map { Int($0) == nil } ?? false,
                state: state, exitCode: code, signal: signal)
        }
    }

    private static func parseExitCode(_ text: String) -> (Int32, Int32) {
        let parts = text.split(separator: ":").map { Int32($0) ?? 0 }
        return (parts.first ?? 0, parts.count > 1 ? parts[1] : 0)
    }
}
