import AgentCore
import AgentTesting
import Foundation
import Interfaces
import Testing
import TrainingBackends

@testable import Workflows

@Suite("TrainingThroughput: forecasts from the run's own finished jobs")
struct TrainingThroughputTests {
    private func job(
        _ id: String, _ hyperparameters: [String: JSONValue], datasets: [String] = ["d"], directory: URL? = nil,
        finetuning: FinetuningType = .lora, gpus: [Int] = []
    ) -> TrainingJob {
        TrainingJob(
            id: id, baseModel: URL(fileURLWithPath: "/models/base"), finetuning: finetuning, datasets: datasets,
            datasetDirectory: directory ?? URL(fileURLWithPath: "/nowhere"), template: "qwen", hyperparameters: hyperparameters,
            outputDirectory: URL(fileURLWithPath: "/tmp/\(id)"), gpus: gpus)
    }

    @Test func aJobsSizeComesFromItsStepsOrItsDatasetsAndEpochs() throws {
        let directory = try TemporaryDirectory()
        try directory.write(#"{"a": {"file_name": "a.jsonl"}, "b": {"file_name": "b.json"}}"#, to: "dataset_info.json")
        try directory.write((0..<30).map { #"{"i": \#($0)}"# }.joined(separator: "\n") + "\n\n", to: "a.jsonl")
        try directory.write("[" + (0..<12).map { #"{"i": \#($0)}"# }.joined(separator: ",") + "]", to: "b.json")

        let steps = job(
            "s", ["max_steps": 30, "per_device_train_batch_size": 4, "gradient_accumulation_steps": 2], gpus: [0, 1])
        #expect(TrainingThroughput.samples(of: steps) == 480)
        let epochs = job("e", ["num_train_epochs": 2], datasets: ["a", "b"], directory: directory.url)
        #expect(TrainingThroughput.samples(of: epochs) == 84)
        let capped = job("c", ["max_samples": 10], datasets: ["a", "b"], directory: directory.url)
        #expect(TrainingThroughput.samples(of: capped) == 60)
        #expect(TrainingThroughput.samples(of: job("m", [:], datasets: ["missing"], directory: directory.url)) == nil)

        // The count the data tool validated (carried by the job) wins over counting the file.
        var validated = job("p", [:], datasets: ["a"], directory: directory.url)
        validated.datasetSamples = ["a": 25]
        #expect(TrainingThroughput.samples(of: validated) == 75)
    }

    @Test func theFirstJobOfAKindIsForecastFromThisMachinesEarlierJobsScaledBySizeAndLength() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            #"{"hidden_size": 576, "num_hidden_layers": 30, "num_attention_heads": 9, "vocab_size": 49152, "#
                + #""intermediate_size": 1536, "tie_word_embeddings": true}"#, to: "small/config.json")
        try directory.write(
            #"{"hidden_size": 1152, "num_hidden_layers": 30, "num_attention_heads": 9, "vocab_size": 49152, "#
                + #""intermediate_size": 3072, "tie_word_embeddings": true}"#, to: "large/config.json")
        func job(_ id: String, _ model: String, cutoff: Double, threads: Int) -> TrainingJob {
            TrainingJob(
                id: id, baseModel: directory.url.appendingPathComponent(model), datasets: ["d"],
                datasetDirectory: URL(fileURLWithPath: "/nowhere"), template: "qwen",
                hyperparameters: ["max_steps": 10, "per_device_train_batch_size": 8, "cutoff_len": .number(cutoff)],
                outputDirectory: URL(fileURLWithPath: "/tmp/\(id)"), cpuThreads: threads)
        }
        let log = TrainingThroughput.machineLog(in: directory.url)
        let earlierRun = TrainingThroughput(machineLog: log)
        earlierRun.learn(
            job: job("old", "small", cutoff: 96, threads: 2),
            result: TrainingResult(
                jobID: "old", outputDirectory: URL(fileURLWithPath: "/"), modelDirectory: URL(fileURLWithPath: "/"),
                metrics: ["train_runtime": 40, "train_samples_per_second": 2], wallSeconds: 60))

        let newRun = TrainingThroughput(machineLog: log)
        #expect(newRun.machineHistory.count == 1)
        let same = try #require(newRun.estimate(job("a", "small", cutoff: 96, threads: 2)))
        let expected: Double = 20 + 80 * 0.5
        #expect(abs(same.seconds - expected) < 1e-6)
        #expect(same.basis.contains("earlier sft/lora job on this machine"))
        let larger = try #require(newRun.estimate(job("b", "large", cutoff: 192, threads: 2)))
        let atLeast: Double = 20 + 80 * 0.5 * 2 * 3
        #expect(larger.seconds > atLeast)
        #expect(larger.basis.contains("for model size") && larger.basis.contains("x2.00 for cutoff_len"))
        // Another thread count or kind has no calibration.
        #expect(newRun.estimate(job("c", "small", cutoff: 96, threads: 1)) == nil)
        // The run's own job, once finished, wins over the machine's.
        newRun.learn(
            job: job("d", "small", cutoff: 96, threads: 2),
            result: TrainingResult(
                jobID: "d", outputDirectory: URL(fileURLWithPath: "/"), modelDirectory: URL(fileURLWithPath: "/"),
                metrics: ["train_runtime": 80, "train_samples_per_second": 1], wallSeconds: 90))
        #expect(newRun.estimate(job("e", "small", cutoff: 96, threads: 2))?.basis.contains("this run's last") == true)
        #expect(TrainingThroughput.read(log).count == 2)

        // A job that got fewer cores than it asked for is remembered with the threads it ran with.
        newRun.learn(
            job: job("f", "small", cutoff: 96, threads: 2),
            result: TrainingResult(
                jobID: "f", outputDirectory: URL(fileURLWithPath: "/"), modelDirectory: URL(fileURLWithPath: "/"),
                metrics: ["train_runtime": 80, "train_samples_per_second": 1], wallSeconds: 90, cpuThreads: 1))
        #expect(TrainingThroughput.read(log).last?.threads == 1)
    }

    @Test func theForecastIsTheFixedCostPlusSizeTimesTheRateOfTheLatestJobOfTheSameKind() throws {
        let throughput = TrainingThroughput()
        #expect(throughput.estimate(job("j0", ["max_steps": 10])) == nil)
        let first = job("j1", ["max_steps": 10, "per_device_train_batch_size": 4])
        throughput.learn(
            job: first,
            result: TrainingResult(
                jobID: "j1", outputDirectory: URL(fileURLWithPath: "/"), modelDirectory: URL(fileURLWithPath: "/"),
                metrics: ["train_runtime": 20, "train_samples_per_second": 2], wallSeconds: 50))
        // 40 samples in 20 s of training, 30 s around it (load, save, merge).
        let bigger = job("j2", ["max_steps": 100, "per_device_train_batch_size": 4])
        let estimate = try #require(throughput.estimate(bigger))
        #expect(estimate.seconds == 30 + 400 * 0.5)
        #expect(estimate.basis.contains("400 samples") && estimate.basis.contains("sft/lora"))
        // No rate from full fine-tuning yet.
        #expect(throughput.estimate(job("j3", ["max_steps": 5], finetuning: .full)) == nil)

        // Later jobs: the latest one's rate and fixed cost are used (the first from its runtime, 40 s for 40 samples).
        throughput.learn(
            job: job("j4", ["max_steps": 10, "per_device_train_batch_size": 4]),
            result: TrainingResult(
                jobID: "j4", outputDirectory: URL(fileURLWithPath: "/"), modelDirectory: URL(fileURLWithPath: "/"), metrics: ["train_runtime": 40],
                wallSeconds: 70))
        #expect(throughput.estimate(bigger)?.seconds == 30 + 400 * 1.0)
        throughput.learn(
            job: job("j5", ["max_steps": 10, "per_device_train_batch_size": 4]),
            result: TrainingResult(
                jobID: "j5", outputDirectory: URL(fileURLWithPath: "/"), modelDirectory: URL(fileURLWithPath: "/"),
                metrics: ["train_runtime": 10, "train_samples_per_second": 4], wallSeconds: 30))
        #expect(throughput.estimate(bigger)?.seconds == 20 + 400 * 0.25)
    }

    @Test func aResumedRunRelearnsFromItsRecords() throws {
        let trained = job("iter1-job1", ["max_steps": 8, "per_device_train_batch_size": 8])
        let records = [
            try ExperimentRecord(TrainStarted(iteration: 1, job: trained)),
            try ExperimentRecord(
                TrainFinished(
                    iteration: 1, jobID: "iter1-job1", modelDirectory: "checkpoints/iter1-job1", wallSeconds: 100,
                    metrics: ["train_runtime": 64, "train_samples_per_second": 1])),
        ]
        let throughput = TrainingThroughput()
        throughput.learn(from: records)
        #expect(throughput.history.count == 1)
        #expect(throughput.estimate(job("next", ["max_steps": 16, "per_device_train_batch_size": 8]))?.seconds == 164)
    }

    @Test func aJobForecastPastTheAllowanceIsRefusedWithItsBasisAndSmallOnesRun() async throws {
        let time = ManualClock()
        let budget = BudgetClock(
            limits: BudgetLimits(deadline: time.now().addingTimeInterval(3600), finalReserve: 600), clock: time)
        let throughput = TrainingThroughput()
        let backend = BudgetedTrainingBackend(
            base: FakeTrainingBackend(script: .init(metrics: ["train_runtime": 100, "train_samples_per_second": 1])),
            budget: budget, throughput: throughput)
        let small = job("iter1-job1", ["max_steps": 25, "per_device_train_batch_size": 4])
        for try await _ in backend.train(small) {}
        #expect(throughput.history.count == 1)

        // 50 minutes are left for jobs; 4000 samples at 1 s each cannot fit.
        let large = job("iter2-job1", ["max_steps": 1000, "per_device_train_batch_size": 4])
        await #expect {
            for try await _ in backend.train(large) {}
        } throws: { error in
            guard let refusal = error as? BudgetRefusalError else { return false }
            return refusal.reason.contains("4000 samples at 1.000 s/sample") && refusal.reason.contains("sft/lora job")
        }
        for try await _ in backend.train(job("iter2-job2", ["max_steps": 100, "per_device_train_batch_size": 4])) {}
    }
}
