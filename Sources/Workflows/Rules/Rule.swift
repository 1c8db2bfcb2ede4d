public import AgentCore
import Foundation

/// A check run before each tool call: it allows the call or denies it with a reason the model reads.
///
/// Rules are values: compose them into a ``Stage`` or a ``Workflow`` in code. A rule that throws denies the call
/// (fail closed), with the error as the reason.
///
/// ```swift
/// let noFullFinetuning = Rule("no full fine-tuning", tools: ["train"]) { context in
///     context.string("finetuning") == "full"
///         ? .deny(reason: "Full fine-tuning is off for this task; use LoRA.") : .allow
/// }
/// ```
public struct Rule: Sendable {
    /// A short name, logged with every denial.
    public var name: String
    /// The tools the rule applies to; `nil` means every tool.
    public var tools: Set<String>?
    private let check: @Sendable (RuleContext) async throws -> ToolCallDecision

    /// Creates a rule.
    /// - Parameters:
    ///   - name: a short name, logged with every denial.
    ///   - tools: the tool names the rule applies to; `nil` for every tool.
    ///   - check: decides about one call.
    public init(
        _ name: String, tools: Set<String>? = nil,
        check: @escaping @Sendable (RuleContext) async throws -> ToolCallDecision
    ) {
        self.name = name
        self.tools = tools
        self.check = check
    }

    /// Whether the rule applies to calls of `toolName`.
    public func applies(to toolName: String) -> Bool { tools?.contains(toolName) ?? true }

    /// Decides about the call described by `context`; `.allow` when the rule does not apply to that tool.
    public func review(_ context: RuleContext) async -> ToolCallDecision {
        guard applies(to: context.toolName) else { return .allow }
        do {
            return try await check(context)
        } catch is CancellationError {
            return .deny(reason: "The check '\(name)' was cancelled; the call was not run.")
        } catch {
            return .deny(reason: "The check '\(name)' could not run (\(error)); the call was not run.")
        }
    }
}

/// A denial together with the rule that made it.
public struct RuleDenial: Sendable, Hashable, Codable {
    /// The name of the denying rule.
    public var rule: String
    /// The reason the model reads.
    public var reason: String

    /// Creates a denial.
    public init(rule: String, reason: String) {
        self.rule = rule
        self.reason = reason
    }
}

extension Sequence where Element == Rule {
    /// Runs the rules in order and returns the first denial, or `nil` when every rule allows the call.
    public func firstDenial(for context: RuleContext) async -> RuleDenial? {
        for rule in self {
            if case .deny(let reason) = await rule.review(context) {
                return RuleDenial(rule: rule.name, reason: reason)
            }
        }
        return nil
    }
}
