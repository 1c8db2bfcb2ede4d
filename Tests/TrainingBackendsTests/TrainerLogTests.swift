import Foundation
import Testing
@testable import TrainingBackends

@Suite("Trainer log")
struct TrainerLogTests {
    @Test func readsTheRealSFTLog() throws {
        let records = TrainerLog.progress(fromText: try Fixtures.text("llamafactory-0.9.5/sft_lora_output/trainer_log.jsonl"))
        #expect(records.count == 9)
        let first = try #require(records.first)
        #expect(first.step == 1)
        #expect(first.totalSteps == 6)
        #expect(first.loss == 5.96761417388916)
        #expect(first.learningRate == 0.0)
        #expect(first.elapsedSeconds == 1)
        #expect(first.remainingSeconds == 5)
        let last = try #require(records.last)
        #expect(last.step == 6)
        #expect(last.loss == nil)
        #expect(records.contains { $0.step == 3 && $0.loss == nil })
    }

    @Test(arguments: ["dpo", "kto", "rm", "full", "freeze"])
    func readsTheOtherStagesLogs(stage: String) throws {
        let records = TrainerLog.progress(fromText: try Fixtures.text("llamafactory-0.9.5/\(stage)/trainer_log.jsonl"))
        #expect(!records.isEmpty)
        #expect(records.allSatisfy { $0.totalSteps > 0 && $0.step <= $0.totalSteps })
        #expect(records.contains { $0.loss != nil })
    }

    @Test func readsMetricsFromAllResults() {
        let metrics = TrainerLog.metrics(fromResultsFile: Fixtures.url("llamafactory-0.9.5/sft_lora_output/all_results.json"))
        #expect(metrics["train_loss"] == 5.871794621149699)
        #expect(metrics["eval_loss"] == 5.826021671295166)
        #expect(metrics["epoch"] == 1.2)
    }

    @Test(arguments: [
        ("0:00:03", 3.0), ("12:03:04", 43_384.0), ("1 day, 0:00:01", 86_401.0), ("2 days, 1:00:00", 176_400.0),
    ])
    func parsesPythonDurations(text: String, seconds: Double) {
        #expect(TrainerLog.seconds(fromDuration: text) == seconds)
    }

    @Test func ignoresLinesThatAreNotProgress() {
        #expect(TrainerLog.progress(fromLine: "not json") == nil)
        #expect(TrainerLog.progress(fromLine: #"{"loss": 1.0}"#) == nil)
    }

    @Test func theTailReturnsOnlyCompleteNewLinesAndSurvivesARecreatedFile() throws {
        let folder = try Fixtures.temporaryDirectory("tail")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("trainer_log.jsonl")
        var tail = TrainerLogTail(file: file)
        #expect(tail.read().isEmpty)
        let line1 = #"{"current_steps": 1, "total_steps": 4, "loss": 2.0}"#
        let line2 = #"{"current_steps": 2, "total_steps": 4, "loss": 1.5}"#
        try Data((line1 + "\n" + line2.prefix(10)).utf8).write(to: file)
        #expect(tail.read().map(\.step) == [1])
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((line2.dropFirst(10) + "\n").utf8))
        try handle.close()
        #expect(tail.read().map(\.step) == [2])
        #expect(tail.read().isEmpty)
        try Data("{\"current_steps\": 1, \"total_steps\": 9}\n".utf8).write(to: file)
        #expect(tail.read().map(\.totalSteps) == [9])
    }
}
