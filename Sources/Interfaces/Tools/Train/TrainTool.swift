public import AgentCore
import Foundation
import Runtime
import TrainingBackends
#if canImport(Glibc)
    import Glibc
#endif

/// `train`: submits a training job on approved datasets to the configured backend, records its progress in the
/// store and reports the result.
public struct TrainTool: Tool {
    /// The tool's arguments, as the model writes them (see ``parameters``).
    public struct Arguments: Decodable, Sendable {
        /// The iteration number (0 for the baseline).
        public var iteration: Int
        /// Approved dataset names (the default of every candidate).
        public var datasets: [String]?
        /// The training method (default `sft`).
        public var method: String?
        /// Which weights to train (default `lora`).
        public var finetuning: String?
        /// `"base"` (default) or the id of a checkpoint in `checkpoints/`.
        public var startFrom: String?
        /// Further LlamaFactory arguments.
        public var hyperparameters: [String: JSONValue]?
        /// Save a checkpoint every this many steps; each becomes a candidate `<job>-step<N>` to evaluate.
        public var saveEvery: Int?
        /// How many of the task's GPUs the job takes (default: all of them; with candidates, an equal share);
        /// more than one runs with torchrun.
        public var gpus: Int?
        /// Several configurations trained at once in this iteration, each a job of its own (its fields override
        /// the call's); they run concurrently up to the machine's capacity (GPUs, or CPU cores shared equally).
        public var candidates: [CandidateArguments]?
    }

    /// One configuration of a `train` call with several `candidates`.
    public struct CandidateArguments: Decodable, Sendable {
        /// A short name for the report (the job id identifies the candidate).
        public var name: String?
        public var datasets: [String]?
        public var method: String?
        public var finetuning: String?
        public var startFrom: String?
        /// Merged over the call's hyperparameters.
        public var hyperparameters: [String: JSONValue]?
        public var gpus: Int?
    }

    /// The run, store and services the tool acts on.
    public let environment: InterfaceEnvironment
    /// How many of the trainer's last output lines a failure report shows.
    public var logTailLines: Int

    public init(environment: InterfaceEnvironment, logTailLines: Int = 15) {
        self.environment = environment
        self.logTailLines = logTailLines
    }

    public var name: String { "train" }
    public var description: String {
        "Train on datasets approved by the data tool for this iteration, from the base model or a checkpoint, "
            + "with LoRA (default) or full fine-tuning. Blocks until the job ends; returns steps, loss, the model "
            + "to evaluate, the settings decided for the job (threads, gradient checkpointing) and, with saveEvery, "
            + "the checkpoints saved along the way, each a candidate you can evaluate to keep the best step. "
            + "candidates trains several configurations at once (a sweep), concurrently as far as the GPUs or CPU "
            + "cores allow."
    }

    public var parameters: JSONSchema {
        .object(
            properties: [
                "iteration": .integer(minimum: 1),
                "datasets": .array(
                    of: .string(), description: "Names approved in iterations/<n>/data/dataset_info.json"),
                "method": .string(allowed: TrainingMethod.allCases.map(\.rawValue)),
                "finetuning": .string(allowed: FinetuningType.allCases.map(\.rawValue)),
                "startFrom": .string(description: "'base' (default) or a checkpoint id"),
                "hyperparameters": .freeformObject(
                    description: "LlamaFactory arguments, e.g. learning_rate, num_train_epochs, lora_rank, cutoff_len"),
                "saveEvery": .integer(
                    description: "Save every N steps; each saved step becomes candidate '<job>-step<N>' to evaluate",
                    minimum: 1),
                "gpus": .integer(
                    description: "How many of the task's GPUs the job takes (default all; jobs get disjoint GPUs and "
                        + "wait for busy ones)", minimum: 0),
                "candidates": .array(
                    of: .object(
                        properties: [
                            "name": .string(description: "A short name, e.g. 'lr-1e-4'"),
                            "datasets": .array(of: .string()),
                            "method": .string(allowed: TrainingMethod.allCases.map(\.rawValue)),
                            "finetuning": .string(allowed: FinetuningType.allCases.map(\.rawValue)),
                            "startFrom": .string(),
                            "hyperparameters": .freeformObject(description: "Merged over the call's hyperparameters"),
                            "gpus": .integer(minimum: 0),
                        ], required: []),
                    description: "Several configurations trained concurrently in this iteration, each a job and a "
                        + "candidate (fields override the call's); evaluate them together with eval models=[...]"),
            ],
            required: ["iteration"])
    }

    public func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
        guard let candidates = arguments.candidates else { return try await train(arguments, share: nil) }
        guard candidates.count >= 1 else { return .error("candidates is empty: give one or more configurations.") }
        guard candidates.count <= 8 else { return .error("At most 8 candidates per call.") }
        // Each candidate: the call's fields, overridden by its own; an equal share of the machine by default.
        let each = candidates.enumerated().map { index, candidate in
            var merged = arguments
            merged.candidates = nil
            merged.datasets = candidate.datasets ?? arguments.datasets
            merged.method = candidate.method ?? arguments.method
            merged.finetuning = candidate.finetuning ?? arguments.finetuning
            merged.startFrom = candidate.startFrom ?? arguments.startFrom
            merged.gpus = candidate.gpus ?? arguments.gpus
            merged.hyperparameters = (arguments.hyperparameters ?? [:])
                .merging(candidate.hyperparameters ?? [:]) { _, own in own }
            return (name: candidate.name ?? "candidate \(index + 1)", arguments: merged)
        }
        if let missing = each.first(where: { $0.arguments.datasets?.isEmpty != false }) {
            return .error("\(missing.name) has no datasets: name approved datasets in the call or the candidate.")
        }
        // One job group: an executor that can submit the candidates as one unit (a Slurm job array) does.
        let jobs = JobGroup(size: each.count)
        let outputs = try await withThrowingTaskGroup(of: (Int, ToolOutput).self) { group in
            for (index, candidate) in each.enumerated() {
                group.addTask {
                    let output = try await JobGroup.join(jobs, member: index) {
                        try await train(candidate.arguments, share: (index, each.count))
                    }
                    return (index, output)
                }
            }
            var outputs: [(Int, ToolOutput)] = []
            for try await output in group { outputs.append(output) }
            return outputs.sorted { $0.0 < $1.0 }.map(\.1)
        }
        let text = zip(each, outputs).map { candidate, output in
            "[\(candidate.name)] " + (output.isError ? "FAILED: " : "") + output.content
        }.joined(separator: "\n\n")
        let trained = outputs.filter { !$0.isError }.count
        let summary = "\(trained) of \(each.count) candidates trained concurrently."
            + (trained > 1 ? " Evaluate them together (eval models=[...]) so that at most one is promoted, with "
                + "Holm's correction for the comparisons." : "")
        return trained == 0 ? .error(text + "\n\n" + summary) : ToolOutput(text + "\n\n" + summary)
    }

    /// One job: made from `arguments`, given its GPUs (or, as one of `share.count` candidates, its share of the
    /// CPU cores), run to its end.
    private func train(_ arguments: Arguments, share: (index: Int, count: Int)?) async throws -> ToolOutput {
        var job: TrainingJob
        do {
            job = try await makeJob(arguments)
        } catch let refusal as ToolRefusal {
            return .error(refusal.description)
        }
        // The job's GPUs: disjoint from every other job's, waited for until the job's deadline.
        var held: [Int] = []
        if let devices = environment.devices {
            let wanted = arguments.gpus ?? share.map { max(1, devices.devices.count / $0.count) } ?? devices.devices.count
            do {
                held = try await devices.acquire(wanted, until: job.deadline)
            } catch let error as DeviceSchedulerError {
                try? FileManager.default.removeItem(at: job.outputDirectory)
                return .error("Refused: \(error).")
            }
            job.gpus = held
        } else if let gpus = arguments.gpus, gpus > 0 {
            try? FileManager.default.removeItem(at: job.outputDirectory)
            return .error("Refused: the task has no GPUs (CPU only); leave gpus out.")
        } else if let share, job.cpuThreads == nil {
            job.cpuThreads = MachineCores.share(share.index, among: share.count)
        }
        // The GPUs go back when the job ends, however it ends, before the call returns.
        do {
            let output = try await run(environment.backend.prepare(job), iteration: arguments.iteration)
            if !held.isEmpty { await environment.devices?.release(held) }
            return output
        } catch {
            if !held.isEmpty { await environment.devices?.release(held) }
            throw error
        }
    }

    /// Runs a prepared job to its end, recording its progress and result.
    private func run(_ job: TrainingJob, iteration: Int) async throws -> ToolOutput {
        try await environment.store.append(TrainStarted(iteration: iteration, job: job))
        var first: TrainingProgress?
        var last: TrainingProgress?
        var tail: [String] = []
        do {
            for try await event in environment.backend.train(job) {
                switch event {
                case .started:
                    continue
                case .log(let line):
                    tail.append(Secrets.redactEnvironmentSecrets(line))
                    if tail.count > logTailLines { tail.removeFirst(tail.count - logTailLines) }
                case .progress(let progress):
                    first = first ?? progress
                    last = progress
                    try await environment.store.append(
                        TrainProgressed(
                            iteration: iteration, jobID: job.id, step: progress.step, totalSteps: progress.totalSteps,
                            loss: progress.loss, learningRate: progress.learningRate))
                case .finished(let result):
                    let workspace = environment.workspace
                    try await environment.store.append(
                        TrainFinished(
                            iteration: iteration, jobID: job.id,
                            modelDirectory: workspace.relativePath(of: result.modelDirectory),
                            wallSeconds: result.wallSeconds, metrics: result.metrics,
                            checkpoints: result.checkpoints.map {
                                TrainFinished.SavedStep(
                                    step: $0.step,
                                    modelDirectory: workspace.relativePath(of: $0.modelDirectory))
                            }, cpuThreads: result.cpuThreads))
                    return ToolOutput(report(job: job, result: result, first: first, last: last))
                }
            }
            // A cancelled job's stream ends without a result; that is the run stopping, not a training failure.
            try Task.checkCancellation()
            throw ToolRefusal("the backend ended without a result")
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as any AgentStoppingError {
            throw error
        } catch {
            let message = Secrets.redactEnvironmentSecrets("\(error)")
            try await environment.store.append(
                TrainFailed(iteration: iteration, jobID: job.id, error: message, logTail: tail))
            let at = last.map { " at step \($0.step)/\($0.totalSteps)" } ?? ""
            var text = "Training \(job.id) failed\(at): \(message)"
            if !tail.isEmpty { text += "\nLast output lines:\n" + tail.joined(separator: "\n") }
            return .error(text)
        }
    }

    private func makeJob(_ arguments: Arguments) async throws -> TrainingJob {
        guard arguments.iteration >= 1 else { throw ToolRefusal("iteration must be 1 or more.") }
        let datasets = arguments.datasets ?? []
        guard !datasets.isEmpty else {
            throw ToolRefusal("datasets is empty: name approved datasets (or give candidates).")
        }
        let method =
            try arguments.method.map { name in
                guard let method = TrainingMethod(rawValue: name) else {
                    throw ToolRefusal(
                        "Unknown method '\(name)': use one of \(TrainingMethod.allCases.map(\.rawValue)).")
                }
                return method
            } ?? .sft
        let finetuning =
            try arguments.finetuning.map { name in
                guard let type = FinetuningType(rawValue: name) else {
                    throw ToolRefusal(
                        "Unknown finetuning '\(name)': use one of \(FinetuningType.allCases.map(\.rawValue)).")
                }
                return type
            } ?? .lora
        let workspace = environment.workspace
        let paths = workspace.iteration(arguments.iteration)
        let state = RunState.rebuild(from: try await environment.store.records(), runDirectory: workspace.root)
        let approved = state.approvals[arguments.iteration] ?? [:]
        let refusals = datasets.compactMap { name -> String? in
            guard let approval = approved[name] else {
                return "dataset '\(name)' is not approved for this iteration: validate it with the data tool first"
            }
            return approval.refusal()
        }
        guard refusals.isEmpty else { throw ToolRefusal("Refused: " + refusals.joined(separator: "; ") + ".") }

        let baseModel: URL
        switch arguments.startFrom ?? "base" {
        case "base":
            baseModel = URL(fileURLWithPath: environment.task.baseModel)
        case let id:
            let folder = workspace.checkpointDirectory(id)
            guard !id.contains("/"), id != "..", FileManager.default.fileExists(atPath: folder.path) else {
                throw ToolRefusal("No checkpoint '\(id)' in checkpoints/: start from 'base' or a trained checkpoint.")
            }
            baseModel = folder
        }
        try workspace.prepareIteration(arguments.iteration)
        let id = try Self.allocateJobID(iteration: arguments.iteration, in: paths.train)
        var hyperparameters = arguments.hyperparameters ?? [:]
        if let every = arguments.saveEvery {
            guard every >= 1 else { throw ToolRefusal("saveEvery must be 1 or more steps.") }
            hyperparameters["save_strategy"] = "steps"
            hyperparameters["save_steps"] = .number(Double(every))
        }
        return TrainingJob(
            id: id, baseModel: baseModel, method: method, finetuning: finetuning, datasets: datasets,
            datasetDirectory: paths.data,
            datasetSamples: approved.compactMapValues(\.samples).filter { datasets.contains($0.key) },
            template: environment.task.template,
            hyperparameters: hyperparameters,
            outputDirectory: paths.train.appendingPathComponent(id),
            mergedModelDirectory: workspace.checkpointDirectory(id), deadline: environment.deadline)
    }

    /// The next job id of the iteration, `iter<N>-job<K>`, taken by creating its output folder: creating a folder
    /// that exists fails, so two calls at once never get the same id.
    static func allocateJobID(iteration: Int, in train: URL) throws -> String {
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: train.path)) ?? []
        var number = existing.filter { !$0.hasPrefix(".") }.count + 1
        while true {
            let id = "iter\(iteration)-job\(number)"
            if mkdir(train.appendingPathComponent(id).path, 0o755) == 0 { return id }
            guard errno == EEXIST else {
                throw ToolRefusal("cannot create the job folder \(train.appendingPathComponent(id).path): errno \(errno)")
            }
            number += 1
        }
    }

    private func report(job: TrainingJob, result: TrainingResult, first: TrainingProgress?, last: TrainingProgress?)
        -> String
    {
        var text = "Trained \(job.id) in \(String(format: "%.1f", result.wallSeconds))s"
        if let last { text += ": \(last.step)/\(last.totalSteps) steps" }
        if let start = first?.loss, let end = last?.loss {
            text += String(format: ", loss %.3f -> %.3f", start, end)
        }
        let model = environment.workspace.relativePath(of: result.modelDirectory)
        text += ". Model: \(model)."
        if !result.metrics.isEmpty {
            let metrics = result.metrics.keys.sorted().prefix(6).map {
                "\($0)=\(String(format: "%.4g", result.metrics[$0]!))"
            }
            text += " Metrics: \(metrics.joined(separator: ", "))."
        }
        if !result.checkpoints.isEmpty {
            let saved = result.checkpoints.map {
                "\($0.modelDirectory.lastPathComponent) (step \($0.step))"
            }
            text += " Saved along the way, each a candidate to evaluate: \(saved.joined(separator: ", "))."
        }
        if !job.choices.isEmpty {
            text += " Settings decided for this job: " + job.choices.map(\.summary).joined(separator: "; ") + "."
        }
        if let ran = result.cpuThreads, ran != job.cpuThreads {
            text += " It ran with \(ran) thread(s): other jobs on this machine held the other cores."
        }
        return text + " Next: evaluate it (eval model=\(model))."
    }
}
