import Runtime

/// Where a job's processes run, separate from what the job is. One required method.
///
/// The LlamaFactory backend builds a `ProcessSpec` (command, environment, deadline) and hands it to its executor.
/// `LocalExecutor` runs it on this machine; remote executors (SSH, Slurm) are not built yet.
public protocol Executor: Sendable {
    /// Runs `spec` to completion, streaming its output lines.
    ///
    /// Cancelling the calling task, or reaching `spec.deadline`, must stop every process the spec started.
    ///
    /// - Throws: `ProcessRunnerError` when it cannot be started, `CancellationError` when cancelled.
    func run(
        _ spec: ProcessSpec, onLine: @escaping @Sendable (ProcessOutputLine) -> Void
    ) async throws
        -> ProcessOutcome
}

/// Runs processes on this machine, each in its own session and process group (`ProcessRunner`).
public struct LocalExecutor: Executor {
    /// Creates a local executor.
    public init() {}

    /// Runs `spec` with `ProcessRunner`.
    public func run(
        _ spec: ProcessSpec, onLine: @escaping @Sendable (ProcessOutputLine) -> Void
    ) async throws
        -> ProcessOutcome
    {
        try await ProcessRunner.run(spec, onLine: onLine)
    }
}
