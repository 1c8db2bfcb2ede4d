import AgentCore
import Foundation

/// What a run has spent so far.
public struct BudgetSpent: Sendable, Hashable, Codable {
    /// Wall-clock seconds: the budget clock's last reading, else the span between the earliest and latest record.
    public var elapsedSeconds: Double
    /// Wall-clock seconds of finished training jobs.
    public var trainingSeconds: Double
    /// Seconds spent in evaluations.
    public var evaluationSeconds: Double
    /// Model tokens, summed over turns.
    public var usage: Usage
    /// Model spend in US dollars, summed over turns whose price was known.
    public var costUSD: Double

    /// Creates a spend summary.
    public init(
        elapsedSeconds: Double = 0, trainingSeconds: Double = 0, evaluationSeconds: Double = 0, usage: Usage = .zero,
        costUSD: Double = 0
    ) {
        self.elapsedSeconds = elapsedSeconds
        self.trainingSeconds = trainingSeconds
        self.evaluationSeconds = evaluationSeconds
        self.usage = usage
        self.costUSD = costUSD
    }
}

/// A trained or registered candidate and its latest score.
public struct CheckpointSummary: Sendable, Hashable, Codable {
    /// The checkpoint id (its folder under `checkpoints/`).
    public var id: String
    /// The model folder, relative to the run.
    public var modelPath: String
    /// The iteration that produced it.
    public var iteration: Int?
    /// Whether the checkpoint registry recorded it (rather than only the train tool).
    public var registered: Bool
    /// The label and score of its latest evaluation.
    public var evaluation: String?
    /// The score of its latest evaluation.
    public var score: Double?

    /// Creates a summary.
    public init(
        id: String, modelPath: String, iteration: Int? = nil, registered: Bool = false, evaluation: String? = nil,
        score: Double? = nil
    ) {
        self.id = id
        self.modelPath = modelPath
        self.iteration = iteration
        self.registered = registered
        self.evaluation = evaluation
        self.score = score
    }
}

/// The agent's state, rebuilt from a run's records: used to resume a run and by `autotrainess status`.
public struct RunState: Sendable, Hashable, Codable {
    /// The highest iteration planned or logged (0 before any plan).
    public var iteration: Int
    /// The highest iteration with a logged ``IterationRecord``.
    public var lastLoggedIteration: Int?
    /// The workflow stage last entered.
    public var stage: String?
    /// Why the workflow stopped (`finished`, a budget or stage failure); `nil` while it has not stopped.
    public var stopReason: String?
    /// What the run has spent.
    public var budget: BudgetSpent
    /// Trained and registered candidates, in the order they appeared.
    public var checkpoints: [CheckpointSummary]
    /// The decision of the last logged iteration.
    public var lastDecision: IterationDecision?
    /// The latest evaluation of each label, as `label: score`.
    public var evaluations: [String: Double]
    /// One compact line per logged iteration.
    public var history: [String]
    /// How many records were folded.
    public var recordCount: Int

    /// Creates a state; see ``rebuild(from:)``.
    public init(
        iteration: Int = 0, lastLoggedIteration: Int? = nil, stage: String? = nil, budget: BudgetSpent = BudgetSpent(),
        checkpoints: [CheckpointSummary] = [], lastDecision: IterationDecision? = nil,
        evaluations: [String: Double] = [:], history: [String] = [], recordCount: Int = 0
    ) {
        self.iteration = iteration
        self.lastLoggedIteration = lastLoggedIteration
        self.stage = stage
        self.budget = budget
        self.checkpoints = checkpoints
        self.lastDecision = lastDecision
        self.evaluations = evaluations
        self.history = history
        self.recordCount = recordCount
    }

    /// Folds `records` (in store order) into the state. Records of unknown kinds are ignored.
    public static func rebuild(from records: [ExperimentRecord]) -> RunState {
        var state = RunState(recordCount: records.count)
        var clockReading: Double?
        for record in records {
            let payload = record.payload
            let iteration = payload["iteration"]?.intValue
            switch record.kind {
            case RecordKind.stageEntered:
                state.stage = payload["stage"]?.stringValue ?? state.stage
            case RecordKind.runStopped:
                state.stopReason = payload["reason"]?.stringValue ?? "no reason recorded"
            case RecordKind.planWritten:
                if let iteration { state.iteration = max(state.iteration, iteration) }
            case RecordKind.modelUsage:
                state.budget.usage += Usage(
                    inputTokens: payload["inputTokens"]?.intValue ?? 0,
                    outputTokens: payload["outputTokens"]?.intValue ?? 0,
                    cachedInputTokens: payload["cachedInputTokens"]?.intValue ?? 0)
                state.budget.costUSD += payload["costUSD"]?.doubleValue ?? 0
            case RecordKind.budgetElapsed:
                if let seconds = payload["elapsedSeconds"]?.doubleValue {
                    clockReading = max(clockReading ?? 0, seconds)
                }
            case RecordKind.trainFinished:
                state.budget.trainingSeconds += payload["wallSeconds"]?.doubleValue ?? 0
                if let id = payload["jobID"]?.stringValue, let path = payload["modelDirectory"]?.stringValue {
                    state.upsertCheckpoint(id: id, modelPath: path, iteration: iteration, registered: false)
                }
            case RecordKind.checkpointRegistered:
                if let id = payload["id"]?.stringValue, let path = payload["modelPath"]?.stringValue {
                    state.upsertCheckpoint(id: id, modelPath: path, iteration: iteration, registered: true)
                    if let score = payload["score"]?.doubleValue {
                        state.checkpoints[state.checkpoints.firstIndex { $0.id == id }!].score = score
                    }
                }
            case RecordKind.evalReport:
                state.budget.evaluationSeconds += payload["durationSeconds"]?.doubleValue ?? 0
                if let label = payload["label"]?.stringValue, let score = payload["score"]?.doubleValue {
                    state.evaluations[label] = score
                    if let path = payload["modelPath"]?.stringValue {
                        for index in state.checkpoints.indices where state.checkpoints[index].modelPath == path {
                            state.checkpoints[index].evaluation = label
                            state.checkpoints[index].score = score
                        }
                    }
                }
            case RecordKind.iterationLogged:
                guard let logged = try? payload.decode(as: IterationRecord.self) else { continue }
                state.iteration = max(state.iteration, logged.iteration)
                state.lastLoggedIteration = max(state.lastLoggedIteration ?? logged.iteration, logged.iteration)
                state.lastDecision = logged.decision
                state.history.append(Self.historyLine(logged))
            default:
                continue
            }
        }
        if let clockReading {
            state.budget.elapsedSeconds = clockReading
        } else if let first = records.map(\.time).min(), let last = records.map(\.time).max() {
            state.budget.elapsedSeconds = last.timeIntervalSince(first)
        }
        return state
    }

    private mutating func upsertCheckpoint(id: String, modelPath: String, iteration: Int?, registered: Bool) {
        if let index = checkpoints.firstIndex(where: { $0.id == id }) {
            checkpoints[index].modelPath = modelPath
            checkpoints[index].registered = checkpoints[index].registered || registered
            checkpoints[index].iteration = iteration ?? checkpoints[index].iteration
        } else {
            checkpoints.append(
                CheckpointSummary(id: id, modelPath: modelPath, iteration: iteration, registered: registered))
        }
    }

    private static func historyLine(_ record: IterationRecord) -> String {
        let hypothesis = record.hypothesis.count > 90 ? record.hypothesis.prefix(87) + "..." : record.hypothesis
        let scores = record.scores.map { "\($0.label) \(String(format: "%.3f", $0.value))" }.joined(separator: ", ")
        var line = "iteration \(record.iteration) (\(record.stage)): \(hypothesis) -> \(record.decision.rawValue)"
        if !scores.isEmpty { line += "; \(scores)" }
        if !record.failures.isEmpty { line += "; \(record.failures.count) failure(s)" }
        return line + "; next: \(record.nextStep)"
    }

    /// A compact text for the agent's instructions or a terminal.
    public var summary: String {
        var lines = ["Run state (\(recordCount) records):"]
        let logged = lastLoggedIteration.map { ", last logged \($0)" } ?? ""
        let stopped = stopReason.map { " (stopped: \($0))" } ?? ""
        lines.append("- iteration \(iteration)\(logged); stage: \(stage ?? "not started")\(stopped)")
        lines.append(
            "- spent: \(Self.duration(budget.elapsedSeconds)) wall (training \(Self.duration(budget.trainingSeconds)), "
                + "evaluation \(Self.duration(budget.evaluationSeconds))), \(budget.usage.totalTokens) tokens, "
                + String(format: "$%.2f", budget.costUSD))
        if checkpoints.isEmpty {
            lines.append("- checkpoints: none")
        } else {
            lines.append("- checkpoints:")
            for checkpoint in checkpoints {
                let score = checkpoint.score.map { String(format: "%.3f", $0) } ?? "not evaluated"
                let flag = checkpoint.registered ? "registered" : "trained"
                lines.append("  - \(checkpoint.id) (\(flag)): \(score) at \(checkpoint.modelPath)")
            }
        }
        if !evaluations.isEmpty {
            let scores = evaluations.keys.sorted().map { "\($0) \(String(format: "%.3f", evaluations[$0]!))" }
            lines.append("- evaluations: \(scores.joined(separator: ", "))")
        }
        lines.append("- last decision: \(lastDecision?.rawValue ?? "none")")
        if !history.isEmpty {
            lines.append("History:")
            lines += history.map { "- \($0)" }
        }
        return lines.joined(separator: "\n")
    }

    private static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        if total >= 3600 { return "\(total / 3600)h\(String(format: "%02d", total % 3600 / 60))m" }
        if total >= 60 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total)s"
    }
}
