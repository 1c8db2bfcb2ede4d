public import Foundation
public import Runtime

/// Jobs started together (the candidates of one `train` call), so that an executor able to submit them as one unit
/// can: `SlurmExecutor` gathers each member's first process into one job array. Other executors ignore the group.
///
/// Each member runs inside ``join(_:member:_:)``; leaving it, however it ends, counts as leaving the group, so the
/// others never wait for a member that was refused or failed before it ran anything. Waiting for the others is
/// also bounded by `window`: whoever has arrived by then is submitted, and a later member runs alone.
public actor JobGroup {
    /// The group the current task's job belongs to, and its place in it.
    public struct Membership: Sendable {
        /// The group.
        public let group: JobGroup
        /// The member's index, `0..<group.size`.
        public let member: Int
    }

    /// One member's first process, as handed to the executor.
    public struct Arrival: Sendable {
        /// The member's index.
        public let member: Int
        /// What it runs.
        public let spec: ProcessSpec
        /// Where its output lines go.
        public let onLine: @Sendable (ProcessOutputLine) -> Void

        /// Creates an arrival.
        public init(member: Int, spec: ProcessSpec, onLine: @escaping @Sendable (ProcessOutputLine) -> Void) {
            self.member = member
            self.spec = spec
            self.onLine = onLine
        }
    }

    /// The membership of the job the current task runs, set by ``join(_:member:_:)``.
    @TaskLocal public static var membership: Membership?

    /// How many members the group has.
    public nonisolated let size: Int
    /// The longest the first arrival waits for the others.
    public nonisolated let window: Duration

    private typealias Waiting = CheckedContinuation<(unit: any Sendable, position: Int), any Error>
    private var arrivals: [(arrival: Arrival, continuation: Waiting)] = []
    /// Members that arrived or left; the gathering ends when every member is here, or when the window closes.
    private var accounted: Set<Int> = []
    private var combine: (@Sendable ([Arrival]) async throws -> any Sendable)?
    private var closed = false

    /// Creates a group of `size` members.
    public init(size: Int, window: Duration = .seconds(30)) {
        self.size = size
        self.window = window
    }

    /// Runs `body` as member `member` of `group`, leaving the group when it ends.
    public static func join<T: Sendable>(
        _ group: JobGroup, member: Int, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        do {
            let value = try await $membership.withValue(Membership(group: group, member: member)) { try await body() }
            await group.leave(member)
            return value
        } catch {
            await group.leave(member)
            throw error
        }
    }

    /// Gathers a member's first process with the others': once every member has arrived or left (or the window
    /// has closed), `combine` runs once on the arrivals in member order, and each arrival gets its result and its
    /// position among them. The first arrival's `combine` is the one used.
    ///
    /// - Returns: `nil` when the gathering is over for this member (it arrived before, or came after the window):
    ///   run the process alone.
    /// - Throws: What `combine` threw, to every arrival; `CancellationError` when the caller is cancelled while
    ///   waiting (it then leaves the gathering).
    public func gather<Unit: Sendable>(
        _ arrival: Arrival, combine: @escaping @Sendable ([Arrival]) async throws -> Unit
    ) async throws -> (unit: Unit, position: Int)? {
        guard !closed, !accounted.contains(arrival.member) else {
            return nil
        }
        if self.combine == nil {
            self.combine = { try await combine($0) }
            Task { [window] in
                try? await Task.sleep(for: window)
                await self.close()
            }
        }
        accounted.insert(arrival.member)
        let member = arrival.member
        let result = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: Waiting) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    arrivals.append((arrival, continuation))
                }
                closeIfComplete()
            }
        } onCancel: {
            Task { await self.withdraw(member) }
        }
        guard let unit = result.unit as? Unit else {
            return nil
        }
        return (unit, result.position)
    }

    /// The member will run nothing more through the gathering (its job ended, or it was refused).
    public func leave(_ member: Int) {
        accounted.insert(member)
        closeIfComplete()
    }

    private func withdraw(_ member: Int) {
        guard let index = arrivals.firstIndex(where: { $0.arrival.member == member }) else {
            return
        }
        arrivals.remove(at: index).continuation.resume(throwing: CancellationError())
        closeIfComplete()
    }

    private func closeIfComplete() {
        if accounted.count >= size {
            close()
        }
    }

    /// Ends the gathering: the arrivals still waiting are combined into one unit.
    private func close() {
        guard !closed else {
            return
        }
        closed = true
        let gathered = arrivals.sorted { $0.arrival.member < $1.arrival.member }
        arrivals = []
        guard let combine, !gathered.isEmpty else {
            return
        }
        Task {
            do {
                let unit = try await combine(gathered.map(\.arrival))
                for (position, waiting) in gathered.enumerated() {
                    waiting.continuation.resume(returning: (unit, position))
                }
            } catch {
                gathered.forEach { $0.continuation.resume(throwing: error) }
            }
        }
    }
}
