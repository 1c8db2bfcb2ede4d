public import AgentCore
public import Foundation

/// The training objective, as LlamaFactory's `stage`.
public enum TrainingMethod: String, Sendable, Hashable, Codable, CaseIterable {
    case sft, dpo, kto, orpo, rm, pt
}

/// Which weights are trained, as LlamaFactory's `finetuning_type`.
public enum FinetuningType: String, Sendable, Hashable, Codable, CaseIterable {
    case full, lora, freeze
}

/// What to train: independent of where it runs (see executors) and of the backend that runs it.
public struct TrainingJob: Sendable, Hashable, Codable {
    /// A stable identifier, used in the output path and in events.
    public var id: String
    /// Folder of the model to start from (the task's base model or a registered descendant).
    public var baseModel: URL
    public var method: TrainingMethod
    public var finetuning: FinetuningType
    /// Dataset names registered in `datasetDirectory/dataset_info.json`.
    public var datasets: [String]
    /// Folder holding `dataset_info.json` and the data files.
    public var datasetDirectory: URL
    /// Rows of each dataset, as validated (forecasts size a job by them); empty when unknown.
    public var datasetSamples: [String: Int]
    /// The chat template name (LlamaFactory's `template`).
    public var template: String
    /// Further LlamaFactory arguments, e.g. `learning_rate`, `num_train_epochs`, `lora_rank`, `cutoff_len`.
    public var hyperparameters: [String: JSONValue]
    /// Where checkpoints, logs and the adapter are written.
    public var outputDirectory: URL
    /// When set, a LoRA adapter is merged into a full model folder here after training (ready for evaluation).
    public var mergedModelDirectory: URL?
    /// GPU indices to use; empty means CPU or whatever the machine exposes.
    public var gpus: [Int]
    /// Training must stop by this time; the backend tears the job down if it is reached.
    public var deadline: Date?
    /// CPU threads the job runs with (`OMP_NUM_THREADS`): the cores it was given; `nil` until decided
    /// (``TrainingDefaults/apply(to:hardware:environment:)``, or the backend's own decision at launch).
    public var cpuThreads: Int?
    /// The settings decided for the job and why (threads, gradient checkpointing, packing, data loading).
    public var choices: [TrainingChoice]

    public init(
        id: String, baseModel: URL, method: TrainingMethod = .sft, finetuning: FinetuningType = .lora,
        datasets: [String], datasetDirectory: URL, datasetSamples: [String: Int] = [:], template: String,
        hyperparameters: [String: JSONValue] = [:], outputDirectory: URL, mergedModelDirectory: URL? = nil,
        gpus: [Int] = [], deadline: Date? = nil, cpuThreads: Int? = nil, choices: [TrainingChoice] = []
    ) {
        self.id = id
        self.baseModel = baseModel
        self.method = method
        self.finetuning = finetuning
        self.datasets = datasets
        self.datasetDirectory = datasetDirectory
        self.datasetSamples = datasetSamples
        self.template = template
        self.hyperparameters = hyperparameters
        self.outputDirectory = outputDirectory
        self.mergedModelDirectory = mergedModelDirectory
        self.gpus = gpus
        self.deadline = deadline
        self.cpuThreads = cpuThreads
        self.choices = choices
    }

    private enum CodingKeys: String, CodingKey {
        case id, baseModel, method, finetuning, datasets, datasetDirectory, datasetSamples, template, hyperparameters
        case outputDirectory, mergedModelDirectory, gpus, deadline, cpuThreads, choices
    }

    /// Where the loadable model of the checkpoint saved at `step` goes: beside the merged model, named
    /// `<merged>-step<step>`; `nil` when the job asks for no merged model.
    public func checkpointModelDirectory(step: Int) -> URL? {
        mergedModelDirectory.map { $0.deletingLastPathComponent().appendingPathComponent("\($0.lastPathComponent)-step\(step)") }
    }

    /// Decodes a job; `datasetSamples`, `cpuThreads` and `choices` may be absent (jobs recorded by 0.1.0). Paths
    /// are stored as path strings.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        baseModel = URL(fileURLWithPath: try container.decode(String.self, forKey: .baseModel))
        method = try container.decode(TrainingMethod.self, forKey: .method)
        finetuning = try container.decode(FinetuningType.self, forKey: .finetuning)
        datasets = try container.decode([String].self, forKey: .datasets)
        datasetDirectory = URL(fileURLWithPath: try container.decode(String.self, forKey: .datasetDirectory))
        datasetSamples = try container.decodeIfPresent([String: Int].self, forKey: .datasetSamples) ?? [:]
        template = try container.decode(String.self, forKey: .template)
        hyperparameters = try container.decode([String: JSONValue].self, forKey: .hyperparameters)
        outputDirectory = URL(fileURLWithPath: try container.decode(String.self, forKey: .outputDirectory))
        mergedModelDirectory = try container.decodeIfPresent(String.self, forKey: .mergedModelDirectory)
            .map { URL(fileURLWithPath: $0) }
        gpus = try container.decode([Int].self, forKey: .gpus)
        deadline = try container.decodeIfPresent(Date.self, forKey: .deadline)
        cpuThreads = try container.decodeIfPresent(Int.self, forKey: .cpuThreads)
        choices = try container.decodeIfPresent([TrainingChoice].self, forKey: .choices) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(baseModel.path, forKey: .baseModel)
        try container.encode(method, forKey: .method)
        try container.encode(finetuning, forKey: .finetuning)
        try container.encode(datasets, forKey: .datasets)
        try container.encode(datasetDirectory.path, forKey: .datasetDirectory)
        try container.encode(datasetSamples, forKey: .datasetSamples)
        try container.encode(template, forKey: .template)
        try container.encode(hyperparameters, forKey: .hyperparameters)
        try container.encode(outputDirectory.path, forKey: .outputDirectory)
        try container.encodeIfPresent(mergedModelDirectory?.path, forKey: .mergedModelDirectory)
        try container.encode(gpus, forKey: .gpus)
        try container.encodeIfPresent(deadline, forKey: .deadline)
        try container.encodeIfPresent(cpuThreads, forKey: .cpuThreads)
        try container.encode(choices, forKey: .choices)
    }
}

/// Progress of a running job, as read from the trainer's log.
public struct TrainingProgress: Sendable, Hashable, Codable {
    public var step: Int
    public var totalSteps: Int
    public var loss: Double?
    public var learningRate: Double?
    public var elapsedSeconds: Double?
    /// Estimated seconds left, from the trainer's own rate.
    public var remainingSeconds: Double?

    public init(
        step: Int, totalSteps: Int, loss: Double? = nil, learningRate: Double? = nil, elapsedSeconds: Double? = nil,
        remainingSeconds: Double? = nil
    ) {
        self.step = step
        self.totalSteps = totalSteps
        self.loss = loss
        self.learningRate = learningRate
        self.elapsedSeconds = elapsedSeconds
        self.remainingSeconds = remainingSeconds
    }
}

/// A model saved inside a job, before its last step, made loadable like the job's final model.
public struct TrainingCheckpoint: Sendable, Hashable, Codable {
    /// The optimizer step it was saved at.
    public var step: Int
    /// Its loadable model folder.
    public var modelDirectory: URL

    /// Creates a checkpoint.
    public init(step: Int, modelDirectory: URL) {
        self.step = step
        self.modelDirectory = modelDirectory
    }

    private enum CodingKeys: String, CodingKey { case step, modelDirectory }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        step = try container.decode(Int.self, forKey: .step)
        modelDirectory = URL(fileURLWithPath: try container.decode(String.self, forKey: .modelDirectory))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(step, forKey: .step)
        try container.encode(modelDirectory.path, forKey: .modelDirectory)
    }
}

/// The outcome of a successful job.
public struct TrainingResult: Sendable, Hashable, Codable {
    public var jobID: String
    public var outputDirectory: URL
    /// A folder an evaluator can load: the merged model when one was asked for, else the output folder.
    public var modelDirectory: URL
    /// Final metrics, e.g. `train_loss`, `train_runtime` (from `all_results.json`).
    public var metrics: [String: Double]
    public var wallSeconds: Double
    /// Models saved before the last step (`save_steps`), oldest first, each loadable.
    public var checkpoints: [TrainingCheckpoint]
    /// The CPU threads the job ran with (the cores it held), when the backend knows.
    public var cpuThreads: Int?

    public init(
        jobID: String, outputDirectory: URL, modelDirectory: URL, metrics: [String: Double], wallSeconds: Double,
        checkpoints: [TrainingCheckpoint] = [], cpuThreads: Int? = nil
    ) {
        self.jobID = jobID
        self.outputDirectory = outputDirectory
        self.modelDirectory = modelDirectory
        self.metrics = metrics
        self.wallSeconds = wallSeconds
        self.checkpoints = checkpoints
        self.cpuThreads = cpuThreads
    }

    private enum CodingKeys: String, CodingKey {
        case jobID, outputDirectory, modelDirectory, metrics, wallSeconds, checkpoints, cpuThreads
    }

    /// Decodes a result; `checkpoints` may be absent (results written by 0.1.0).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        jobID = try container.decode(String.self, forKey: .jobID)
        outputDirectory = URL(fileURLWithPath: try container.decode(String.self, forKey: .outputDirectory))
        modelDirectory = URL(fileURLWithPath: try container.decode(String.self, forKey: .modelDirectory))
        metrics = try container.decode([String: Double].self, forKey: .metrics)
        wallSeconds = try container.decode(Double.self, forKey: .wallSeconds)
        checkpoints = try container.decodeIfPresent([TrainingCheckpoint].self, forKey: .checkpoints) ?? []
        cpuThreads = try container.decodeIfPresent(Int.self, forKey: .cpuThreads)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(jobID, forKey: .jobID)
        try container.encode(outputDirectory.path, forKey: .outputDirectory)
        try container.encode(modelDirectory.path, forKey: .modelDirectory)
        try container.encode(metrics, forKey: .metrics)
        try container.encode(wallSeconds, forKey: .wallSeconds)
        try container.encode(checkpoints, forKey: .checkpoints)
        try container.encodeIfPresent(cpuThreads, forKey: .cpuThreads)
    }
}

/// One event of a running job.
public enum TrainingEvent: Sendable, Hashable {
    /// The process started; `command` is what was run.
    case started(command: [String])
    case progress(TrainingProgress)
    /// One line of the trainer's output.
    case log(String)
    case finished(TrainingResult)
}

/// Something that can train a model. One required method.
///
/// Dropping the stream cancels the job and tears down its whole process group.
public protocol TrainingBackend: Sendable {
    /// Runs `job`, streaming events that end with `.finished`; the stream throws on failure
    /// (for the LlamaFactory backend, a diagnosed error with a fix the agent can act on).
    func train(_ job: TrainingJob) -> AsyncThrowingStream<TrainingEvent, any Error>

    /// `job` with the settings this backend would decide for it (threads, memory-dependent settings), each with
    /// its reason in `choices`, so they can be recorded and shown before the job starts. Training a prepared job
    /// runs it as prepared. The default returns `job` unchanged.
    func prepare(_ job: TrainingJob) -> TrainingJob
}

extension TrainingBackend {
    /// Returns `job` unchanged.
    public func prepare(_ job: TrainingJob) -> TrainingJob { job }
}
