import AgentCore
import Foundation

/// Checks what training needs on this machine: Python, pip, disk space, GPU visibility and the managed venv.
public struct EnvironmentDoctor: Sendable {
    /// The environment checked.
    public var environment: PythonEnvironment
    /// The free disk space (GiB) below which the cache's disk is a problem.
    public var minimumFreeGiB: Double

    /// Creates a doctor for `environment`.
    public init(environment: PythonEnvironment = PythonEnvironment(), minimumFreeGiB: Double = 10) {
        self.environment = environment
        self.minimumFreeGiB = minimumFreeGiB
    }

    /// Runs every check (the venv check imports the stack, so it can take tens of seconds).
    public func run() async -> DoctorReport {
        var checks: [DoctorReport.Check] = []
        checks.append(await pythonCheck())
        checks.append(await pipCheck())
        checks.append(diskCheck())
        let status = await environment.status()
        checks.append(venvCheck(status))
        checks.append(torchWheelCheck(status))
        checks.append(await cudaCheck(status))
        checks.append(sandboxCheck())
        return DoctorReport(checks: checks, environment: status)
    }

    /// The agent's shell sandbox: a model-driven run does not start without it (unless `--unsafe-shell`).
    private func sandboxCheck() -> DoctorReport.Check {
        if let sandbox = ShellSandbox.locate() {
            return .init(name: "sandbox", severity: .ok, detail: "\(sandbox.bubblewrap.path) can sandbox the agent's shell.")
        }
        return .init(
            name: "sandbox", severity: .problem,
            detail: "bubblewrap (bwrap) is missing or cannot create namespaces: runs driven by a model will not start.",
            fix: "apt-get install \(ShellSandbox.packageName) (the recipe-driven demo works without it; "
                + "--unsafe-shell accepts an unsandboxed shell)")
    }

    private func pythonCheck() async -> DoctorReport.Check {
        let lines = await output(of: environment.systemPython, ["--version"])
        guard let line = lines.first(where: { $0.hasPrefix("Python ") }) else {
            return .init(
                name: "python", severity: .problem, detail: "\(environment.systemPython) does not run.",
                fix: "Install Python 3.10 to 3.12 (for example `apt-get install python3 python3-venv`).")
        }
        let version = line.dropFirst("Python ".count).split(separator: ".").compactMap { Int($0) }
        guard version.count >= 2, version[0] == 3, (10...12).contains(version[1]) else {
            return .init(
                name: "python", severity: .problem, detail: "\(line) (LlamaFactory 0.9.5 needs 3.10 to 3.12).",
                fix: "Install Python 3.11 and pass it as the system Python.")
        }
        return .init(name: "python", severity: .ok, detail: line)
    }

    private func pipCheck() async -> DoctorReport.Check {
        let lines = await output(of: environment.systemPython, ["-m", "pip", "--version"])
        let venvLines = await output(of: environment.systemPython, ["-c", "import venv, ensurepip"])
        guard let line = lines.first(where: { $0.hasPrefix("pip ") }) else {
            return .init(
                name: "pip", severity: .problem, detail: "pip is not available for \(environment.systemPython).",
                fix: "Install pip and venv (for example `apt-get install python3-pip python3-venv`).")
        }
        if venvLines.contains(where: { $0.contains("Error") }) {
            return .init(
                name: "pip", severity: .problem, detail: "\(line); but the venv module cannot create environments.",
                fix: "Install the venv module (for example `apt-get install python3-venv`).")
        }
        return .init(name: "pip", severity: .ok, detail: line.components(separatedBy: " from ").first ?? line)
    }

    private func diskCheck() -> DoctorReport.Check {
        var folder = environment.cacheDirectory
        while !FileManager.default.fileExists(atPath: folder.path), folder.path != "/" {
            folder.deleteLastPathComponent()
        }
        guard let attributes = try? FileManager.default.attributesOfFileSystem(forPath: folder.path),
            let free = (attributes[.systemFreeSize] as? NSNumber)?.doubleValue
        else {
            return .init(name: "disk", severity: .info, detail: "Free space at \(folder.path) is unknown.")
        }
        let gib = free / 1_073_741_824
        let detail = String(format: "%.1f GiB free at %@", gib, folder.path)
        guard gib >= minimumFreeGiB else {
            return .init(
                name: "disk", severity: .problem, detail: detail,
                fix: String(
                    format: "Free at least %.0f GiB (the venv takes about 3 GiB, checkpoints more), or set "
                        + "AUTOTRAINESS_CACHE to a larger disk.", minimumFreeGiB))
        }
        return .init(name: "disk", severity: .ok, detail: detail)
    }

    private func venvCheck(_ status: PythonEnvironmentStatus) -> DoctorReport.Check {
        let name = "venv"
        let origin = status.isOverride ? " (from AUTOTRAINESS_PYTHON_VENV)" : ""
        switch status.state {
        case .ready:
            let python = status.pythonVersion.map { " (Python \($0))" } ?? ""
            return .init(name: name, severity: .ok, detail: "\(status.venvDirectory)\(origin)\(python) is provisioned.")
        case .missing:
            return .init(
                name: name, severity: status.isOverride ? .problem : .info,
                detail: "\(status.venvDirectory)\(origin) does not exist yet.",
                fix: status.isOverride
                    ? "Point AUTOTRAINESS_PYTHON_VENV to an existing venv, or unset it."
                    : "It is created on first use (a few minutes), or now with `autotrainess doctor --install`.")
        case .outdated:
            return .init(
                name: name, severity: status.isOverride ? .info : .problem,
                detail: "\(status.venvDirectory)\(origin) imports the stack but was not provisioned with the current "
                    + "pinned set.",
                fix: status.isOverride
                    ? nil : "Run `autotrainess doctor --install`: pip brings it to the pinned set in place.")
        case .broken:
            let errors = status.importErrors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            return .init(
                name: name, severity: .problem,
                detail: "\(status.venvDirectory)\(origin) does not import: \(errors.joined(separator: "; "))",
                fix: status.isOverride
                    ? "Repair that venv or unset AUTOTRAINESS_PYTHON_VENV."
                    : "Run `autotrainess doctor --install` to repair it (or delete the folder).")
        }
    }

    private func torchWheelCheck(_ status: PythonEnvironmentStatus) -> DoctorReport.Check {
        if let wheel = status.localTorchWheel {
            return .init(name: "torch wheel", severity: .ok, detail: "local CPU wheel \(wheel)")
        }
        return .init(
            name: "torch wheel", severity: .info,
            detail: "no local CPU torch wheel in pip's find-links folders: torch comes from PyPI (the CUDA build).")
    }

    private func cudaCheck(_ status: PythonEnvironmentStatus) async -> DoctorReport.Check {
        let gpus = await output(of: "nvidia-smi", ["--query-gpu=name,memory.total", "--format=csv,noheader"])
            .filter { !$0.isEmpty && !$0.contains("NVIDIA-SMI has failed") && !$0.contains("not found") }
        if gpus.isEmpty {
            return .init(
                name: "cuda", severity: .info,
                detail: "No NVIDIA GPU visible (nvidia-smi): training runs on CPU in fp32.")
        }
        let detail = "\(gpus.count) GPU(s): \(gpus.joined(separator: "; "))"
        if status.state != .missing, !status.cudaAvailable {
            return .init(
                name: "cuda", severity: .problem, detail: detail + "; but torch in the venv sees none.",
                fix: "The venv's torch is a CPU build or CUDA_VISIBLE_DEVICES hides the GPUs: install a CUDA torch "
                    + "matching the driver into the venv, or unset CUDA_VISIBLE_DEVICES.")
        }
        return .init(name: "cuda", severity: .ok, detail: detail + " (torch sees \(status.cudaDeviceCount))")
    }

    /// The output lines of a short command; empty when it cannot run.
    private func output(of executable: String, _ arguments: [String]) async -> [String] {
        let spec = ProcessSpec(
            executable: executable, arguments: arguments,
            environment: Secrets.scrub(environment: ProcessInfo.processInfo.environment),
            deadline: Date().addingTimeInterval(60))
        let lines = LineCollector()
        guard (try? await ProcessRunner.run(spec, onLine: { lines.append($0.text) })) != nil else {
            return []
        }
        return lines.lines
    }
}
