import Foundation

/// Why a process could not be started.
public enum ProcessRunnerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The executable name was not found on the spec's `PATH`.
    case executableNotFound(name: String, searchPath: String)
    /// The executable could not be launched (permissions, missing interpreter, bad working directory...).
    case launchFailed(executable: String, reason: String)

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case .executableNotFound(let name, let searchPath):
            "Executable '\(name)' was not found on PATH (\(searchPath)). "
                + "Install it, pass its full path, or put its folder on the spec's PATH."
        case .launchFailed(let executable, let reason):
            "Could not launch '\(executable)': \(reason). Check that the file exists, is executable, "
                + "and that the working directory exists."
        }
    }
}
