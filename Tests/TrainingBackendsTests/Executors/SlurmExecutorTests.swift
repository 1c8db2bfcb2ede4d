import Foundation
import TestClusters
import Runtime
import Synchronization
import Testing

@testable import TrainingBackends

/// Against a real single-node Slurm started for each test (`LocalSlurmCluster`).
@Suite("Slurm executor", .serialized)
struct SlurmExecutorTests {
    static func executor(_ cluster: LocalSlurmCluster) -> SlurmExecutor {
        SlurmExecutor(
            options: SlurmOptions(
                jobDirectory: cluster.directory.appendingPathComponent("jobs").path, pollIntervalSeconds: 0.2,
                cancelWaitSeconds: 20),
            environment: cluster.environment)
    }

    @Test func aBatchJobStreamsItsOutputAndReportsItsExitStatus() async throws {
        try await LocalSlurmCluster.with { cluster in
            var environment = cluster.environment
            environment["AUTOTRAINESS_GREETING"] = "hello from slurm"
            let spec = ProcessSpec(
                executable: "sh", arguments: ["-c", "echo \"$AUTOTRAINESS_GREETING\"; echo to-stderr >&2; exit 3"],
                environment: environment, workingDirectory: cluster.directory)
            let lines = LineCollector()
            let outcome = try await Self.executor(cluster).run(spec) { lines.append($0.text) }
            #expect(outcome.exitCode == 3)
            #expect(!outcome.timedOut)
            #expect(lines.lines == ["hello from slurm", "to-stderr"])
            #expect(outcome.outputTail == lines.lines)
        }
    }

    @Test func aJobArrayRunsOneTaskPerSpec() async throws {
        try await LocalSlurmCluster.with { cluster in
            let specs = (0..<2).map { index in
                ProcessSpec(
                    executable: "sh", arguments: ["-c", "echo candidate \(index) task $SLURM_ARRAY_TASK_ID"],
                    environment: cluster.environment)
            }
            let lines = Mutex<[Int: [String]]>([:])
            let outcomes = try await Self.executor(cluster).runArray(specs) { index, line in
                lines.withLock { $0[index, default: []].append(line.text) }
            }
            #expect(outcomes.map(\.exitCode) == [0, 0])
            #expect(lines.withLock { $0 } == [0: ["candidate 0 task 0"], 1: ["candidate 1 task 1"]])
        }
    }

    /// Two members of a job group (two candidates of one `train` call) run as the two tasks of one job array, each
    /// followed alone: one is cancelled (only its task stops), the other runs on to its own exit status.
    @Test func aJobGroupBecomesOneArrayWhoseTasksAreFollowedAlone() async throws {
        try await LocalSlurmCluster.with { cluster in
            let executor = Self.executor(cluster)
            let group = JobGroup(size: 2)
            let lines = [LineCollector(), LineCollector()]
            let scripts = [
                "echo member 0 task $SLURM_ARRAY_TASK_ID; sleep 982",
                "echo member 1 task $SLURM_ARRAY_TASK_ID; sleep 3; exit 4",
            ]
            let members = (0..<2).map { member in
                Task {
                    try await JobGroup.join(group, member: member) {
                        try await executor.run(
                            ProcessSpec(
                                executable: "sh", arguments: ["-c", scripts[member]], environment: cluster.environment)
                        ) { line in lines[member].append(line.text) }
                    }
                }
            }
            try await TestServices.wait("member 0's task to start", seconds: 60) {
                lines[0].lines.contains { $0.hasPrefix("member 0") }
            }
            members[0].cancel()
            await #expect(throws: CancellationError.self) { try await members[0].value }
            let second = try await members[1].value
            #expect(second.exitCode == 4)
            #expect(lines[0].lines.first == "member 0 task 0" && lines[1].lines == ["member 1 task 1"])
            #expect(lines[0].lines.contains { $0.contains("CANCELLED") }, "Slurm says the task was cancelled")
            let jobs = cluster.directory.appendingPathComponent("jobs").path
            let names = try FileManager.default.contentsOfDirectory(atPath: jobs)
            let sbatch = names.filter { $0.hasSuffix(".sbatch") }
            #expect(sbatch.count == 1, "one submission for both members: \(names)")
            let script = try String(contentsOfFile: "\(jobs)/\(sbatch.first ?? "")", encoding: .utf8)
            #expect(script.contains("#SBATCH --array=0-1\n"))
            try await TestServices.wait("the cancelled task's processes to exit", seconds: 20) {
                try await !TestServices.processCommandLines().contains("sleep 982")
            }
        }
    }

    @Test func cancellingRunsScancelAndLeavesNoProcess() async throws {
        try await LocalSlurmCluster.with { cluster in
            let spec = ProcessSpec(
                executable: "sh", arguments: ["-c", "echo started; sleep 984"], environment: cluster.environment)
            let lines = LineCollector()
            let executor = Self.executor(cluster)
            let task = Task { try await executor.run(spec) { lines.append($0.text) } }
            try await TestServices.wait("the batch job to start", seconds: 30) { lines.lines.contains("started") }
            try await TestServices.wait("the job's sleep to show in ps", seconds: 20) {
                try await TestServices.processCommandLines().contains("sleep 984")
            }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            let queue = try await TestServices.run("/usr/bin/squeue", ["-h"], environment: cluster.environment)
            #expect(queue.allSatisfy { $0.isEmpty })
            // slurmstepd signals the job's processes as the job ends; their exit is observed, not timed.
            try await TestServices.wait("the cancelled job's processes to exit", seconds: 20) {
                try await !TestServices.processCommandLines().contains("sleep 984")
            }
        }
    }

    @Test func theDeadlineCancelsTheJobAndMarksTheOutcome() async throws {
        try await LocalSlurmCluster.with { cluster in
            let spec = ProcessSpec(
                executable: "sleep", arguments: ["983"], environment: cluster.environment, deadline: Date() + 3)
            let outcome = try await Self.executor(cluster).run(spec) { _ in }
            #expect(outcome.timedOut)
            #expect(!outcome.succeeded)
        }
    }
}
