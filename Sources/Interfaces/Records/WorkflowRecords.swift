public import AgentCore
public import Foundation

// The records the workflow runner writes, one type per kind. They live beside the tools' records because the one
// fold of a run's records (``RunState``) reads both.

/// `run.session_started`: each start or resume of a run writes it first.
public struct RunSessionStarted: RunRecord {
    public static let kind = "run.session_started"
    /// Seconds the run had been active before this session (time between a kill and the resume does not count).
    public var activeSecondsBefore: Double
    public init(activeSecondsBefore: Double) { self.activeSecondsBefore = activeSecondsBefore }
}

/// `workflow.session_started`: an agent session (or an outside agent's work on a stage) started.
public struct SessionStarted: RunRecord {
    public static let kind = "workflow.session_started"
    public var stage: String
    /// 1-based within the stage.
    public var attempt: Int
    public init(stage: String, attempt: Int) {
        self.stage = stage
        self.attempt = attempt
    }
}

/// `workflow.session_ended`: a session ended; a completed one counts towards exits such as "task defined".
public struct SessionEnded: RunRecord {
    public static let kind = "workflow.session_ended"
    public var stage: String
    /// Whether it ended with the model's answer (not cut off by a limit or an error).
    public var completed: Bool
    public var reason: String
    public var finalText: String
    public init(stage: String, completed: Bool, reason: String, finalText: String) {
        self.stage = stage
        self.completed = completed
        self.reason = reason
        self.finalText = finalText
    }
}

/// `workflow.denied`: a rule denied a tool call.
public struct CallDenied: RunRecord {
    public static let kind = "workflow.denied"
    public var stage: String
    public var tool: String
    public var rule: String
    public var reason: String
    /// The call's arguments (redacted).
    public var arguments: String
    public init(stage: String, tool: String, rule: String, reason: String, arguments: String) {
        self.stage = stage
        self.tool = tool
        self.rule = rule
        self.reason = reason
        self.arguments = arguments
    }
}

/// `workflow.transition`: a stage exit held.
public struct StageTransition: RunRecord {
    public static let kind = "workflow.transition"
    public var from: String
    public var exit: String
    /// The next stage, or `finish`.
    public var to: String
    public init(from: String, exit: String, to: String) {
        self.from = from
        self.exit = exit
        self.to = to
    }
}

/// `checkpoint.registered`: the checkpoint registry recorded a candidate.
public struct CheckpointRegistered: RunRecord {
    public static let kind = "checkpoint.registered"
    public var id: String
    /// The model folder, relative to the run.
    public var modelPath: String
    public var parent: String?
    public var datasets: [String]?
    public var configHash: String?
    public var iteration: Int?
    /// The step inside its job, for a checkpoint saved along the way.
    public var step: Int?
    public var score: Double?
    public init(
        id: String, modelPath: String, parent: String?, datasets: [String]?, configHash: String?, iteration: Int?,
        step: Int? = nil, score: Double? = nil
    ) {
        self.id = id
        self.modelPath = modelPath
        self.parent = parent
        self.datasets = datasets
        self.configHash = configHash
        self.iteration = iteration
        self.step = step
        self.score = score
    }
}

/// `workflow.registration_refused`: a trained model could not be registered.
public struct RegistrationRefused: RunRecord {
    public static let kind = "workflow.registration_refused"
    public var jobID: String
    public var error: String
    public init(jobID: String, error: String) {
        self.jobID = jobID
        self.error = error
    }
}

/// `workflow.baseline`: the base model's evaluation (the first one is the baseline).
public struct BaselineEvaluated: RunRecord {
    public static let kind = "workflow.baseline"
    /// The sequence number of the `eval.report` record it handled.
    public var evalSequence: Int
    public var label: String
    public var score: Double
    public init(evalSequence: Int, label: String, score: Double) {
        self.evalSequence = evalSequence
        self.label = label
        self.score = score
    }
}

/// `workflow.evaluated`: a candidate's evaluation and the registry's promotion decision.
public struct CandidateEvaluated: RunRecord {
    public static let kind = "workflow.evaluated"
    /// The sequence number of the `eval.report` record it handled.
    public var evalSequence: Int
    public var candidateID: String
    public var promoted: Bool
    public var reason: String
    public init(evalSequence: Int, candidateID: String, promoted: Bool, reason: String) {
        self.evalSequence = evalSequence
        self.candidateID = candidateID
        self.promoted = promoted
        self.reason = reason
    }
}

/// `workflow.budget_usage`: what the run has spent, after each model turn (a resumed run counts it).
public struct BudgetRecorded: ValueRecord {
    public static let kind = "workflow.budget_usage"
    public var value: BudgetUsage
    public init(_ value: BudgetUsage) { self.value = value }
}

/// `workflow.tampered`: the submission, registry or store changed outside the run's own writes; `final_model/` was
/// restored and the run ends as tampered.
public struct TamperingFound: RunRecord {
    public static let kind = "workflow.tampered"
    public var findings: [String]
    /// What was restored.
    public var restored: String
    public init(findings: [String], restored: String) {
        self.findings = findings
        self.restored = restored
    }
}

/// `workflow.deadline_moved`: an outside clock (PostTrainBench's `timer.sh`) said less time was left than the run
/// thought, and the deadline moved earlier (it never moves later).
public struct DeadlineMoved: RunRecord {
    public static let kind = "workflow.deadline_moved"
    /// The new deadline.
    public var deadline: Date
    /// What said so, e.g. `timer.sh: Timer expired!`.
    public var source: String
    public init(deadline: Date, source: String) {
        self.deadline = deadline
        self.source = source
    }
}

/// `submission.checked`: after a run ended, its `final_model/` was handed over where a benchmark collects it (a
/// PostTrainBench task's `final_model/`) and checked the way the benchmark does.
public struct SubmissionChecked: RunRecord {
    public static let kind = "submission.checked"
    /// The folder written in place.
    public var destination: String
    /// The candidate it holds.
    public var best: String
    /// The identity fields that differ from the base model's `config.json` (`field: base → submission`).
    public var identityMismatches: [String]
    /// Whether it loaded in the run's Python environment and generated.
    public var loaded: Bool
    /// What it generated, or why it did not load.
    public var detail: String
    public init(destination: String, best: String, identityMismatches: [String], loaded: Bool, detail: String) {
        self.destination = destination
        self.best = best
        self.identityMismatches = identityMismatches
        self.loaded = loaded
        self.detail = detail
    }
}

/// `workflow.stopped`: the run ended.
public struct RunStopped: RunRecord {
    public static let kind = "workflow.stopped"
    /// `finished`, `budget exhausted: …`, `stage '…' used all its attempts`, `stalled: …`, `tampered: …`.
    public var reason: String
    /// The submission's candidate id.
    public var best: String
    /// The `final_model/` folder.
    public var finalModel: String
    public var finalModelValid: Bool
    public init(reason: String, best: String, finalModel: String, finalModelValid: Bool) {
        self.reason = reason
        self.best = best
        self.finalModel = finalModel
        self.finalModelValid = finalModelValid
    }
}

/// Every kind of record a run writes: one list, for readers, documentation and the test that kinds are unique.
public enum RunRecords {
    /// The record types, agent records first.
    public static let types: [any RunRecord.Type] =
        AgentRecord.types + [
            RunSessionStarted.self, StageEntered.self, SessionStarted.self, SessionEnded.self, CallDenied.self,
            StageTransition.self, PlanWritten.self, DataBuilt.self, DataValidated.self, TrainStarted.self,
            TrainProgressed.self, TrainFinished.self, TrainFailed.self, CheckpointRegistered.self,
            RegistrationRefused.self, EvalReported.self, EvalFailed.self, BaselineEvaluated.self,
            CandidateEvaluated.self, IterationRecord.self, ModelUsed.self, BudgetRecorded.self, TamperingFound.self,
            DeadlineMoved.self, RunStopped.self, SubmissionChecked.self,
        ]

    /// The kind names.
    public static var kinds: [String] { types.map { $0.kind } }
}
