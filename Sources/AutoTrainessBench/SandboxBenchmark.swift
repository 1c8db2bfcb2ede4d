import Foundation
import Interfaces
import Runtime

/// `autotrainess-bench sandbox [--calls N]`: the cost of the shell sandbox per `run_command` call: the median wall
/// time of N `true` commands through the real tool, sandboxed (bubblewrap) and not, in one run.
struct SandboxBenchmark {
    var calls = 50

    init(arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard flag == "--calls", let value = rest.popFirst().flatMap(Int.init), value > 0 else {
                throw BenchmarkUsageError("usage: autotrainess-bench sandbox [--calls N]")
            }
            calls = value
        }
    }

    func run() async throws {
        guard let sandbox = ShellSandbox.locate() else {
            throw BenchmarkUsageError("bubblewrap (bwrap) is not installed: apt-get install bubblewrap")
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "autotrainess-bench-sandbox-\(UUID().uuidString.prefix(8))", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let task = TaskProfile(name: "bench", baseModel: "/nonexistent", template: "qwen", benchmark: "bench")
        let (workspace, _) = try Workspace.create(
            at: root, manifest: RunManifest(runID: "bench", task: task, budget: RunBudget(totalSeconds: 3600)))
        let environment = ["PATH": "/usr/bin:/bin"]
        let plain = RunCommandTool(workspace: workspace, environment: environment, access: .unsandboxed)
        let boxed = RunCommandTool(
            workspace: workspace, environment: environment,
            access: .sandboxed(sandbox, hidden: [], network: true, limits: ShellSandbox.Limits()))
        var times: [String: [Double]] = [:]
        for _ in 0..<calls {
            for (label, tool) in [("unsandboxed", plain), ("sandboxed", boxed)] {
                let start = ContinuousClock.now
                let result = try await tool.run("true", timeoutSeconds: 30)
                guard result.status == 0 else { throw BenchmarkUsageError("\(label) `true` exited \(result.status)") }
                let elapsed = ContinuousClock.now - start
                times[label, default: []].append(
                    Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) * 1e-15)
            }
        }
        func median(_ label: String) -> Double {
            let sorted = (times[label] ?? []).sorted()
            return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
        }
        print(String(format: "run_command `true`, median of %d calls: unsandboxed %.1f ms, sandboxed %.1f ms", calls,
                     median("unsandboxed"), median("sandboxed")))
        print(String(format: "sandbox_overhead_ms: %.1f (process cap: %@)", median("sandboxed") - median("unsandboxed"),
                     ShellSandbox.ProcessLimit.isAvailable ? "pids cgroup" : "none"))
    }
}
