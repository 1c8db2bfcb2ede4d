public import AgentCore
import Foundation
public import Interfaces

/// What a ``Rule`` sees about one pending tool call and the run around it.
public struct RuleContext: Sendable, Hashable {
    /// The tool the model wants to call.
    public var toolName: String
    /// The call's arguments as the model sent them (`.object([:])` when empty or not JSON).
    public var arguments: JSONValue
    /// Where the run stands.
    public var progress: IterationProgress
    /// The budget at the time of the call, when the run has a budget clock.
    public var budget: BudgetSnapshot?

    /// Creates a context.
    public init(toolName: String, arguments: JSONValue, progress: IterationProgress, budget: BudgetSnapshot? = nil) {
        self.toolName = toolName
        self.arguments = arguments
        self.progress = progress
        self.budget = budget
    }

    /// Creates a context from raw JSON argument text.
    public init(toolName: String, rawArguments: String, progress: IterationProgress, budget: BudgetSnapshot? = nil) {
        let trimmed = rawArguments.trimmingCharacters(in: .whitespacesAndNewlines)
        let parsed = (try? JSONValue(parsing: trimmed.isEmpty ? "{}" : trimmed)) ?? .object([:])
        self.init(toolName: toolName, arguments: parsed, progress: progress, budget: budget)
    }

    /// The string argument named `key`, when the arguments are an object holding a string there.
    public func string(_ key: String) -> String? {
        guard case .object(let fields) = arguments else { return nil }
        return fields[key]?.stringValue
    }

    /// The integer argument named `key`, when present.
    public func integer(_ key: String) -> Int? {
        guard case .object(let fields) = arguments else { return nil }
        return fields[key]?.intValue
    }

    /// The integer-array argument named `key`, when present.
    public func integers(_ key: String) -> [Int]? {
        guard case .object(let fields) = arguments, case .array(let values)? = fields[key] else { return nil }
        return values.compactMap(\.intValue)
    }

    /// The string-array argument named `key`, when present.
    public func strings(_ key: String) -> [String]? {
        guard case .object(let fields) = arguments, case .array(let values)? = fields[key] else { return nil }
        return values.compactMap(\.stringValue)
    }

    /// The values of `key` in each entry of the `candidates` array argument (a `train` call with several
    /// configurations), so that rules see every candidate's arguments, not only the call's.
    public func candidateValues(_ key: String) -> [JSONValue] {
        guard case .object(let fields) = arguments, case .array(let candidates)? = fields["candidates"] else { return [] }
        return candidates.compactMap { $0[key] }
    }
}
