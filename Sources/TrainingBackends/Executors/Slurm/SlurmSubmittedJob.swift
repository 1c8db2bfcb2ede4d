import Foundation
import Runtime

/// One submitted batch job (a plain job, or a job array with one task per spec), followed until every task ends.
///
/// Each task is its own job for whoever waits on it: its output lines go to its own handler, its outcome arrives as
/// soon as it ends (not when the whole array does), it is cancelled alone (`scancel <id>_<task>`) when its waiter
/// is cancelled or its spec's deadline passes.
actor SlurmSubmittedJob {
    /// The Slurm job id (the array's id for an array).
    let jobID: String
    private let executor: SlurmExecutor
    private let specs: [ProcessSpec]
    private let onLine: [@Sendable (ProcessOutputLine) -> Void]
    private let start = ContinuousClock.now
    private var tails: [OutputFileTail]
    private var collected: [[String]]
    /// Tasks not yet ended (or given up on after a cancellation).
    private var running: Set<Int>
    private var results: [Int: Result<ProcessOutcome, any Error>] = [:]
    private var waiters: [Int: CheckedContinuation<ProcessOutcome, any Error>] = [:]
    private var cancelRequested: Set<Int> = []
    /// When `scancel` was sent for a task, to bound the wait for its end.
    private var cancelSent: [Int: ContinuousClock.Instant] = [:]
    private var stoppedAtDeadline: Set<Int> = []
    /// Since when the job's state could not be read (retried for a minute).
    private var failingSince: ContinuousClock.Instant?

    init(
        jobID: String, jobName: String, specs: [ProcessSpec],
        onLine: [@Sendable (ProcessOutputLine) -> Void], executor: SlurmExecutor
    ) {
        self.jobID = jobID
        self.executor = executor
        self.specs = specs
        self.onLine = onLine
        tails = specs.indices.map {
            OutputFileTail(
                path: SlurmBatchScript.outputFile(
                    jobDirectory: executor.options.jobDirectory, jobName: jobName, jobID: jobID,
                    index: specs.count > 1 ? $0 : nil))
        }
        collected = Array(repeating: [], count: specs.count)
        running = Set(specs.indices)
    }

    /// The outcome of task `index`, once it has ended.
    ///
    /// - Throws: `CancellationError` when the caller is cancelled (after the task's `scancel` and its end, waited
    ///   for up to `cancelWaitSeconds`); the error that stopped the job being followed.
    func outcome(of index: Int) async throws -> ProcessOutcome {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ProcessOutcome, any Error>) in
                precondition(waiters[index] == nil, "one waiter per task")
                if let result = results[index] {
                    continuation.resume(with: result)
                } else {
                    waiters[index] = continuation
                }
            }
        } onCancel: {
            Task { await self.cancel(index) }
        }
    }

    /// Asks for task `index` to be stopped; the next poll sends `scancel`.
    func cancel(_ index: Int) {
        if running.contains(index) {
            cancelRequested.insert(index)
        }
    }

    /// Polls the tasks' states and output files until every task has ended.
    func follow() async {
        let options = executor.options
        while !running.isEmpty {
            drain()
            let states: [SlurmTaskState]
            do {
                states = try await executor.states(of: jobID)
                failingSince = nil
            } catch {
                // A controller that does not answer once is retried for a minute; then the job is stopped (nobody
                // would follow it any more) and every task still running fails with the error.
                let since = failingSince ?? ContinuousClock.now
                failingSince = since
                if ContinuousClock.now - since < .seconds(60) {
                    try? await Task.sleep(for: .seconds(options.pollIntervalSeconds))
                    continue
                }
                _ = try? await executor.slurm("scancel", [jobID])
                for index in running { finish(index, with: .failure(error)) }
                return
            }
            for index in running.sorted() {
                let state = states.first { specs.count == 1 || $0.arrayIndex == index }
                if let state, state.isFinished {
                    finish(index, state: state)
                    continue
                }
                if let sent = cancelSent[index] {
                    if ContinuousClock.now - sent > .seconds(options.cancelWaitSeconds) {
                        // No end state seen (a pending task cancelled may leave none): a cancelled caller gets its
                        // cancellation, a task stopped at its deadline a timed-out outcome.
                        if cancelRequested.contains(index) {
                            finish(index, with: .failure(CancellationError()))
                        } else {
                            read(index, flush: true)
                            finish(
                                index,
                                with: .success(
                                    ProcessOutcome(
                                        exitCode: nil, signal: 15, wallSeconds: elapsedSeconds,
                                        outputTail: collected[index], timedOut: true)))
                        }
                    }
                    continue
                }
                let pastDeadline = specs[index].deadline.map { Date() >= $0 } ?? false
                if cancelRequested.contains(index) || pastDeadline {
                    if !cancelRequested.contains(index) {
                        stoppedAtDeadline.insert(index)
                    }
                    cancelSent[index] = ContinuousClock.now
                    _ = try? await executor.slurm("scancel", [specs.count > 1 ? "\(jobID)_\(index)" : jobID])
                }
            }
            if !running.isEmpty {
                // A short poll while a cancellation is under way, so that the cancelled caller is not kept waiting.
                let interval = cancelSent.isEmpty ? options.pollIntervalSeconds : min(options.pollIntervalSeconds, 0.2)
                try? await Task.sleep(for: .seconds(interval))
            }
        }
    }

    private func drain() {
        for index in running {
            read(index, flush: false)
        }
    }

    private func read(_ index: Int, flush: Bool) {
        for line in tails[index].read(flush: flush) {
            collected[index].append(line)
            if collected[index].count > ProcessRunner.tailLineLimit {
                collected[index].removeFirst()
            }
            onLine[index](.stdout(line))
        }
    }

    private func finish(_ index: Int, state: SlurmTaskState) {
        read(index, flush: true)
        if cancelRequested.contains(index) {
            finish(index, with: .failure(CancellationError()))
            return
        }
        let seconds = elapsedSeconds
        finish(
            index,
            with: .success(
                ProcessOutcome(
                    exitCode: state.signal == 0 ? state.exitCode : nil,
                    signal: state.signal == 0 ? nil : state.signal,
                    wallSeconds: seconds, outputTail: collected[index],
                    timedOut: stoppedAtDeadline.contains(index) || state.reachedTimeLimit)))
    }

    private var elapsedSeconds: Double {
        let wall = ContinuousClock.now - start
        return Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18
    }

    private func finish(_ index: Int, with result: Result<ProcessOutcome, any Error>) {
        running.remove(index)
        results[index] = result
        waiters.removeValue(forKey: index)?.resume(with: result)
    }
}
