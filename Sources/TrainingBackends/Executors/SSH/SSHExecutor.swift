public import AgentCore
public import Foundation
public import Runtime

/// Runs a job's processes on a remote host over the system `ssh` client, and copies its files with `rsync`.
///
/// - Paths: a local absolute path is seen remotely through `pathMappings` (`location(of:)`); paths outside every
///   mapping are used as they are (for example a venv installed at the same path on the host).
/// - `run` translates the spec's executable, arguments and working folder with the mappings and starts it under
///   `setsid -w` in its own remote session and process group, whose id it records in
///   `<remoteWorkDirectory>/.autotrainess/runs/<id>.pgid`. Output lines stream back live over the connection.
///   Environment: the variables the spec sets or changes compared with this process's environment are passed;
///   `PATH` folders it adds are put in front of the remote `PATH`; everything else is the remote login's own.
/// - When the run ends, is cancelled or reaches its deadline, the remote process group is sent `SIGTERM`, then
///   `SIGKILL` after the spec's grace period, so that nothing it started is left running on the host.
/// - `stageIn` and `stageOut` copy files and folders with `rsync -a` (adding and updating, never deleting).
public struct SSHExecutor: Executor {
    /// The host to run on.
    public var host: SSHHost
    /// How local folders map to remote ones; empty means the host uses the same paths.
    public var pathMappings: [PathMapping]
    /// The `ssh` client (a path or a name on `PATH`).
    public var sshExecutable: String
    /// The `rsync` program (a path or a name on `PATH`), on both machines.
    public var rsyncExecutable: String
    /// The environment of the local `ssh` and `rsync` processes (secrets removed).
    public var localEnvironment: [String: String]

    /// Creates an executor.
    ///
    /// - Parameters:
    ///   - host: The host to run on.
    ///   - pathMappings: How local folders map to remote ones.
    ///   - sshExecutable: The `ssh` client.
    ///   - rsyncExecutable: The `rsync` program.
    ///   - localEnvironment: The environment of the local `ssh` and `rsync` processes.
    public init(
        host: SSHHost, pathMappings: [PathMapping] = [], sshExecutable: String = "ssh",
        rsyncExecutable: String = "rsync",
        localEnvironment: [String: String] = Secrets.scrub(environment: ProcessInfo.processInfo.environment)
    ) {
        self.host = host
        self.pathMappings = pathMappings
        self.sshExecutable = sshExecutable
        self.rsyncExecutable = rsyncExecutable
        self.localEnvironment = localEnvironment
    }

    /// Where the host sees `localPath`: translated by the first (longest) matching mapping, else unchanged.
    public func location(of localPath: String) -> String {
        PathMapping.apply(pathMappings, to: localPath)
    }

    /// The shell command line the host runs for `spec`, writing its process-group id to `pgidFile`.
    ///
    /// - Parameter base: The environment `spec.environment` is compared with to find what to pass.
    public func remoteCommand(
        for spec: ProcessSpec, pgidFile: String,
        base: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        let folder = spec.workingDirectory.map { location(of: $0.path) } ?? host.remoteWorkDirectory
        var words = ["env"]
        for (name, value) in ShellCommand.changedVariables(spec.environment, comparedTo: base) where name != "PATH" {
            words.append(ShellCommand.quote("\(name)=\(PathMapping.rewrite(pathMappings, in: value))"))
        }
        let added = ShellCommand.addedPathFolders(spec.environment, comparedTo: base).map { location(of: $0) }
        if !added.isEmpty {
            words.append(ShellCommand.quote("PATH=" + added.joined(separator: ":") + ":") + "\"$PATH\"")
        }
        words.append(ShellCommand.quote(PathMapping.rewrite(pathMappings, in: spec.executable)))
        words += spec.arguments.map { ShellCommand.quote(PathMapping.rewrite(pathMappings, in: $0)) }
        let runs = (pgidFile as NSString).deletingLastPathComponent
        return "mkdir -p \(ShellCommand.quote(runs)) && cd \(ShellCommand.quote(folder)) && "
            + "exec setsid -w sh -c 'echo $$ > \"$1\"; shift; exec \"$@\"' autotrainess-run "
            + ShellCommand.quote(pgidFile) + " " + words.joined(separator: " ")
    }

    /// Runs `spec` on the host; see the type's documentation.
    ///
    /// - Returns: The remote command's outcome (`ssh` exits with the remote status; 255 means `ssh` itself failed,
    ///   and the output tail then holds its message).
    /// - Throws: `ProcessRunnerError` when `ssh` cannot be started, `CancellationError` when cancelled (after the
    ///   remote process group has been torn down).
    public func run(
        _ spec: ProcessSpec, onLine: @escaping @Sendable (ProcessOutputLine) -> Void
    ) async throws
        -> ProcessOutcome
    {
        let pgidFile = "\(host.remoteWorkDirectory)/.autotrainess/runs/\(UUID().uuidString).pgid"
        let local = ProcessSpec(
            executable: sshExecutable,
            arguments: host.sshArguments + [host.destination, remoteCommand(for: spec, pgidFile: pgidFile)],
            environment: localEnvironment, deadline: spec.deadline,
            terminationGracePeriod: spec.terminationGracePeriod
        )
        let outcome: ProcessOutcome
        do {
            outcome = try await ProcessRunner.run(local, onLine: onLine)
        } catch is CancellationError {
            // An unstructured task, so that the teardown itself is not cancelled.
            let grace = spec.terminationGracePeriod
            await Task { await terminateRemoteGroup(pgidFile: pgidFile, grace: grace) }.value
            throw CancellationError()
        }
        await terminateRemoteGroup(pgidFile: pgidFile, grace: spec.terminationGracePeriod)
        return outcome
    }

    /// Copies each local file or folder to `location(of:)` on the host, creating parent folders.
    ///
    /// - Throws: `SSHExecutorError` naming the first path that could not be copied.
    public func stageIn(_ paths: [URL]) async throws {
        guard !paths.isEmpty else {
            return
        }
        for path in paths where !FileManager.default.fileExists(atPath: path.path) {
            throw SSHExecutorError.localPathMissing(path: path.path)
        }
        let parents = Set(paths.map { (location(of: $0.path) as NSString).deletingLastPathComponent }).sorted()
        try await remote("mkdir -p " + parents.map(ShellCommand.quote).joined(separator: " "))
        for path in paths {
            let isFolder = (try? path.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) ?? false
            let suffix = isFolder ? "/" : ""
            let target = location(of: path.path)
            try await rsync(
                from: path.path + suffix, to: host.destination + ":" + ShellCommand.quote(target + suffix),
                direction: "stage in", readable: (path.path, target))
        }
    }

    /// Copies each path's remote counterpart (`location(of:)`) back to the local path, creating local parents.
    ///
    /// - Throws: `SSHExecutorError` naming the first path that could not be copied (for example one the job did
    ///   not write).
    public func stageOut(_ paths: [URL]) async throws {
        for path in paths {
            let source = location(of: path.path)
            let kind = try await remote("if [ -d \(ShellCommand.quote(source)) ]; then echo folder; else echo file; fi")
            let suffix = kind.contains("folder") ? "/" : ""
            try FileManager.default.createDirectory(
                at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
            try await rsync(
                from: host.destination + ":" + ShellCommand.quote(source + suffix), to: path.path + suffix,
                direction: "stage out", readable: (source, path.path))
        }
    }

    /// Runs a short bookkeeping command on the host and returns its output lines.
    @discardableResult
    private func remote(_ command: String) async throws -> [String] {
        let spec = ProcessSpec(
            executable: sshExecutable, arguments: host.sshArguments + [host.destination, command],
            environment: localEnvironment)
        let outcome = try await ProcessRunner.run(spec)
        guard outcome.succeeded else {
            throw SSHExecutorError.remoteCommandFailed(
                host: host.destination, command: command, outcome: outcome.summary, outputTail: outcome.outputTail)
        }
        return outcome.outputTail
    }

    private func rsync(from source: String, to target: String, direction: String, readable: (String, String))
        async throws
    {
        let shell = ([sshExecutable] + host.sshArguments).map(ShellCommand.quote).joined(separator: " ")
        let spec = ProcessSpec(
            executable: rsyncExecutable, arguments: ["-a", "--partial", "-e", shell, source, target],
            environment: localEnvironment)
        let outcome = try await ProcessRunner.run(spec)
        guard outcome.succeeded else {
            throw SSHExecutorError.transferFailed(
                direction: direction, from: readable.0, to: readable.1, outcome: outcome.summary,
                outputTail: outcome.outputTail)
        }
    }

    /// `SIGTERM` to the remote group recorded in `pgidFile`, `SIGKILL` after `grace` if members remain; then the
    /// file is removed. Best effort: a host that cannot be reached any more is left as it is.
    private func terminateRemoteGroup(pgidFile: String, grace: Duration) async {
        let (seconds, attoseconds) = grace.components
        let tenths = max(1, Int(seconds) * 10 + Int(attoseconds / 100_000_000_000_000_000))
        let file = ShellCommand.quote(pgidFile)
        let script =
            "[ -s \(file) ] || exit 0; g=$(cat \(file)); rm -f \(file); "
            + "kill -TERM -- -$g 2>/dev/null || exit 0; i=0; "
            + "while kill -0 -- -$g 2>/dev/null && [ $i -lt \(tenths) ]; do sleep 0.1; i=$((i+1)); done; "
            + "kill -KILL -- -$g 2>/dev/null; i=0; "
            + "while kill -0 -- -$g 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; exit 0"
        _ = try? await remote(script)
    }
}
