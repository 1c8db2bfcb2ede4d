public import AgentCore
public import Foundation
public import Runtime

/// Runs a job's processes as Slurm batch jobs: `sbatch` to submit, `scontrol`/`sacct` to follow, `scancel` to stop.
///
/// The compute nodes are assumed to share this machine's filesystem (the usual cluster setup), so the staging
/// hooks keep their defaults; scripts and output files go in `options.jobDirectory`, which must be shared too.
///
/// - `run` submits one batch job; `runArray` submits a job array with one task per spec. Parallel candidates
///   (members of one ``JobGroup``) are gathered into one array by `run`.
/// - The time limit (`--time`) is the time left until the latest deadline of the specs; the executor also cancels
///   each task itself once its own deadline has passed, and the outcome then has `timedOut == true` (as it does
///   for `TIMEOUT`).
/// - Output (stdout and stderr together, in the job's output file) is streamed line by line as `.stdout` while the
///   job runs, by polling the file every `options.pollIntervalSeconds`.
/// - The state comes from `scontrol show job -o` (no accounting needed), and from `sacct` once the controller
///   has forgotten the job.
/// - Cancelling the calling task runs `scancel` (for its array task alone) and waits (up to
///   `options.cancelWaitSeconds`) for it to end.
public struct SlurmExecutor: Executor {
    /// Resources, names and folders.
    public var options: SlurmOptions
    /// The environment of `sbatch`, `scontrol`, `sacct` and `scancel` (its `PATH` finds them; `SLURM_CONF` picks
    /// the cluster). `sbatch` exports it to the job, and each task adds what its spec sets or changes.
    public var environment: [String: String]

    /// Creates an executor.
    ///
    /// - Parameters:
    ///   - options: Resources, names and folders.
    ///   - environment: The environment of the Slurm commands (secrets removed).
    public init(
        options: SlurmOptions,
        environment: [String: String] = Secrets.scrub(environment: ProcessInfo.processInfo.environment)
    ) {
        self.options = options
        self.environment = environment
    }

    /// Runs `spec` as one batch job; see the type's documentation.
    ///
    /// As the first process of a member of a ``JobGroup`` (one of several candidates trained together), the spec
    /// waits for the other members' first processes and runs as its task of one job array.
    ///
    /// - Throws: `SlurmExecutorError` when the job cannot be submitted or followed, `ProcessRunnerError` when a
    ///   Slurm command is missing, `CancellationError` when cancelled (after `scancel`).
    public func run(
        _ spec: ProcessSpec, onLine: @escaping @Sendable (ProcessOutputLine) -> Void
    ) async throws
        -> ProcessOutcome
    {
        if let membership = JobGroup.membership,
            let (job, task) = try await membership.group.gather(
                JobGroup.Arrival(member: membership.member, spec: spec, onLine: onLine),
                combine: { arrivals in try await submit(arrivals.map(\.spec), onLine: arrivals.map(\.onLine)) })
        {
            return try await job.outcome(of: task)
        }
        return try await submit([spec], onLine: [onLine]).outcome(of: 0)
    }

    /// Runs `specs` as one job array (a plain job when there is one spec) and returns one outcome per spec.
    ///
    /// - Parameters:
    ///   - specs: What each array task runs, in task-index order.
    ///   - onLine: Called with the task index and each line its output file gains.
    /// - Throws: As `run(_:onLine:)`; cancelling stops every task.
    public func runArray(
        _ specs: [ProcessSpec], onLine: @escaping @Sendable (Int, ProcessOutputLine) -> Void
    ) async throws -> [ProcessOutcome] {
        guard !specs.isEmpty else {
            return []
        }
        let job = try await submit(specs, onLine: specs.indices.map { index in { onLine(index, $0) } })
        return try await withThrowingTaskGroup(of: (Int, ProcessOutcome).self) { group in
            for index in specs.indices {
                group.addTask { (index, try await job.outcome(of: index)) }
            }
            var outcomes: [Int: ProcessOutcome] = [:]
            for try await (index, outcome) in group { outcomes[index] = outcome }
            return specs.indices.map { outcomes[$0]! }
        }
    }

    /// Writes the batch script for `specs`, submits it and starts following the job.
    private func submit(
        _ specs: [ProcessSpec], onLine: [@Sendable (ProcessOutputLine) -> Void]
    ) async throws -> SlurmSubmittedJob {
        let jobName = "\(options.jobNamePrefix)-\(UUID().uuidString.prefix(8).lowercased())"
        let script = SlurmBatchScript(specs: specs, jobName: jobName, options: options, base: environment)
        try FileManager.default.createDirectory(
            atPath: options.jobDirectory, withIntermediateDirectories: true)
        let scriptPath = "\(options.jobDirectory)/\(jobName).sbatch"
        try script.text.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        let job = SlurmSubmittedJob(
            jobID: try await submit(scriptPath), jobName: jobName, specs: specs, onLine: onLine, executor: self)
        Task { await job.follow() }
        return job
    }

    /// Submits the script with `sbatch --parsable` and returns the job id.
    private func submit(_ scriptPath: String) async throws -> String {
        let outcome = try await slurm("sbatch", ["--parsable", scriptPath])
        let id = outcome.outputTail.last { !$0.isEmpty }?.split(separator: ";").first.map(String.init) ?? ""
        guard outcome.succeeded, !id.isEmpty, id.allSatisfy(\.isNumber) else {
            throw SlurmExecutorError.submissionFailed(
                script: scriptPath, outcome: outcome.summary, outputTail: outcome.outputTail)
        }
        return id
    }

    /// The job's task states, from `scontrol`, or from `sacct` once the controller no longer knows it.
    func states(of jobID: String) async throws -> [SlurmTaskState] {
        let shown = try await slurm("scontrol", ["show", "job", "-o", jobID])
        let states = SlurmTaskState.parseScontrol(shown.outputTail)
        if shown.succeeded, !states.isEmpty {
            return states
        }
        let accounted = try await slurm("sacct", ["-n", "-P", "-X", "-o", "JobID,State,ExitCode", "-j", jobID])
        let recorded = SlurmTaskState.parseSacct(accounted.outputTail)
        guard accounted.succeeded, !recorded.isEmpty else {
            throw SlurmExecutorError.jobStateUnavailable(
                jobID: jobID, outputTail: shown.outputTail + accounted.outputTail)
        }
        return recorded
    }

    func slurm(_ command: String, _ arguments: [String]) async throws -> ProcessOutcome {
        try await ProcessRunner.run(ProcessSpec(executable: command, arguments: arguments, environment: environment))
    }
}
