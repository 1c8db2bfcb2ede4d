import Foundation
import Synchronization
import Testing

@testable import Runtime

/// GPUs handed to jobs: never one device to two jobs at once, waits in order, refusals with the reason.
@Suite struct DeviceSchedulerTests {
    /// Who holds which device, checked on every grant.
    final class Holders: Sendable {
        private let held = Mutex<[Int: Int]>([:])
        private let overlaps = Mutex(0)
        func take(_ devices: [Int], job: Int) {
            held.withLock { held in
                for device in devices {
                    if held[device] != nil { overlaps.withLock { $0 += 1 } }
                    held[device] = job
                }
            }
        }
        func give(_ devices: [Int]) { held.withLock { held in for device in devices { held[device] = nil } } }
        var overlapCount: Int { overlaps.withLock { $0 } }
    }

    @Test(.timeLimit(.minutes(2)), arguments: [1, 2, 4, 8])
    func jobsOfMixedSizesNeverShareADevice(_ deviceCount: Int) async throws {
        let scheduler = DeviceScheduler(devices: Array(0..<deviceCount))
        let holders = Holders()
        let sizes = (0..<24).map { [1, 2, 4, 8][$0 % 4] }.filter { $0 <= deviceCount }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for (job, size) in sizes.enumerated() {
                group.addTask {
                    // No deadline: on a loaded machine the cooperative pool can be slow to run anything, and this
                    // test is about who holds what, not about time (its time limit catches a hang).
                    let devices = try await scheduler.acquire(size)
                    #expect(devices.count == size && Set(devices).count == size)
                    holders.take(devices, job: job)
                    try await Task.sleep(for: .milliseconds(Int.random(in: 1...5)))
                    holders.give(devices)
                    await scheduler.release(devices)
                    return size
                }
            }
            var done = 0
            for try await _ in group { done += 1 }
            #expect(done == sizes.count)
        }
        #expect(holders.overlapCount == 0)
        #expect(await scheduler.available == Array(0..<deviceCount), "every device is back")
    }

    @Test(.timeLimit(.minutes(2)))
    func aJobThatCanNeverFitIsRefusedAtOnceAndOneThatWaitsTooLongTimesOut() async throws {
        let scheduler = DeviceScheduler(devices: [0, 1])
        await #expect(throws: DeviceSchedulerError.tooMany(requested: 3, devices: [0, 1])) {
            _ = try await scheduler.acquire(3)
        }
        let held = try await scheduler.acquire(2)
        do {
            _ = try await scheduler.acquire(1, until: Date().addingTimeInterval(0.2))
            Issue.record("a busy device was granted")
        } catch let error as DeviceSchedulerError {
            #expect(error == .timedOut(requested: 1, busy: [0, 1]))
            #expect("\(error)".contains("held by other jobs: 0, 1"))
        }
        // A waiter is served in order when devices come back.
        async let waiter = scheduler.acquire(2)
        try await Task.sleep(for: .milliseconds(50))
        await scheduler.release(held)
        #expect(try await waiter == [0, 1])
    }
}
