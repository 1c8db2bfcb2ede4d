import AutoTrainess
import Foundation
import MCP
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The agent's shell runs as the same user as `autotrainess`; it must not be able to read the API key out of the
/// server's environment, not even encoded so that output redaction cannot see it.
@Suite("autotrainess mcp keeps API keys from the agent's shell")
struct MCPSecretsTests {
    @Test(.timeLimit(.minutes(10)))
    func theShellCannotReadTheServersEnvironment() async throws {
        let folder = try RunsFolder()
        let root = folder.url
        let model = root.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try Data(#"{"model_type": "llama"}"#.utf8).write(to: model.appendingPathComponent("config.json"))
        try Data("weights".utf8).write(to: model.appendingPathComponent("model.safetensors"))
        try Data(#"{"id": "q1", "prompt": "two", "target": "2", "scorer": "exact"}"#.utf8 + [10])
            .write(to: root.appendingPathComponent("bench.jsonl"))
        try Data(
            """
            name: secrets
            base_model: model
            template: llama3
            budget: 30m
            reserve: 5m
            benchmark: { name: toy, evaluator: local, file: bench.jsonl }
            """.utf8
        ).write(to: root.appendingPathComponent("task.yaml"))

        let key = "sk-planted-\(UUID().uuidString)"
        var environment = ProcessInfo.processInfo.environment
        environment["OPENAI_API_KEY"] = key
        let server = try await MCPServerProcess(
            [
                "--task", root.appendingPathComponent("task.yaml").path, "--run-id", "r", "--runs-dir",
                root.appendingPathComponent("runs").path,
            ], log: root.appendingPathComponent("mcp.log"), environment: environment)
        // Walk up from the shell to init: each process's name, then its OPENAI_API_KEY entry base64-encoded (so
        // that output redaction cannot hide a leak; empty when it cannot be read).
        let command = #"""
            p=$$; while [ "$p" -gt 1 ]; do
              entry=$(tr '\0' '\n' < /proc/$p/environ 2>/dev/null | grep '^OPENAI_API_KEY=' | base64 -w0)
              echo "comm=$(cat /proc/$p/comm) env=$entry"
              p=$(awk '{print $4}' /proc/$p/stat)
            done
            """#
        let (text, isError) = try await server.call("run_command", ["command": .string(command)])
        #expect(!isError, "\(text)\n\(server.output)")

        var walked: [String] = []
        var leaked = false
        var sawMaskedEntry = false
        for line in text.split(separator: "\n") where line.hasPrefix("comm=") {
            let fields = line.split(separator: " ", maxSplits: 1)
            walked.append(String(fields[0].dropFirst(5)))
            let encoded = fields.count > 1 ? String(fields[1].dropFirst(4)) : ""
            let decoded = Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } ?? ""
            if decoded.contains(key) { leaked = true }
            if fields[0] == "comm=autotrainess" && decoded.hasPrefix("OPENAI_API_KEY=***") { sawMaskedEntry = true }
        }
        #expect(!leaked, "the shell read the API key from a process environment (walked \(walked))")
        #expect(!text.contains(key))
        if SandboxForTests.available {
            // In the sandbox the walk ends at the sandbox's own init: the server is not even visible.
            #expect(!walked.contains("autotrainess"), "the sandboxed shell saw the server: \(walked)")
            let before = try Data(contentsOf: root.appendingPathComponent("runs/r/run.json"))
            // Every managed path, five ways; the server's process; the benchmark outside the run; a planted secret.
            var attacks: [String] = []
            for path in ["run.json", "events.jsonl", "checkpoints/registry.json", "final_model/config.json",
                "integrity.json"]
            {
                attacks += [
                    "echo tampered > \(path)", "echo tampered >> \(path)", "truncate -s 0 \(path)",
                    "mv \(path) \(path).moved", "rm -f \(path)",
                ]
            }
            let pid = server.process.processIdentifier
            attacks += [
                "rm -rf final_model", "kill -9 \(pid)", "head -c 16 /proc/\(pid)/mem",
                "cat /proc/\(pid)/environ", "cat \(root.appendingPathComponent("bench.jsonl").path)",
                "env | grep -q sk-planted",
            ]
            var contained = 0
            for attack in attacks {
                let (output, failed) = try await server.call("run_command", ["command": .string(attack)])
                if failed { contained += 1 } else { Issue.record("not contained over MCP: \(attack): \(output)") }
            }
            // A symbolic link the shell plants does not lead the typed tools out of the run.
            _ = try await server.call(
                "run_command",
                ["command": .string("ln -s \(root.appendingPathComponent("bench.jsonl").path) scratch/bench")])
            let (linked, refused) = try await server.call("read_file", ["path": "scratch/bench"])
            if refused { contained += 1 } else { Issue.record("read_file followed a planted link: \(linked)") }
            attacks.append("read_file through a planted link")
            let (processes, _) = try await server.call("run_command", ["command": "ls /proc | grep -c '^[0-9]'"])
            let visible = processes.split(separator: "\n").lazy.compactMap { Int($0) }.first ?? 99
            if visible <= 4 {
                contained += 1
            } else {
                Issue.record("the sandbox shows \(visible) processes: \(processes)")
            }
            print("MCP shell attacks: \(attacks.count + 1) tried, \(contained) contained")
            #expect(try Data(contentsOf: root.appendingPathComponent("runs/r/run.json")) == before)
            #expect(server.process.isRunning)
            #expect(try await server.close())
            return
        }
        #expect(walked.contains("autotrainess"), "the walk never reached the server: \(walked)")
        if getuid() == 0 {
            // Root reads any /proc/<pid>/environ: the entry is there, its value masked.
            #expect(sawMaskedEntry, "the server's environment showed no masked OPENAI_API_KEY entry: \(text)")
        }
        #expect(!leaked, "the shell read the API key from a process environment (walked \(walked))")
        #expect(!text.contains(key))

        #expect(try await server.close())
    }
}
