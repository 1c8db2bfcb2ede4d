import Foundation

/// What `PythonEnvironment.status()` found, for `autotrainess doctor`.
public struct PythonEnvironmentStatus: Sendable, Hashable, Codable {
    /// The state of the venv.
    public enum State: String, Sendable, Hashable, Codable {
        /// No venv yet: `ensure()` will create it.
        case missing
        /// Provisioned with the current pinned set, and the import probe passes.
        case ready
        /// The probe passes but the venv was not provisioned with the current pinned set (or by AutoTrainess).
        case outdated
        /// The venv exists but the probe fails: `ensure()` repairs it.
        case broken
    }

    /// The venv folder.
    public var venvDirectory: String
    /// Whether `AUTOTRAINESS_PYTHON_VENV` chose the venv (AutoTrainess then never installs into it).
    public var isOverride: Bool
    /// The state of the venv.
    public var state: State
    /// The venv's Python version, when it runs.
    public var pythonVersion: String?
    /// Installed versions of the packages AutoTrainess drives, by distribution name.
    public var packages: [String: String]
    /// Import errors, by distribution name.
    public var importErrors: [String: String]
    /// Whether torch sees a CUDA device.
    public var cudaAvailable: Bool
    /// How many CUDA devices torch sees.
    public var cudaDeviceCount: Int
    /// Whether a local CPU torch wheel was found in pip's find-links folders.
    public var localTorchWheel: String?

    /// Creates a status.
    public init(
        venvDirectory: String, isOverride: Bool, state: State, pythonVersion: String?, packages: [String: String],
        importErrors: [String: String], cudaAvailable: Bool, cudaDeviceCount: Int, localTorchWheel: String?
    ) {
        self.venvDirectory = venvDirectory
        self.isOverride = isOverride
        self.state = state
        self.pythonVersion = pythonVersion
        self.packages = packages
        self.importErrors = importErrors
        self.cudaAvailable = cudaAvailable
        self.cudaDeviceCount = cudaDeviceCount
        self.localTorchWheel = localTorchWheel
    }
}
