import AgentCore
import Foundation
public import Runtime
import Synchronization

/// Trains with LlamaFactory (`llamafactory-cli train`) in the managed Python environment.
///
/// For each job it compiles and validates the config (unknown keys, template names and template/model mismatches
/// are caught before launch), provisions the venv if needed, runs `llamafactory-cli train <config>.yaml` in its own
/// process group (venv `bin` first on `PATH`, unbuffered, offline), and streams:
/// `.started`, one `.log` per output line, `.progress` from `<output_dir>/trainer_log.jsonl` while it runs, and
/// `.finished` with the metrics of `all_results.json`. Success means exit 0 *and* the results file *and* the
/// weights exist. With `mergedModelDirectory` set it then makes a loadable model folder there: a LoRA adapter is
/// merged by `llamafactory-cli export`; full and freeze training wrote a whole model, whose files are linked in
/// (no second pass over the weights).
///
/// Beside the output folder `<out>` it writes `<out>_train_config.yaml`, `<out>_export_config.yaml` and the whole
/// console output in `<out>_train.log` (and `<out>_export.log`).
///
/// With a remote executor (`SSHExecutor`), the configs name the paths as the executor sees them
/// (`Executor.location(of:)`); the base model, dataset folder and config are staged in before launch, and the
/// output (or merged) folder is staged out after a successful run.
///
/// Cancelling (dropping the stream) or reaching `job.deadline` tears down the whole process group, torchrun
/// workers included. Failures are thrown as `TrainingFailure`, diagnosed from the log.
public struct LlamaFactoryBackend: TrainingBackend {
    /// The Python environment that runs LlamaFactory.
    public var environment: PythonEnvironment
    /// Whether `train` first calls `environment.ensure()` (a fast no-op once provisioned).
    public var provisionsEnvironment: Bool
    /// Where `llamafactory-cli` runs.
    public var executor: any Executor
    /// The machine the jobs run on, for their settings (``TrainingDefaults``); describe a remote one by hand.
    public var hardware: Hardware
    /// Train with LlamaFactory's own Ray mode (workers across a Ray cluster's nodes; with ``RayJobsExecutor``);
    /// `nil` runs one `llamafactory-cli train` (torchrun for several GPUs).
    public var rayTraining: RayTraining?

    /// Creates a backend.
    ///
    /// - Parameters:
    ///   - environment: The venv to run in.
    ///   - provisionsEnvironment: Whether to provision the venv before the first job.
    ///   - executor: Where the processes run.
    ///   - hardware: The machine the jobs run on (this one by default).
    ///   - rayTraining: LlamaFactory's Ray mode for training, or `nil`.
    public init(
        environment: PythonEnvironment = PythonEnvironment(), provisionsEnvironment: Bool = true,
        executor: any Executor = LocalExecutor(), hardware: Hardware = .detect(), rayTraining: RayTraining? = nil
    ) {
        self.environment = environment
        self.provisionsEnvironment = provisionsEnvironment
        self.executor = executor
        self.hardware = hardware
        self.rayTraining = rayTraining
    }

    /// `job` with threads, gradient checkpointing, packing and data loading decided for ``hardware``
    /// (``TrainingDefaults``); values the job sets itself are kept.
    public func prepare(_ job: TrainingJob) -> TrainingJob {
        TrainingDefaults.apply(to: job, hardware: hardware)
    }

    /// Runs `job`; see the type's documentation for the events and failures.
    public func train(_ job: TrainingJob) -> AsyncThrowingStream<TrainingEvent, any Error> {
        .producing { continuation in
            let result = try await run(job) { continuation.yield($0) }
            continuation.yield(.finished(result))
        }
    }

    /// The files written beside the output folder.
    struct SideFiles {
        var trainConfig: URL
        var exportConfig: URL
        var trainLog: URL
        var exportLog: URL

        init(outputDirectory: URL) {
            let parent = outputDirectory.deletingLastPathComponent()
            let name = outputDirectory.lastPathComponent
            trainConfig = parent.appendingPathComponent("\(name)_train_config.yaml")
            exportConfig = parent.appendingPathComponent("\(name)_export_config.yaml")
            trainLog = parent.appendingPathComponent("\(name)_train.log")
            exportLog = parent.appendingPathComponent("\(name)_export.log")
        }
    }

    /// Holds the job's cores on this machine (``PythonEnvironment/cores``) while it runs locally: the free ones
    /// up to its `cpuThreads`, waiting while none is free; its threads are the cores it got.
    private func run(
        _ job: TrainingJob, emit: @escaping @Sendable (TrainingEvent) -> Void
    ) async throws -> TrainingResult {
        let start = ContinuousClock.now
        let prepared = prepare(job)
        guard executor is LocalExecutor else {
            return try await run(prepared, start: start, emit: emit)
        }
        let wanted = prepared.cpuThreads ?? hardware.cpuCores
        return try await environment.cores.withCores(
            upTo: wanted, deadline: job.deadline,
            onWait: { emit(.log("[cores] every core is held by other AutoTrainess jobs; waiting for one")) }
        ) { cores in
            var leased = prepared
            leased.cpuThreads = cores
            if cores < wanted {
                emit(.log("[cores] \(cores) of the \(wanted) cores asked for were free: running with \(cores) thread(s)"))
            }
            return try await run(prepare(leased), start: start, emit: emit)
        }
    }

    private func run(
        _ job: TrainingJob, start: ContinuousClock.Instant, emit: @escaping @Sendable (TrainingEvent) -> Void
    ) async throws
        -> TrainingResult
    {
        var trainConfig = try LlamaFactoryConfig.training(for: placed(job))
        if let rayTraining {
            trainConfig.values["ray_num_workers"] = .number(Double(rayTraining.workers))
        }
        _ = try LlamaFactoryConfig.export(for: placed(job))  // its checks, before anything is launched
        try TemplateCompatibility.check(
            template: job.template, modelDirectory: job.baseModel.standardizedFileURL)
        if provisionsEnvironment {
            try await environment.ensure { emit(.log("[environment] " + $0)) }
        }
        let output = job.outputDirectory.standardizedFileURL
        let files = SideFiles(outputDirectory: output)
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try trainConfig.write(to: files.trainConfig)
        let inputs = [job.baseModel, job.datasetDirectory].map(\.standardizedFileURL)
        try await executor.stageIn(
            inputs.filter { FileManager.default.fileExists(atPath: $0.path) } + [files.trainConfig])

        let outcome = try await launch(
            "train", config: files.trainConfig, log: files.trainLog, job: job, emit: emit,
            progressLog: output.appendingPathComponent("trainer_log.jsonl"), outputs: [output]
        )
        try check(outcome, log: files.trainLog, job: job)
        try checkTrainingOutputs(in: output, job: job, outcome: outcome)

        var modelDirectory = output
        if job.mergedModelDirectory != nil {
            modelDirectory = try await makeLoadable(job, trainingLogTail: outcome.outputTail, emit: emit)
        }
        let checkpoints = try await makeCheckpointsLoadable(job, output: output, emit: emit)
        var metrics = TrainerLog.metrics(fromResultsFile: output.appendingPathComponent("all_results.json"))
        if metrics.isEmpty {
            metrics = TrainerLog.metrics(fromResultsFile: output.appendingPathComponent("train_results.json"))
        }
        let wall = ContinuousClock.now - start
        return TrainingResult(
            jobID: job.id, outputDirectory: output, modelDirectory: modelDirectory, metrics: metrics,
            wallSeconds: Double(wall.components.seconds) + Double(wall.components.attoseconds) * 1e-18,
            checkpoints: checkpoints, cpuThreads: job.cpuThreads
        )
    }

    /// Turns each `checkpoint-N` the trainer saved before its last step into a loadable model folder beside the
    /// merged model (``TrainingJob/checkpointModelDirectory(step:)``): a LoRA adapter is merged by export, a full
    /// model is linked. The trainer's raw checkpoint folders are removed afterwards to bound disk use; without a
    /// merged model they are kept as they are.
    private func makeCheckpointsLoadable(
        _ job: TrainingJob, output: URL, emit: @escaping @Sendable (TrainingEvent) -> Void
    ) async throws -> [TrainingCheckpoint] {
        let fileManager = FileManager.default
        let steps = ((try? fileManager.contentsOfDirectory(atPath: output.path)) ?? []).compactMap { name in
            name.hasPrefix("checkpoint-") ? Int(name.dropFirst("checkpoint-".count)) : nil
        }.sorted()
        guard job.mergedModelDirectory != nil, let last = steps.last else { return [] }
        let finalStep = TrainerLog.lastStep(in: output.appendingPathComponent("trainer_log.jsonl")) ?? last
        var checkpoints: [TrainingCheckpoint] = []
        for step in steps {
            let raw = output.appendingPathComponent("checkpoint-\(step)", isDirectory: true)
            defer { try? fileManager.removeItem(at: raw) }
            guard step < finalStep, let target = job.checkpointModelDirectory(step: step) else { continue }
            var saved = job
            saved.outputDirectory = raw
            saved.mergedModelDirectory = target
            let model = try await makeLoadable(saved, trainingLogTail: [], emit: emit)
            // The export's side files lie beside the raw checkpoint, inside the output folder.
            let files = SideFiles(outputDirectory: raw)
            try? fileManager.removeItem(at: files.exportConfig)
            try? fileManager.removeItem(at: files.exportLog)
            checkpoints.append(TrainingCheckpoint(step: step, modelDirectory: model))
        }
        return checkpoints
    }

    /// Makes the weights a job trained into `job.outputDirectory` a loadable model folder at
    /// `job.mergedModelDirectory`: a LoRA adapter is merged by `llamafactory-cli export`; full and freeze training
    /// wrote a whole model, whose files are linked in (no second pass over the weights).
    /// - Returns: the model folder.
    private func makeLoadable(
        _ job: TrainingJob, trainingLogTail: [String], emit: @escaping @Sendable (TrainingEvent) -> Void
    ) async throws -> URL {
        let absolute = { (url: URL) in URL(fileURLWithPath: url.standardizedFileURL.path, isDirectory: true) }
        let model = absolute(job.mergedModelDirectory ?? job.outputDirectory)
        let baseModel = absolute(job.baseModel)
        var logTail = trainingLogTail
        if job.finetuning == .lora, let config = try LlamaFactoryConfig.export(for: placed(job)) {
            let files = SideFiles(outputDirectory: absolute(job.outputDirectory))
            try config.write(to: files.exportConfig)
            try await executor.stageIn([files.exportConfig])
            let outcome = try await launch(
                "export", config: files.exportConfig, log: files.exportLog, job: job, emit: emit, progressLog: nil,
                outputs: [model])
            try check(outcome, log: files.exportLog, job: job)
            logTail = outcome.outputTail
        } else {
            try MergedModel.collect(from: absolute(job.outputDirectory), into: model, baseModel: baseModel)
        }
        try MergedModel.finish(model, baseModel: baseModel, logTail: logTail)
        return model
    }

    /// `job` with its paths (absolute) as the executor's processes see them, for the configs.
    private func placed(_ job: TrainingJob) -> TrainingJob {
        var placed = job
        let place = { (url: URL) in URL(fileURLWithPath: executor.location(of: url.standardizedFileURL.path)) }
        placed.baseModel = place(job.baseModel)
        placed.datasetDirectory = place(job.datasetDirectory)
        placed.outputDirectory = place(job.outputDirectory)
        placed.mergedModelDirectory = job.mergedModelDirectory.map(place)
        return placed
    }

    /// The environment for `llamafactory-cli`: the venv's, plus device selection for the job.
    ///
    /// In Ray mode (`ray`) LlamaFactory copies the driver's environment into every worker: the threads are a
    /// worker's CPUs, and this machine's devices and torchrun settings stay here.
    func launchEnvironment(
        for job: TrainingJob, ray: RayTraining? = nil, base: [String: String] = ProcessInfo.processInfo.environment
    )
        -> [String: String]
    {
        if let ray {
            var values = environment.processEnvironment(base: base, threads: max(1, Int(ray.cpusPerWorker)))
            values["USE_V1"] = nil
            for name in ["FORCE_TORCHRUN", "NPROC_PER_NODE", "CUDA_VISIBLE_DEVICES"] { values[name] = nil }
            values["USE_RAY"] = "1"
            values["AUTOTRAINESS_RAY_CPUS_PER_WORKER"] = String(ray.cpusPerWorker)
            return values
        }
        var values = environment.processEnvironment(base: base, threads: job.cpuThreads)
        values["USE_V1"] = nil
        if !job.gpus.isEmpty {
            values["CUDA_VISIBLE_DEVICES"] = job.gpus.map(String.init).joined(separator: ",")
        }
        let usesDeepSpeed = job.hyperparameters["deepspeed"] != nil
        if job.gpus.count > 1 || usesDeepSpeed {
            values["FORCE_TORCHRUN"] = "1"
            values["NPROC_PER_NODE"] = String(max(1, job.gpus.count))
        }
        return values
    }

    private func launch(
        _ subcommand: String, config: URL, log: URL, job: TrainingJob,
        emit: @escaping @Sendable (TrainingEvent) -> Void, progressLog: URL?, outputs: [URL]
    ) async throws -> ProcessOutcome {
        // Training in Ray mode runs LlamaFactory's CLI through the launcher that sizes its placement group.
        let ray = subcommand == "train" ? rayTraining : nil
        let spec = ProcessSpec(
            executable: ray == nil
                ? environment.binDirectory.appendingPathComponent("llamafactory-cli").path
                : environment.pythonExecutable.path,
            arguments: ray == nil ? [subcommand, config.path] : [RayTraining.launcher.path, config.path],
            environment: launchEnvironment(for: job, ray: ray),
            workingDirectory: config.deletingLastPathComponent(),
            deadline: job.deadline
        )
        emit(.started(command: spec.commandLine))
        let logFile = try LogFile(log)
        defer { logFile.close() }
        return try await withThrowingTaskGroup(of: ProcessOutcome?.self) { group in
            group.addTask {
                let outcome = try await executor.run(spec) { line in
                    logFile.write(line.text)
                    emit(.log(line.text))
                }
                // Outputs written where the job ran come back before the progress log's last read.
                if outcome.succeeded {
                    try await executor.stageOut(outputs)
                }
                return outcome
            }
            if let progressLog {
                group.addTask {
                    var tail = TrainerLogTail(file: progressLog)
                    while !Task.isCancelled {
                        for progress in tail.read() {
                            emit(.progress(progress))
                        }
                        try? await Task.sleep(for: .seconds(1))
                    }
                    // One last read: the trainer appends its final lines just before exiting.
                    for progress in tail.read() {
                        emit(.progress(progress))
                    }
                    return nil
                }
            }
            let outcome = try await group.next()
            group.cancelAll()
            while try await group.next() != nil {}
            guard let outcome = outcome ?? nil else {
                throw CancellationError()
            }
            return outcome
        }
    }

    private func check(_ outcome: ProcessOutcome, log: URL, job: TrainingJob) throws {
        if outcome.timedOut {
            throw TrainingFailure(
                cause: .deadlineReached,
                message: "The job reached its deadline (\(job.deadline.map { "\($0)" } ?? "")) and was stopped.",
                fix: "Ask for fewer steps (max_steps), a smaller cutoff_len or model, or a later deadline.",
                exitCode: outcome.exitCode, logTail: Array(outcome.outputTail.suffix(40))
            )
        }
        guard outcome.succeeded else {
            let lines =
                (try? String(contentsOf: log, encoding: .utf8)).map {
                    Array($0.split(separator: "\n", omittingEmptySubsequences: false).suffix(400).map(String.init))
                } ?? outcome.outputTail
            throw LlamaFactoryDiagnosis.diagnose(lines: lines, exitCode: outcome.exitCode, signal: outcome.signal)
        }
    }

    /// Exit 0 is not enough: an unknown subcommand or an early return also exits 0.
    private func checkTrainingOutputs(in output: URL, job: TrainingJob, outcome: ProcessOutcome) throws {
        let fileManager = FileManager.default
        let hasResults = ["all_results.json", "train_results.json"].contains {
            fileManager.fileExists(atPath: output.appendingPathComponent($0).path)
        }
        let names = (try? fileManager.contentsOfDirectory(atPath: output.path)) ?? []
        let hasWeights: Bool
        if job.finetuning == .lora {
            hasWeights = names.contains { $0.hasPrefix("adapter_model.") }
        } else {
            hasWeights = names.contains {
                ($0.hasPrefix("model") && $0.hasSuffix(".safetensors")) || $0.hasPrefix("pytorch_model")
            }
        }
        guard hasResults, hasWeights else {
            var missing: [String] = []
            if !hasResults { missing.append("all_results.json") }
            if !hasWeights { missing.append(job.finetuning == .lora ? "adapter_model.safetensors" : "model weights") }
            throw TrainingFailure(
                cause: .missingOutputs,
                message: "llamafactory-cli exited 0 but \(output.path) lacks \(missing.joined(separator: " and ")).",
                fix: "Read the log tail: the run ended before training (for example an unknown subcommand or a "
                    + "config that trains nothing, such as max_steps 0).",
                exitCode: outcome.exitCode, logTail: Array(outcome.outputTail.suffix(40))
            )
        }
    }
}

/// The whole console output of a run, written as it arrives.
private final class LogFile: Sendable {
    private let handle: Mutex<FileHandle?>

    init(_ url: URL) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        handle = Mutex(try FileHandle(forWritingTo: url))
    }

    func write(_ line: String) {
        handle.withLock { try? $0?.write(contentsOf: Data((line + "\n").utf8)) }
    }

    func close() {
        handle.withLock {
            try? $0?.close()
            $0 = nil
        }
    }
}
