public import AgentCore
public import Foundation
public import Runtime

/// Runs a job's processes as Slurm batch jobs: `sbatch` to submit, `scontrol`/`sacct` to follow, `scancel` to stop.
///
/// The compute nodes are assumed to share this machine's filesystem (the usual cluster setup), so the staging
/// hooks keep their defaults; scripts and output files go in `options.jobDirectory`, which must be shared too.
///
/// - `run` submits one batch job; `runArray` submits a job array with one task per spec (parallel candidates).
/// - The time limit (`--time`) is the time left until the spec's deadline; the executor also cancels the job
///   itself once the deadline has passed, and the outcome then has `timedOut == true` (as it does for `TIMEOUT`).
/// - Output (stdout and stderr together, in the job's output file) is streamed line by line as `.stdout` while the
///   job runs, by polling the file every `options.pollIntervalSeconds`.
/// - The state comes from `scontrol show job -o` (no accounting needed), and from `sacct` once the controller
///   has forgotten the job.
/// - Cancelling the calling task runs `scancel` and waits (up to `options.cancelWaitSeconds`) for the job to end.
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
    /// - Throws: `SlurmExecutorError` when the job cannot be submitted or followed, `ProcessRunnerError` when a
    ///   Slurm command is missing, `CancellationError` when cancelled (after `scancel`).
    public func run(
        _ spec: ProcessSpec, onLine: @escaping @Sendable (ProcessOutputLine) -> Void
    ) async throws
        -> ProcessOutcome
    {
        let outcomes = try await runArray([spec]) { _, line in onLine(line) }
        return outcomes[0]
    }

    /// Runs `specs` as one job array (a plain job when there is one spec) and returns one outcome per spec.
    ///
    /// - Parameters:
    ///   - specs: What each array task runs, in task-index order.
    ///   - onLine: Called with the task index and each line its output file gains.
    /// - Throws: As `run(_:onLine:)`.
    public func runArray(
        _ specs: [ProcessSpec], onLine: @escaping @Sendable (Int, ProcessOutputLine) -> Void
    ) async throws -> [ProcessOutcome] {
        guard !specs.isEmpty else {
            return []
        }
        let jobName = "\(options.jobNamePrefix)-\(UUID().uuidString.prefix(8).lowercased())"
        let script = SlurmBatchScript(specs: specs, jobName: jobName, options: options, base: environment)
        try FileManager.default.createDirectory(
            atPath: options.jobDirectory, withIntermediateDirectories: true)
        let scriptPath = "\(options.jobDirectory)/\(jobName).sbatch"
        try script.text.write(toFile: scriptPath, atomically: true, encoding: .utf8)

        let start = ContinuousClock.now
        let jobID = try await submit(scriptPath)
        var tails = specs.indices.map {
            OutputFileTail(
                path: SlurmBatchScript.outputFile(
                    jobDirectory: options.jobDirectory, jobName: jobName, jobID: jobID,
                    index: specs.count > 1 ? $0 : nil))
        }
        var collected = Array(repeating: [String](), count: specs.count)
        func drain(flush: Bool = false) {
            for index in tails.indices {
                for line in tails[index].read(flush: flush) {
                    collected[index].append(line)
                    if collected[index].count > ProcessRunner.tailLineLimit {
                        collected[index].removeFirst()
                    }
                    onLine(index, .stdout(line))
                }
            }
        }

        let deadline = specs.compactMap(\.deadline).min()
        var cancelledAtDeadline = false
        var states: [SlurmTaskState]
        do {
            while true {
                try Task.checkCancellation()
                drain()
                states = try await self.states(of: jobID)
                if Self.allFinished(states, count: specs.count) {
                    break
                }
                if let deadline, !cancelledAtDeadline, Date() >= deadline {
                    cancelledAtDeadline = true
                    try await cancel(jobID)
                }
                try await Task.sleep(for: .seconds(options.pollIntervalSeconds))
            }
        } catch is CancellationError {
            // An unstructured task, so that `scancel` and the wait for the end are not cancelled themselves.
            await Task { try? await cancel(jobID) }.value
            throw CancellationError()
        }
        drain(flush: true)
        let wall = ContinuousClock.now - start
        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18
        return specs.indices.map { index in
            let state = states.first { specs.count == 1 || $0.arrayIndex == index }
            return ProcessOutcome(
                exitCode: state.map { $0.signal == 0 ? $0.exitCode : nil } ?? nil,
                signal: state.flatMap { $0.signal == 0 ? nil : $0.signal },
                wallSeconds: seconds, outputTail: collected[index],
                timedOut: cancelledAtDeadline || state?.reachedTimeLimit == true)
        }
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
    private func states(of jobID: String) async throws -> [SlurmTaskState] {
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

    /// `scancel`, then waits (bounded) until every task has ended.
    private func cancel(_ jobID: String) async throws {
        _ = try await slurm("scancel", [jobID])
        let end = ContinuousClock.now + .seconds(options.cancelWaitSeconds)
        while ContinuousClock.now < end {
            let states = try await states(of: jobID)
            if states.allSatisfy(\.isFinished) {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    private func slurm(_ command: String, _ arguments: [String]) async throws -> ProcessOutcome {
        try await ProcessRunner.run(ProcessSpec(executable: command, arguments: arguments, environment: environment))
    }

    private static func allFinished(_ states: [SlurmTaskState], count: Int) -> Bool {
        guard !states.isEmpty, states.allSatisfy(\.isFinished) else {
            return false
        }
        if count == 1 {
            return true
        }
        let finished = Set(states.compactMap(\.arrayIndex))
        return (0..<count).allSatisfy { finished.contains($0) }
    }
}
