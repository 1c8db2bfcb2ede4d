import AgentCore
import Foundation
import Interfaces
import Testing
import Workflows

@Suite("Workflow, stages and rules")
struct WorkflowTests {
    private let workflow = Workflow.autoTrainess(
        AutoTrainessWorkflowOptions(stallIterations: 2, explorationIterations: 1))
    private typealias Names = Workflow.AutoTrainessStage

    private func review(_ tool: String, _ progress: IterationProgress, arguments: String = "{}") async -> RuleDenial? {
        let stage = workflow.stage(named: progress.stage)!
        return await workflow.review(
            RuleContext(toolName: tool, rawArguments: arguments, progress: progress), in: stage)
    }

    @Test func defaultWorkflowHasTheFourStagesInOrder() {
        #expect(workflow.stages.map(\.name) == [Names.define, Names.baseline, Names.local, Names.exploration])
        #expect(workflow.initialStage.name == Names.define)
    }

    @Test func iterationOrderIsEnforced() async {
        var progress = IterationProgress(replaying: [
            .stageEntered(Names.local), .baselineEvaluated(score: 0.2),
        ])
        #expect(await review("train", progress)?.rule == "approved data before train")
        #expect(await review("data", progress)?.rule == "iteration planned")
        #expect(await review("plan", progress) == nil)

        progress.apply(.planned)
        #expect(await review("train", progress)?.reason.contains("no approved dataset") == true)
        #expect(await review("plan", progress)?.rule == "plan after log")
        #expect(await review("data", progress) == nil)

        progress.apply(.dataApproved(DatasetApproval(name: "d1", file: "/d1.jsonl")))
        #expect(await review("train", progress) == nil)
        progress.apply(.trained(candidateID: "it1", modelPath: "/c/it1"))
        progress.apply(.evaluated(candidateID: "it1", promoted: false))
        #expect(await review("plan", progress)?.reason.contains("Iteration 1 is not logged") == true)
        progress.apply(.logged)
        #expect(await review("plan", progress) == nil)

        progress.apply(.planned)
        #expect(await review("train", progress)?.rule == "approved data before train")
    }

    @Test func readingAndLoggingTheBaselineAreNeverRefusedForWantOfAPlan() async {
        let rule = Rule.iterationPlanned()
        let progress = IterationProgress(replaying: [.stageEntered(Names.local), .baselineEvaluated(score: 0.1)])
        func call(_ tool: String, _ arguments: String) -> RuleContext {
            RuleContext(toolName: tool, rawArguments: arguments, progress: progress)
        }
        #expect(await rule.review(call("data", #"{"action": "inspect"}"#)) == .allow)
        #expect(await rule.review(call("log", #"{"iteration": 0, "stage": "baseline"}"#)) == .allow)
        guard case .deny = await rule.review(call("data", #"{"action": "build", "iteration": 1}"#)) else {
            Issue.record("building data needs a plan")
            return
        }
        guard case .deny = await rule.review(call("log", #"{"iteration": 1}"#)) else {
            Issue.record("logging an unplanned iteration is refused")
            return
        }
    }

    @Test func toolsOutsideTheStageAreDenied() async {
        let progress = IterationProgress(replaying: [.stageEntered(Names.baseline)])
        let denial = await review("train", progress)
        #expect(denial?.rule == "stage tools")
        #expect(denial?.reason.contains("Use one of: eval, log") == true)
        #expect(await review("eval", progress) == nil)
    }

    @Test func stagesMoveOnWhenTheirExitHolds() {
        var progress = IterationProgress(replaying: [.stageEntered(Names.define)])
        func next() -> StageTarget? { workflow.stage(named: progress.stage)!.exit(for: progress)?.target }

        #expect(next() == nil)
        progress.apply(.sessionStarted)
        #expect(next() == nil)
        progress.apply(.sessionCompleted)
        #expect(next() == .stage(Names.baseline))

        progress.apply(.stageEntered(Names.baseline))
        progress.apply(.engineeringFailure(reason: "evaluate.py crashed: CUDA out of memory"))
        #expect(next() == nil, "an engineering failure retries the baseline stage")
        progress.apply(.baselineEvaluated(score: 0.1))
        #expect(next() == .stage(Names.local))

        progress.apply(.stageEntered(Names.local))
        for promoted in [true, false] {
            progress.apply(.planned)
            progress.apply(.evaluated(candidateID: "c", promoted: promoted))
            progress.apply(.logged)
            #expect(next() == nil)
        }
        progress.apply(.planned)
        #expect(next() == nil, "an open iteration finishes first")
        progress.apply(.logged)
        #expect(next() == .stage(Names.exploration))

        progress.apply(.stageEntered(Names.exploration))
        #expect(next() == nil)
        progress.apply(.planned)
        progress.apply(.logged)
        #expect(next() == .finish)
    }

    @Test func progressRebuildsFromItsEvents() throws {
        let events: [ProgressEvent] = [
            .stageEntered(Names.local), .sessionStarted, .baselineEvaluated(score: 0.3), .planned,
            .dataApproved(DatasetApproval(name: "d", file: "/d")), .trained(candidateID: "it1", modelPath: "/it1"),
        ]
        var live = IterationProgress()
        for event in events { live.apply(event) }
        let stored = try JSONDecoder().decode([ProgressEvent].self, from: JSONEncoder().encode(events))
        #expect(IterationProgress(replaying: stored) == live)
        #expect(live.trainedModels == ["it1": "/it1"])
    }

    @Test func customWorkflowsAreValidated() {
        let only = Stage(
            name: "only", instructions: "", allowedTools: [],
            exits: [StageExit("x", to: .stage("nowhere")) { _ in true }])
        #expect(throws: WorkflowError.unknownTarget(workflow: "w", stage: "only", exit: "x", target: "nowhere")) {
            try Workflow(name: "w", stages: [only])
        }
        #expect(throws: WorkflowError.noStages(workflow: "w")) { try Workflow(name: "w", stages: []) }
        let twice = Stage(name: "a", instructions: "", allowedTools: [], exits: [])
        #expect(throws: WorkflowError.duplicateStage(workflow: "w", stage: "a")) {
            try Workflow(name: "w", stages: [twice, twice])
        }
    }

    @Test func throwingRuleFailsClosed() async {
        struct Broken: Error {}
        let rule = Rule("broken", tools: ["train"]) { _ in throw Broken() }
        let decision = await rule.review(RuleContext(toolName: "train", arguments: .null, progress: .init()))
        guard case .deny(let reason) = decision else {
            Issue.record("a rule that throws must deny")
            return
        }
        #expect(reason.contains("'broken' could not run"))
        #expect(await rule.review(RuleContext(toolName: "eval", arguments: .null, progress: .init())) == .allow)
    }
}
