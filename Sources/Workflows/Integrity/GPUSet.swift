import AgentCore
public import Foundation

/// The GPUs a task may use, and the environment the agent's shell and jobs get: secrets removed and
/// `CUDA_VISIBLE_DEVICES` set to the task's GPUs.
public struct GPUSet: Sendable, Hashable, Codable {
    /// GPU indices the task may use; empty means CPU only.
    public var indices: [Int]

    /// Creates a GPU set.
    public init(_ indices: [Int]) { self.indices = indices }

    /// Reads the set from a task's `CUDA_VISIBLE_DEVICES` value (e.g. `"0,1"`); `nil` when it is not a list of
    /// indices.
    public init?(cudaVisibleDevices value: String) {
        let parts = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if value.trimmingCharacters(in: .whitespaces).isEmpty {
            self.init([])
            return
        }
        let indices = parts.compactMap { Int($0) }
        guard indices.count == parts.count else { return nil }
        self.init(indices)
    }

    /// `base` without API keys or other secrets, with `CUDA_VISIBLE_DEVICES` set to this set: the environment of
    /// the agent's shell and of every job.
    public func environment(from base: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var environment = Secrets.scrub(environment: base)
        environment["CUDA_VISIBLE_DEVICES"] = indices.map(String.init).joined(separator: ",")
        return environment
    }

    /// A rule that denies calls of `tools` whose argument `argument` asks for more GPUs than this set holds (a count)
    /// or names a GPU outside it (a list of indices).
    public func rule(tools: Set<String> = ["train", "eval"], argument: String = "gpus") -> Rule {
        Rule("GPU set", tools: tools) { context in
            let counts = [context.integer(argument)].compactMap { $0 } + context.candidateValues(argument).compactMap(\.intValue)
            if let count = counts.max(), count > indices.count {
                return .deny(
                    reason: "The job asks for \(count) GPU(s) but the task has \(indices.count)"
                        + (indices.isEmpty ? " (CPU only): leave gpus out." : ": ask for at most \(indices.count)."))
            }
            let outside = (context.integers(argument) ?? []).filter { !indices.contains($0) }
            guard !outside.isEmpty else { return .allow }
            let allowed = indices.isEmpty ? "none (CPU only)" : indices.map(String.init).joined(separator: ", ")
            return .deny(
                reason: "GPU(s) \(outside.map(String.init).joined(separator: ", ")) are outside the task's GPU set "
                    + "(\(allowed)). Use only the task's GPUs.")
        }
    }
}
