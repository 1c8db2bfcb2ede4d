public import AgentCore
public import Foundation

/// What the interfaces need to know about the task: the model to start from, its chat template, the benchmark.
public struct TaskProfile: Sendable, Hashable, Codable {
    /// A short name of the task, e.g. `"gsm8k"`.
    public var name: String
    /// Folder of the base model that training starts from.
    public var baseModel: String
    /// The chat template name as LlamaFactory knows it (`qwen`, `llama3`, `gemma`, ...).
    public var template: String
    /// The benchmark's name, e.g. `"gsm8k"`.
    public var benchmark: String
    /// Number of items in the benchmark; sets the evaluation sample floor. `nil` when unknown.
    public var benchmarkSize: Int?
    /// Default maximum sample length in tokens (LlamaFactory's `cutoff_len`).
    public var cutoffLength: Int
    /// Folders outside the run that the `data` tool may read sources from (read only).
    public var dataRoots: [String]

    /// Creates a task profile.
    public init(
        name: String, baseModel: String, template: String, benchmark: String, benchmarkSize: Int? = nil,
        cutoffLength: Int = 1024, dataRoots: [String] = []
    ) {
        self.name = name
        self.baseModel = baseModel
        self.template = template
        self.benchmark = benchmark
        self.benchmarkSize = benchmarkSize
        self.cutoffLength = cutoffLength
        self.dataRoots = dataRoots
    }

    /// The fewest samples an evaluation needs before it may be compared: max(32, 5% of the benchmark), or the whole
    /// benchmark when it has fewer than 32 items.
    public var sampleFloor: Int {
        let floor = max(32, Int((Double(benchmarkSize ?? 0) * 0.05).rounded(.up)))
        return benchmarkSize.map { min($0, floor) } ?? floor
    }
}

/// The budget of a run, as stored in `run.json`.
public struct RunBudget: Sendable, Hashable, Codable {
    /// Wall-clock seconds the whole run may take.
    public var totalSeconds: Double
    /// Seconds kept back for the final evaluation and promotion.
    public var reserveSeconds: Double
    /// Model spend limit in US dollars; `nil` for none.
    public var maxCostUSD: Double?

    /// Creates a budget.
    public init(totalSeconds: Double, reserveSeconds: Double = 0, maxCostUSD: Double? = nil) {
        self.totalSeconds = totalSeconds
        self.reserveSeconds = reserveSeconds
        self.maxCostUSD = maxCostUSD
    }
}

/// The contents of a run's `run.json`: task, configuration, tool versions and budget.
public struct RunManifest: Sendable, Hashable, Codable {
    /// The run's identifier (usually its folder name).
    public var runID: String
    /// When the run was created.
    public var createdAt: Date
    /// The task.
    public var task: TaskProfile
    /// Free-form run configuration (provider, model, backend, executor, ...), secrets excluded.
    public var config: [String: JSONValue]
    /// Versions of the tools involved, e.g. `["autotrainess": "0.1.0", "llamafactory": "0.9.5"]`.
    public var versions: [String: String]
    /// The time and money the run may spend.
    public var budget: RunBudget

    /// Creates a manifest.
    public init(
        runID: String, createdAt: Date = Date(), task: TaskProfile, config: [String: JSONValue] = [:],
        versions: [String: String] = [:], budget: RunBudget
    ) {
        self.runID = runID
        self.createdAt = createdAt
        self.task = task
        self.config = config
        self.versions = versions
        self.budget = budget
    }
}
