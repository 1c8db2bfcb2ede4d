public import Foundation
import Runtime

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Best-effort removal of what a previous evaluation left behind: vLLM servers and engine processes (matched on
/// their command line, this user's processes only) and, when `nvidia-smi` is on `PATH`, every process holding a
/// GPU compute context (as PostTrainBench's own runner does with `nvidia-smi … | xargs kill -9`).
///
/// Harmless where nothing matches (a CPU machine): it then kills nothing. Never kills the current process or its
/// ancestors.
public struct GPUProcessCleanup: Sendable, Hashable, Codable {
    /// Substrings of a command line that mark a process to kill.
    public var commandPatterns: [String]
    /// Whether to kill the processes `nvidia-smi --query-compute-apps=pid` lists.
    public var killGPUComputeProcesses: Bool

    /// The patterns of vLLM's server and engine processes.
    public static let vllmPatterns = ["vllm serve", "vllm.entrypoints", "VLLM::EngineCore", "VLLM::Worker"]

    /// A cleanup.
    /// - Parameters:
    ///   - commandPatterns: command-line substrings to match (vLLM's by default).
    ///   - killGPUComputeProcesses: whether to also kill the GPU compute processes `nvidia-smi` lists.
    public init(commandPatterns: [String] = GPUProcessCleanup.vllmPatterns, killGPUComputeProcesses: Bool = true) {
        self.commandPatterns = commandPatterns
        self.killGPUComputeProcesses = killGPUComputeProcesses
    }

    /// Kills the matching processes with `SIGKILL`.
    /// - Parameter environment: where `nvidia-smi` is looked up (`PATH`).
    /// - Returns: the ids of the processes signalled, sorted.
    @discardableResult
    public func run(environment: [String: String] = ProcessInfo.processInfo.environment) async -> [Int32] {
        let protected = Self.ancestors()
        var targets = Set(Self.processes(matching: commandPatterns))
        if killGPUComputeProcesses {
            targets.formUnion(await Self.gpuComputeProcesses(environment: environment))
        }
        let killed = targets.subtracting(protected).filter { kill($0, SIGKILL) == 0 }
        return killed.sorted()
    }

    /// This user's processes whose command line contains one of `patterns` (read from `/proc`; empty elsewhere).
    public static func processes(matching patterns: [String]) -> [Int32] {
        guard !patterns.isEmpty,
            let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc")
        else { return [] }
        let user = getuid()
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry),
                let attributes = try? FileManager.default.attributesOfItem(atPath: "/proc/\(entry)"),
                (attributes[.ownerAccountID] as? NSNumber)?.uint32Value == user,
                let raw = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !raw.isEmpty
            else { return nil }
            let commandLine = String(decoding: raw.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return patterns.contains { commandLine.contains($0) } ? pid : nil
        }
    }

    /// The pids `nvidia-smi` reports as holding a compute context; empty when `nvidia-smi` is absent or fails.
    static func gpuComputeProcesses(environment: [String: String]) async -> [Int32] {
        guard (try? ProcessRunner.resolve("nvidia-smi", path: environment["PATH"] ?? "")) != nil else { return [] }
        let lines = LineCollector()
        let spec = ProcessSpec(
            executable: "nvidia-smi", arguments: ["--query-compute-apps=pid", "--format=csv,noheader"],
            environment: environment, deadline: Date().addingTimeInterval(30))
        guard let outcome = try? await ProcessRunner.run(spec, onLine: { line in
            if case .stdout(let text) = line { lines.append(text) }
        }), outcome.succeeded else { return [] }
        return lines.lines.compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// The current process and its ancestors, which are never killed.
    static func ancestors() -> Set<Int32> {
        var result: Set<Int32> = [getpid()]
        var pid = getpid()
        while pid > 1, let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.range(of: ")", options: .backwards)
        {
            let fields = stat[close.upperBound...].split(separator: " ")
            guard fields.count > 1, let parent = Int32(fields[1]) else { break }
            result.insert(parent)
            pid = parent
        }
        return result
    }
}
