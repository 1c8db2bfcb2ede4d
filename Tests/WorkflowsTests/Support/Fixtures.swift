import Evaluation
import Foundation
import Synchronization
import Workflows

/// A clock the test moves by hand.
final class ManualClock: WallClock {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { current = Mutex(start) }

    func now() -> Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

/// A temporary directory removed when the test ends.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("workflows-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ relative: String) -> URL { url.appendingPathComponent(relative) }

    /// Writes a small loadable model folder (config.json + weights) whose weights file holds `marker`.
    @discardableResult
    func makeModel(_ relative: String, marker: String) throws -> URL {
        let folder = path(relative)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("{\"model_type\": \"qwen2\"}".utf8).write(to: folder.appendingPathComponent("config.json"))
        try Data(marker.utf8).write(to: folder.appendingPathComponent("model.safetensors"))
        return folder
    }

    func write(_ text: String, to relative: String) throws {
        let file = path(relative)
        try FileManager.default.createDirectory(
            at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }
}

/// The marker stored in a model folder made by ``TemporaryDirectory/makeModel(_:marker:)``.
func modelMarker(_ folder: URL) throws -> String {
    try String(decoding: Data(contentsOf: folder.appendingPathComponent("model.safetensors")), as: UTF8.self)
}

/// A report over samples `s0…` with the given scores.
func makeReport(_ label: String, _ scores: [Double], benchmark: String = "toy") -> EvaluationReport {
    let samples = scores.enumerated().map {
        SampleRecord(id: "s\($0.offset)", input: "q\($0.offset)", target: "a", output: "o", score: $0.element)
    }
    return EvaluationReport(
        benchmark: benchmark, metric: "accuracy", score: scores.reduce(0, +) / Double(max(1, scores.count)),
        stderr: nil, sampleCount: scores.count, limit: nil, samples: samples, command: ["fake"], versions: [:],
        modelPath: "/models/\(label)", label: label, durationSeconds: 1)
}

/// Scores: `correct` of `total` samples right, the first ones.
func scores(correct: Int, of total: Int) -> [Double] { (0..<total).map { $0 < correct ? 1 : 0 } }
