import Foundation

/// Why the managed Python environment could not be provisioned or used.
public enum PythonEnvironmentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A step of the installation (creating the venv, a pip call) failed.
    case stepFailed(step: String, command: [String], outcome: String, outputTail: [String])
    /// The packages installed, but the import probe failed.
    case probeFailed(venv: String, errors: [String: String])
    /// The venv named by `AUTOTRAINESS_PYTHON_VENV` is missing or does not import the stack.
    case unusableOverride(venv: String, problem: String)
    /// A pinned file under the package's `Python/` folder is missing.
    case missingPinnedFile(path: String)
    /// The installation lock could not be taken.
    case lockFailed(path: String, reason: String)

    /// What went wrong, where, and what to do.
    public var description: String {
        switch self {
        case .stepFailed(let step, let command, let outcome, let tail):
            "Python environment step '\(step)' failed (\(outcome)): \(command.joined(separator: " "))\n"
                + tail.suffix(20).joined(separator: "\n")
                + "\nFix: check network access to PyPI and free disk space (`autotrainess doctor`), then retry; "
                + "the next attempt repairs the venv."
        case .probeFailed(let venv, let errors):
            "The Python environment at \(venv) installed but does not import: "
                + errors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
                + ". Fix: delete \(venv) and run again, or run `autotrainess doctor` for details."
        case .unusableOverride(let venv, let problem):
            "AUTOTRAINESS_PYTHON_VENV points to \(venv), which cannot be used: \(problem). "
                + "Fix: point it to a venv with the pinned stack (Python/requirements.txt), or unset it to let "
                + "AutoTrainess manage its own venv."
        case .missingPinnedFile(let path):
            "The pinned Python requirements file \(path) is missing. Fix: set AUTOTRAINESS_HOME to the package's "
                + "top folder (the one holding Python/)."
        case .lockFailed(let path, let reason):
            "Could not lock \(path): \(reason). Fix: make the cache directory writable or set AUTOTRAINESS_CACHE."
        }
    }
}
