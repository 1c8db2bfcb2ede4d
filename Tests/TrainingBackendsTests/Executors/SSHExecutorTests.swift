import Foundation
import TestClusters
import Runtime
import Testing

@testable import TrainingBackends

@Suite("SSH executor")
struct SSHExecutorTests {
    @Test func aRemoteCommandStreamsItsOutputAndExitStatus() async throws {
        try await LoopbackSSHServer.with { server in
            let executor = SSHExecutor(host: server.host)
            var environment = ProcessInfo.processInfo.environment
            environment["AUTOTRAINESS_GREETING"] = "hello from the remote side"
            let spec = ProcessSpec(
                executable: "sh",
                arguments: ["-c", "echo \"$AUTOTRAINESS_GREETING\"; echo to-stderr >&2; pwd; exit 7"],
                environment: environment)
            let lines = LineCollector()
            let outcome = try await executor.run(spec) { lines.append($0.text) }
            #expect(outcome.exitCode == 7)
            #expect(lines.lines.contains("hello from the remote side"))
            #expect(lines.lines.contains("to-stderr"))
            #expect(lines.lines.contains(server.host.remoteWorkDirectory))
        }
    }

    @Test func stagingCopiesInputsToTheMappedFolderAndOutputsBack() async throws {
        try await LoopbackSSHServer.with { server in
            let local = server.directory.appendingPathComponent("local")
            let remote = server.directory.appendingPathComponent("remote-mirror")
            let executor = SSHExecutor(
                host: server.host, pathMappings: [PathMapping(local: local.path, remote: remote.path)])
            let inputs = local.appendingPathComponent("inputs")
            try FileManager.default.createDirectory(
                at: inputs.appendingPathComponent("nested"), withIntermediateDirectories: true)
            try "alpha\n".write(to: inputs.appendingPathComponent("nested/a.txt"), atomically: true, encoding: .utf8)
            let single = local.appendingPathComponent("config.yaml")
            try "key: value\n".write(to: single, atomically: true, encoding: .utf8)

            try await executor.stageIn([inputs, single])
            #expect(
                try String(contentsOfFile: remote.path + "/inputs/nested/a.txt", encoding: .utf8) == "alpha\n")
            #expect(try String(contentsOfFile: remote.path + "/config.yaml", encoding: .utf8) == "key: value\n")

            let outputs = local.appendingPathComponent("outputs")
            let spec = ProcessSpec(
                executable: "sh",
                arguments: ["-c", "mkdir -p \(outputs.path) && wc -c < inputs/nested/a.txt > \(outputs.path)/size"],
                workingDirectory: local)
            let outcome = try await executor.run(spec) { _ in }
            #expect(outcome.succeeded, "\(outcome.outputTail)")
            #expect(!FileManager.default.fileExists(atPath: outputs.path))

            try await executor.stageOut([outputs])
            let size = try String(contentsOf: outputs.appendingPathComponent("size"), encoding: .utf8)
            #expect(size.trimmingCharacters(in: .whitespacesAndNewlines) == "6")
        }
    }

    @Test func stagingAMissingPathFailsWithItsName() async throws {
        let executor = SSHExecutor(host: SSHHost(host: "unused.invalid", remoteWorkDirectory: "/tmp"))
        let missing = URL(fileURLWithPath: "/nonexistent/autotrainess-input")
        await #expect(throws: SSHExecutorError.localPathMissing(path: missing.path)) {
            try await executor.stageIn([missing])
        }
    }

    @Test func cancellingKillsTheRemoteProcessGroup() async throws {
        try await LoopbackSSHServer.with { server in
            let executor = SSHExecutor(host: server.host)
            let spec = ProcessSpec(
                executable: "sh", arguments: ["-c", "sleep 987 & echo started; sleep 986; wait"],
                terminationGracePeriod: .seconds(2))
            let lines = LineCollector()
            let task = Task { try await executor.run(spec) { lines.append($0.text) } }
            try await TestServices.wait("the remote command to start", seconds: 20) {
                lines.lines.contains("started")
            }
            try await TestServices.wait("the remote sleep to show in ps", seconds: 20) {
                try await TestServices.processCommandLines().contains("sleep 987")
            }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            let left = try await TestServices.processCommandLines().filter { $0 == "sleep 987" || $0 == "sleep 986" }
            #expect(left.isEmpty)
        }
    }

    @Test func theDeadlineStopsTheRemoteCommand() async throws {
        try await LoopbackSSHServer.with { server in
            let executor = SSHExecutor(host: server.host)
            let spec = ProcessSpec(
                executable: "sleep", arguments: ["985"], deadline: Date() + 3, terminationGracePeriod: .seconds(1))
            let outcome = try await executor.run(spec) { _ in }
            #expect(outcome.timedOut)
            #expect(try await TestServices.processCommandLines().contains("sleep 985") == false)
        }
    }

    @Test func remoteCommandsTranslateMappedPathsAndPassChangedVariables() {
        let executor = SSHExecutor(
            host: SSHHost(host: "gpu", remoteWorkDirectory: "/scratch/w"),
            pathMappings: [PathMapping(local: "/home/me/exp", remote: "/scratch/w/exp/")])
        let base = ["PATH": "/usr/bin:/bin", "HOME": "/home/me", "LANG": "C"]
        let spec = ProcessSpec(
            executable: "/opt/venv/bin/llamafactory-cli",
            arguments: ["train", "/home/me/exp/run 1/config.yaml", "--x=/home/me/exp/d", "/home/me/experiment"],
            environment: [
                "PATH": "/opt/venv/bin:/usr/bin:/bin", "HOME": "/home/me", "LANG": "C", "HF_HUB_OFFLINE": "1",
                "DATA": "/home/me/exp/data",
            ],
            workingDirectory: URL(fileURLWithPath: "/home/me/exp/run 1"))
        let command = executor.remoteCommand(for: spec, pgidFile: "/scratch/w/.autotrainess/runs/r.pgid", base: base)
        #expect(
            command
                == "mkdir -p /scratch/w/.autotrainess/runs && cd '/scratch/w/exp/run 1' && "
                + "exec setsid -w sh -c 'echo $$ > \"$1\"; shift; exec \"$@\"' autotrainess-run "
                + "/scratch/w/.autotrainess/runs/r.pgid env DATA=/scratch/w/exp/data HF_HUB_OFFLINE=1 "
                + "PATH=/opt/venv/bin:\"$PATH\" /opt/venv/bin/llamafactory-cli train "
                + "'/scratch/w/exp/run 1/config.yaml' "
                + "--x=/scratch/w/exp/d /home/me/experiment")
        #expect(executor.location(of: "/home/me/exp") == "/scratch/w/exp")
        #expect(executor.location(of: "/home/me/other") == "/home/me/other")
    }
}
