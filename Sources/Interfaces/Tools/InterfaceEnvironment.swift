public import AgentCore
public import Evaluation
public import Foundation
public import Runtime
public import TrainingBackends

/// Everything the interface tools act on: the run folder, its store, the task, and the configured services.
public struct InterfaceEnvironment: Sendable {
    /// The run folder.
    public var workspace: Workspace
    /// The task.
    public var task: TaskProfile
    /// The run's store; every tool records what it did.
    public var store: any ExperimentStore
    /// Runs training jobs.
    public var backend: any TrainingBackend
    /// Scores models on the benchmark.
    public var evaluator: any Evaluator
    /// Checks datasets (schema, duplicates, length, contamination).
    public var checker: any DatasetChecker
    /// Training and evaluation must end by this time (the budget's deadline less its reserve).
    public var deadline: Date?
    /// The environment `run_command` starts from; secrets are always scrubbed from it.
    public var commandEnvironment: [String: String]
    /// Whether `run_command` runs in a sandbox (the run launcher sandboxes every run that has bubblewrap).
    public var shell: ShellAccess
    /// Files and folders no tool may read: the benchmark file (its targets are the answers) and the evaluator's
    /// folder, even when they lie in a data root.
    public var hiddenPaths: [URL]
    /// Reads the data tool's sources (CSV, Parquet, `datasets` folders through the managed Python environment).
    public var sources: SourceReader
    /// Whether and through what `data action=generate mode=teacher` may ask an outside model.
    public var teacher: TeacherPolicy
    /// The task's GPUs, handed to training jobs disjointly; `nil` on a CPU-only task.
    public var devices: DeviceScheduler?

    /// Creates an environment.
    public init(
        workspace: Workspace, task: TaskProfile, store: any ExperimentStore, backend: any TrainingBackend,
        evaluator: any Evaluator, checker: any DatasetChecker, deadline: Date? = nil,
        commandEnvironment: [String: String] = ProcessInfo.processInfo.environment, shell: ShellAccess = .unsandboxed,
        hiddenPaths: [URL] = [], sources: SourceReader = SourceReader(), teacher: TeacherPolicy = TeacherPolicy(),
        devices: DeviceScheduler? = nil
    ) {
        self.workspace = workspace
        self.task = task
        self.store = store
        self.backend = backend
        self.evaluator = evaluator
        self.checker = checker
        self.deadline = deadline
        self.commandEnvironment = commandEnvironment
        self.shell = shell
        self.hiddenPaths = hiddenPaths
        self.sources = sources
        self.teacher = teacher
        self.devices = devices
    }

    /// The guarded shell `run_command` uses (sandboxed when the run's shell is).
    public var commandTool: RunCommandTool {
        RunCommandTool(
            workspace: workspace, environment: commandEnvironment, access: shell,
            readableRoots: task.dataRoots.map { URL(fileURLWithPath: $0) })
    }

    /// The jail for paths the agent names: the run folder, plus the task's data roots for reading, less the hidden
    /// paths.
    public var jail: PathJail {
        PathJail(
            root: workspace.root, readOnlyRoots: task.dataRoots.map { URL(fileURLWithPath: $0) }, hidden: hiddenPaths)
    }

}

/// The interface tools, ready to hand to an agent.
public enum InterfaceTools {
    /// The five interfaces (`plan`, `data`, `train`, `eval`, `log`), the guarded file and shell tools, and
    /// `read_skill` when a skill library is given.
    public static func all(in environment: InterfaceEnvironment, skills: SkillLibrary? = nil) -> [AnyTool] {
        var tools = [
            AnyTool(PlanTool(environment: environment)),
            AnyTool(DataTool(environment: environment)),
            AnyTool(TrainTool(environment: environment)),
            AnyTool(EvalTool(environment: environment)),
            AnyTool(LogTool(environment: environment)),
            AnyTool(ReadFileTool(jail: environment.jail)),
            AnyTool(WriteFileTool(jail: environment.jail)),
            AnyTool(ListDirectoryTool(jail: environment.jail)),
            AnyTool(environment.commandTool),
        ]
        if let skills { tools.append(AnyTool(ReadSkillTool(library: skills))) }
        return tools
    }
}

/// A mistake in a tool's arguments or state that the model can fix; its message says what to do.
struct ToolRefusal: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
