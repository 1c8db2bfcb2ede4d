public import AgentCore
public import Foundation
import Interfaces
import Synchronization
public import TrainingBackends

/// How fast this run trains, learnt from its finished jobs, to forecast a job's length before it starts.
///
/// A job's size is the number of samples it passes through the optimizer: `max_steps × batch × accumulation ×
/// devices` when it sets `max_steps`, else `epochs × samples in its datasets` (from the iteration's
/// job's `datasetSamples`, as validated, capped by `max_samples`). A finished job of the same method and fine-tuning type gives the
/// seconds per sample (from LlamaFactory's `train_samples_per_second`, else `train_runtime`) and the fixed cost
/// around training (loading, saving, merging: wall time minus `train_runtime`). The forecast is the latest such
/// job's fixed cost plus the size times its rate.
///
/// Before the run's first job of a kind, the forecast comes from this machine's earlier jobs (the `machineLog`,
/// written by every run and by `autotrainess-bench training`): the nearest job of the same kind, device class and
/// thread count, its rate scaled by model size and `cutoff_len`. With neither there is no forecast: the job is
/// admitted and then watched by its own progress rate (``BudgetClock/review(_:kind:gpuCount:)``), which also stops
/// a job the forecast underestimated, at a step boundary with its checkpoints kept.
public final class TrainingThroughput: Sendable {
    /// One finished job, reduced to what forecasts need.
    public struct Observation: Sendable, Hashable, Codable {
        /// `method/finetuning`, e.g. `sft/lora`: rates are compared only within a kind.
        public var kind: String
        /// Training seconds per sample.
        public var secondsPerSample: Double
        /// Seconds of the job outside the training loop.
        public var overheadSeconds: Double
        /// Parameters of the model trained, when its config could be read.
        public var parameters: Double?
        /// The job's `cutoff_len` (LlamaFactory's default 2048 when unset).
        public var cutoff: Double?
        /// CPU threads the job ran with.
        public var threads: Int?
        /// GPUs the job ran on.
        public var gpus: Int?
    }

    private let observations = Mutex<[Observation]>([])
    /// This machine's earlier jobs, read from ``machineLog`` when the estimator was made.
    public let machineHistory: [Observation]
    /// A JSON-lines file of every job finished on this machine, shared by runs; `nil` to keep nothing.
    public let machineLog: URL?

    /// Creates an estimator with no history of this run.
    /// - Parameter machineLog: the machine's job log (read now, appended to by ``learn(job:result:)``).
    public init(machineLog: URL? = nil) {
        self.machineLog = machineLog
        machineHistory = machineLog.map(Self.read) ?? []
    }

    /// The machine log under a cache folder: `throughput.jsonl`.
    public static func machineLog(in cacheDirectory: URL) -> URL {
        cacheDirectory.appendingPathComponent("throughput.jsonl")
    }

    /// What has been learnt so far.
    public var history: [Observation] { observations.withLock { $0 } }

    /// Learns from a finished job and adds it to the machine log; jobs whose size or runtime is unknown teach
    /// nothing.
    public func learn(job: TrainingJob, result: TrainingResult) {
        var job = job
        job.cpuThreads = result.cpuThreads ?? job.cpuThreads  // the cores it ran with, not those it asked for
        guard let observation = Self.observation(job: job, metrics: result.metrics, wallSeconds: result.wallSeconds)
        else { return }
        observations.withLock { $0.append(observation) }
        if let machineLog { Self.append(observation, to: machineLog) }
    }

    /// Relearns from a run's records (`train.started` with its job, `train.finished` with its metrics), so that a
    /// resumed run forecasts as well as the session before it.
    public func learn(from records: [ExperimentRecord]) {
        var jobs: [String: TrainingJob] = [:]
        for record in records {
            if let started = record.decode(TrainStarted.self) { jobs[started.job.id] = started.job }
            guard let finished = record.decode(TrainFinished.self), var job = jobs[finished.jobID] else { continue }
            job.cpuThreads = finished.cpuThreads ?? job.cpuThreads
            if let observation = Self.observation(job: job, metrics: finished.metrics, wallSeconds: finished.wallSeconds)
            {
                observations.withLock { $0.append(observation) }
            }
        }
    }

    /// The forecast length of `job` in seconds, with how it was made; `nil` when no comparable job finished yet or
    /// the job's size is unknown.
    public func estimate(_ job: TrainingJob) -> (seconds: TimeInterval, basis: String)? {
        let kind = Self.kind(of: job)
        guard let samples = Self.samples(of: job) else { return nil }
        if let latest = history.last(where: { $0.kind == kind }) {
            let rate = latest.secondsPerSample
            let seconds = latest.overheadSeconds + samples * rate
            let basis = String(
                format: "%.0f samples at %.3f s/sample + %.0f s fixed, measured on this run's last %@ job",
                samples, rate, latest.overheadSeconds, kind)
            return (seconds, basis)
        }
        return calibrated(job, samples: samples)
    }

    /// The forecast from this machine's nearest earlier job of the same kind, device class and thread count.
    func calibrated(_ job: TrainingJob, samples: Double) -> (seconds: TimeInterval, basis: String)? {
        let target = Self.features(of: job)
        guard let parameters = target.parameters else { return nil }
        let kind = Self.kind(of: job)
        let candidates = machineHistory.filter {
            $0.kind == kind && ($0.gpus ?? 0 > 0) == (target.gpus > 0) && $0.threads == job.cpuThreads
                && $0.parameters != nil
        }
        // The nearest in size; among equals, the latest.
        let distance = { (observation: Observation) in abs(log(observation.parameters! / parameters)) }
        guard let nearest = candidates.reversed().min(by: { distance($0) < distance($1) }) else { return nil }
        let sizeScale = parameters / nearest.parameters!
        let lengthScale = target.cutoff / (nearest.cutoff ?? 2048)
        let rate = nearest.secondsPerSample * sizeScale * lengthScale
        let basis = String(
            format: "%.0f samples at %.3f s/sample + %.0f s fixed, from an earlier %@ job on this machine "
                + "(%.0fM parameters, cutoff %.0f, %d threads: %.3f s/sample) scaled x%.2f for model size and "
                + "x%.2f for cutoff_len",
            samples, rate, nearest.overheadSeconds, kind, nearest.parameters! / 1e6, nearest.cutoff ?? 2048,
            nearest.threads ?? 0, nearest.secondsPerSample, sizeScale, lengthScale)
        return (nearest.overheadSeconds + samples * rate, basis)
    }

    static func read(_ url: URL) -> [Observation] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").suffix(1000).compactMap {
            try? JSONDecoder().decode(Observation.self, from: Data($0.utf8))
        }
    }

    /// Appends one line; a machine log that cannot be written costs only future forecasts.
    static func append(_ observation: Observation, to url: URL) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let line = try? encoder.encode(observation) else { return }
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: url.path) {
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        }
        guard let handle = try? FileHandle(forWritingTo: url) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: line + Data("\n".utf8))
    }

    static func kind(of job: TrainingJob) -> String { "\(job.method.rawValue)/\(job.finetuning.rawValue)" }

    static func observation(job: TrainingJob, metrics: [String: Double], wallSeconds: Double) -> Observation? {
        guard let runtime = metrics["train_runtime"], runtime > 0 else { return nil }
        let perSample: Double
        if let rate = metrics["train_samples_per_second"], rate > 0 {
            perSample = 1 / rate
        } else if let samples = samples(of: job), samples > 0 {
            perSample = runtime / samples
        } else {
            return nil
        }
        let features = features(of: job)
        return Observation(
            kind: kind(of: job), secondsPerSample: perSample, overheadSeconds: max(0, wallSeconds - runtime),
            parameters: features.parameters, cutoff: features.cutoff, threads: job.cpuThreads, gpus: features.gpus)
    }

    /// What a job's rate scales with besides its kind and threads: model size, `cutoff_len` (LlamaFactory's
    /// default 2048 when unset) and GPUs.
    static func features(of job: TrainingJob) -> (parameters: Double?, cutoff: Double, gpus: Int) {
        (
            ModelShape(folder: job.baseModel).map { Double($0.parameters) },
            job.hyperparameters["cutoff_len"]?.doubleValue ?? 2048, job.gpus.count
        )
    }

    /// Samples the job passes through the optimizer, or `nil` when its datasets cannot be counted.
    static func samples(of job: TrainingJob) -> Double? {
        let parameters = job.hyperparameters
        let devices = Double(max(1, job.gpus.count))
        if let steps = parameters["max_steps"]?.doubleValue, steps > 0 {
            let batch = parameters["per_device_train_batch_size"]?.doubleValue ?? 1
            let accumulation = parameters["gradient_accumulation_steps"]?.doubleValue ?? 1
            return steps * batch * accumulation * devices
        }
        let epochs = parameters["num_train_epochs"]?.doubleValue ?? 3
        let cap = parameters["max_samples"]?.doubleValue
        var total = 0.0
        for name in job.datasets {
            guard let count = job.datasetSamples[name] ?? datasetSize(name, in: job.datasetDirectory)
            else { return nil }
            total += min(Double(count), cap ?? .infinity)
        }
        return total * epochs
    }

    /// Rows of the file `dataset_info.json` names for a dataset, read as the data tool reads them (for jobs that do
    /// not carry their validated counts).
    static func datasetSize(_ name: String, in directory: URL) -> Int? {
        guard let info = try? Data(contentsOf: directory.appendingPathComponent("dataset_info.json")),
            let entries = try? JSONDecoder().decode(JSONValue.self, from: info),
            let file = entries[name]?["file_name"]?.stringValue
        else { return nil }
        let url = file.hasPrefix("/") ? URL(fileURLWithPath: file) : directory.appendingPathComponent(file)
        return (try? DatasetBuilder.readRows(url))?.count
    }
}
