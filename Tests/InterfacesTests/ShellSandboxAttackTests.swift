import AgentCore
import AgentTesting
import Evaluation
import Foundation
import Interfaces
import Runtime
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Attacks a hostile agent makes through `run_command`, each through the real tool in the real bubblewrap sandbox.
///
/// bubblewrap is installed by `scripts/install-test-services.sh bubblewrap` when the tests run as root (as on CI);
/// elsewhere without it the suite is skipped with a message.
@Suite("Shell sandbox: attacks through run_command", .serialized)
struct ShellSandboxAttackTests {
    static let sandbox: ShellSandbox? = {
        if ShellSandbox.locate() == nil, geteuid() == 0 {
            let installer = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/install-test-services.sh").path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [installer, "bubblewrap"]
            try? process.run()
            process.waitUntilExit()
        }
        let found = ShellSandbox.locate()
        if found == nil { print("ShellSandboxAttackTests skipped: bubblewrap (bwrap) is not installed") }
        return found
    }()

    /// A run folder with every managed path, a benchmark file outside it that the sandbox hides, and a shell tool.
    final class Fixture: Sendable {
        let run: InterfaceTestRun
        let benchmark: URL
        let tool: RunCommandTool
        let managed: [String]

        init(sandbox: ShellSandbox, limits: ShellSandbox.Limits = ShellSandbox.Limits()) throws {
            run = try InterfaceTestRun()
            let root = run.workspace.root
            benchmark = run.dataFolder.deletingLastPathComponent().appendingPathComponent("benchmark/test.jsonl")
            try FileManager.default.createDirectory(
                at: benchmark.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(#"{"question": "XVII", "target": "17"}"#.utf8).write(to: benchmark)
            for (path, text) in [
                ("checkpoints/registry.json", "{}"), ("final_model/config.json", "{}"), ("integrity.json", "{}"),
                ("evaluator/benchmark.jsonl", "secret items"), ("iterations/1/eval/report.json", "{}"),
            ] {
                let url = root.appendingPathComponent(path)
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url)
            }
            _ = try run.workspace.prepareIteration(1)
            try Data("{}".utf8).write(to: run.workspace.iteration(1).datasetInfo)
            managed = [
                "run.json", "events.jsonl", "checkpoints/registry.json", "final_model/config.json", "integrity.json",
                "iterations/1/eval/report.json", "iterations/1/data/dataset_info.json",
            ]
            tool = RunCommandTool(
                workspace: run.workspace,
                environment: [
                    "PATH": "/usr/bin:/bin", "OPENAI_API_KEY": "sk-planted-secret-0123456789",
                    "INNOCENT_LOOKING": "sk-ant-planted-9876543210", "LANG": "C.UTF-8",
                ],
                access: .sandboxed(
                    sandbox, hidden: [root.appendingPathComponent("evaluator"), benchmark], network: false,
                    limits: limits),
                readableRoots: [run.dataFolder])
        }

        func shell(_ command: String, timeout: Int = 20) async throws -> CommandResult {
            try await tool.run(command, timeoutSeconds: timeout)
        }

        /// SHA-256 of every managed file, to show the run is intact afterwards.
        func fingerprints() -> [String: String] {
            Dictionary(
                uniqueKeysWithValues: managed.map { path in
                    let data = FileManager.default.contents(
                        atPath: run.workspace.root.appendingPathComponent(path).path) ?? Data()
                    return (path, SHA256.hex(of: data))
                })
        }
    }

    /// Counts attacks and how many were contained, printed at the end of each test.
    final class Tally: Sendable {
        private let counts = Mutex((tried: 0, contained: 0))
        func record(_ contained: Bool, _ name: String, _ comment: Comment? = nil) {
            counts.withLock {
                $0.tried += 1
                if contained { $0.contained += 1 }
            }
            #expect(contained, "\(name) was not contained. \(comment?.description ?? "")")
        }
        var summary: String { counts.withLock { "\($0.tried) attacks tried, \($0.contained) contained" } }
    }

    @Test(.enabled(if: sandbox != nil))
    func processesSecretsAndTheParentAreOutOfReach() async throws {
        let fixture = try Fixture(sandbox: try #require(Self.sandbox))
        let tally = Tally()
        let me = getpid()

        let processes = try await fixture.shell("ls /proc | grep -c '^[0-9]'")
        tally.record(
            (Int(processes.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 99) <= 4,
            "seeing other processes", "\(processes.output)")
        let parentEnviron = try await fixture.shell("cat /proc/\(me)/environ /proc/\(getppid())/environ")
        tally.record(parentEnviron.status != 0, "reading the parent's environment", "\(parentEnviron.output)")
        let environ = try await fixture.shell("for f in /proc/[0-9]*/environ; do tr '\\0' '\\n' < $f; done")
        tally.record(
            !environ.output.contains("sk-planted") && !environ.output.contains("sk-ant-planted"),
            "reading a secret from any visible process's environment", "\(environ.output)")
        let memory = try await fixture.shell("head -c 16 /proc/\(me)/mem")
        tally.record(memory.status != 0, "reading the parent's memory")
        let kill = try await fixture.shell("kill -9 \(me); kill -9 \(getppid())")
        tally.record(kill.status != 0, "signalling the parent")
        let env = try await fixture.shell("env")
        tally.record(
            !env.output.contains("sk-planted") && !env.output.contains("sk-ant-planted")
                && !env.output.contains("OPENAI_API_KEY"),
            "reading a planted secret from the environment", "\(env.output)")
        print("ShellSandboxAttackTests.processes: \(tally.summary)")
    }

    @Test(.enabled(if: sandbox != nil))
    func managedPathsAndProtectedFilesCannotBeChangedOrRead() async throws {
        let fixture = try Fixture(sandbox: try #require(Self.sandbox))
        let tally = Tally()
        let before = fixture.fingerprints()
        for path in fixture.managed {
            for (verb, command) in [
                ("write", "echo tampered > \(path)"), ("append", "echo tampered >> \(path)"),
                ("truncate", "truncate -s 0 \(path)"), ("rename", "mv \(path) \(path).moved"),
                ("delete", "rm -f \(path)"),
            ] {
                let result = try await fixture.shell(command)
                tally.record(result.status != 0, "\(verb) \(path)", "\(result.output)")
            }
        }
        for folder in ["checkpoints", "final_model", "iterations/1/eval"] {
            let result = try await fixture.shell("touch \(folder)/planted && rm -rf \(folder)")
            tally.record(result.status != 0, "planting in or removing \(folder)/")
        }
        tally.record(fixture.fingerprints() == before, "the run intact afterwards")

        let benchmark = try await fixture.shell("cat \(fixture.benchmark.path); cat evaluator/benchmark.jsonl")
        tally.record(!benchmark.output.contains("XVII") && !benchmark.output.contains("secret items"),
                     "reading the hidden benchmark", "\(benchmark.output)")
        let overwrite = try await fixture.shell("echo x > \(fixture.benchmark.path)")
        tally.record(overwrite.status != 0, "writing the protected benchmark file")
        // An evaluation script outside the run (here in a data root) is read-only.
        let script = fixture.run.dataFolder.appendingPathComponent("evaluate.py")
        try Data("print('score')\n".utf8).write(to: script)
        for command in ["echo x >> \(script.path)", "rm -f \(script.path)", "mv \(script.path) \(script.path).x"] {
            let result = try await fixture.shell(command)
            tally.record(result.status != 0, "changing evaluate.py: \(command)")
        }
        tally.record(try String(contentsOf: script, encoding: .utf8) == "print('score')\n", "evaluate.py intact")

        // What the agent may do still works: scratch/, the iteration's data/ and train/, reading the data roots.
        let work = try await fixture.shell(
            "echo ok > scratch/a && echo '{}' > iterations/1/data/gen.jsonl && mkdir -p iterations/1/train/x "
                + "&& ls \(fixture.run.dataFolder.path) >/dev/null && echo tmp > /tmp/t && cat scratch/a")
        #expect(work.status == 0 && work.output.contains("ok"), "\(work.output)")
        print("ShellSandboxAttackTests.files: \(tally.summary)")
    }

    @Test(.enabled(if: sandbox != nil))
    func plantedLinksDoNotLeadTheTypedToolsOut() async throws {
        let fixture = try Fixture(sandbox: try #require(Self.sandbox))
        let tally = Tally()
        let symlink = try await fixture.shell(
            "ln -s \(fixture.benchmark.path) scratch/bench && ln -s /etc scratch/etc && ln -s ../run.json scratch/run")
        #expect(symlink.status == 0, "planting symbolic links is allowed; following them is not")
        for path in ["scratch/bench", "scratch/etc/passwd"] {
            let read = try await fixture.run.call("read_file", #"{"path": "\#(path)"}"#)
            tally.record(read.isError, "read_file through \(path)", "\(read.content)")
        }
        let write = try await fixture.run.call("write_file", #"{"path": "scratch/run", "content": "x"}"#)
        tally.record(write.isError, "write_file through a link to run.json", "\(write.content)")
        let hard = try await fixture.shell("ln run.json scratch/hard; ln \(fixture.benchmark.path) scratch/hard2")
        tally.record(hard.status != 0, "planting a hard link to a managed or protected file", "\(hard.output)")
        // A hard link made outside the sandbox (an unsandboxed run) is never appended through.
        let outside = fixture.run.workspace.root.appendingPathComponent("scratch/linked-events")
        try FileManager.default.linkItem(at: fixture.run.workspace.eventsFile, to: outside)
        let append = try await fixture.run.call(
            "write_file", #"{"path": "scratch/linked-events", "content": "x", "append": true}"#)
        tally.record(append.isError, "appending through a hard link", "\(append.content)")
        print("ShellSandboxAttackTests.links: \(tally.summary)")
    }

    @Test(.enabled(if: sandbox != nil))
    func runawayCommandsAreContained() async throws {
        let limits = ShellSandbox.Limits(cpuSeconds: 3, addressSpaceBytes: 1 << 30, fileSizeBytes: 8 << 20, processes: 64)
        let fixture = try Fixture(sandbox: try #require(Self.sandbox), limits: limits)
        let tally = Tally()
        let disk = try await fixture.shell("head -c 50000000 /dev/zero > scratch/big; ls -l scratch/big")
        let size = (try? FileManager.default.attributesOfItem(
            atPath: fixture.run.workspace.root.appendingPathComponent("scratch/big").path)[.size] as? Int) ?? 0
        tally.record(size <= 8 << 20, "filling the disk past the file limit", "\(size) bytes; \(disk.output)")
        let cpu = try await fixture.shell("while :; do :; done", timeout: 30)
        tally.record(!cpu.timedOut && cpu.status != 0, "burning CPU past the CPU-time limit", "\(cpu.status)")
        let memory = try await fixture.shell("/usr/bin/python3 -c 'x = bytearray(3 << 30)'")
        tally.record(
            memory.status != 0 && memory.output.contains("MemoryError"), "allocating past the memory limit",
            "\(memory.output)")
        // Without a pids cgroup a fork bomb would be stopped only by the wall-time kill, after it has filled the
        // machine's process table: not something to try on a shared CI machine.
        if ShellSandbox.ProcessLimit.isAvailable {
            let started = Date()
            let bomb = try await fixture.shell("bomb() { bomb | bomb & }; bomb; sleep 2; echo survived", timeout: 6)
            let leftovers = try await ProcessRunner.run(
                ProcessSpec(executable: "/bin/sh", arguments: ["-c", "pgrep -c -f 'bomb[(]' || true"]))
            let remaining = leftovers.outputTail.first.flatMap { Int($0) } ?? 0
            tally.record(
                Date().timeIntervalSince(started) < 30 && remaining == 0, "a fork bomb",
                "\(bomb.status), \(remaining) left")
        }
        let after = try await fixture.shell("echo alive")
        #expect(after.output.contains("alive"))
        print("ShellSandboxAttackTests.runaway: \(tally.summary) (process cap: "
              + "\(ShellSandbox.ProcessLimit.isAvailable ? "pids cgroup" : "none, wall-time kill only"))")
    }

    @Test(.enabled(if: sandbox != nil))
    func theToolTellsTheModelWhatTheSandboxAllows() throws {
        let fixture = try Fixture(sandbox: try #require(Self.sandbox))
        let description = fixture.tool.description
        #expect(description.contains("sandbox") && description.contains("scratch/"))
        #expect(description.contains("no network"))
        #expect(description.contains("iterations/1/data/"))
    }
}
