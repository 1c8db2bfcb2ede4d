public import Foundation

/// The demo benchmark's two generated splits, and how they are written to disk.
public struct DemoSplits: Sendable, Hashable, Codable {
    /// The held-out test items, evaluated and never trained on.
    public var test: [DemoTestItem]
    /// The training samples, disjoint from the test items.
    public var training: [DemoTrainingSample]

    /// Both splits.
    ///
    /// - Parameters:
    ///   - test: the held-out test items.
    ///   - training: the training samples.
    public init(test: [DemoTestItem], training: [DemoTrainingSample]) {
        self.test = test
        self.training = training
    }

    /// The test split as JSONL for the local benchmark evaluator: one object per line with
    /// `id`, `prompt`, `target` and `scorer`, keys sorted.
    public func testJSONL() throws(DemoBenchmarkError) -> Data {
        let encoder = Self.encoder(pretty: false)
        var data = Data()
        for item in test {
            do {
                data.append(try encoder.encode(item))
            } catch {
                throw .invalidSettings("test item \(item.id) could not be encoded: \(error)")
            }
            data.append(0x0A)
        }
        return data
    }

    /// The training split as a LlamaFactory alpaca JSON array (`instruction`, `input`, `output`).
    public func trainingJSON() throws(DemoBenchmarkError) -> Data {
        do {
            return try Self.encoder(pretty: true).encode(training)
        } catch {
            throw .invalidSettings("training samples could not be encoded: \(error)")
        }
    }

    /// Writes the test split as JSONL to `url`, replacing the file atomically.
    ///
    /// - Parameter url: the file to write, e.g. `…/benchmark/test.jsonl`.
    /// - Throws: ``DemoBenchmarkError/writeFailed(path:reason:)`` when the file cannot be written.
    public func writeTest(to url: URL) throws(DemoBenchmarkError) {
        try Self.write(try testJSONL(), to: url)
    }

    /// Writes the training split as an alpaca JSON array to `url`, replacing the file atomically.
    ///
    /// - Parameter url: the file to write, e.g. `…/data/train.json`.
    /// - Throws: ``DemoBenchmarkError/writeFailed(path:reason:)`` when the file cannot be written.
    public func writeTraining(to url: URL) throws(DemoBenchmarkError) {
        try Self.write(try trainingJSON(), to: url)
    }

    private static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if pretty { encoder.outputFormatting.insert(.prettyPrinted) }
        return encoder
    }

    private static func write(_ data: Data, to url: URL) throws(DemoBenchmarkError) {
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw .writeFailed(path: url.path, reason: error.localizedDescription)
        }
    }
}
