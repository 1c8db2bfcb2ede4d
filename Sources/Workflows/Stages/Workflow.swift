import AgentCore
import Foundation

/// A staged workflow: stages with their exits, and rules that hold in every stage.
///
/// Build your own from ``Stage``, ``StageExit`` and ``Rule`` values, or start from
/// ``Workflow/autoTrainess(_:)``.
public struct Workflow: Sendable {
    /// A human name, e.g. `"AutoTrainess"`.
    public var name: String
    /// The stages; the first is where a run starts.
    public private(set) var stages: [Stage]
    /// Rules checked before every tool call in every stage, before the stage's own rules.
    public var rules: [Rule]

    /// Creates a workflow.
    /// - Throws: ``WorkflowError`` when there are no stages, two stages share a name, or an exit names a stage
    ///   that does not exist.
    public init(name: String, stages: [Stage], rules: [Rule] = []) throws {
        guard !stages.isEmpty else { throw WorkflowError.noStages(workflow: name) }
        var names = Set<String>()
        for stage in stages where !names.insert(stage.name).inserted {
            throw WorkflowError.duplicateStage(workflow: name, stage: stage.name)
        }
        for stage in stages {
            for exit in stage.exits {
                if case .stage(let target) = exit.target, !names.contains(target) {
                    throw WorkflowError.unknownTarget(
                        workflow: name, stage: stage.name, exit: exit.name, target: target)
                }
            }
        }
        self.name = name
        self.stages = stages
        self.rules = rules
    }

    /// The first stage.
    public var initialStage: Stage { stages[0] }

    /// The stage called `name`, if any.
    public func stage(named name: String) -> Stage? { stages.first { $0.name == name } }

    /// Decides about a pending tool call in `stage`: the tool must be allowed there, then the workflow's rules and
    /// the stage's rules are checked in order.
    /// - Returns: the first denial, or `nil` when the call may run.
    public func review(_ context: RuleContext, in stage: Stage) async -> RuleDenial? {
        guard stage.allowedTools.contains(context.toolName) else {
            let allowed = stage.allowedTools.sorted().joined(separator: ", ")
            return RuleDenial(
                rule: "stage tools",
                reason: "The tool '\(context.toolName)' is not available in stage '\(stage.name)'. "
                    + "Use one of: \(allowed).")
        }
        return await (rules + stage.rules).firstDenial(for: context)
    }
}

/// A workflow that cannot be built as described.
public enum WorkflowError: Error, Hashable, CustomStringConvertible {
    /// The workflow has no stages.
    case noStages(workflow: String)
    /// Two stages share a name.
    case duplicateStage(workflow: String, stage: String)
    /// An exit leads to a stage that does not exist.
    case unknownTarget(workflow: String, stage: String, exit: String, target: String)

    public var description: String {
        switch self {
        case .noStages(let workflow):
            "Workflow '\(workflow)' has no stages; give it at least one."
        case .duplicateStage(let workflow, let stage):
            "Workflow '\(workflow)' has two stages named '\(stage)'; stage names must be unique."
        case .unknownTarget(let workflow, let stage, let exit, let target):
            "Workflow '\(workflow)': exit '\(exit)' of stage '\(stage)' leads to '\(target)', which is not a stage "
                + "of the workflow. Add the stage or fix the name."
        }
    }
}
