public import Foundation
import Synchronization

/// The machine's CPU cores as one lock file each, shared by every AutoTrainess process on the machine, so that
/// training and evaluation jobs never run more compute threads than there are cores.
///
/// A job leases up to the cores it wants: it takes every free core up to that number, at least one, waiting
/// (polling, cancellable, bounded by its deadline) while none is free. A job alone therefore gets the whole
/// machine; jobs side by side get disjoint cores; and a job that starts while the machine is taken waits instead of
/// oversubscribing it (on a 2-core machine, two 2-thread torch jobs side by side ran up to ~10× slower than one
/// after the other). Leases are `flock` locks: a process that dies, even by SIGKILL, gives its cores back.
public struct MachineCores: Sendable {
    /// The folder of the lock files (`core-0.lock` …).
    public var directory: URL
    /// Cores handed out in all.
    public var capacity: Int

    /// Cores in `directory`.
    public init(directory: URL, capacity: Int) {
        self.directory = directory
        self.capacity = max(1, capacity)
    }

    /// The cores this process may use: `AUTOTRAINESS_CPUS` when set (and smaller), else the cores the OS gives it.
    public static func detectedCapacity(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if let cap = environment["AUTOTRAINESS_CPUS"].flatMap(Int.init), cap > 0 { return min(cores, cap) }
        return cores
    }

    /// The threads a user asked for in `OMP_NUM_THREADS`, which caps what a job asks for; `nil` when unset.
    public static func requestedThreads(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        environment["OMP_NUM_THREADS"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil }
    }

    /// The cores each of `count` jobs started together asks for: `capacity / count`, the remainder to the first
    /// ones, at least one each.
    public func share(_ index: Int, among count: Int) -> Int { Self.share(index, among: count, capacity: capacity) }

    /// The same for `capacity` cores (by default this process's, ``detectedCapacity(environment:)``).
    public static func share(_ index: Int, among count: Int, capacity: Int = detectedCapacity()) -> Int {
        let count = max(1, count)
        return max(1, capacity / count + (index < capacity % count ? 1 : 0))
    }

    /// Takes up to `wanted` free cores, at least one, waiting while none is free.
    ///
    /// - Parameters:
    ///   - wanted: The cores the job would use (capped at ``capacity``).
    ///   - deadline: Give up waiting at this time.
    ///   - onWait: Called once when the job has to wait.
    /// - Throws: ``MachineCoresError`` when the deadline passes first or a lock file cannot be used;
    ///   `CancellationError` when the task is cancelled while waiting.
    public func lease(
        upTo wanted: Int, deadline: Date? = nil, onWait: @Sendable () -> Void = {}
    ) async throws -> CoreLease {
        let wanted = min(max(1, wanted), capacity)
        var announced = false
        while true {
            var locks: [FileLock] = []
            do {
                for index in 0..<capacity where locks.count < wanted {
                    if let lock = try FileLock.tryAcquire(directory.appendingPathComponent("core-\(index).lock")) {
                        locks.append(lock)
                    }
                }
            } catch {
                locks.forEach { $0.release() }
                throw MachineCoresError(message: "cannot lock a core in \(directory.path): \(error)")
            }
            if !locks.isEmpty { return CoreLease(locks: locks) }
            if let deadline, Date() >= deadline {
                throw MachineCoresError(
                    message: "no CPU core became free before the job's deadline: other AutoTrainess jobs held all "
                        + "\(capacity) (lock files in \(directory.path))")
            }
            if !announced {
                onWait()
                announced = true
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// Runs `body` with a lease of up to `wanted` cores (see ``lease(upTo:deadline:onWait:)``), given back when
    /// `body` returns, throws or is cancelled.
    public func withCores<T: Sendable>(
        upTo wanted: Int, deadline: Date? = nil, onWait: @Sendable () -> Void = {},
        _ body: (Int) async throws -> T
    ) async throws -> T {
        let lease = try await lease(upTo: wanted, deadline: deadline, onWait: onWait)
        defer { lease.release() }
        return try await body(lease.count)
    }
}

/// Cores held by one job; give them back with ``release()`` (also when the process ends).
public final class CoreLease: Sendable {
    private let locks: [FileLock]
    /// How many cores the job holds: its thread count.
    public let count: Int

    init(locks: [FileLock]) {
        self.locks = locks
        count = locks.count
    }

    /// Gives the cores back; calling it again does nothing.
    public func release() {
        locks.forEach { $0.release() }
    }

    deinit { release() }
}

/// A core lease that could not be had.
public struct MachineCoresError: Error, Hashable, CustomStringConvertible {
    /// What went wrong and where.
    public var message: String

    public var description: String { message }
}
