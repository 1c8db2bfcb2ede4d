import AgentCore
public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs an agent's shell commands inside bubblewrap (`bwrap`): its own PID, IPC and UTS namespaces with a fresh
/// `/proc` (no other process is visible or can be signalled), an environment built from an allow-list, the whole
/// file system read-only except the writable folders the policy names and a private `/tmp`, chosen paths not
/// mounted at all, resource limits, and optionally no network.
///
/// ``locate(environment:)`` finds a working `bwrap`; ``command(for:policy:)`` builds the command line to run.
public struct ShellSandbox: Sendable, Hashable {
    /// What a sandboxed command may see and do.
    public struct Policy: Sendable, Hashable {
        /// Where the command starts (must be visible: inside a mounted folder).
        public var workingDirectory: URL
        /// Folders the command may write (created if missing).
        public var writable: [URL]
        /// Folders or files visible read-only even where the sandbox's own `/tmp` would hide them.
        public var readOnly: [URL]
        /// Folders or files not mounted at all: an empty folder or an empty file stands in their place.
        public var hidden: [URL]
        /// The command's whole environment (pass it through ``allowedEnvironment(from:extra:)``).
        public var environment: [String: String]
        /// Whether the command can reach the network.
        public var network: Bool
        /// Resource limits.
        public var limits: Limits

        /// Creates a policy.
        public init(
            workingDirectory: URL, writable: [URL] = [], readOnly: [URL] = [], hidden: [URL] = [],
            environment: [String: String] = [:], network: Bool = true, limits: Limits = Limits()
        ) {
            self.workingDirectory = workingDirectory
            self.writable = writable
            self.readOnly = readOnly
            self.hidden = hidden
            self.environment = environment
            self.network = network
            self.limits = limits
        }
    }

    /// Limits on one command (and everything it starts).
    public struct Limits: Sendable, Hashable {
        /// CPU seconds (`ulimit -t`).
        public var cpuSeconds: Int
        /// Address space per process in bytes (`ulimit -v`).
        public var addressSpaceBytes: Int64
        /// Largest file a process may write, in bytes (`ulimit -f`).
        public var fileSizeBytes: Int64
        /// Processes at once, through a pids cgroup when one can be made (root, a writable cgroup file system).
        public var processes: Int

        /// Limits large enough for data generation and small training scripts on one machine.
        public init(
            cpuSeconds: Int = 4 * 3600, addressSpaceBytes: Int64 = 64 << 30, fileSizeBytes: Int64 = 16 << 30,
            processes: Int = 512
        ) {
            self.cpuSeconds = cpuSeconds
            self.addressSpaceBytes = addressSpaceBytes
            self.fileSizeBytes = fileSizeBytes
            self.processes = processes
        }
    }

    /// The `bwrap` executable.
    public var bubblewrap: URL

    /// A sandbox that runs `bubblewrap`.
    public init(bubblewrap: URL) {
        self.bubblewrap = bubblewrap
    }

    /// The variables a sandboxed command may inherit: locale, terminal, time zone, the Python and Hugging Face
    /// settings the runs use, device selection and thread counts. Everything else (keys, tokens, credentials of
    /// other tools) stays out; `extra` is added, and any name or value that looks secret is dropped.
    public static func allowedEnvironment(
        from environment: [String: String], extra: [String: String] = [:]
    ) -> [String: String] {
        let names: Set<String> = [
            "PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TERM", "TZ", "SHELL", "VIRTUAL_ENV",
            "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE",
            "HF_DATASETS_OFFLINE", "HF_HOME", "TOKENIZERS_PARALLELISM", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
            "CUDA_VISIBLE_DEVICES", "PIP_INDEX_URL", "PIP_FIND_LINKS", "PIP_NO_INPUT",
        ]
        var allowed = environment.filter { names.contains($0.key) || $0.key.hasPrefix("LC_") }
        allowed.merge(extra) { _, new in new }
        allowed["TMPDIR"] = "/tmp"
        let secrets = Secrets.values(in: environment) + Secrets.values()
        return Secrets.scrub(environment: allowed).filter { _, value in
            !secrets.contains { value.contains($0) } && !keyPrefixes.contains { value.hasPrefix($0) }
        }
    }

    /// Prefixes of common API keys and tokens: a value that starts with one is kept out whatever its name.
    static let keyPrefixes = ["sk-", "sk_", "ghp_", "gho_", "github_pat_", "hf_", "xoxb-", "AKIA", "AIza"]

    /// Finds `bwrap` on `PATH` and checks that it can make namespaces here (it cannot in some containers).
    /// - Returns: `nil` when it is missing or does not work.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) -> ShellSandbox? {
        guard let path = try? ProcessRunner.resolve("bwrap", path: environment["PATH"] ?? "/usr/bin:/bin") else {
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--unshare-pid", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "/bin/true"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        return process.terminationStatus == 0 ? ShellSandbox(bubblewrap: URL(fileURLWithPath: path)) : nil
    }

    /// The Debian package that provides `bwrap`.
    public static let packageName = "bubblewrap"

    /// The command line that runs `command` with `/bin/sh -c` under `policy`.
    ///
    /// Mounts, in order: `/` read-only, a fresh `/proc` and `/dev`, a private `/tmp`, the read-only and writable
    /// paths (outer ones first), then the hidden paths over all of them. The limits are set by the shell
    /// inside before the command runs.
    public func command(for command: String, policy: Policy) -> (executable: URL, arguments: [String]) {
        var arguments = [
            "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--hostname", "sandbox",
        ]
        if !policy.network { arguments.append("--unshare-net") }
        arguments += ["--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
        // Outer paths first, so that a read-only file inside a writable folder (or the reverse) wins.
        let binds = (policy.readOnly.map { ($0.standardizedFileURL.path, false) }
            + policy.writable.map { ($0.standardizedFileURL.path, true) })
            .sorted { $0.0.count < $1.0.count }
        for (path, writable) in binds {
            arguments += [writable ? "--bind-try" : "--ro-bind-try", path, path]
        }
        let bound = (policy.readOnly + policy.writable).map(\.standardizedFileURL.path)
        for url in policy.hidden.map(\.standardizedFileURL) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
            // Under /tmp and outside every bound path it is not in the sandbox at all.
            let visible = !url.path.hasPrefix("/tmp/") || bound.contains { url.path == $0 || url.path.hasPrefix($0 + "/") }
            guard visible else { continue }
            arguments += isDirectory.boolValue ? ["--tmpfs", url.path] : ["--ro-bind", "/dev/null", url.path]
            if isDirectory.boolValue { arguments += ["--remount-ro", url.path] }
        }
        arguments += ["--clearenv"]
        for (name, value) in policy.environment.sorted(by: { $0.key < $1.key }) {
            arguments += ["--setenv", name, value]
        }
        arguments += ["--chdir", policy.workingDirectory.standardizedFileURL.path]
        let limits = policy.limits
        let prelude =
            "ulimit -t \(limits.cpuSeconds); ulimit -v \(limits.addressSpaceBytes / 1024); "
            + "ulimit -f \(limits.fileSizeBytes / 512); exec /bin/sh -c \"$1\""
        arguments += ["--", "/bin/sh", "-c", prelude, "sandbox", command]
        return (bubblewrap, arguments)
    }

    /// A pids cgroup that caps the processes of one sandboxed command (fork bombs), when this process may make one:
    /// root with a writable cgroup v1 `pids` hierarchy, or a cgroup v2 root that offers the `pids` controller.
    public struct ProcessLimit: Sendable {
        /// The cgroup folder; its `cgroup.procs` takes the command's first process.
        public let directory: URL

        /// Makes a cgroup allowing `processes`; `nil` when none can be made here.
        public static func make(processes: Int) -> ProcessLimit? {
            let name = "autotrainess-sandbox-\(UUID().uuidString.prefix(12))"
            let fileManager = FileManager.default
            var roots: [URL] = []
            if fileManager.fileExists(atPath: "/sys/fs/cgroup/pids/cgroup.procs") {
                roots.append(URL(fileURLWithPath: "/sys/fs/cgroup/pids"))
            }
            if let controllers = try? String(contentsOfFile: "/sys/fs/cgroup/cgroup.subtree_control", encoding: .utf8),
                controllers.split(separator: " ").contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines) == "pids" })
            {
                roots.append(URL(fileURLWithPath: "/sys/fs/cgroup"))
            }
            for root in roots {
                let directory = root.appendingPathComponent(name, isDirectory: true)
                guard (try? fileManager.createDirectory(at: directory, withIntermediateDirectories: false)) != nil else {
                    continue
                }
                let limit = directory.appendingPathComponent("pids.max")
                if (try? Data("\(processes)".utf8).write(to: limit)) != nil {
                    return ProcessLimit(directory: directory)
                }
                try? fileManager.removeItem(at: directory)
            }
            return nil
        }

        /// Removes the cgroup once its processes are gone (waiting up to a second for the last ones to exit).
        public func remove() {
            for _ in 0..<20 {
                if rmdir(directory.path) == 0 || errno == ENOENT { return }
                usleep(50_000)
            }
        }

        /// Whether a cgroup can be made here (made and removed once).
        public static let isAvailable: Bool = {
            guard let probe = make(processes: 1) else { return false }
            probe.remove()
            return true
        }()
    }

    /// The command line that runs `command` under `policy`, its processes capped by `processLimit`'s cgroup: the
    /// first process joins the cgroup, then starts bubblewrap.
    public func command(for command: String, policy: Policy, processLimit: ProcessLimit?) -> (
        executable: URL, arguments: [String]
    ) {
        let (bubblewrap, arguments) = self.command(for: command, policy: policy)
        guard let processLimit else { return (bubblewrap, arguments) }
        let procs = processLimit.directory.appendingPathComponent("cgroup.procs").path
        let join = "echo $$ > \"$1\" && shift && exec \"$@\""
        return (URL(fileURLWithPath: "/bin/sh"), ["-c", join, "sandbox", procs, bubblewrap.path] + arguments)
    }

    /// One line for the model: what the sandbox allows and forbids.
    public static func describe(_ policy: Policy, relativeTo root: URL) -> String {
        func names(_ urls: [URL]) -> String {
            urls.map { url in
                let path = url.standardizedFileURL.path
                let base = root.standardizedFileURL.path
                return path.hasPrefix(base + "/") ? String(path.dropFirst(base.count + 1)) + "/" : path
            }.joined(separator: ", ")
        }
        var text =
            "Runs in a sandbox: no other process is visible; the file system is read-only except "
            + names(policy.writable) + " and a private /tmp"
        if !policy.hidden.isEmpty { text += "; the benchmark's files and the evaluator are not visible" }
        text += policy.network ? "; network on" : "; no network"
        text += String(
            format: "; limits: %d CPU-seconds, %.0f GiB of memory per process, %.0f GiB per file",
            policy.limits.cpuSeconds, Double(policy.limits.addressSpaceBytes) / 1_073_741_824,
            Double(policy.limits.fileSizeBytes) / 1_073_741_824)
        text += ProcessLimit.isAvailable ? ", \(policy.limits.processes) processes." : "."
        return text
    }
}
