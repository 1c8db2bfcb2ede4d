import AgentCore
import DataEngine
import Evaluation
public import Foundation
import Interfaces
import Reporting
import Runtime
import TrainingBackends

/// Who takes the decisions in a run.
public enum RunDriver: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The task's ``Recipe``, followed by ``RecipePolicy`` (no language model).
    case recipe
    /// A language model, by provider name (see `ProviderFactory`), model and optional API root.
    case model(provider: String, model: String, baseURL: String?)
    /// An agent outside this process, calling the run's tools through a ``WorkflowGateway`` (`autotrainess mcp`).
    case external(String)

    public var description: String {
        switch self {
        case .recipe: "the built-in recipe policy (no language model)"
        case .model(let provider, let model, _): "\(provider) model \(model)"
        case .external(let agent): "an external agent over \(agent)"
        }
    }
}

/// How the agent's shell (`run_command`) of a run is set up.
public struct ShellOptions: Sendable, Hashable, Codable {
    /// No sandbox: the shell can do whatever the user running AutoTrainess can (`--unsafe-shell`).
    public var unsafe: Bool
    /// Whether sandboxed commands reach the network (off with `--unshare-net`).
    public var network: Bool

    /// Sandboxed with network by default.
    public init(unsafe: Bool = false, network: Bool = true) {
        self.unsafe = unsafe
        self.network = network
    }
}

/// Everything needed to start or resume a run: creates the run folder from a ``TaskSpec`` and assembles the
/// workflow (store, registry, budget, integrity guard, backend, evaluator, data checks, tools, driver) over it.
///
/// ```swift
/// let launcher = RunLauncher()
/// let workspace = try launcher.create(spec: try TaskSpec.load(from: taskFile), runsDirectory: runs, driver: .recipe)
/// let outcome = try await launcher.run(workspace)   // the same call resumes a killed run
/// ```
public struct RunLauncher: Sendable {
    /// The managed Python environment training and evaluation run in.
    public var python: PythonEnvironment
    /// Where progress lines go (training steps, evaluations, stage changes); the library never prints them itself.
    public var progress: @Sendable (String) -> Void
    /// A provider to use instead of the one named in the run (for library users with their own ``ModelProvider``).
    public var providerOverride: (any ModelProvider)?

    /// Creates a launcher.
    public init(
        python: PythonEnvironment = PythonEnvironment(), progress: @escaping @Sendable (String) -> Void,
        providerOverride: (any ModelProvider)? = nil, shell: ShellOptions = ShellOptions()
    ) {
        self.python = python
        self.progress = progress
        self.providerOverride = providerOverride
        self.shell = shell
    }

    /// How the agent's shell of the runs this launcher creates is set up (recorded in their `run.json`).
    public var shell: ShellOptions
    /// How often a PostTrainBench run re-reads its task's `timer.sh` (``PostTrainBenchTimerWatch``).
    public var timerInterval: Duration = .seconds(60)

    /// The file, inside the run, that keeps the start-of-run hashes of the protected evaluation files.
    static let integrityFile = "integrity.json"

    /// Creates a run folder for `spec`: `run.json` (task, driver, budget), the layout, and the hashes of the
    /// evaluation files taken now.
    /// - Throws: ``TaskSpecError`` for an unusable task, `WorkspaceError` for I/O failures.
    public func create(
        spec: TaskSpec, runsDirectory: URL, runID: String? = nil, driver: RunDriver, now: Date = Date()
    ) throws -> Workspace {
        if case .recipe = driver, spec.recipe == nil {
            throw TaskSpecError.invalid(
                path: spec.name, field: "recipe",
                problem: "no language model is configured and the task has no recipe; "
                    + "pass --provider and --model, or add a recipe to the task")
        }
        let (total, reserve) = try spec.budgetSeconds()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd-HHmmss"
        let id = runID ?? "\(formatter.string(from: now))-\(spec.name)"
        let manifest = RunManifest(
            runID: id, createdAt: now, task: spec.profile,
            config: [
                "spec": try JSONValue(encoding: spec),
                "driver": try JSONValue(encoding: driver),
                "shell": try JSONValue(encoding: shell),
            ], versions: ["autotrainess": AutoTrainessVersion.current],
            budget: RunBudget(totalSeconds: total, reserveSeconds: reserve, maxCostUSD: spec.maxCostUSD))
        let (workspace, _) = try Workspace.create(at: runsDirectory.appendingPathComponent(id), manifest: manifest)
        let guardFile = workspace.root.appendingPathComponent(Self.integrityFile)
        if !FileManager.default.fileExists(atPath: guardFile.path) {
            let data = try JSONEncoder().encode(try spec.integrityGuard())
            try data.write(to: guardFile, options: .atomic)
        }
        return workspace
    }

    /// Runs the workflow over `workspace` until it finishes, its budget ends, or it fails; calling it again on the
    /// same folder resumes from the store.
    /// - Throws: configuration errors (task, provider, Python environment), store and registry failures.
    public func run(_ workspace: Workspace) async throws -> WorkflowOutcome {
        // Checked before opening, so that the refusal comes at once.
        if let driver = try? workspace.readManifest().config["driver"]?.decode(as: RunDriver.self),
            case .external = driver
        {
            throw Self.drivenElsewhere(workspace, driver)
        }
        let run = try await open(workspace)
        defer { run.close() }
        let provider: any ModelProvider
        let model: String
        if let providerOverride {
            (provider, model) = (providerOverride, run.driver.modelName)
        } else {
            switch run.driver {
            case .recipe:
                guard let recipe = run.spec.recipe else {
                    throw TaskSpecError.invalid(path: workspace.runFile.path, field: "recipe", problem: "missing")
                }
                (provider, model) = (
                    RecipePolicy(recipe: recipe, store: run.store, runDirectory: workspace.root), run.driver.modelName
                )
            case .model(let name, let modelName, let baseURL):
                provider = try ProviderFactory.make(
                    provider: name, model: modelName, baseURL: baseURL.flatMap(URL.init(string:)))
                model = modelName
            case .external:
                throw Self.drivenElsewhere(workspace, run.driver)
            }
        }
        let runner = WorkflowRunner(
            workflow: run.workflow, provider: provider, model: model, tools: run.tools, store: run.store,
            registry: run.registry, budget: run.budget)
        progress("Run \(workspace.root.path): driven by \(run.driver).")
        let outcome = try await runner.run(task: run.brief)
        // A PostTrainBench submission is checked before the report (which shows the checks), and the trace, which
        // carries the report, is copied after it.
        let settings = run.spec.posttrainbench
        if let settings { await submit(outcome, of: run.spec, settings: settings, store: run.store) }
        writeReport(workspace)
        if let settings { keepTrace(workspace, outcome: outcome, settings: settings) }
        return outcome
    }

    /// PostTrainBench's end of a run: `final_model/` copied into the task folder in place, then checked the way the
    /// benchmark does: the judge's model-identity check against the base model, and loading it in the run's Python
    /// environment and generating once. Said in the progress lines and recorded (``SubmissionChecked``).
    func submit(
        _ outcome: WorkflowOutcome, of spec: TaskSpec, settings: PostTrainBenchSettings, store: any ExperimentStore
    ) async {
        let destination = URL(fileURLWithPath: settings.taskDirectory).appendingPathComponent("final_model")
        do {
            let source = URL(fileURLWithPath: outcome.finalModel)
            let files = try PostTrainBenchSubmission.export(from: source, to: destination)
            progress("Submission: \(destination.path) now holds '\(outcome.best)' (\(files.count) files, written in place).")
            let mismatches = try PostTrainBenchSubmission.identityMismatches(
                candidate: destination, base: URL(fileURLWithPath: spec.baseModel))
            progress(
                mismatches.isEmpty
                    ? "Model identity: final_model/config.json matches the base model ("
                        + PostTrainBenchSubmission.identityFields.joined(separator: ", ") + ")."
                    : "Model identity: final_model/ is NOT the base model's architecture: "
                        + mismatches.joined(separator: "; ") + ". The benchmark's judge would refuse it.")
            let check = await PostTrainBenchSubmission.loadCheck(
                model: destination, python: spec.evaluationEnvironment ?? python)
            let detail = check.loaded
                ? "generated \(String(reflecting: check.generated ?? "")) with transformers \(check.transformers ?? "?")"
                : "did not load: \(check.error ?? "unknown error")"
            progress("Load check: final_model/ \(detail).")
            _ = try? await store.append(
                SubmissionChecked(
                    destination: destination.path, best: outcome.best, identityMismatches: mismatches,
                    loaded: check.loaded, detail: detail))
        } catch {
            progress("Submission to \(destination.path) failed: \(error)")
            _ = try? await store.append(
                SubmissionChecked(
                    destination: destination.path, best: outcome.best, identityMismatches: [], loaded: false,
                    detail: "not written: \(error)"))
        }
    }

    /// After the submission: the run's trace copied into the task folder for the judges
    /// (`autotrainess_trace/<run id>/`), and the intermediate checkpoints the benchmark would delete removed.
    func keepTrace(_ workspace: Workspace, outcome: WorkflowOutcome, settings: PostTrainBenchSettings) {
        let trace = URL(fileURLWithPath: settings.taskDirectory)
            .appendingPathComponent("autotrainess_trace").appendingPathComponent(workspace.root.lastPathComponent)
        do {
            let copied = try PostTrainBenchSubmission.copyTrace(of: workspace.root, to: trace)
            progress("Trace for the judges: \(copied.files) files (\(copied.bytes / 1024) KiB) in \(trace.path).")
        } catch {
            progress("The run's trace could not be copied to \(trace.path): \(error)")
        }
        let removed = PostTrainBenchSubmission.removeIntermediateCheckpoints(in: workspace.root, keep: outcome.best)
        if removed.folders > 0 {
            progress("Removed \(removed.folders) intermediate checkpoint folder(s), \(removed.bytes >> 20) MiB.")
        }
    }

    /// Writes `report.html` in the run folder (``ReportPage``); a report that cannot be written is said, not thrown:
    /// the run's outcome stands without it.
    public func writeReport(_ workspace: Workspace) {
        let page = workspace.root.appendingPathComponent("report.html")
        do {
            try ReportPage(try RunReport.load(runDirectory: workspace.root)).write(to: page)
            progress("Report: \(page.path)")
        } catch {
            progress("The run's report could not be written to \(page.path): \(error)")
        }
    }

    private static func drivenElsewhere(_ workspace: Workspace, _ driver: RunDriver) -> TaskSpecError {
        .invalid(
            path: workspace.runFile.path, field: "driver",
            problem: "this run is driven by \(driver); serve it again with "
                + "`autotrainess mcp --run \(workspace.root.path)`")
    }

    /// Opens `workspace` for driving: takes the run's lock (one driver at a time), stops processes an earlier killed
    /// session left behind, makes sure the Python environment is usable, and assembles the store, registry, budget
    /// (the active time spent so far counts against it), integrity guard, backend, evaluator, data checks, workflow
    /// and tools. ``run(_:)`` drives the result with a model; `autotrainess mcp` serves it through a
    /// ``WorkflowGateway``.
    /// - Throws: configuration errors (task, Python environment), a run another process drives, store and registry
    ///   failures.
    public func open(_ workspace: Workspace) async throws -> OpenedRun {
        let manifest = try workspace.readManifest()
        guard let specValue = manifest.config["spec"], let driverValue = manifest.config["driver"] else {
            throw TaskSpecError.invalid(
                path: workspace.runFile.path, field: "config", problem: "not a run created by autotrainess run/demo")
        }
        let spec = try specValue.decode(as: TaskSpec.self)
        let driver = try driverValue.decode(as: RunDriver.self)
        let integrity = try JSONDecoder().decode(
            IntegrityGuard.self, from: Data(contentsOf: workspace.root.appendingPathComponent(Self.integrityFile)))

        guard let lock = try FileLock.tryAcquire(workspace.root.appendingPathComponent(".run.lock")) else {
            throw TaskSpecError.invalid(
                path: workspace.root.path, field: "run", problem: "another autotrainess process is driving this run")
        }
        do {
            return try await assemble(workspace, manifest: manifest, spec: spec, driver: driver, integrity: integrity, lock: lock)
        } catch {
            lock.release()
            throw error
        }
    }

    private func assemble(
        _ workspace: Workspace, manifest: RunManifest, spec: TaskSpec, driver: RunDriver, integrity: IntegrityGuard,
        lock: FileLock
    ) async throws -> OpenedRun {
        let orphans = await GPUProcessCleanup(commandPatterns: [workspace.root.path + "/"], killGPUComputeProcesses: false)
            .run()
        if !orphans.isEmpty {
            progress("Stopped \(orphans.count) process(es) left running by an earlier, killed session of this run.")
        }
        try await python.ensure(progress: progress)
        let journal = try workspace.openStore()
        for damage in journal.damage { progress("warning: events.jsonl: \(damage)") }
        let store = ObservedExperimentStore(journal) { [progress] record in
            if let line = ProgressLine.describe(record) { progress(line) }
        }
        let registry = try CheckpointRegistry(
            runDirectory: workspace.root, baseModel: URL(fileURLWithPath: spec.baseModel))
        let earlier = try await store.records()
        let spent = RunState.rebuild(from: earlier, runDirectory: workspace.root).budget.elapsedSeconds
        try await store.append(RunSessionStarted(activeSecondsBefore: spent))
        let ceilings = modelCeilings(spec: spec, manifest: manifest, driver: driver)
        let budget = BudgetClock(
            limits: BudgetLimits(
                deadline: Date().addingTimeInterval(max(0, manifest.budget.totalSeconds - spent)),
                finalReserve: manifest.budget.reserveSeconds, tokens: ceilings.tokens, usd: ceilings.usd))
        // The benchmark's clock runs while this run is stopped: its timer, read now and while the run goes on, wins.
        let timerWatch = spec.posttrainbench.map {
            PostTrainBenchTimerWatch(
                taskDirectory: URL(fileURLWithPath: $0.taskDirectory), budget: budget, store: store,
                interval: timerInterval, progress: progress)
        }
        if let timerWatch { await timerWatch.check() }
        let throughput = TrainingThroughput(machineLog: TrainingThroughput.machineLog(in: python.cacheDirectory))
        throughput.learn(from: earlier)
        if let executor = spec.executor, executor.kind != .local {
            progress("Training jobs run through \(executor.kind.rawValue) (\(executor.host ?? executor.jobDirectory ?? "")); evaluation runs here.")
        }
        let gpus = spec.gpus.map(GPUSet.init)
        let shell = try shellAccess(
            workspace, manifest: manifest, spec: spec, driver: driver, sandbox: ShellSandbox.locate())
        let checks = try contaminationGate(spec)
        let environment = InterfaceEnvironment(
            workspace: workspace, task: spec.profile, store: store,
            backend: BudgetedTrainingBackend(
                base: LlamaFactoryBackend(
                    environment: python, executor: try spec.executor?.make(path: workspace.runFile.path) ?? LocalExecutor(),
                    hardware: Hardware.detect(), rayTraining: spec.executor?.rayTraining),
                budget: budget, throughput: throughput),
            evaluator: BudgetedEvaluator(
                base: try evaluator(for: spec, in: workspace, integrity: integrity), budget: budget),
            checker: checks,
            commandEnvironment: gpus?.environment() ?? Secrets.scrub(environment: ProcessInfo.processInfo.environment),
            shell: shell, hiddenPaths: Self.hiddenPaths(workspace, spec: spec), sources: SourceReader(python: python),
            teacher: try teacherPolicy(spec, in: workspace),
            devices: spec.gpus.flatMap { $0.isEmpty ? nil : DeviceScheduler(devices: $0) })
        let workflow = Workflow.autoTrainess(
            AutoTrainessWorkflowOptions(
                commonTools: Self.commonTools,
                maxIterations: spec.maxIterations, registry: registry, integrity: integrity, contamination: checks,
                budget: budget, gpus: gpus))
        let skills = try? SkillLibrary()
        let brief = spec.brief(
            hardware: Hardware.detect(), measured: throughput.machineHistory + throughput.history, skills: skills,
            hidden: Self.hiddenPaths(workspace, spec: spec))
        return OpenedRun(
            workspace: workspace, spec: spec, driver: driver, store: store, registry: registry, budget: budget,
            workflow: workflow, tools: InterfaceTools.all(in: environment, skills: skills), brief: brief.rendered,
            lock: lock, timerWatch: timerWatch?.start())
    }

    /// The teacher `data action=generate mode=teacher` may use: the task's `teacher:`, forbidden where the task's
    /// rules forbid external models (the refusal names the rule).
    /// - Throws: ``TaskSpecError`` naming `teacher.provider` when the provider cannot be made (unknown, or no key).
    func teacherPolicy(_ spec: TaskSpec, in workspace: Workspace) throws -> TeacherPolicy {
        let forbidden = spec.posttrainbench.flatMap { $0.rules.externalModelsRule }
        guard let teacher = spec.teacher, forbidden == nil else { return TeacherPolicy(forbiddenBy: forbidden) }
        do {
            let provider = try ProviderFactory.make(
                provider: teacher.provider, model: teacher.model, baseURL: teacher.baseURL.flatMap(URL.init(string:)))
            return TeacherPolicy(provider: provider, model: teacher.model)
        } catch {
            throw TaskSpecError.invalid(path: workspace.runFile.path, field: "teacher.provider", problem: "\(error)")
        }
    }

    /// The data checks and contamination gate: the index of the benchmark file, and for a PostTrainBench task with
    /// `contamination_check.py` and `test_data.json`, the task's own checker too.
    func contaminationGate(_ spec: TaskSpec) throws -> PostTrainBenchContaminationGate {
        // Row lengths with the base model's own tokenizer (one long-lived process), else the labelled estimate.
        let tokenCounter: any TokenCounter
        do {
            tokenCounter = try TokenizerProcessCounter(python: python.pythonExecutable, tokenizer: spec.baseModel)
        } catch {
            progress("Dataset lengths will be estimated: the base model's tokenizer did not load (\(error)).")
            tokenCounter = EstimatingTokenCounter()
        }
        let engine = try EngineDatasetChecker(
            benchmarkFile: spec.benchmark.file.map { URL(fileURLWithPath: $0) },
            fields: spec.benchmark.contaminationFields, tokenCounter: tokenCounter)
        guard let settings = spec.posttrainbench, let checker = settings.contaminationChecker,
            let reference = settings.testData
        else { return PostTrainBenchContaminationGate(engine: engine, script: nil) }
        return PostTrainBenchContaminationGate(
            engine: engine,
            script: ScriptContaminationChecker(
                script: URL(fileURLWithPath: checker), reference: URL(fileURLWithPath: reference),
                python: python.pythonExecutable, environment: python.processEnvironment()))
    }

    /// The tools every stage of a launched run allows besides its own.
    static let commonTools: Set<String> = ["read_file", "list_dir", "read_skill", "write_file", "run_command"]

    /// What the agent may not read, through the file tools or the shell: the evaluator's folder (with the full
    /// evaluation reports), the registry (it holds the reports too) and the benchmark file: their targets are the
    /// answers.
    static func hiddenPaths(_ workspace: Workspace, spec: TaskSpec) -> [URL] {
        [workspace.evaluatorDirectory, workspace.root.appendingPathComponent("checkpoints/registry.json")]
            + [spec.benchmark.file].compactMap { $0 }.map { URL(fileURLWithPath: $0) }
            + (spec.posttrainbench.map { [URL(fileURLWithPath: $0.taskDirectory).appendingPathComponent("evaluation_code")] }
                ?? [])
    }

    /// The spend ceilings of a run's driving model when the task sets none.
    public static let defaultModelCeilings = (usd: 50.0, tokens: 30_000_000)

    /// The model's spend ceilings: the task's own, else (when a model of ours drives) the defaults, printed.
    func modelCeilings(spec: TaskSpec, manifest: RunManifest, driver: RunDriver) -> (usd: Double?, tokens: Int?) {
        var usd = manifest.budget.maxCostUSD ?? spec.maxCostUSD
        var tokens = spec.maxTokens
        guard case .model = driver else { return (usd, tokens) }
        if usd == nil {
            usd = Self.defaultModelCeilings.usd
            progress(String(format: "Model spend ceiling: $%.0f (default; set max_cost_usd in the task to change it).",
                            Self.defaultModelCeilings.usd))
        }
        if tokens == nil {
            tokens = Self.defaultModelCeilings.tokens
            progress("Model token ceiling: \(Self.defaultModelCeilings.tokens) tokens (default; set max_tokens in the "
                + "task to change it).")
        }
        return (usd, tokens)
    }

    /// The agent's shell: in the bubblewrap sandbox, with the evaluator's folder and the benchmark file not mounted;
    /// unsandboxed only when the run accepted it (`--unsafe-shell`) or the recipe policy drives (it never uses the
    /// shell). A model-driven run without bubblewrap does not start.
    /// - Throws: ``TaskSpecError`` naming the package to install and the flag that accepts the risk.
    func shellAccess(
        _ workspace: Workspace, manifest: RunManifest, spec: TaskSpec, driver: RunDriver, sandbox: ShellSandbox?
    ) throws -> ShellAccess {
        let options = (try? manifest.config["shell"]?.decode(as: ShellOptions.self)) ?? ShellOptions()
        if options.unsafe {
            progress("warning: the agent's shell runs WITHOUT a sandbox (--unsafe-shell): it can change any file "
                + "the user running autotrainess can.")
            return .unsandboxed
        }
        if let sandbox {
            return .sandboxed(
                sandbox, hidden: Self.hiddenPaths(workspace, spec: spec), network: options.network,
                limits: ShellSandbox.Limits())
        }
        if case .recipe = driver { return .unsandboxed }
        throw TaskSpecError.invalid(
            path: workspace.runFile.path, field: "shell",
            problem: "a model drives this run but bubblewrap (bwrap), which sandboxes its shell, is not installed "
                + "or cannot create namespaces here; install it (Debian/Ubuntu: apt-get install "
                + "\(ShellSandbox.packageName)) or accept an unsandboxed shell with --unsafe-shell")
    }

    private func evaluator(
        for spec: TaskSpec, in workspace: Workspace, integrity: IntegrityGuard
    ) throws -> any Evaluator {
        let work = workspace.evaluatorDirectory
        let benchmark = spec.benchmark
        switch benchmark.evaluator {
        case .local:
            let file = URL(fileURLWithPath: benchmark.file ?? "")
            let progress = progress
            return LocalBenchmarkEvaluator(
                benchmark: try LocalBenchmark.load(from: file, name: benchmark.name), workDirectory: work,
                maxNewTokens: benchmark.maxNewTokens ?? 256, batchSize: benchmark.batchSize ?? 8, environment: python,
                onProgress: { done, total in progress("  evaluated \(done)/\(total)") })
        case .inspect:
            return InspectEvaluator(task: benchmark.task ?? "", logDirectory: work, environment: python)
        case .posttrainbench:
            return PostTrainBenchEvaluator(
                taskDirectory: URL(fileURLWithPath: benchmark.directory ?? ""), outputDirectory: work,
                expectedFingerprint: integrity.baseline, benchmark: benchmark.name,
                fingerprintPaths: spec.protectedEvaluationPaths, environment: spec.evaluationEnvironment ?? python,
                extraEnvironment: spec.posttrainbench?.gradingEnvironment() ?? [:])
        }
    }
}

/// A run opened by ``RunLauncher/open(_:)``: its parts, assembled over the run folder, with the run's lock held
/// until ``close()``.
public struct OpenedRun: Sendable {
    /// The run folder.
    public let workspace: Workspace
    /// The task the run was created for.
    public let spec: TaskSpec
    /// Who drives the run.
    public let driver: RunDriver
    /// The run's store (progress lines are printed as records arrive).
    public let store: any ExperimentStore
    /// The run's checkpoint registry.
    public let registry: CheckpointRegistry
    /// The run's budget, with the time spent by earlier sessions taken off.
    public let budget: BudgetClock
    /// The default workflow with the run's integrity, contamination, budget and GPU rules.
    public let workflow: Workflow
    /// The interface tools over the run.
    public let tools: [AnyTool]
    /// The task brief the agent reads first (``TaskBrief``): every session's first message and `workflow_status`.
    public let brief: String
    let lock: FileLock
    /// The PostTrainBench timer's readings while the run is open.
    let timerWatch: Task<Void, Never>?

    /// Stops watching the timer and releases the run's lock, so that another process may drive it.
    public func close() {
        timerWatch?.cancel()
        lock.release()
    }
}

extension RunDriver {
    /// The model name recorded for the driver's turns.
    var modelName: String {
        switch self {
        case .recipe: RecipePolicy.modelName
        case .model(_, let model, _): model
        case .external(let agent): agent
        }
    }
}

extension TaskSpec {
    /// What the interface tools need to know of the task.
    var profile: TaskProfile {
        TaskProfile(
            name: name, baseModel: baseModel, template: template, benchmark: benchmark.name,
            benchmarkSize: benchmark.size, cutoffLength: cutoffLength ?? 1024,
            dataRoots: (dataRoots ?? [])
                + (recipe?.sources.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? []))
    }

    /// The benchmark's own evaluation environment, when the task names one (``PostTrainBenchSettings/evaluationVenv``).
    var evaluationEnvironment: PythonEnvironment? {
        posttrainbench?.evaluationVenv.map { PythonEnvironment(existingVenv: URL(fileURLWithPath: $0, isDirectory: true)) }
    }

    /// The files of a `posttrainbench` evaluator's folder that are hashed at the start and must not change:
    /// `evaluate.py` and `templates/`, and for a task taken from a PostTrainBench folder also `evaluation_code/` and
    /// `timer.sh` (as present).
    var protectedEvaluationPaths: [String] {
        let folder = URL(fileURLWithPath: benchmark.directory ?? "")
        let paths = posttrainbench == nil
            ? PostTrainBenchEvaluator.defaultFingerprintPaths : ["evaluate.py", "templates", "evaluation_code", "timer.sh"]
        return paths.filter { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
    }

    /// The guard over the evaluation files: the benchmark's own, or those the task names.
    func integrityGuard() throws -> IntegrityGuard {
        if benchmark.evaluator == .posttrainbench, benchmark.protect == nil, let directory = benchmark.directory {
            return try IntegrityGuard(protecting: protectedEvaluationPaths, in: URL(fileURLWithPath: directory))
        }
        let paths =
            benchmark.protect ?? [benchmark.file, benchmark.task].compactMap { $0 }.filter { $0.hasPrefix("/") }
        return try IntegrityGuard(protecting: paths.map { String($0.dropFirst()) }, in: URL(fileURLWithPath: "/"))
    }
}
