public import AgentCore
public import Foundation
import Runtime

/// One setting decided for a job, with the reason, recorded with the job and shown to the agent.
public struct TrainingChoice: Sendable, Hashable, Codable {
    /// The setting: a LlamaFactory key (`disable_gradient_checkpointing`) or `threads`.
    public var key: String
    /// The value chosen.
    public var value: JSONValue
    /// Why, in one line with the numbers behind it.
    public var reason: String

    /// Creates a choice.
    public init(key: String, value: JSONValue, reason: String) {
        self.key = key
        self.value = value
        self.reason = reason
    }

    /// `key=value (reason)`.
    public var summary: String { "\(key)=\(value.compactText) (\(reason))" }
}

/// The settings a job gets when it does not set them itself: threads for the cores it was given, gradient
/// checkpointing from a memory estimate, packing, and data loading for the device.
///
/// Measured on the 2-core CPU machine kind (LoRA r16, batch 8, cutoff 96, SmolLM2-135M): one thread on two cores
/// ran 8.5 s/step, two threads 5.0 s/step, two threads without gradient checkpointing 3.3 s/step. Gradient
/// checkpointing trades a second forward pass for memory; it is kept only where the estimate says the job would not
/// fit without it. A value the job sets itself is never changed (the choice then says so).
public enum TrainingDefaults {
    /// Share of the available memory the estimate may use before checkpointing is kept on.
    public static let memoryHeadroom = 0.6

    /// `job` with its settings decided: `cpuThreads`, the chosen hyperparameters merged in where the job has none,
    /// and every decision in `choices`. Deciding again is harmless (it keeps what is set).
    ///
    /// - Parameters:
    ///   - job: the job as asked for.
    ///   - hardware: what it runs on.
    ///   - environment: the environment the job starts from (an `OMP_NUM_THREADS` there is honoured).
    public static func apply(
        to job: TrainingJob, hardware: Hardware,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> TrainingJob {
        var job = job
        let threads = threadCount(job: job, hardware: hardware, environment: environment)
        job.cpuThreads = threads.count
        var choices = [TrainingChoice(key: "threads", value: .number(Double(threads.count)), reason: threads.reason)]
        for choice in settings(for: job, hardware: hardware) {
            if let own = job.hyperparameters[choice.key] {
                // Decided before (keep that reason), or set by whoever wrote the job.
                let earlier = job.choices.first { $0.key == choice.key && $0.value == own }
                choices.append(earlier ?? TrainingChoice(key: choice.key, value: own, reason: "set by the job"))
            } else {
                job.hyperparameters[choice.key] = choice.value
                choices.append(choice)
            }
        }
        job.choices = choices
        return job
    }

    /// The threads of the cores the job was given: its own `cpuThreads`, else `OMP_NUM_THREADS` from the
    /// environment, else all cores. At launch the backend leases that many of the machine's cores
    /// (`MachineCores`): a job alone gets them all, jobs side by side get the free ones.
    static func threadCount(job: TrainingJob, hardware: Hardware, environment: [String: String])
        -> (count: Int, reason: String)
    {
        if let threads = job.cpuThreads {
            if let earlier = job.choices.first(where: { $0.key == "threads" }), earlier.value == .number(Double(threads))
            {
                return (threads, earlier.reason)
            }
            return (threads, "the \(threads) of \(hardware.cpuCores) cores given to this job")
        }
        if let set = MachineCores.requestedThreads(environment: environment) {
            return (set, "OMP_NUM_THREADS=\(set) is set in the environment")
        }
        return (hardware.cpuCores, "all \(hardware.cpuCores) cores: the job runs alone")
    }

    /// The hyperparameters decided for the job's device and size (before honouring the job's own values).
    static func settings(for job: TrainingJob, hardware: Hardware) -> [TrainingChoice] {
        var choices = [gradientCheckpointing(job: job, hardware: hardware)]
        choices.append(
            TrainingChoice(
                key: "packing", value: false,
                reason: "samples are padded per batch to the longest; packing would drop samples over cutoff_len and "
                    + "let packed samples attend to each other"))
        if job.gpus.isEmpty {
            choices.append(
                TrainingChoice(
                    key: "dataloader_num_workers", value: 0,
                    reason: "on CPU a loader worker takes a core from the training threads"))
            choices.append(
                TrainingChoice(
                    key: "dataloader_pin_memory", value: false, reason: "pinned memory only helps copies to a GPU"))
        } else {
            let workers = max(1, min(4, hardware.cpuCores / max(1, job.gpus.count) - 1))
            choices.append(
                TrainingChoice(
                    key: "dataloader_num_workers", value: .number(Double(workers)),
                    reason: "\(workers) loader worker(s) per GPU keep batches ready while the GPU computes"))
        }
        return choices
    }

    /// Off (`disable_gradient_checkpointing: true`) when the job's estimated peak memory without it fits in
    /// ``memoryHeadroom`` of the device's memory; on (LlamaFactory's default) otherwise or when unknown.
    static func gradientCheckpointing(job: TrainingJob, hardware: Hardware) -> TrainingChoice {
        let key = "disable_gradient_checkpointing"
        let available: Int64?
        let device: String
        if job.gpus.isEmpty {
            available = hardware.availableMemoryBytes
            device = "RAM"
        } else {
            let sizes = job.gpus.compactMap { hardware.gpuMemoryBytes[$0] }
            available = sizes.count == job.gpus.count ? sizes.min() : nil
            device = "GPU memory"
        }
        guard let model = ModelShape(folder: job.baseModel) else {
            return TrainingChoice(
                key: key, value: false,
                reason: "kept on: the base model's config.json could not be read for a memory estimate")
        }
        guard let available else {
            return TrainingChoice(key: key, value: false, reason: "kept on: the \(device) available is unknown")
        }
        let estimate = MemoryEstimate(job: job, model: model)
        let budget = Double(available) * memoryHeadroom
        let fits = Double(estimate.withoutCheckpointing) <= budget
        let numbers =
            "estimated peak \(formatBytes(estimate.withoutCheckpointing)) without it (batch \(estimate.batch), "
            + "sequence \(estimate.sequence), \(formatCount(model.parameters)) parameters, \(estimate.bytesPerValue)-"
            + "byte values) against \(formatBytes(available)) \(device) available"
        if fits {
            return TrainingChoice(
                key: key, value: true,
                reason: "off: \(numbers); checkpointing would recompute the forward pass (1.5x slower measured here)")
        }
        return TrainingChoice(
            key: key, value: false,
            reason: "kept on: \(numbers), more than \(Int(memoryHeadroom * 100))% of it")
    }

    static func formatBytes(_ bytes: Int64) -> String {
        let gib = Double(bytes) / 1_073_741_824
        return gib >= 1 ? String(format: "%.1f GiB", gib) : String(format: "%.0f MiB", Double(bytes) / 1_048_576)
    }

    static func formatCount(_ count: Int64) -> String {
        count >= 1_000_000_000
            ? String(format: "%.1fB", Double(count) / 1e9) : String(format: "%.0fM", Double(count) / 1e6)
    }
}

/// A transformer's size, read from its `config.json`.
public struct ModelShape: Sendable, Hashable {
    public var hiddenSize: Int64
    public var layers: Int64
    public var heads: Int64
    public var vocabularySize: Int64
    public var intermediateSize: Int64
    /// Parameters: embeddings plus, per layer, attention (4·h², fewer with grouped KV heads) and a gated MLP
    /// (3·h·intermediate).
    public var parameters: Int64

    /// Reads `folder/config.json` (a text config nested under `text_config` too); `nil` when unreadable.
    public init?(folder: URL) {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("config.json").path),
            var config = try? JSONDecoder().decode(JSONValue.self, from: data)
        else { return nil }
        if let text = config["text_config"], text["hidden_size"] != nil { config = text }
        func int(_ key: String) -> Int64? { config[key]?.doubleValue.map { Int64($0) } }
        guard let hidden = int("hidden_size"), let layers = int("num_hidden_layers"), hidden > 0, layers > 0 else {
            return nil
        }
        let heads = int("num_attention_heads") ?? max(1, hidden / 64)
        let kvHeads = int("num_key_value_heads") ?? heads
        let vocabulary = int("vocab_size") ?? 32_000
        let intermediate = int("intermediate_size") ?? 4 * hidden
        let headSize = hidden / max(1, heads)
        let attention = 2 * hidden * hidden + 2 * hidden * kvHeads * headSize
        let tied = config["tie_word_embeddings"]?.boolValue ?? false
        self.hiddenSize = hidden
        self.layers = layers
        self.heads = heads
        self.vocabularySize = vocabulary
        self.intermediateSize = intermediate
        self.parameters = vocabulary * hidden * (tied ? 1 : 2) + layers * (attention + 3 * hidden * intermediate)
    }
}

/// Peak training memory of a job without gradient checkpointing (a deliberate over-estimate): what decides whether
/// checkpointing is needed.
///
/// Weights, gradients and Adam state (full fine-tuning: 4 values per parameter; LoRA: the weights only), the
/// activations per layer (about 34·b·s·h + 5·b·a·s² values, after Korthikanti et al. 2022), and the logits with
/// their softmax and gradient (3·b·s·vocab).
public struct MemoryEstimate: Sendable, Hashable {
    public var batch: Int64
    public var sequence: Int64
    public var bytesPerValue: Int64
    public var withoutCheckpointing: Int64

    /// Estimates `job` on `model`; batch and sequence default as in LlamaFactory (8 and 2048).
    public init(job: TrainingJob, model: ModelShape) {
        let parameters = job.hyperparameters
        batch = Int64(parameters["per_device_train_batch_size"]?.doubleValue ?? 8)
        sequence = Int64(parameters["cutoff_len"]?.doubleValue ?? 2048)
        let halfPrecision =
            parameters["bf16"]?.boolValue == true || parameters["fp16"]?.boolValue == true
            || (!job.gpus.isEmpty && parameters["bf16"] == nil && parameters["fp16"] == nil)
        bytesPerValue = halfPrecision ? 2 : 4
        let states: Int64 = job.finetuning == .lora ? 1 : 4
        let weights = model.parameters * 4 * states
        let perLayer = (34 * batch * sequence * model.hiddenSize + 5 * batch * model.heads * sequence * sequence)
            * bytesPerValue
        let logits = 3 * batch * sequence * model.vocabularySize * 4
        withoutCheckpointing = weights + model.layers * perLayer + logits
    }
}
