import AgentCore
import Evaluation
public import Runtime
public import Foundation
import Interfaces
public import TrainingBackends
public import Workflows

extension TaskSpec {
    /// The brief a model driving this task reads first (every session, and `workflow_status` over MCP).
    /// - Parameters:
    ///   - hardware: the machine (detected by default; tests pass a fixed one).
    ///   - measured: earlier training jobs on this machine or run, for the cost of a training step.
    ///   - skills: the skills index shown; none when `nil`.
    ///   - hidden: paths the agent may not read (the benchmark file), marked in the data listing.
    public func brief(
        hardware: Hardware, measured: [TrainingThroughput.Observation] = [], skills: SkillLibrary?, hidden: [URL] = []
    ) -> TaskBrief {
        let profile = profile
        let modelFolder = URL(fileURLWithPath: baseModel)
        let config = (try? Data(contentsOf: modelFolder.appendingPathComponent("config.json")))
            .flatMap { try? JSONValue(parsing: String(decoding: $0, as: UTF8.self)) }
        let architecture = config?["architectures"]?.arrayValue?.first?.stringValue ?? config?["model_type"]?.stringValue
        let tokenizer = (try? Data(contentsOf: modelFolder.appendingPathComponent("tokenizer_config.json")))
            .flatMap { try? JSONValue(parsing: String(decoding: $0, as: UTF8.self)) }
        let hasChatTemplate =
            tokenizer.map { $0["chat_template"] != nil }.map { $0 || FileManager.default.fileExists(
                atPath: modelFolder.appendingPathComponent("chat_template.jinja").path) }
        var roots: [String] = []
        for root in profile.dataRoots.map({ URL(fileURLWithPath: $0).standardizedFileURL.path }) where !roots.contains(root) {
            roots.append(root)
        }
        return TaskBrief(
            goal: taskDescription,
            model: TaskBrief.Model(
                path: baseModel, architecture: architecture, parameters: ModelShape(folder: modelFolder)?.parameters,
                template: template, hasChatTemplate: hasChatTemplate, cutoffLength: profile.cutoffLength),
            evaluation: TaskBrief.Evaluation(
                benchmark: benchmark.name, method: evaluationMethod, size: benchmark.size,
                sampleFloor: profile.sampleFloor, prompts: evaluationPrompts(count: 3)),
            data: roots.map { DataListing(root: URL(fileURLWithPath: $0), hidden: hidden) },
            resources: TaskBrief.Resources(
                totalSeconds: (try? budgetSeconds().total) ?? 0, reserveSeconds: (try? budgetSeconds().reserve) ?? 0,
                maxIterations: maxIterations, maxCostUSD: maxCostUSD, cpuCores: hardware.cpuCores,
                gpus: (gpus ?? []).map { "GPU \($0)" }, measuredTraining: Self.trainingCost(measured)),
            rules: TaskBrief.standardRules() + (posttrainbench.map {
                $0.rules.lines(
                    model: URL(fileURLWithPath: baseModel).lastPathComponent, hours: $0.hours,
                    hasTestCopy: $0.testData != nil && $0.contaminationChecker != nil)
            } ?? []),
            skills: skills?.index ?? "(no skills loaded)")
    }

    /// The first messages of stage 0 of a run of this task, as the model would receive them, without creating the
    /// run (`autotrainess run --dry-run`): the default workflow's system message and the first user message with the
    /// brief.
    /// - Throws: when the task's budget cannot be read.
    public func firstMessages(python: PythonEnvironment) throws -> (system: String, user: String) {
        _ = try budgetSeconds()
        let workflow = Workflow.autoTrainess(
            AutoTrainessWorkflowOptions(commonTools: RunLauncher.commonTools, maxIterations: maxIterations))
        let machine = TrainingThroughput(machineLog: TrainingThroughput.machineLog(in: python.cacheDirectory))
        let runs = URL(fileURLWithPath: "runs").appendingPathComponent(name)
        let brief = brief(
            hardware: Hardware.detect(), measured: machine.machineHistory, skills: try? SkillLibrary(),
            hidden: RunLauncher.hiddenPaths(Workspace(root: runs), spec: self))
        return WorkflowRunner.sessionMessages(
            task: brief.rendered, state: RunState(workspace: Workspace(root: runs)), stage: workflow.initialStage)
    }

    /// How the benchmark is run and scored, in words.
    var evaluationMethod: String {
        switch benchmark.evaluator {
        case .local:
            let scorers = benchmark.file.flatMap { try? LocalBenchmark.load(from: URL(fileURLWithPath: $0)) }
                .map { Set($0.items.map(\.scorer.rawValue)).sorted().joined(separator: ", ") }
            return "local JSONL benchmark generated greedily with up to \(benchmark.maxNewTokens ?? 256) new tokens, "
                + "scored by \(scorers ?? "its scorers") (accuracy)"
        case .inspect: return "inspect_ai task \(benchmark.task ?? "?")"
        case .posttrainbench: return "the PostTrainBench task's own evaluate.py"
        }
    }

    /// The first `count` evaluation prompts rendered through the task's chat template (local benchmarks only; other
    /// evaluators show theirs through `data inspect` after the baseline).
    func evaluationPrompts(count: Int) -> [String] {
        guard benchmark.evaluator == .local, let file = benchmark.file,
            let items = try? LocalBenchmark.load(from: URL(fileURLWithPath: file)).items,
            let template = ChatTemplate(templateName: template)
        else { return [] }
        return items.prefix(count).map {
            template.render([ChatTurn(role: "user", content: $0.prompt)], addGenerationPrompt: true)
        }
    }

    /// The cost of training here, from the latest measured job.
    static func trainingCost(_ measured: [TrainingThroughput.Observation]) -> String? {
        guard let latest = measured.last else { return nil }
        var text = String(format: "%.2f s per training sample", latest.secondsPerSample)
        text += " (\(latest.kind)"
        if let parameters = latest.parameters { text += String(format: ", %.0fM-parameter model", parameters / 1e6) }
        if let cutoff = latest.cutoff { text += ", cutoff_len \(Int(cutoff))" }
        if let threads = latest.threads { text += ", \(threads) threads" }
        text += String(format: ") plus %.0f s to load and save, measured on this machine", latest.overheadSeconds)
        return text
    }
}
