import Foundation

/// Hands out a machine's CPU cores to jobs so that jobs side by side never oversubscribe them.
///
/// A job alone gets every core; ``share(_:among:)`` divides the cores between jobs started together (the remainder
/// goes to the first ones); ``acquire(_:)`` waits, first come first served, until the cores a job asks for are free.
/// Threads beyond the cores are what makes a shared 2-core machine ~10x slower, so the thread count a job gets is
/// the cores it holds.
public actor CoreScheduler {
    /// Cores handed out in all.
    public nonisolated let capacity: Int
    private var free: Int
    private var waiting: [(cores: Int, continuation: CheckedContinuation<Void, Never>)] = []

    /// A scheduler of `capacity` cores.
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        free = self.capacity
    }

    /// Cores not held by a job right now.
    public var available: Int { free }

    /// The cores each of `count` jobs started together gets: `capacity / count`, the remainder to the first ones,
    /// at least one each.
    public nonisolated func share(_ index: Int, among count: Int) -> Int {
        let count = max(1, count)
        return max(1, capacity / count + (index < capacity % count ? 1 : 0))
    }

    /// Waits until `cores` (capped at the capacity) are free and takes them; release them with ``release(_:)``.
    /// - Returns: the cores taken.
    public func acquire(_ cores: Int) async -> Int {
        let cores = min(max(1, cores), capacity)
        if waiting.isEmpty, free >= cores {
            free -= cores
            return cores
        }
        await withCheckedContinuation { continuation in
            waiting.append((cores, continuation))
        }
        return cores
    }

    /// Gives back `cores` and starts the waiting jobs that now fit, in order.
    public func release(_ cores: Int) {
        free = min(capacity, free + cores)
        while let next = waiting.first, next.cores <= free {
            waiting.removeFirst()
            free -= next.cores
            next.continuation.resume()
        }
    }

    /// Runs `body` holding `cores`, released when it returns or throws.
    public func withCores<T: Sendable>(
        _ cores: Int, _ body: @Sendable (Int) async throws -> T
    ) async rethrows -> T {
        let taken = await acquire(cores)
        do {
            let value = try await body(taken)
            release(taken)
            return value
        } catch {
            release(taken)
            throw error
        }
    }
}

/// A training backend whose jobs hold their cores from a ``CoreScheduler`` while they run.
///
/// A job that sets `cpuThreads` waits for that many cores; one that does not asks for all of them. The job then
/// runs with the cores it holds as its threads (the base backend decides its other settings for them).
public struct ScheduledTrainingBackend: TrainingBackend {
    /// The backend that trains.
    public let base: any TrainingBackend
    /// Whose cores the jobs hold.
    public let scheduler: CoreScheduler

    /// Wraps `base`.
    public init(base: any TrainingBackend, scheduler: CoreScheduler) {
        self.base = base
        self.scheduler = scheduler
    }

    /// The base backend's settings for `job`.
    public func prepare(_ job: TrainingJob) -> TrainingJob { base.prepare(job) }

    /// Waits for the job's cores, then runs it on `base` with them as its threads.
    public func train(_ job: TrainingJob) -> AsyncThrowingStream<TrainingEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: TrainingEvent.self, throwing: (any Error).self)
        let task = Task {
            do {
                try await scheduler.withCores(job.cpuThreads ?? scheduler.capacity) { cores in
                    var job = job
                    job.cpuThreads = cores
                    for try await event in base.train(base.prepare(job)) {
                        continuation.yield(event)
                    }
                }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
