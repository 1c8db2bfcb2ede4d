import AgentCore
import Foundation
import Interfaces
import Testing

@Suite struct RunRecordsTests {
    @Test func everyKindIsDeclaredOnceAndNamesOneType() {
        let kinds = RunRecords.kinds
        #expect(Set(kinds).count == kinds.count, "duplicate kinds: \(kinds)")
        #expect(kinds.count == 34)
    }

    @Test func theRunRecordsArticleDocumentsEveryKind() throws {
        let article = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/Interfaces/Interfaces.docc/RunRecords.md")
        let text = try String(contentsOf: article, encoding: .utf8)
        for kind in RunRecords.kinds { #expect(text.contains("| `\(kind)` |"), "\(kind) is not in RunRecords.md") }
    }

    @Test func aTypedRecordRoundTripsThroughTheStoreFile() throws {
        let finished = TrainFinished(
            iteration: 2, jobID: "iter2-job1", modelDirectory: "checkpoints/iter2-job1", wallSeconds: 81.5,
            metrics: ["train_runtime": 70], checkpoints: [.init(step: 4, modelDirectory: "checkpoints/iter2-job1-step4")],
            cpuThreads: 2)
        let record = try ExperimentRecord(finished)
        #expect(record.kind == "train.finished")
        let line = try RecordCoding.encoder.encode(record)
        let back = try RecordCoding.decoder.decode(ExperimentRecord.self, from: line)
        #expect(back.decode(TrainFinished.self)?.checkpoints?.first?.step == 4)
        #expect(back.decode(EvalReported.self) == nil)
        #expect([back].all(TrainFinished.self).map(\.jobID) == ["iter2-job1"])
    }

    @Test func aKindFromANewerVersionIsKeptAndSkipped() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("records-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("events.jsonl")
        let store = try JSONLExperimentStore(fileURL: file)
        try await store.append(StageEntered(stage: "baseline"))
        try await store.append(ExperimentRecord(kind: "report.rendered", payload: ["pages": 3]))
        try await store.append(StageEntered(stage: "local"))
        let reopened = try JSONLExperimentStore(fileURL: file)
        let records = try await reopened.records()
        #expect(records.map(\.kind) == ["stage.entered", "report.rendered", "stage.entered"])
        #expect(records[1].payload["pages"]?.intValue == 3)
        let state = RunState.rebuild(from: records, runDirectory: directory)
        #expect(state.stage == "local" && state.recordCount == 3)
    }
}
