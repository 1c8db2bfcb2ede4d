import AgentCore
import AgentTesting
import Foundation
import Interfaces
import TestClusters
import Testing
import Workflows

@testable import AutoTrainess

/// Two candidates in one iteration of a real quick run (a recipe sweep of two learning rates): both train at once
/// with LlamaFactory on this machine's cores, both are evaluated, and the registry decides them together with Holm's
/// correction; then the same with training through a real Slurm job array. Part of the serialized demo suite.
extension DemoCommandTests {
    @Test(.timeLimit(.minutes(20)))
    func twoCandidatesTrainConcurrentlyAndAreDecidedTogether() async throws {
        let directory = try TemporaryDirectory()
        let (workspace, transcript) = try await Self.runSweep(in: directory, executor: nil)
        let records = try await workspace.openStore().records()
        let threads = records.all(TrainStarted.self).map { $0.job.cpuThreads }
        #expect(threads.allSatisfy { $0 == max(1, ProcessInfo.processInfo.activeProcessorCount / 2) }, "\(threads)")
        _ = transcript
    }

    /// The same quick run with training through a real one-node Slurm (2 CPUs): the two candidates' trainings are
    /// the two tasks of one job array; their merges and the evaluations follow as before.
    @Test(.timeLimit(.minutes(25)))
    func twoCandidatesTrainAsOneSlurmJobArrayInAQuickRun() async throws {
        try await LocalSlurmCluster.with { cluster in
            let directory = try TemporaryDirectory()
            var executor = ExecutorSpec(kind: .slurm)
            executor.jobDirectory = cluster.directory.appendingPathComponent("jobs").path
            executor.slurmConf = cluster.directory.appendingPathComponent("slurm.conf").path
            let (_, transcript) = try await Self.runSweep(in: directory, executor: executor)
            #expect(transcript.contains("Training jobs run through slurm"), "\(transcript.suffix(2000))")
            let jobs = cluster.directory.appendingPathComponent("jobs")
            let scripts = try FileManager.default.contentsOfDirectory(atPath: jobs.path).filter {
                $0.hasSuffix(".sbatch")
            }.map { try String(contentsOf: jobs.appendingPathComponent($0), encoding: .utf8) }
            let arrays = scripts.filter { $0.contains("#SBATCH --array=0-1\n") }
            #expect(arrays.count == 1, "the two trainings were one job array: \(scripts)")
            #expect(arrays.first.map { $0.contains("iter1-job1") && $0.contains("iter1-job2") } == true)
        }
    }

    /// A quick run whose recipe sweeps two learning rates, checked for what both variants show: both candidates
    /// train with overlapping intervals, both are evaluated as one group, and the decisions name Holm's correction.
    static func runSweep(
        in directory: TemporaryDirectory, executor: ExecutorSpec?
    ) async throws -> (Workspace, String) {
        let lines = LineCollector()
        let launcher = RunLauncher(progress: { lines.append($0) })
        try await launcher.python.ensure(progress: { lines.append($0) })
        let demo = DemoRun(settings: .quick, runsDirectory: directory.path("runs"), launcher: launcher)
        let base = try await demo.provisionModel()
        var (spec, _) = try demo.writeTask(baseModel: base)
        spec.recipe?.sweep = [["learning_rate": 2e-3], ["learning_rate": 5e-4]]
        spec.executor = executor
        let workspace = try launcher.create(spec: spec, runsDirectory: directory.path("runs"), driver: .recipe)
        let outcome = try await launcher.run(workspace)
        let transcript = lines.lines.joined(separator: "\n")
        let label = executor.map { " through \($0.kind.rawValue)" } ?? ""
        #expect(outcome.ending == .finished, "\(transcript.suffix(3000))")

        let records = try await workspace.openStore().records()
        var started: [String: Date] = [:]
        var finished: [String: Date] = [:]
        for record in records {
            if let start = record.decode(TrainStarted.self) { started[start.job.id] = record.time }
            if let end = record.decode(TrainFinished.self) { finished[end.jobID] = record.time }
        }
        #expect(Set(started.keys) == ["iter1-job1", "iter1-job2"] && Set(finished.keys) == Set(started.keys),
                "\(transcript.suffix(3000))")
        if let s1 = started["iter1-job1"], let s2 = started["iter1-job2"], let f1 = finished["iter1-job1"],
            let f2 = finished["iter1-job2"]
        {
            #expect(s2 < f1 && s1 < f2, "the two jobs' intervals overlap: \(s1)–\(f1) and \(s2)–\(f2)")
            print("DemoCommandTests (parallel candidates\(label)): job1 \(f1.timeIntervalSince(s1)) s, job2 "
                + "\(f2.timeIntervalSince(s2)) s, overlapping \(min(f1, f2).timeIntervalSince(max(s1, s2))) s")
        }
        let reports = records.all(EvalReported.self)
        #expect(reports.map(\.label) == ["baseline", "iter1-job1", "iter1-job2"], "\(reports.map(\.label))")
        #expect(reports.dropFirst().allSatisfy { $0.group?.count == 2 })
        let decisions = records.all(CandidateEvaluated.self)
        #expect(decisions.count == 2 && decisions.filter(\.promoted).count <= 1)
        #expect(decisions.allSatisfy { $0.reason.contains("Holm over 2 candidates") }, "\(decisions.map(\.reason))")
        print("DemoCommandTests (parallel candidates\(label)): \(reports.map { "\($0.label) \($0.score)" }); "
            + decisions.map(\.reason).joined(separator: " | "))
        return (workspace, transcript)
    }
}
