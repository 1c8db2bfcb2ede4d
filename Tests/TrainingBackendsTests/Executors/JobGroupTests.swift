import Foundation
import Runtime
import Synchronization
import Testing

@testable import TrainingBackends

@Suite("Job groups (candidates submitted as one unit)")
struct JobGroupTests {
    static func arrival(_ member: Int) -> JobGroup.Arrival {
        JobGroup.Arrival(member: member, spec: ProcessSpec(executable: "true", arguments: ["\(member)"])) { _ in }
    }

    /// How often a combine ran.
    final class Calls: Sendable {
        private let count = Mutex(0)
        var value: Int { count.withLock { $0 } }
        func add() { count.withLock { $0 += 1 } }
    }

    /// A combine that records how often it ran and returns the members it was given.
    static func counting(_ calls: Calls) -> @Sendable ([JobGroup.Arrival]) async throws -> [Int] {
        { arrivals in
            calls.add()
            return arrivals.map(\.member)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func everyMembersFirstProcessIsCombinedOnceAndLaterOnesRunAlone() async throws {
        let group = JobGroup(size: 3, window: .seconds(600))
        let calls = Calls()
        let results = try await withThrowingTaskGroup(of: (Int, [Int], Int)?.self) { tasks in
            for member in [2, 0, 1] {
                tasks.addTask {
                    try await group.gather(Self.arrival(member), combine: Self.counting(calls)).map {
                        (member, $0.unit, $0.position)
                    }
                }
            }
            var results: [(Int, [Int], Int)] = []
            for try await result in tasks { results.append(try #require(result)) }
            return results.sorted { $0.0 < $1.0 }
        }
        #expect(results.map { $0.1 } == [[0, 1, 2], [0, 1, 2], [0, 1, 2]])
        #expect(results.map { $0.2 } == [0, 1, 2], "each member's position is its place in member order")
        #expect(calls.value == 1)
        // A member's second process (a merge after its training) is not gathered.
        #expect(try await group.gather(Self.arrival(0), combine: Self.counting(calls)) == nil)
    }

    @Test(.timeLimit(.minutes(1)))
    func aMemberThatLeavesBeforeRunningAnythingIsNotWaitedFor() async throws {
        let group = JobGroup(size: 2, window: .seconds(600))
        let calls = Calls()
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await JobGroup.join(group, member: 1) { () async throws -> Int in throw Refused() }
        }
        let gathered = try await JobGroup.join(group, member: 0) {
            try await group.gather(Self.arrival(0), combine: Self.counting(calls))
        }
        #expect(gathered?.unit == [0] && gathered?.position == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func theWindowBoundsTheWaitAndALateMemberRunsAlone() async throws {
        let group = JobGroup(size: 2, window: .milliseconds(300))
        let calls = Calls()
        let first = try await group.gather(Self.arrival(0), combine: Self.counting(calls))
        #expect(first?.unit == [0])
        #expect(try await group.gather(Self.arrival(1), combine: Self.counting(calls)) == nil)
        #expect(calls.value == 1)
    }

    @Test(.timeLimit(.minutes(1)))
    func aCancelledArrivalWithdrawsAndTheOthersGoOn() async throws {
        let group = JobGroup(size: 2, window: .seconds(600))
        let calls = Calls()
        let waiting = Task { try await group.gather(Self.arrival(0), combine: Self.counting(calls)) }
        try await Task.sleep(for: .milliseconds(200))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        let second = try await group.gather(Self.arrival(1), combine: Self.counting(calls))
        #expect(second?.unit == [1] && second?.position == 0)
    }

    @Test func membershipIsSeenInsideTheJoinOnly() async throws {
        let group = JobGroup(size: 1)
        #expect(JobGroup.membership == nil)
        let member = try await JobGroup.join(group, member: 0) { JobGroup.membership?.member }
        #expect(member == 0)
    }
}
