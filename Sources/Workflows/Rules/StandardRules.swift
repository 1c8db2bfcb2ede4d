import AgentCore
import Foundation

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

    /// Data work and logging belong to a planned iteration.
    public static func iterationPlanned(_ tools: ToolNames = ToolNames()) -> Rule {
        Rule("iteration planned", tools: [tools.data, tools.log]) { context in
            context.progress.planned
                ? .allow
                : .deny(
                    reason: "No iteration is open. Call \(tools.plan) first: name the weakness this iteration "
                        + "targets and how you will measure it.")
        }
    }

    /// Training needs a dataset approved by this iteration's data step.
    public static func trainNeedsApprovedData(_ tools: ToolNames = ToolNames()) -> Rule {
        Rule("approved data before train", tools: [tools.train]) { context in
            guard context.progress.planned else {
                return .deny(reason: "No iteration is open. Call \(tools.plan), then \(tools.data), then train.")
            }
            guard context.progress.approvedDataset != nil else {
                return .deny(
                    reason: "Iteration \(context.progress.iteration) has no approved dataset. Build and validate one "
                        + "with \(tools.data) in this iteration before training.")
            }
            return .allow
        }
    }

    /// Every file of the iteration's approved dataset must pass the contamination check before each training job.
    public static func contaminationCheck(
        _ checker: any ContaminationChecking, tools: ToolNames = ToolNames()
    ) -> Rule {
        Rule("contamination check", tools: [tools.train]) { context in
            guard let dataset = context.progress.approvedDataset else { return .allow }
            for path in dataset.files {
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

    /// Training and evaluation jobs may start only while time is left beyond the final-evaluation reserve.
    public static func budgetAllowsJobs(_ clock: BudgetClock, tools: ToolNames = ToolNames()) -> Rule {
        Rule("budget", tools: [tools.train, tools.eval]) { _ in
            let snapshot = await clock.snapshot()
            if let exhaustion = snapshot.exhaustion {
                return .deny(reason: "No new job can start: \(exhaustion). Log what you have.")
            }
            guard snapshot.jobSeconds > 0 else {
                let remaining = BudgetSnapshot.duration(snapshot.remainingSeconds)
                return .deny(
                    reason: "No time is left for jobs: the remaining \(remaining) are reserved for the final "
                        + "evaluation and promotion. Log what you have.")
            }
            return .allow
        }
    }
}
