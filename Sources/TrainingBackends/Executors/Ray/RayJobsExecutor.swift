public import AgentCore
public import Foundation
public import Runtime

/// Runs a job on a Ray cluster through the Ray Jobs REST API of its head (`http://head:8265`): the command is
/// submitted as the job's entrypoint with its environment in `runtime_env.env_vars` and the resources it asks for
/// (`entrypoint_num_cpus`, `entrypoint_num_gpus`); the job's status and logs are polled, its log lines streamed as
/// they appear (less often once the log is long: ``logReadInterval(bytes:poll:)``); cancelling the calling task or
/// reaching the spec's deadline stops the job in Ray.
///
/// The entrypoint runs the local paths of the spec (the venv's `llamafactory-cli`, the config, the data): the
/// cluster's nodes must see them on shared storage, at the same paths or where ``pathMappings`` say. A job the
/// cluster cannot place (e.g. a GPU it does not have) fails with ``RayJobsExecutorError/unschedulable(jobID:resources:message:)``
/// once ``pendingLimit`` passes, instead of waiting forever.
public struct RayJobsExecutor: Executor {
    /// The head's dashboard address, e.g. `http://127.0.0.1:8265`.
    public var address: URL
    /// CPUs the entrypoint reserves (`nil`: Ray's default).
    public var cpus: Double?
    /// GPUs the entrypoint reserves.
    public var gpus: Double
    /// The longest a job may wait for resources before it is stopped and reported unschedulable.
    public var pendingLimit: Duration
    /// Time between status and log polls.
    public var pollInterval: Duration
    /// The HTTP client.
    public var transport: any HTTPTransport
    /// Whether the cluster may add nodes (an autoscaler): then a job no alive node can take is submitted and
    /// waits up to ``pendingLimit``; without, it is refused before submission.
    public var autoscales: Bool
    /// The Python the job's Ray workers run (`runtime_env.py_executable`), when it is not the cluster's own: the
    /// managed venv's, for LlamaFactory's Ray mode (``RayTraining``) on a cluster started from another environment.
    public var pythonExecutable: String?
    /// Where the cluster's nodes see this machine's folders, when its shared storage is mounted elsewhere there
    /// (`/mnt/lab` here, `/lab` on the nodes): the entrypoint's command, working folder, environment values and
    /// Python are translated; nothing is copied (the storage is the same).
    public var pathMappings: [PathMapping]

    public init(
        address: URL, cpus: Double? = nil, gpus: Double = 0, pendingLimit: Duration = .seconds(300),
        pollInterval: Duration = .milliseconds(500), transport: any HTTPTransport = URLSessionTransport(),
        autoscales: Bool = false, pythonExecutable: String? = nil, pathMappings: [PathMapping] = []
    ) {
        self.autoscales = autoscales
        self.pythonExecutable = pythonExecutable
        self.pathMappings = pathMappings
        self.address = address
        self.cpus = cpus
        self.gpus = gpus
        self.pendingLimit = pendingLimit
        self.pollInterval = pollInterval
        self.transport = transport
    }

    /// The entrypoint: `cd` to the working folder, then the command, every word quoted and its paths translated by
    /// `pathMappings`.
    public static func entrypoint(_ spec: ProcessSpec, pathMappings: [PathMapping] = []) -> String {
        let command = ([spec.executable] + spec.arguments).map {
            ShellCommand.quote(PathMapping.rewrite(pathMappings, in: $0))
        }.joined(separator: " ")
        return spec.workingDirectory.map {
            "cd \(ShellCommand.quote(PathMapping.apply(pathMappings, to: $0.path))) && \(command)"
        } ?? command
    }

    /// Where the cluster's nodes see `localPath` (``pathMappings``).
    public func location(of localPath: String) -> String {
        PathMapping.apply(pathMappings, to: localPath)
    }

    public func run(
        _ spec: ProcessSpec, onLine: @escaping @Sendable (ProcessOutputLine) -> Void
    ) async throws -> ProcessOutcome {
        let started = ContinuousClock.now
        if !autoscales { try await checkCapacity() }
        let submissionID = "autotrainess-\(UUID().uuidString.prefix(12).lowercased())"
        let variables = spec.environment.mapValues { JSONValue.string(PathMapping.rewrite(pathMappings, in: $0)) }
        var runtimeEnvironment: [String: JSONValue] = ["env_vars": .object(variables)]
        if let pythonExecutable { runtimeEnvironment["py_executable"] = .string(location(of: pythonExecutable)) }
        var body: [String: JSONValue] = [
            "entrypoint": .string(Self.entrypoint(spec, pathMappings: pathMappings)), "submission_id": .string(submissionID),
            "runtime_env": .object(runtimeEnvironment), "entrypoint_num_gpus": .number(gpus),
        ]
        if let cpus { body["entrypoint_num_cpus"] = .number(cpus) }
        let submitted = try await request("POST", "api/jobs/", body: .object(body))
        let jobID = submitted["submission_id"]?.stringValue ?? submissionID

        var printed = 0
        var tail: [String] = []
        var pendingSince: ContinuousClock.Instant? = started
        var nextLogRead = started
        func streamLogs(final: Bool = false) async throws {
            let logs = try await request("GET", "api/jobs/\(jobID)/logs")["logs"]?.stringValue ?? ""
            nextLogRead = ContinuousClock.now + Self.logReadInterval(bytes: logs.utf8.count, poll: pollInterval)
            var complete = logs.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            // The last piece is empty after a newline, or a line still being written (read on the next poll).
            if !final || complete.last == "" { complete.removeLast() }
            for line in complete.dropFirst(printed).map(Self.withoutColours) {
                onLine(.stdout(line))
                tail.append(line)
                if tail.count > 200 { tail.removeFirst(tail.count - 200) }
            }
            printed = max(printed, complete.count)
        }
        do {
            while true {
                try Task.checkCancellation()
                if let deadline = spec.deadline, Date() >= deadline {
                    try await stop(jobID)
                    try? await streamLogs()
                    return ProcessOutcome(
                        exitCode: nil, signal: 15, wallSeconds: Self.seconds(since: started), outputTail: tail,
                        timedOut: true)
                }
                let info = try await request("GET", "api/jobs/\(jobID)")
                let status = info["status"]?.stringValue ?? "UNKNOWN"
                if status == "PENDING", let since = pendingSince, ContinuousClock.now - since > pendingLimit {
                    try await stop(jobID)
                    throw RayJobsExecutorError.unschedulable(
                        jobID: jobID, resources: resourceText, message: info["message"]?.stringValue ?? "")
                }
                if status != "PENDING" { pendingSince = nil }
                let ended = ["SUCCEEDED", "FAILED", "STOPPED"].contains(status)
                if ended || ContinuousClock.now >= nextLogRead {
                    try await streamLogs(final: ended)
                }
                switch status {
                case "SUCCEEDED", "FAILED", "STOPPED":
                    if status == "FAILED", let message = info["message"]?.stringValue, !message.isEmpty {
                        onLine(.stderr("[ray] \(message)"))
                        tail.append("[ray] \(message)")
                    }
                    let exit = info["driver_exit_code"]?.intValue.map(Int32.init)
                    return ProcessOutcome(
                        exitCode: status == "SUCCEEDED" ? 0 : (exit ?? 1), signal: status == "STOPPED" ? 15 : nil,
                        wallSeconds: Self.seconds(since: started), outputTail: tail, timedOut: false)
                default:
                    try await Task.sleep(for: pollInterval)
                }
            }
        } catch where error is CancellationError || Task.isCancelled {
            // Cancelled (a poll in flight fails as a cancelled request): stopped in Ray even though this task is
            // cancelled, by a detached stop that is awaited.
            let stopping = Task.detached { [self] in try? await stop(jobID) }
            _ = await stopping.value
            throw CancellationError()
        } catch {
            // Any other failure to follow the job (an unreachable head, an unreadable answer) stops it too: nobody
            // would follow it any more.
            try? await stop(jobID)
            throw error
        }
    }

    /// Asks Ray to stop the job and, when it is running, waits (up to 30 s) until Ray says it stopped or ended (a
    /// job still pending has no process to wait for).
    public func stop(_ jobID: String) async throws {
        _ = try await request("POST", "api/jobs/\(jobID)/stop")
        for _ in 0..<60 {
            let status = try await request("GET", "api/jobs/\(jobID)")["status"]?.stringValue ?? ""
            if status != "RUNNING" { return }
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    /// Refuses a job no alive node could take (`GET /api/v0/nodes`: each node's `resources_total`).
    /// - Throws: ``RayJobsExecutorError/unschedulable(jobID:resources:message:)`` before anything is submitted.
    func checkCapacity() async throws {
        let nodes = try await request("GET", "api/v0/nodes")["data"]?["result"]?["result"]?.arrayValue ?? []
        let alive = nodes.filter { $0["state"]?.stringValue == "ALIVE" }
        let fits = alive.contains { node in
            let total = node["resources_total"]
            return (total?["GPU"]?.doubleValue ?? 0) >= gpus && (total?["CPU"]?.doubleValue ?? 0) >= (cpus ?? 0)
        }
        guard fits else {
            let largest = alive.map { "\($0["resources_total"]?["CPU"]?.doubleValue ?? 0) CPU, "
                + "\($0["resources_total"]?["GPU"]?.doubleValue ?? 0) GPU" }
            throw RayJobsExecutorError.unschedulable(
                jobID: "(not submitted)", resources: resourceText,
                message: "the cluster's \(alive.count) alive node(s) have " + largest.joined(separator: "; ") + ".")
        }
    }

    private var resourceText: String {
        (cpus.map { "\($0) CPU, " } ?? "") + "\(gpus) GPU"
    }

    private func request(_ method: String, _ path: String, body: JSONValue? = nil) async throws -> JSONValue {
        let url = address.appendingPathComponent(path, isDirectory: path.hasSuffix("/"))
        let response = try await transport.send(
            HTTPRequest(
                url: url, method: method, headers: ["Content-Type": "application/json"],
                body: body.map { Data($0.compactText.utf8) }, timeout: .seconds(30)))
        let data = try await response.collectBody(limit: 64 << 20)
        let text = String(decoding: data, as: UTF8.self)
        guard (200..<300).contains(response.status) else {
            throw RayJobsExecutorError.request(method: method, url: url.absoluteString, status: response.status, body: String(text.prefix(500)))
        }
        return (try? JSONValue(parsing: text)) ?? .string(text)
    }

    /// How long until the job's log is read again, when it has `bytes`: every poll below 2 MiB, then one poll
    /// interval per whole MiB, at most 30 s. The Jobs API returns the whole log each time (it has no offset), so a
    /// long job's log is not re-read twice a second; the trainer's progress comes from its own log file meanwhile.
    static func logReadInterval(bytes: Int, poll: Duration) -> Duration {
        min(.seconds(30), poll * max(1, bytes >> 20))
    }

    /// `line` without terminal colour codes (Ray prefixes its workers' lines with a coloured `(Worker pid=N)`).
    static func withoutColours(_ line: String) -> String {
        guard line.contains("\u{1B}[") else { return line }
        return line.replacing(/\x1B\[[0-9;]*m/, with: "")
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// Why a Ray job could not be run or followed.
public enum RayJobsExecutorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The Jobs API answered with an error status.
    case request(method: String, url: String, status: Int, body: String)
    /// The job waited longer than the executor's pending limit for resources the cluster could not give.
    case unschedulable(jobID: String, resources: String, message: String)

    public var description: String {
        switch self {
        case .request(let method, let url, let status, let body):
            "Ray Jobs API \(method) \(url) answered \(status): \(body)"
        case .unschedulable(let jobID, let resources, let message):
            "Ray job \(jobID) asked for \(resources) and the cluster could not place it (it stayed pending): "
                + "\(message.isEmpty ? "no node has the resources" : message) It was stopped; ask for resources "
                + "the cluster has (ray status) or add nodes."
        }
    }
}
