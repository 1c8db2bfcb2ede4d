public import Foundation

/// Why a job got no devices.
public enum DeviceSchedulerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// More devices were asked for than the task has: the job can never run.
    case tooMany(requested: Int, devices: [Int])
    /// The devices did not come free before the job's deadline.
    case timedOut(requested: Int, busy: [Int])

    public var description: String {
        switch self {
        case .tooMany(let requested, let devices):
            let list = devices.isEmpty ? "none (CPU only)" : devices.map(String.init).joined(separator: ", ")
            return "the job asks for \(requested) GPU(s) but the task has \(devices.count) (\(list)); ask for at most "
                + "\(devices.count)"
        case .timedOut(let requested, let busy):
            return "\(requested) GPU(s) did not come free before the job's deadline (held by other jobs: "
                + busy.map(String.init).joined(separator: ", ") + ")"
        }
    }
}

/// Hands out disjoint GPUs of the task's set to jobs: a job asks for a number of devices, gets that many that no
/// other job holds (or waits, first come first served, until they are released or its deadline passes), and
/// gives them back when it ends. A request for more devices than the set holds is refused at once.
///
/// ```swift
/// let scheduler = DeviceScheduler(devices: [0, 1, 2, 3])
/// let gpus = try await scheduler.acquire(2, until: deadline)   // e.g. [0, 1]
/// defer { Task { await scheduler.release(gpus) } }
/// ```
public actor DeviceScheduler {
    /// The task's devices.
    public nonisolated let devices: [Int]
    private var free: Set<Int>
    private var waiting: [(id: UUID, count: Int, continuation: CheckedContinuation<[Int], any Error>)] = []

    public init(devices: [Int]) {
        self.devices = Array(Set(devices)).sorted()
        free = Set(devices)
    }

    /// Devices no job holds now.
    public var available: [Int] { free.sorted() }

    /// Takes `count` devices, waiting for them until `deadline`.
    /// - Throws: ``DeviceSchedulerError/tooMany(requested:devices:)`` at once when the set is smaller,
    ///   ``DeviceSchedulerError/timedOut(requested:busy:)`` at the deadline, `CancellationError` when cancelled.
    public func acquire(_ count: Int, until deadline: Date? = nil) async throws -> [Int] {
        guard count <= devices.count else { throw DeviceSchedulerError.tooMany(requested: count, devices: devices) }
        guard count > 0 else { return [] }
        if waiting.isEmpty, free.count >= count { return take(count) }
        let id = UUID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiting.append((id, count, continuation))
                if let deadline {
                    Task {
                        try? await Task.sleep(for: .seconds(max(0, deadline.timeIntervalSinceNow)))
                        await self.giveUp(id, with: DeviceSchedulerError.timedOut(requested: count, busy: []))
                    }
                }
            }
        } onCancel: {
            Task { await self.giveUp(id, with: CancellationError()) }
        }
    }

    /// Gives devices back; waiting jobs are served in order.
    public func release(_ returned: [Int]) {
        free.formUnion(returned.filter(devices.contains))
        serve()
    }

    private func take(_ count: Int) -> [Int] {
        let taken = Array(free.sorted().prefix(count))
        free.subtract(taken)
        return taken
    }

    private func serve() {
        while let first = waiting.first, free.count >= first.count {
            waiting.removeFirst()
            first.continuation.resume(returning: take(first.count))
        }
    }

    private func giveUp(_ id: UUID, with error: any Error) {
        guard let index = waiting.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiting.remove(at: index)
        var failure = error
        if case DeviceSchedulerError.timedOut(let requested, _) = error {
            failure = DeviceSchedulerError.timedOut(requested: requested, busy: Set(devices).subtracting(free).sorted())
        }
        waiter.continuation.resume(throwing: failure)
        serve()
    }
}
