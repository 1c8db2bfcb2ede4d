import ArgumentParser
import AutoTrainess
import Foundation
import Interfaces
import Workflows

/// `autotrainess run --task FILE` or `--posttrainbench TASK_DIR --base-model MODEL`: a real run of the default
/// workflow.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Post-train a model on a task (YAML file) with the default AutoTrainess workflow."
    )

    @Option(help: "The task file (YAML): base model, template, benchmark and evaluator, budget, optional recipe.")
    var task: String?

    @OptionGroup(title: "PostTrainBench") var benchmark: PostTrainBenchOptions

    @Option(help: "Override the task's wall-clock budget, e.g. 10h or 45m.")
    var budget: String?

    @Option(help: "Override the task's GPUs, e.g. 0,1,2,3: training jobs get disjoint ones (a train call's gpus argument).")
    var gpus: String?

    @Option(help: "Override where training jobs run: kind=local|ssh|slurm|ray and that kind's task-file keys, e.g. kind=ray,address=http://head:8265 or kind=slurm,job_directory=/shared/jobs,partition=gpu.")
    var executor: String?

    @Option(help: "Where runs are written.")
    var runsDir: String = "runs"

    @Option(help: "The training backend (only llamafactory for now).")
    var backend: String = "llamafactory"

    @Flag(
        help: "Print the first messages of stage 0 exactly as the model would receive them (system message, then the task brief) and exit without creating a run."
    )
    var dryRun = false

    @OptionGroup var driver: DriverOptions
    @OptionGroup var shell: ShellFlags

    func run() async throws {
        guard backend == "llamafactory" else {
            throw ValidationError("Unknown --backend '\(backend)': use llamafactory.")
        }
        var spec: TaskSpec
        switch (task, benchmark.posttrainbench) {
        case (let task?, nil):
            spec = try TaskSpec.load(from: URL(fileURLWithPath: task))
        case (nil, .some):
            let (taskSpec, found) = try await benchmark.spec()
            spec = taskSpec
            found.forEach { Console.line($0) }
        default:
            throw ValidationError("Give exactly one of --task FILE or --posttrainbench TASK_DIR.")
        }
        if let budget { spec.budget = budget }
        if let executor {
            spec.executor = try ExecutorSpec.parse(executor)
            _ = try spec.executor?.make(path: "--executor")
        }
        if let gpus {
            let indices = gpus.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard indices.allSatisfy({ Int($0) != nil }) else {
                throw ValidationError("--gpus takes device indices, e.g. 0,1,2,3 (not '\(gpus)').")
            }
            spec.gpus = indices.compactMap { Int($0) }
        }
        if dryRun {
            let messages = try spec.firstMessages(python: PythonEnvironment())
            print("=== system message ===\n\(messages.system)\n\n=== first user message ===\n\(messages.user)")
            return
        }
        if spec.posttrainbench != nil, spec.recipe == nil, case .recipe = try driver.driver() {
            throw ValidationError(
                "A PostTrainBench task has no recipe: give the driving model with --provider and --model.")
        }
        let launcher = RunLauncher(progress: Console.line, shell: shell.options)
        let workspace = try launcher.create(
            spec: spec, runsDirectory: URL(fileURLWithPath: runsDir, isDirectory: true), driver: try driver.driver())
        let path = workspace.root.path
        Console.line("Run folder: \(path) (resume with: autotrainess resume \(path))")
        let outcome = try await Interruption.run(hint: { "Resume with: autotrainess resume \(path)" }) {
            try await launcher.run(workspace)
        }
        Console.line(outcome.summary)
        if outcome.ending.isFailure { throw ExitCode(1) }
    }
}

/// `--posttrainbench TASK_DIR --base-model MODEL [--hours 10] [--rules v1|v1.1] …`: a task taken from a
/// PostTrainBench task folder.
struct PostTrainBenchOptions: ParsableArguments {
    @Option(help: "A PostTrainBench task folder (evaluate.py, templates/, timer.sh; ../contamination_check.py and ../test_data.json when present).")
    var posttrainbench: String?

    @Option(help: "With --posttrainbench: the base model folder to post-train.")
    var baseModel: String?

    @Option(help: "With --posttrainbench: LlamaFactory's chat template for the base model (derived from config.json when absent).")
    var template: String?

    @Option(help: "With --posttrainbench: the benchmark's hours (used when the folder has no timer.sh).")
    var hours: Double = 10

    @Option(help: "With --posttrainbench: the prompt rules version, v1 or v1.1.")
    var rules: String = "v1.1"

    @Option(help: "With --posttrainbench: samples per evaluation while iterating (--limit of evaluate.py).")
    var limit: Int?

    @Option(help: "With --posttrainbench: an extra folder of training sources the agent may read (repeatable).")
    var dataRoot: [String] = []

    @Option(help: "With --posttrainbench: a venv with the benchmark's evaluation stack (vLLM) for evaluate.py and the final load check (scripts/install-posttrainbench-gpu-env.sh).")
    var evaluationVenv: String?

    /// The task, and what the run found in the folder (protected files, deadline, gate, rules).
    func spec() async throws -> (TaskSpec, [String]) {
        guard let posttrainbench else { throw ValidationError("--posttrainbench names the task folder.") }
        guard let baseModel else { throw ValidationError("--posttrainbench needs --base-model MODEL_DIR.") }
        guard let version = PostTrainBenchRules(rawValue: rules) else {
            throw ValidationError("--rules must be v1 or v1.1, not '\(rules)'.")
        }
        let task = try PostTrainBenchTask(directory: URL(fileURLWithPath: posttrainbench))
        var remaining: Double?
        var deadline = "\(hours)h from the start (no timer.sh)"
        if task.timer != nil {
            switch try await PostTrainBenchTimer.read(taskDirectory: task.directory) {
            case .expired: throw PostTrainBenchError.timerExpired(path: task.directory.appendingPathComponent("timer.sh").path)
            case .remaining(let seconds):
                remaining = seconds
                deadline = "\(DurationText.format(seconds)) left by timer.sh"
            }
        }
        let file = PostTrainBenchTaskFile(
            task: task.directory.path, baseModel: URL(fileURLWithPath: baseModel).standardizedFileURL.path,
            rules: version, hours: hours, limit: limit, template: template,
            dataRoots: dataRoot.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
            evaluationVenv: evaluationVenv.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        let spec = try file.spec(remainingSeconds: remaining, path: "--base-model")
        let digests = try? FileFingerprint.compute(paths: task.protectedPaths, in: task.directory)
        let summary = digests.map { fingerprint in
            FileFingerprintSummary(
                lines: fingerprint.digests.sorted { $0.key < $1.key }.map { "\($0.key) sha256 \($0.value.prefix(16))…" })
        }
        return (spec, task.describe(fingerprint: summary, deadline: deadline, rules: version))
    }
}

/// `autotrainess resume RUN_DIR`: continues a stopped or killed run from its store.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a run from its events.jsonl after a kill, Ctrl-C or crash."
    )

    @Argument(help: "The run folder.")
    var runDirectory: String

    func run() async throws {
        let workspace = try Workspace.open(URL(fileURLWithPath: runDirectory, isDirectory: true))
        let path = workspace.root.path
        let outcome = try await Interruption.run(hint: { "Resume with: autotrainess resume \(path)" }) {
            try await RunLauncher(progress: Console.line).run(workspace)
        }
        Console.line(outcome.summary)
        if outcome.ending.isFailure { throw ExitCode(1) }
    }
}
