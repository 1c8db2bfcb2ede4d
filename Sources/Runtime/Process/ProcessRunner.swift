import Foundation
import Subprocess
import Synchronization
import SystemPackage

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs child processes in their own session so that the whole tree can be torn down.
///
/// The child is started with `setsid` (swift-subprocess `createSession`), which makes it the leader of a new
/// process group; everything it spawns (torchrun workers, data loader processes) joins that group. The group is
/// terminated (`SIGTERM`, then `SIGKILL` after the spec's grace period) when:
/// - the calling task is cancelled (the call then throws `CancellationError`),
/// - the spec's deadline is reached (the outcome has `timedOut == true`),
/// - the leader exits while members of its group are still running (no orphans are left behind).
public enum ProcessRunner {
    /// How many of the last output lines an outcome keeps.
    public static let tailLineLimit = 200

    /// Runs `spec` to completion, calling `onLine` for each line of stdout and stderr as it arrives.
    ///
    /// - Parameters:
    ///   - spec: What to run.
    ///   - onLine: Called for every output line, from a background task, in arrival order per stream.
    /// - Returns: How the process ended; a non-zero exit is an outcome, not an error.
    /// - Throws: `ProcessRunnerError` when the program cannot be found or launched, and `CancellationError`
    ///   when the calling task was cancelled (after the whole process group has been torn down).
    public static func run(
        _ spec: ProcessSpec,
        onLine: @escaping @Sendable (ProcessOutputLine) -> Void = { _ in }
    ) async throws -> ProcessOutcome {
        let executablePath = try resolve(spec.executable, path: spec.environment["PATH"] ?? "")
        var options = PlatformOptions()
        options.createSession = true
        // Backup for the supervisor below: swift-subprocess itself signals the group when the body is torn down.
        options.teardownSequence = [
            .gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: spec.terminationGracePeriod)
        ]
        let tail = OutputTail(limit: tailLineLimit)
        let timedOut = DeadlineFlag()
        let start = ContinuousClock.now
        let result: ExecutionResult<Void, SequenceOutput, SequenceOutput>
        do {
            result = try await Subprocess.run(
                .path(FilePath(executablePath)),
                arguments: Arguments(spec.arguments),
                environment: .custom(
                    Dictionary(
                        uniqueKeysWithValues: spec.environment.map {
                            (Environment.Key(stringLiteral: $0.key), $0.value)
                        })
                ),
                workingDirectory: spec.workingDirectory.map { FilePath($0.path) },
                platformOptions: options,
                input: .none,
                output: .sequence,
                error: .sequence
            ) { execution in
                let leader = execution.processIdentifier.value
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        await drain(execution.standardOutput, as: ProcessOutputLine.stdout, into: tail, onLine: onLine)
                    }
                    group.addTask {
                        await drain(execution.standardError, as: ProcessOutputLine.stderr, into: tail, onLine: onLine)
                    }
                    group.addTask {
                        await supervise(leader: leader, spec: spec, timedOut: timedOut)
                    }
                    // The two readers end when every member of the group has closed its pipes; the supervisor
                    // is then no longer needed. A program may close its output a moment before it exits (`ps`
                    // does, at exit): give the leader the grace period to exit on its own, so that the
                    // supervisor's teardown does not turn a normal exit into `SIGTERM`.
                    await group.next()
                    await group.next()
                    let end = ContinuousClock.now + spec.terminationGracePeriod
                    while !Task.isCancelled && !leaderHasExited(leader) && ContinuousClock.now < end {
                        try? await Task.sleep(for: .milliseconds(10))
                    }
                    group.cancelAll()
                }
            }
        } catch let error as SubprocessError {
            throw ProcessRunnerError.launchFailed(executable: executablePath, reason: "\(error)")
        }
        if Task.isCancelled {
            throw CancellationError()
        }
        let wall = ContinuousClock.now - start
        var exitCode: Int32?
        var signal: Int32?
        switch result.terminationStatus {
        case .exited(let code): exitCode = Int32(code)
        case .signaled(let code): signal = Int32(code)
        }
        return ProcessOutcome(
            exitCode: exitCode,
            signal: signal,
            wallSeconds: Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18,
            outputTail: tail.lines,
            timedOut: timedOut.isSet
        )
    }

    /// The absolute path of `executable`: itself when it contains a `/`, else the first match on `path`.
    ///
    /// - Throws: `ProcessRunnerError.executableNotFound` when no folder on `path` holds an executable of that name.
    public static func resolve(_ executable: String, path: String) throws -> String {
        if executable.contains("/") {
            return executable
        }
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        throw ProcessRunnerError.executableNotFound(name: executable, searchPath: path)
    }

    private static func drain(
        _ stream: SubprocessOutputSequence,
        as wrap: @Sendable (String) -> ProcessOutputLine,
        into tail: OutputTail,
        onLine: @Sendable (ProcessOutputLine) -> Void
    ) async {
        do {
            for try await line in stream.strings(bufferingPolicy: .unbounded) {
                tail.append(line)
                onLine(wrap(line))
            }
        } catch {
            // A read error or cancellation ends this reader; the supervisor tears the group down.
        }
    }

    /// Watches the leader, the deadline and cancellation, and tears the group down when one of them calls for it.
    private static func supervise(leader: pid_t, spec: ProcessSpec, timedOut: DeadlineFlag) async {
        while true {
            if let deadline = spec.deadline, Date() >= deadline {
                timedOut.set()
                break
            }
            if leaderHasExited(leader) {
                break
            }
            do {
                try await Task.sleep(for: .milliseconds(100))
            } catch {
                break
            }
        }
        // Runs in an unstructured task so that a cancelled caller still waits for the full teardown.
        let grace = spec.terminationGracePeriod
        await Task { await terminateGroup(leader, grace: grace) }.value
    }

    /// `SIGTERM` to the group, then `SIGKILL` once the grace period is over or as soon as only the leader is left;
    /// returns once no member but the leader is alive (or after a bounded wait for the kernel to finish the kill).
    private static func terminateGroup(_ leader: pid_t, grace: Duration) async {
        guard kill(-leader, SIGTERM) == 0 else {
            return
        }
        if await waitUntilGroupIsGone(leader, for: grace) {
            return
        }
        _ = kill(-leader, SIGKILL)
        _ = await waitUntilGroupIsGone(leader, for: .seconds(5))
    }

    /// Polls until the leader has exited and no other live process is in its group; `false` on time-out.
    private static func waitUntilGroupIsGone(_ leader: pid_t, for duration: Duration) async -> Bool {
        let end = ContinuousClock.now + duration
        while ContinuousClock.now < end {
            if leaderHasExited(leader) && !groupHasLiveMembers(leader) {
                return true
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Whether the leader has exited (it stays a zombie, and keeps its group, until swift-subprocess reaps it).
    private static func leaderHasExited(_ leader: pid_t) -> Bool {
        var info = siginfo_t()
        let status = waitid(P_PID, id_t(leader), &info, WEXITED | WNOWAIT | WNOHANG)
        if status != 0 {
            return errno == ECHILD
        }
        #if os(Linux)
        return info._sifields._sigchld.si_pid != 0
        #else
        return info.si_pid != 0
        #endif
    }

    /// Whether a live (not zombie) process other than the leader is still in the group. Linux: scans `/proc`;
    /// elsewhere assumes so, which makes the caller fall through to `SIGKILL`.
    private static func groupHasLiveMembers(_ group: pid_t) -> Bool {
        #if os(Linux)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else {
            return true
        }
        for entry in entries {
            guard let pid = pid_t(entry), pid != group,
                let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let nameEnd = stat.lastIndex(of: ")")
            else { continue }
            // After "pid (comm) ": state ppid pgrp ...
            let fields = stat[stat.index(after: nameEnd)...].split(separator: " ")
            guard fields.count > 2, let processGroup = pid_t(fields[2]) else { continue }
            if processGroup == group && fields[0] != "Z" && fields[0] != "X" {
                return true
            }
        }
        return false
        #else
        return true
        #endif
    }
}

/// The last lines of a process's output, shared by the stdout and stderr readers.
private final class OutputTail: Sendable {
    private let storage: Mutex<[String]>
    private let limit: Int

    init(limit: Int) {
        self.limit = limit
        self.storage = Mutex([])
    }

    func append(_ line: String) {
        storage.withLock { lines in
            lines.append(line)
            if lines.count > limit {
                lines.removeFirst(lines.count - limit)
            }
        }
    }

    var lines: [String] { storage.withLock { $0 } }
}

/// Set once when the supervisor tears a group down because the deadline was reached.
private final class DeadlineFlag: Sendable {
    private let storage = Mutex(false)

    func set() { storage.withLock { $0 = true } }

    var isSet: Bool { storage.withLock { $0 } }
}
