public import AgentCore
import Foundation
public import TrainingBackends

// The records the interface tools write, one type per kind. Paths in records are relative to the run folder
// (``Workspace/resolve(_:)`` turns them back into files); fields added after 0.1.0 are optional, so run folders
// written by 0.1.0 still decode.

/// `stage.entered`: the workflow entered a stage. Written by the workflow runner.
public struct StageEntered: RunRecord {
    public static let kind = "stage.entered"
    public var stage: String
    public init(stage: String) { self.stage = stage }
}

/// `plan.written`: the `plan` tool wrote an iteration's plan.
public struct PlanWritten: RunRecord {
    public static let kind = "plan.written"
    public var iteration: Int
    /// `iterations/<n>/plan.md`.
    public var path: String
    public var hypothesis: String
    public init(iteration: Int, path: String, hypothesis: String) {
        self.iteration = iteration
        self.path = path
        self.hypothesis = hypothesis
    }
}

/// `data.built`: the `data` tool built a dataset file.
public struct DataBuilt: RunRecord {
    public static let kind = "data.built"
    public var iteration: Int
    public var dataset: String
    public var rows: Int
    /// Source rows skipped (missing fields, empty values).
    public var skipped: Int
    /// `iterations/<n>/data/<dataset>.json`.
    public var path: String
    public init(iteration: Int, dataset: String, rows: Int, skipped: Int, path: String) {
        self.iteration = iteration
        self.dataset = dataset
        self.rows = rows
        self.skipped = skipped
        self.path = path
    }
}

/// `data.validated`: the `data` tool judged a dataset; an approval is what the iteration's training may use.
public struct DataValidated: RunRecord {
    public static let kind = "data.validated"
    public var iteration: Int
    public var dataset: String
    /// `approve`, `revise` or `reject`.
    public var verdict: String
    public var reasons: [String]
    public var samples: Int
    /// Contamination hits found.
    public var contamination: Int?
    /// The approval (file, hash, rows), when the verdict is `approve`; absent in 0.1.0 records.
    public var approval: DatasetApproval?
    public init(
        iteration: Int, dataset: String, verdict: String, reasons: [String], samples: Int, contamination: Int?,
        approval: DatasetApproval?
    ) {
        self.iteration = iteration
        self.dataset = dataset
        self.verdict = verdict
        self.reasons = reasons
        self.samples = samples
        self.contamination = contamination
        self.approval = approval
    }

    /// Whether the dataset was approved.
    public var approved: Bool { verdict == "approve" }
}

/// `train.started`: the `train` tool started a job, as the backend decided it.
public struct TrainStarted: RunRecord {
    public static let kind = "train.started"
    public var iteration: Int
    public var job: TrainingJob
    public init(iteration: Int, job: TrainingJob) {
        self.iteration = iteration
        self.job = job
    }
}

/// `train.progress`: a training step was logged.
public struct TrainProgressed: RunRecord {
    public static let kind = "train.progress"
    public var iteration: Int
    public var jobID: String
    public var step: Int
    public var totalSteps: Int
    public var loss: Double?
    /// The learning rate at this step (0.2.0).
    public var learningRate: Double?
    public init(
        iteration: Int, jobID: String, step: Int, totalSteps: Int, loss: Double?, learningRate: Double? = nil
    ) {
        self.iteration = iteration
        self.jobID = jobID
        self.step = step
        self.totalSteps = totalSteps
        self.loss = loss
        self.learningRate = learningRate
    }
}

/// `train.finished`: a job ended with a loadable model.
public struct TrainFinished: RunRecord {
    public static let kind = "train.finished"
    /// A checkpoint saved inside the job, itself a candidate `<job>-step<N>`.
    public struct SavedStep: Sendable, Hashable, Codable {
        public var step: Int
        /// The loadable model folder, relative to the run.
        public var modelDirectory: String
        public init(step: Int, modelDirectory: String) {
            self.step = step
            self.modelDirectory = modelDirectory
        }
    }

    public var iteration: Int
    public var jobID: String
    /// The loadable model folder, relative to the run.
    public var modelDirectory: String
    public var wallSeconds: Double
    /// The trainer's final metrics (`train_runtime`, `train_loss`, `train_samples_per_second`, ...).
    public var metrics: [String: Double]
    /// Checkpoints saved along the way (0.2.0).
    public var checkpoints: [SavedStep]?
    /// CPU threads the job ran with: the cores it got (0.2.0).
    public var cpuThreads: Int?
    public init(
        iteration: Int, jobID: String, modelDirectory: String, wallSeconds: Double, metrics: [String: Double],
        checkpoints: [SavedStep]? = nil, cpuThreads: Int? = nil
    ) {
        self.iteration = iteration
        self.jobID = jobID
        self.modelDirectory = modelDirectory
        self.wallSeconds = wallSeconds
        self.metrics = metrics
        self.checkpoints = checkpoints
        self.cpuThreads = cpuThreads
    }
}

/// `train.failed`: a job failed; its last output lines are kept (secrets redacted).
public struct TrainFailed: RunRecord {
    public static let kind = "train.failed"
    public var iteration: Int
    public var jobID: String
    public var error: String
    public var logTail: [String]
    public init(iteration: Int, jobID: String, error: String, logTail: [String]) {
        self.iteration = iteration
        self.jobID = jobID
        self.error = error
        self.logTail = logTail
    }
}

/// `eval.report`: the `eval` tool saved a report; the runner attaches it to the candidate and decides promotion.
public struct EvalReported: RunRecord {
    public static let kind = "eval.report"
    public var iteration: Int
    public var label: String
    public var metric: String
    public var score: Double
    public var stderr: Double?
    public var sampleCount: Int
    /// Whether the sample count met the floor comparisons need.
    public var comparable: Bool
    /// The evaluated model folder, relative to the run (absolute when outside it).
    public var modelPath: String
    /// The full report: `evaluator/reports/<n>/<label>.json` (0.1.0: `iterations/<n>/eval/<label>.json`).
    public var reportPath: String
    public var durationSeconds: Double
    /// The model folders (as ``modelPath`` records them) of the candidates evaluated together in one `eval` call
    /// (0.2.0); the runner decides their promotion jointly, correcting for the multiple comparisons. `nil` alone.
    public var group: [String]?
    public init(
        iteration: Int, label: String, metric: String, score: Double, stderr: Double?, sampleCount: Int,
        comparable: Bool, modelPath: String, reportPath: String, durationSeconds: Double, group: [String]? = nil
    ) {
        self.group = group
        self.iteration = iteration
        self.label = label
        self.metric = metric
        self.score = score
        self.stderr = stderr
        self.sampleCount = sampleCount
        self.comparable = comparable
        self.modelPath = modelPath
        self.reportPath = reportPath
        self.durationSeconds = durationSeconds
    }
}

/// `eval.failed`: an evaluation failed.
public struct EvalFailed: RunRecord {
    public static let kind = "eval.failed"
    public var iteration: Int
    public var label: String
    public var error: String
    public init(iteration: Int, label: String, error: String) {
        self.iteration = iteration
        self.label = label
        self.error = error
    }
}

/// `iteration.logged`: the `log` tool recorded an iteration.
extension IterationRecord: RunRecord {
    public static let kind = "iteration.logged"
}

/// `model.usage`: one model turn's tokens and cost. Written by the workflow runner.
public struct ModelUsed: RunRecord {
    public static let kind = "model.usage"
    public var inputTokens: Int
    public var outputTokens: Int
    public var cachedInputTokens: Int
    /// 0 when the model has no known price.
    public var costUSD: Double
    public init(inputTokens: Int, outputTokens: Int, cachedInputTokens: Int, costUSD: Double) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
        self.costUSD = costUSD
    }
}
