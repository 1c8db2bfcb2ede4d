import Foundation
import Runtime
import Synchronization
import Testing

@Suite("MachineCores: jobs lease the machine's cores")
struct MachineCoresTests {
    static func cores(_ capacity: Int) throws -> MachineCores {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cores-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return MachineCores(directory: folder, capacity: capacity)
    }

    @Test func sharesDivideTheCoresAndNeverGiveLessThanOne() throws {
        let five = try Self.cores(5)
        #expect((0..<2).map { five.share($0, among: 2) } == [3, 2])
        #expect((0..<3).map { five.share($0, among: 3) } == [2, 2, 1])
        #expect(try Self.cores(2).share(3, among: 4) == 1)
    }

    @Test func aJobAloneGetsEveryCoreAndTwoJobsSideBySideSplitThem() async throws {
        let cores = try Self.cores(2)
        let alone = try await cores.lease(upTo: 8)
        #expect(alone.count == 2)
        alone.release()
        let first = try await cores.lease(upTo: cores.share(0, among: 2))
        let second = try await cores.lease(upTo: cores.share(1, among: 2))
        #expect(first.count == 1 && second.count == 1)
        // A job asking for the whole machine while one core is free gets that one.
        second.release()
        let partial = try await cores.lease(upTo: 2)
        #expect(partial.count == 1)
        first.release()
        partial.release()
    }

    @Test func aJobWaitsWhileAnotherProcessHoldsEveryCoreAndGivesUpAtItsDeadline() async throws {
        let cores = try Self.cores(2)
        let files = (0..<2).map { cores.directory.appendingPathComponent("core-\($0).lock").path }
        // Another process (util-linux `flock`, nested) holds both cores until the test creates `stop`.
        let stop = cores.directory.appendingPathComponent("stop")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [
            "-x", files[0], "/usr/bin/flock", "-x", files[1], "/bin/sh", "-c",
            "while [ ! -e \"$0\" ]; do sleep 0.05; done", stop.path,
        ]
        try holder.run()
        defer {
            _ = FileManager.default.createFile(atPath: stop.path, contents: nil)
            holder.waitUntilExit()
        }
        // Wait (a loaded machine can take a while to start it) until the other process holds both cores.
        let waitStart = Date()
        var held = false
        while !held, holder.isRunning, Date().timeIntervalSince(waitStart) < 60 {
            let probes = try files.map { try FileLock.tryAcquire(URL(fileURLWithPath: $0)) }
            probes.forEach { $0?.release() }
            held = probes.allSatisfy { $0 == nil }
            if !held { try await Task.sleep(for: .milliseconds(20)) }
        }
        try #require(
            held,
            "the holder process never held both cores (\(holder.isRunning ? "still running" : "exited with \(holder.terminationStatus)"))")

        await #expect(throws: MachineCoresError.self) {
            _ = try await cores.lease(upTo: 1, deadline: Date().addingTimeInterval(0.3))
        }
        let waited = Mutex(false)
        let started = Date()
        async let waiting = cores.lease(upTo: 2, deadline: Date().addingTimeInterval(120)) {
            waited.withLock { $0 = true }
        }
        try await Task.sleep(for: .milliseconds(500))
        _ = FileManager.default.createFile(atPath: stop.path, contents: nil)
        let lease = try await waiting
        #expect(waited.withLock { $0 })
        #expect(lease.count == 2, "the holder exited and gave both cores back")
        #expect(Date().timeIntervalSince(started) >= 0.5)
        lease.release()
    }

    @Test func withCoresGivesTheCoresBackWhenTheBodyThrows() async throws {
        struct Failure: Error {}
        let cores = try Self.cores(1)
        await #expect(throws: Failure.self) {
            try await cores.withCores(upTo: 1) { _ in throw Failure() }
        }
        let again = try await cores.lease(upTo: 1, deadline: Date().addingTimeInterval(1))
        #expect(again.count == 1)
        again.release()
    }
}
