public import Foundation
import Interfaces

/// What the default AutoTrainess workflow is built from: the tool names, the guards it enforces and when it moves on.
public struct AutoTrainessWorkflowOptions: Sendable {
    /// The interface tool names.
    public var tools: ToolNames
    /// Tools allowed in every stage besides the iteration tools (e.g. read-only file tools, the guarded shell).
    public var commonTools: Set<String>
    /// Local iterations in a row without a promotion after which stage 2 hands over to exploration.
    public var stallIterations: Int
    /// Exploration iterations after which the workflow finishes; `nil` to explore until the budget ends.
    public var explorationIterations: Int?
    /// Iterations in all (local and exploration) after which the workflow finishes; `nil` for no such limit.
    public var maxIterations: Int?
    /// The registry: when set, evaluation and training may only use the base model or registered candidates.
    public var registry: CheckpointRegistry?
    /// The `train` argument naming the model to start from (a candidate id or a model folder).
    public var trainStartArgument: String
    /// The `eval` argument naming the model to evaluate (a candidate id or a model folder).
    public var evalModelArgument: String
    /// The folder relative model paths are resolved against (the run folder).
    public var runDirectory: URL?
    /// The integrity guard: when set, evaluation is blocked once a protected file changes.
    public var integrity: IntegrityGuard?
    /// The contamination check run before every training job, when set.
    public var contamination: (any ContaminationChecking)?
    /// The budget clock: when set, jobs are denied once no time is left beyond the final reserve.
    public var budget: BudgetClock?
    /// The task's GPUs: when set, jobs may not ask for others.
    public var gpus: GPUSet?

    /// Creates options; every guard is optional so that tests and custom workflows pick what they need.
    public init(
        tools: ToolNames = ToolNames(), commonTools: Set<String> = [], stallIterations: Int = 2,
        explorationIterations: Int? = nil, maxIterations: Int? = nil, registry: CheckpointRegistry? = nil,
        trainStartArgument: String = "startFrom",
        evalModelArgument: String = "model", runDirectory: URL? = nil, integrity: IntegrityGuard? = nil,
        contamination: (any ContaminationChecking)? = nil,
        budget: BudgetClock? = nil, gpus: GPUSet? = nil
    ) {
        self.tools = tools
        self.commonTools = commonTools
        self.stallIterations = stallIterations
        self.explorationIterations = explorationIterations
        self.maxIterations = maxIterations
        self.registry = registry
        self.trainStartArgument = trainStartArgument
        self.evalModelArgument = evalModelArgument
        self.runDirectory = runDirectory ?? registry?.runDirectory
        self.integrity = integrity
        self.contamination = contamination
        self.budget = budget
        self.gpus = gpus
    }
}

extension Workflow {
    /// The stage names of the default workflow.
    public enum AutoTrainessStage {
        /// Stage 0: define the task.
        public static let define = "define"
        /// Stage 1: baseline evaluation of the base model.
        public static let baseline = "baseline"
        /// Stage 2: local iterations, each targeting an observed weakness.
        public static let local = "local"
        /// Stage 3: evidence-guided exploration.
        public static let exploration = "exploration"
    }

    /// The default AutoTrainess workflow.
    ///
    /// Stage 0 defines the task (target, evaluator, constraints) in one agent session; stage 1 evaluates the base
    /// model (an engineering failure retries the stage); stage 2 runs local iterations (plan → data → train → eval →
    /// log), each targeting an observed weakness, until `stallIterations` in a row bring no promotion; stage 3
    /// explores, guided by the evidence so far, until `explorationIterations` are done or the budget ends. The order
    /// inside an iteration is enforced by rules, as are the guards given in `options`.
    public static func autoTrainess(
        _ options: AutoTrainessWorkflowOptions = AutoTrainessWorkflowOptions()
    ) -> Workflow {
        let tools = options.tools
        let stage = AutoTrainessStage.self
        var iterationRules: [Rule] = [
            .planAfterLog(tools), .iterationPlanned(tools), .trainNeedsApprovedData(tools),
        ]
        if let checker = options.contamination { iterationRules.append(.contaminationCheck(checker, tools: tools)) }

        var globalRules: [Rule] = []
        if let budget = options.budget { globalRules.append(.budgetAllowsJobs(budget, tools: tools)) }
        if let integrity = options.integrity { globalRules.append(integrity.rule(tools: [tools.eval])) }
        if let registry = options.registry {
            let root = options.runDirectory
            globalRules.append(
                registry.registeredModelRule(
                    "lineage", tools: [tools.train], argument: options.trainStartArgument, relativeTo: root))
            globalRules.append(
                registry.registeredModelRule(tools: [tools.eval], argument: options.evalModelArgument, relativeTo: root)
            )
        }
        if let gpus = options.gpus { globalRules.append(gpus.rule(tools: [tools.train, tools.eval])) }

        let stall = options.stallIterations
        let exploration = options.explorationIterations
        let iterationLimit: [StageExit] =
            options.maxIterations.map { limit in
                [StageExit("\(limit) iterations done", to: .finish) { $0.lastIterationLogged && $0.iteration >= limit }]
            } ?? []
        let stages = [
            Stage(
                name: stage.define,
                instructions: """
                    Stage 0 — define the task. Read the task brief (the data roots it lists can be opened with \
                    read_file and list_dir; read_skill opens a skill), then answer (no tool call) with a short \
                    definition: the target capability, the evaluator and its metric, the base model, the data \
                    available, and the constraints (budget, hardware, rules). Do not train or evaluate yet.
                    """,
                allowedTools: options.commonTools,
                exits: [StageExit("task defined", to: .stage(stage.baseline)) { $0.completedSessionsInStage >= 1 }]),
            Stage(
                name: stage.baseline,
                instructions: """
                    Stage 1 — baseline. Evaluate the base model with \(tools.eval) (model "base", iteration 0) on the \
                    task's evaluator. Read the per-sample results and note its weaknesses: later iterations target \
                    them. If the evaluation fails for an engineering reason, fix the cause and evaluate again.
                    """,
                allowedTools: options.commonTools.union([tools.eval, tools.log]),
                exits: [StageExit("baseline recorded", to: .stage(stage.local)) { $0.baselineScore != nil }],
                maxAttempts: 5),
            Stage(
                name: stage.local,
                instructions: """
                    Stage 2 — local iterations. Each iteration: \(tools.plan) (name one observed weakness and the \
                    change that targets it), \(tools.data) (build and validate a dataset for it), \(tools.train), \
                    \(tools.eval) (compare with the current best), \(tools.log) (what changed, the result, what you \
                    learned). Keep changes small and attributable. A candidate replaces final_model/ only when it \
                    beats the current best by more than noise.
                    """,
                allowedTools: options.commonTools.union(tools.iteration),
                rules: iterationRules,
                exits: iterationLimit + [
                    StageExit("\(stall) iterations without promotion", to: .stage(stage.exploration)) {
                        $0.lastIterationLogged && $0.iterationsWithoutPromotion >= stall
                    }
                ],
                maxAttempts: .max),
            Stage(
                name: stage.exploration,
                instructions: """
                    Stage 3 — evidence-guided exploration. Local changes have stalled. Use the experiment log to pick \
                    a larger change the evidence supports (different data source, method or hyperparameters), and \
                    run it as an iteration: \(tools.plan), \(tools.data), \(tools.train), \(tools.eval), \(tools.log).
                    """,
                allowedTools: options.commonTools.union(tools.iteration),
                rules: iterationRules,
                exits: iterationLimit
                    + (exploration.map { count in
                        [
                            StageExit("\(count) exploration iterations", to: .finish) {
                                $0.lastIterationLogged && $0.iterationsInStage >= count
                            }
                        ]
                    } ?? []),
                maxAttempts: .max),
        ]
        // The stage names are distinct and every exit names one of them, so building cannot fail.
        return try! Workflow(name: "AutoTrainess", stages: stages, rules: globalRules)
    }
}
