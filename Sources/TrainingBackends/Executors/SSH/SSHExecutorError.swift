/// Why an `SSHExecutor` could not stage files or reach its host.
public enum SSHExecutorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A local path given to `stageIn` does not exist.
    case localPathMissing(path: String)
    /// `rsync` failed to copy a path.
    case transferFailed(direction: String, from: String, to: String, outcome: String, outputTail: [String])
    /// A bookkeeping command on the host failed (connection refused, authentication, permissions...).
    case remoteCommandFailed(host: String, command: String, outcome: String, outputTail: [String])

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case .localPathMissing(let path):
            return "Cannot stage '\(path)' to the remote host: it does not exist here. "
                + "Create it first, or leave it out of the staged inputs."
        case .transferFailed(let direction, let from, let to, let outcome, let tail):
            return "rsync (\(direction)) from '\(from)' to '\(to)' failed (\(outcome)): "
                + tail.suffix(5).joined(separator: " | ")
                + ". Check that rsync is installed on both machines, that the remote path exists for outputs, "
                + "and that the remote folder is writable."
        case .remoteCommandFailed(let host, let command, let outcome, let tail):
            return "'\(command)' on \(host) failed (\(outcome)): " + tail.suffix(5).joined(separator: " | ")
                + ". Check that `ssh` reaches the host without a password prompt (key, user, port) and that "
                + "the remote work folder is writable."
        }
    }
}
