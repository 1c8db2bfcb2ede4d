import Foundation
public import Interfaces

/// One stage of a ``Workflow``: what the agent is told, which tools it may call, the rules checked before each call
/// and the exits that end the stage.
///
/// The runner gives the agent one session per attempt at a stage. When a session ends, the first exit whose
/// condition holds picks the next stage; when none holds the stage is attempted again (an engineering failure
/// retries the stage), up to ``maxAttempts``.
public struct Stage: Sendable {
    /// A unique name within the workflow, e.g. `"baseline"`.
    public var name: String
    /// What the agent is asked to do in this stage (its instructions for the session).
    public var instructions: String
    /// The tools the agent may call in this stage; calls to others are denied with a reason.
    public var allowedTools: Set<String>
    /// Checks run before each tool call in this stage (after the workflow's own rules).
    public var rules: [Rule]
    /// Ways out of the stage, checked in order.
    public var exits: [StageExit]
    /// Agent sessions allowed before the stage counts as failed.
    public var maxAttempts: Int

    /// Creates a stage.
    public init(
        name: String, instructions: String, allowedTools: Set<String>, rules: [Rule] = [], exits: [StageExit],
        maxAttempts: Int = 3
    ) {
        self.name = name
        self.instructions = instructions
        self.allowedTools = allowedTools
        self.rules = rules
        self.exits = exits
        self.maxAttempts = maxAttempts
    }

    /// The first exit whose condition holds, or `nil` when the stage is not finished.
    public func exit(for progress: IterationProgress) -> StageExit? {
        exits.first { $0.isMet(by: progress) }
    }
}
