public import Foundation
public import Runtime

/// Where a job's processes run, separate from what the job is.
///
/// The LlamaFactory backend builds a `ProcessSpec` (command, environment, deadline) and hands it to its executor.
/// `LocalExecutor` runs it on this machine, `SSHExecutor` on a remote host, `SlurmExecutor` as a batch job.
///
/// Executors whose processes see another filesystem also implement the staging hooks: `location(of:)` says where a
/// local path is seen by the job, `stageIn(_:)` copies inputs there before the run and `stageOut(_:)` copies
/// outputs back after it. Their default implementations do nothing (the job sees this machine's files).
public protocol Executor: Sendable {
    /// Runs `spec` to completion, streaming its output lines.
    ///
    /// Paths in `spec` are local paths; an executor with another filesystem translates them with `location(of:)`.
    /// Cancelling the calling task, or reaching `spec.deadline`, must stop every process the spec started.
    ///
    /// - Throws: `ProcessRunnerError` when it cannot be started, `CancellationError` when cancelled.
    func run(
        _ spec: ProcessSpec, onLine: @escaping @Sendable (ProcessOutputLine) -> Void
    ) async throws
        -> ProcessOutcome

    /// Where the job's processes see the local absolute path `localPath`; by default `localPath` itself.
    func location(of localPath: String) -> String

    /// Copies local files and folders to `location(of:)` where the job runs; by default nothing is copied.
    ///
    /// - Throws: An executor-specific error naming the path that could not be copied.
    func stageIn(_ paths: [URL]) async throws

    /// Copies files and folders the job wrote at `location(of:)` back to the local paths; by default nothing.
    ///
    /// - Throws: An executor-specific error naming the path that could not be copied.
    func stageOut(_ paths: [URL]) async throws
}

extension Executor {
    /// `localPath` itself: the job sees this machine's filesystem.
    public func location(of localPath: String) -> String { localPath }

    /// Does nothing: the job reads the local files directly.
    public func stageIn(_ paths: [URL]) async throws {}

    /// Does nothing: the job wrote the local files directly.
    public func stageOut(_ paths: [URL]) async throws {}
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
