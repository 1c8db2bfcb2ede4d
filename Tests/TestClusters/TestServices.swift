public import Foundation
public import Runtime
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A program a real-service test needs is not installed.
public struct MissingTestService: Error, CustomStringConvertible {
    public let programs: [String]

    public var description: String {
        "This test needs \(programs.joined(separator: ", ")), which is not installed. "
            + "Run `sudo scripts/install-test-services.sh` (Debian: openssh-server, rsync, munge, slurm-wlm)."
    }

    /// The package's installer of the test services.
    public static let installer = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/install-test-services.sh").path

    /// Makes sure every program in `paths` is installed: when one is missing and the tests run as root (as on CI),
    /// runs `scripts/install-test-services.sh` once (idempotent, with progress), then checks again.
    /// - Throws: ``MissingTestService`` naming what is still missing.
    public static func require(_ paths: [String]) async throws {
        func missing() -> [String] { paths.filter { !FileManager.default.isExecutableFile(atPath: $0) } }
        if !missing().isEmpty, geteuid() == 0 {
            try await installOnce.value
        }
        let stillMissing = missing()
        if !stillMissing.isEmpty {
            throw MissingTestService(programs: stillMissing)
        }
    }

    /// One installation shared by every test that needs it.
    private static let installOnce = Task<Void, any Error> {
        let outcome = try await ProcessRunner.run(
            ProcessSpec(
                executable: "/bin/bash", arguments: [installer], environment: ProcessInfo.processInfo.environment)
        ) { line in
            switch line {
            case .stdout(let text), .stderr(let text): print("[install-test-services] \(text)")
            }
        }
        guard outcome.succeeded else {
            throw TestServiceFailure(
                description: "scripts/install-test-services.sh failed: \(outcome.outputTail.suffix(10))")
        }
    }
}

/// A test service did not come up in time, or a helper command failed.
public struct TestServiceFailure: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) { self.description = description }
}

/// Helpers shared by the real-service tests.
public enum TestServices {
    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
    public static func freePort() throws -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw TestServiceFailure(description: "socket() failed") }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socketFD, $0, length) == 0 && getsockname(socketFD, $0, &length) == 0
            }
        }
        guard bound else { throw TestServiceFailure(description: "bind() to 127.0.0.1:0 failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs a command to completion and returns its output lines; throws when it does not exit 0.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil
    ) async throws
        -> [String]
    {
        let spec = ProcessSpec(
            executable: executable, arguments: arguments,
            environment: environment ?? ProcessInfo.processInfo.environment, deadline: Date() + 60)
        let outcome = try await ProcessRunner.run(spec)
        guard outcome.succeeded else {
            throw TestServiceFailure(
                description: "\(spec.commandLine.joined(separator: " ")): \(outcome.summary): "
                    + outcome.outputTail.suffix(10).joined(separator: " | "))
        }
        return outcome.outputTail
    }

    /// Polls `condition` every 100 ms for at most `seconds`; throws `what` when it never holds.
    public static func wait(
        _ what: String, seconds: Double, condition: () async throws -> Bool
    ) async throws {
        let end = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < end {
            if try await condition() {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestServiceFailure(description: "Timed out after \(seconds) s waiting for \(what).")
    }

    /// The command lines of every running process (`ps -eo args`).
    public static func processCommandLines() async throws -> [String] {
        try await run("/bin/ps", ["-eo", "args"])
    }
}

/// A long-running daemon started in the foreground under `ProcessRunner`, stopped by cancelling its task.
public final class ForegroundDaemon: Sendable {
    public let name: String
    private let task: Task<ProcessOutcome, any Error>
    private let lines = LineCollector()

    public init(name: String, spec: ProcessSpec) {
        self.name = name
        let lines = self.lines
        task = Task { try await ProcessRunner.run(spec) { lines.append($0.text) } }
    }

    /// The daemon's output so far.
    public var output: [String] { lines.lines }

    /// Stops the daemon's whole process group and waits for it.
    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}
