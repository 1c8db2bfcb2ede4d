import Foundation
import Runtime
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("ProcessRunner")
struct ProcessRunnerTests {
    /// Whether `pid` is still a live process (zombies waiting for a reaper count as gone).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    /// Waits (bounded) until `file` holds one pid per line, and returns them.
    static func readPIDs(_ file: URL, count: Int) async throws -> [pid_t] {
        for _ in 0..<200 {
            let pids = ((try? String(contentsOf: file, encoding: .utf8)) ?? "")
                .split(separator: "\n").compactMap { pid_t($0) }
            if pids.count >= count { return pids }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the child never wrote \(count) pids to \(file.path)")
        return []
    }

    static func temporaryFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("runner-\(UUID().uuidString)")
    }

    @Test func streamsLinesFromBothStreamsAndReportsTheExitCode() async throws {
        let lines = LineCollector()
        let spec = ProcessSpec(executable: "sh", arguments: ["-c", "echo out1; echo err1 >&2; echo out2; exit 3"])
        let outcome = try await ProcessRunner.run(spec) { line in
            switch line {
            case .stdout(let text): lines.append("out:" + text)
            case .stderr(let text): lines.append("err:" + text)
            }
        }
        #expect(outcome.exitCode == 3)
        #expect(outcome.signal == nil)
        #expect(!outcome.succeeded)
        #expect(!outcome.timedOut)
        #expect(Set(lines.lines) == ["out:out1", "out:out2", "err:err1"])
        #expect(lines.lines.filter { $0.hasPrefix("out:") } == ["out:out1", "out:out2"])
        #expect(Set(outcome.outputTail) == ["out1", "out2", "err1"])
    }

    @Test func passesEnvironmentAndWorkingDirectory() async throws {
        let folder = FileManager.default.temporaryDirectory.resolvingSymlinksInPath()
        let spec = ProcessSpec(
            executable: "sh", arguments: ["-c", "echo $GREETING; pwd"],
            environment: ["GREETING": "hello", "PATH": "/usr/bin:/bin"], workingDirectory: folder
        )
        let outcome = try await ProcessRunner.run(spec)
        #expect(outcome.succeeded)
        #expect(outcome.outputTail == ["hello", folder.path])
    }

    @Test func keepsOnlyTheLastLinesInTheTail() async throws {
        let spec = ProcessSpec(
            executable: "sh", arguments: ["-c", "i=0; while [ $i -lt 500 ]; do echo $i; i=$((i+1)); done"])
        let outcome = try await ProcessRunner.run(spec)
        #expect(outcome.outputTail.count == ProcessRunner.tailLineLimit)
        #expect(outcome.outputTail.last == "499")
        #expect(outcome.outputTail.first == String(500 - ProcessRunner.tailLineLimit))
    }

    @Test func unknownExecutableThrowsWithTheSearchPath() async throws {
        let spec = ProcessSpec(executable: "no-such-program-xyz", environment: ["PATH": "/usr/bin:/bin"])
        await #expect(
            throws: ProcessRunnerError.executableNotFound(name: "no-such-program-xyz", searchPath: "/usr/bin:/bin")
        ) {
            try await ProcessRunner.run(spec)
        }
    }

    @Test func deadlineTearsDownTheWholeGroup() async throws {
        let pidFile = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(at: pidFile) }
        let script = "sleep 300 & echo $! >> \(pidFile.path); sleep 300 & echo $! >> \(pidFile.path); wait"
        let spec = ProcessSpec(
            executable: "sh", arguments: ["-c", script], deadline: Date().addingTimeInterval(3),
            terminationGracePeriod: .seconds(2)
        )
        let outcome = try await ProcessRunner.run(spec)
        #expect(outcome.timedOut)
        #expect(!outcome.succeeded)
        #expect(outcome.signal != nil || outcome.exitCode != 0)
        let pids = try await Self.readPIDs(pidFile, count: 2)
        #expect(pids.count == 2)
        for pid in pids {
            #expect(!Self.isAlive(pid), "grandchild \(pid) survived the deadline")
        }
    }

    @Test func cancellationThrowsAndLeavesNoOrphans() async throws {
        let pidFile = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(at: pidFile) }
        // The grandchild ignores SIGTERM, so only the SIGKILL after the grace period stops it.
        let script =
            "sh -c 'trap \"\" TERM; echo $$ >> \(pidFile.path); sleep 300; sleep 300' & "
            + "sleep 300 & echo $! >> \(pidFile.path); wait"
        let spec = ProcessSpec(executable: "sh", arguments: ["-c", script], terminationGracePeriod: .milliseconds(500))
        let task = Task { try await ProcessRunner.run(spec) }
        let pids = try await Self.readPIDs(pidFile, count: 2)
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(pids.count == 2)
        for pid in pids {
            #expect(!Self.isAlive(pid), "process \(pid) survived cancellation")
        }
    }

    @Test func leaderExitStopsBackgroundGrandchildren() async throws {
        let pidFile = Self.temporaryFile()
        defer { try? FileManager.default.removeItem(at: pidFile) }
        let spec = ProcessSpec(
            executable: "sh", arguments: ["-c", "sleep 300 & echo $! > \(pidFile.path); echo leader-done"],
            terminationGracePeriod: .seconds(2)
        )
        let outcome = try await ProcessRunner.run(spec)
        #expect(outcome.succeeded)
        #expect(outcome.outputTail == ["leader-done"])
        let pids = try await Self.readPIDs(pidFile, count: 1)
        #expect(pids.count == 1)
        for pid in pids {
            #expect(!Self.isAlive(pid), "background grandchild \(pid) outlived its leader")
        }
    }
}
