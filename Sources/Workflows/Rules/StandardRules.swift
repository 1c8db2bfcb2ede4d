import AgentCore
import Foundation
import Interfaces

/// The names of the interface tools the standard rules and the default workflow refer to.
public struct ToolNames: Sendable, Hashable, Codable {
    /// Plans an iteration.
    public var plan: String
    /// Builds and approves the iteration's dataset.
    public var data: String
    /// Trains a candidate.
    public var train: String
    /// Evaluates a model.
    public var eval: String
    /// Logs the iteration.
    public var log: String

    /// Creates the names; the defaults are those of the Interfaces tools.
    public init(
        plan: String = "plan", data: String = "data", train: String = "train", eval: String = "eval",
        log: String = "log"
    ) {
        self.plan = plan
        self.data = data
        self.train = train
        self.eval = eval
        self.log = log
    }

    /// The five iteration tools.
    public var iteration: Set<String> { [plan, data, train, eval, log] }
}

extension Rule {
    /// The next iteration may be planned only once the last one is logged.
    public static func planAfterLog(_ tools: ToolNames = ToolNames()) -> Rule {
        Rule("plan after log", tools: [tools.plan]) { context in
            context.progress.lastIterationLogged
                ? .allow
                : .deny(
                    reason: "Iteration \(context.progress.iteration) is not logged yet. Call \(tools.log) with its "
                        + "results (including failures) before planning the next iteration.")
        }
    }

    /// Data work and logging belong to a planned iteration; reading (`data action=inspect`) and logging the
    /// baseline (iteration 0) are allowed at any time.
    public static func iterationPlanned(_ tools: ToolNames = ToolNames()) -> Rule {
        Rule("iteration planned", tools: [tools.data, tools.log]) { context in
            if context.progress.planned { return .allow }
            if context.toolName == tools.data, context.string("action") == "inspect" { return .allow }
            if context.toolName == tools.log, context.integer("iteration") == 0 { return .allow }
            return .deny(
                reason: "No iteration is open. Call \(tools.plan) first: name the weakness this iteration "
                    + "targets and how you will measure it.")
        }
    }

    /// `train` needs a planned iteration with approved data; it must name the open iteration, and every dataset it
    /// names must have been approved in it.
    public static func trainNeedsApprovedData(_ tools: ToolNames = ToolNames()) -> Rule {
        Rule("approved data before train", tools: [tools.train]) { context in
            guard context.progress.planned else {
                return .deny(reason: "No iteration is open. Call \(tools.plan), then \(tools.data), then train.")
            }
            if let iteration = context.integer("iteration"), iteration != context.progress.iteration {
                return .deny(
                    reason: "The open iteration is \(context.progress.iteration), not \(iteration): train on the data "
                        + "approved in the open iteration.")
            }
            let approved = context.progress.approvedDatasets
            guard !approved.isEmpty else {
                return .deny(
                    reason: "Iteration \(context.progress.iteration) has no approved dataset. Build and validate one "
                        + "with \(tools.data) in this iteration before training.")
            }
            let unapproved = namedDatasets(context).filter { approved[$0] == nil }
            guard unapproved.isEmpty else {
                return .deny(
                    reason: "Not approved in iteration \(context.progress.iteration): "
                        + unapproved.map { "'\($0)'" }.joined(separator: ", ") + ". Approved: "
                        + approved.keys.sorted().joined(separator: ", ") + ". Validate a dataset with \(tools.data) "
                        + "in this iteration before training on it.")
            }
            return .allow
        }
    }

    /// Every file of each dataset a training job names (the iteration's last approved one when the call names
    /// none) must pass the contamination check before the job starts.
    public static func contaminationCheck(
        _ checker: any ContaminationChecking, tools: ToolNames = ToolNames()
    ) -> Rule {
        Rule("contamination check", tools: [tools.train]) { context in
            let approved = context.progress.approvedDatasets
            let named = namedDatasets(context).compactMap { approved[$0] }
            let datasets = named.isEmpty ? [context.progress.approvedDataset].compactMap { $0 } : named
            for path in datasets.map(\.file) {
                let result = try await checker.check(trainingFile: URL(fileURLWithPath: path))
                if !result.clean {
                    return .deny(
                        reason: "Training is blocked: \(path) overlaps the benchmark (\(result.summary)). Remove the "
                            + "contaminated samples with \(tools.data) and approve the dataset again.")
                }
            }
            return .allow
        }
    }

    /// The `datasets` a training call names, its candidates' included (none when its arguments do not parse; the
    /// tool reports that itself).
    private static func namedDatasets(_ context: RuleContext) -> [String] {
        (context.strings("datasets") ?? [])
            + context.candidateValues("datasets").flatMap { $0.arrayValue?.compactMap(\.stringValue) ?? [] }
    }

    /// Training and evaluation jobs may start only while time is left beyond the final-evaluation reserve.
    public static func budgetAllowsJobs(_ clock: BudgetClock, tools: ToolNames = ToolNames()) -> Rule {
        Rule("budget", tools: [tools.train, tools.eval]) { _ in
            let snapshot = await clock.snapshot()
            if let exhaustion = snapshot.exhaustion {
                return .deny(reason: "No new job can start: \(exhaustion). Log what you have.")
            }
            guard snapshot.jobSeconds > 0 else {
                let remaining = DurationText.format(snapshot.remainingSeconds)
                return .deny(
                    reason: "No time is left for jobs: the remaining \(remaining) are reserved for the final "
                        + "evaluation and promotion. Log what you have.")
            }
            return .allow
        }
    }
}
