import AgentCore
import AgentTesting
import Foundation
import Interfaces
import Testing
import Workflows

@Suite("Integrity guards")
struct IntegrityTests {
    private func evalContext() -> RuleContext {
        RuleContext(toolName: "eval", arguments: .object([:]), progress: IterationProgress())
    }

    @Test func tamperedEvaluateScriptBlocksEvaluation() async throws {
        let directory = try TemporaryDirectory()
        try directory.write("print('score')\n", to: "task/evaluate.py")
        try directory.write("{{ question }}", to: "task/templates/prompt.jinja")
        try directory.write("{\"temperature\": 0}", to: "task/generation_config.json")
        let integrity = try IntegrityGuard(
            protecting: ["evaluate.py", "templates", "generation_config.json"], in: directory.path("task"))
        let rule = integrity.rule()
        #expect(await rule.review(evalContext()) == .allow)

        try directory.write("print('score = 1.0')\n", to: "task/evaluate.py")
        #expect(integrity.violations() == [IntegrityViolation(path: "evaluate.py", problem: "was modified")])
        guard case .deny(let reason) = await rule.review(evalContext()) else {
            Issue.record("a tampered evaluate.py must block evaluation")
            return
        }
        #expect(reason.contains("evaluate.py was modified"))
        let train = RuleContext(toolName: "train", arguments: .object([:]), progress: .init())
        #expect(await rule.review(train) == .allow)
    }

    @Test func templateChangesRemovedAndAddedFilesAreCaughtAfterAReload() throws {
        let directory = try TemporaryDirectory()
        try directory.write("a", to: "task/templates/one.jinja")
        try directory.write("b", to: "task/templates/nested/two.jinja")
        try directory.write("{}", to: "task/generation_config.json")
        let stored = try IntegrityGuard(
            protecting: ["templates", "generation_config.json", "extra.py"], in: directory.path("task"))
        let integrity = try JSONDecoder().decode(IntegrityGuard.self, from: JSONEncoder().encode(stored))
        #expect(integrity.violations().isEmpty)

        try directory.write("b changed", to: "task/templates/nested/two.jinja")
        try directory.write("c", to: "task/templates/three.jinja")
        try directory.write("import os", to: "task/extra.py")
        try FileManager.default.removeItem(at: directory.path("task/generation_config.json"))
        #expect(
            integrity.violations() == [
                IntegrityViolation(path: "extra.py", problem: "was added"),
                IntegrityViolation(path: "generation_config.json", problem: "was removed"),
                IntegrityViolation(path: "templates/nested/two.jinja", problem: "was modified"),
                IntegrityViolation(path: "templates/three.jinja", problem: "was added"),
            ])
    }

    @Test func contaminatedDatasetBlocksTraining() async throws {
        struct FlagsContaminatedFiles: ContaminationChecking {
            func check(trainingFile: URL) async throws -> (clean: Bool, summary: String) {
                trainingFile.lastPathComponent.contains("leaky")
                    ? (false, "3 samples match benchmark items test-4, test-9, test-17") : (true, "no overlap")
            }
        }
        let rule = Rule.contaminationCheck(FlagsContaminatedFiles())
        var progress = IterationProgress(replaying: [.planned])
        progress.apply(.dataApproved(DatasetApproval(name: "mix", file: "/data/leaky.jsonl")))
        let context = RuleContext(toolName: "train", arguments: .object([:]), progress: progress)
        guard case .deny(let reason) = await rule.review(context) else {
            Issue.record("a contaminated dataset must block training")
            return
        }
        #expect(reason.contains("/data/leaky.jsonl") && reason.contains("test-4"))

        var cleanProgress = IterationProgress(replaying: [.planned])
        cleanProgress.apply(.dataApproved(DatasetApproval(name: "clean", file: "/data/clean.jsonl")))
        let clean = RuleContext(toolName: "train", arguments: .object([:]), progress: cleanProgress)
        #expect(await rule.review(clean) == .allow)
    }

    @Test func everyDatasetATrainingJobNamesMustBeApprovedAndClean() async throws {
        struct FlagsContaminatedFiles: ContaminationChecking {
            func check(trainingFile: URL) async throws -> (clean: Bool, summary: String) {
                trainingFile.lastPathComponent.contains("leaky") ? (false, "1 sample matches test-2") : (true, "")
            }
        }
        // Two datasets approved in the iteration; the leaky one first, so the last approved one is clean.
        let progress = IterationProgress(replaying: [
            .planned, .dataApproved(DatasetApproval(name: "leaky", file: "/data/leaky.jsonl")),
            .dataApproved(DatasetApproval(name: "clean", file: "/data/clean.jsonl")),
        ])
        func train(_ datasets: String) -> RuleContext {
            RuleContext(toolName: "train", rawArguments: #"{"iteration": 1, "datasets": \#(datasets)}"#, progress: progress)
        }
        let contamination = Rule.contaminationCheck(FlagsContaminatedFiles())
        #expect(await contamination.review(train(#"["clean"]"#)) == .allow)
        guard case .deny(let reason) = await contamination.review(train(#"["clean", "leaky"]"#)) else {
            Issue.record("an earlier approved dataset that overlaps the benchmark must block training")
            return
        }
        #expect(reason.contains("/data/leaky.jsonl"))

        let approval = Rule.trainNeedsApprovedData()
        #expect(await approval.review(train(#"["leaky", "clean"]"#)) == .allow)
        guard case .deny(let unapproved) = await approval.review(train(#"["clean", "old_set"]"#)) else {
            Issue.record("a dataset not approved in this iteration must be refused")
            return
        }
        #expect(unapproved.contains("'old_set'") && unapproved.contains("Approved: clean, leaky"))
        let earlier = RuleContext(
            toolName: "train", rawArguments: #"{"iteration": 0, "datasets": ["clean"]}"#, progress: progress)
        guard case .deny(let wrongIteration) = await approval.review(earlier) else {
            Issue.record("a train call naming another iteration than the open one must be refused")
            return
        }
        #expect(wrongIteration.contains("open iteration is 1"))
    }

    @Test func failingContaminationCheckBlocksTraining() async {
        struct Unavailable: ContaminationChecking {
            struct IndexMissing: Error {}
            func check(trainingFile: URL) async throws -> (clean: Bool, summary: String) { throw IndexMissing() }
        }
        let progress = IterationProgress(replaying: [
            .planned, .dataApproved(DatasetApproval(name: "d", file: "/x")),
        ])
        let decision = await Rule.contaminationCheck(Unavailable())
            .review(RuleContext(toolName: "train", arguments: .object([:]), progress: progress))
        guard case .deny = decision else {
            Issue.record("a check that cannot run must fail closed")
            return
        }
    }

    @Test func shellEnvironmentHasNoKeysAndOnlyTheTaskGPUs() async throws {
        let gpus = try #require(GPUSet(cudaVisibleDevices: "0, 1"))
        let environment = gpus.environment(from: [
            "PATH": "/usr/bin", "OPENAI_API_KEY": "sk-secret-value", "HF_TOKEN": "hf_x",
            "CUDA_VISIBLE_DEVICES": "0,1,2,3",
        ])
        #expect(environment == ["PATH": "/usr/bin", "CUDA_VISIBLE_DEVICES": "0,1"])
        #expect(GPUSet(cudaVisibleDevices: "") == GPUSet([]))
        #expect(GPUSet(cudaVisibleDevices: "0,gpu1") == nil)

        let rule = gpus.rule()
        let outside = RuleContext(toolName: "train", rawArguments: #"{"gpus": [1, 3]}"#, progress: .init())
        guard case .deny(let reason) = await rule.review(outside) else {
            Issue.record("GPU 3 is outside the task's set")
            return
        }
        #expect(reason.contains("GPU(s) 3"))
        let inside = RuleContext(toolName: "train", rawArguments: #"{"gpus": [1]}"#, progress: .init())
        #expect(await rule.review(inside) == .allow)
    }
}
