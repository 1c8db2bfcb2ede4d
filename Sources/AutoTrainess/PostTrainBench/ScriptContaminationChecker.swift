public import AgentCore
public import DataEngine
public import Foundation
import Interfaces
import Runtime
import Workflows

/// A PostTrainBench task's own `contamination_check.py` (v1.1+, in the task's parent folder), run on a training
/// file with its real command line: `-r test_data.json -i FILE --input-format jsonl --text-field text`. Each row of
/// the dataset becomes one document (its text values joined); every JSON line the script prints is a flagged
/// document; exit 1 with no flagged document is a failure of the tool (a missing reference, a crash).
public struct ScriptContaminationChecker: Sendable {
    public var script: URL
    public var reference: URL
    /// The interpreter the script runs with, and its environment (keys scrubbed).
    public var python: URL
    public var environment: [String: String]

    public init(
        script: URL, reference: URL, python: URL,
        environment: [String: String] = Secrets.scrub(environment: ProcessInfo.processInfo.environment)
    ) {
        self.script = script
        self.reference = reference
        self.python = python
        self.environment = environment
    }

    /// One flagged training row.
    public struct Flag: Sendable, Hashable {
        /// The 0-based row of the training file.
        public var row: Int
        public var score: Double
        public var referenceIndex: Int
        public var field: String
        /// The line the script printed, as it printed it.
        public var line: String
    }

    /// Runs the script on `file` (a JSON array or JSONL dataset).
    /// - Throws: ``EvaluationError``-free plain errors naming the script when it fails without a verdict.
    public func flags(in file: URL) async throws -> [Flag] {
        let documents = FileManager.default.temporaryDirectory
            .appendingPathComponent("ptb-contamination-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: documents) }
        let lines = try Self.rows(of: file).map { JSONValue.object(["text": .string(Self.text(of: $0))]).compactText }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: documents)
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("ptb-contamination-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: output) }
        let spec = ProcessSpec(
            executable: "/bin/bash",
            arguments: [
                "-c", "exec \"$0\" \"$@\" > '\(output.path)'", python.path, script.path,
                "-r", reference.path, "-i", documents.path, "--input-format", "jsonl", "--text-field", "text",
            ],
            environment: environment, workingDirectory: script.deletingLastPathComponent(),
            deadline: Date().addingTimeInterval(600))
        let outcome = try await ProcessRunner.run(spec)
        let printed = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        let flags = printed.split(whereSeparator: \.isNewline).compactMap { Self.flag(String($0)) }
        if outcome.exitCode != 0 && flags.isEmpty {
            throw ScriptCheckFailure(
                description: "\(script.lastPathComponent) failed (exit \(outcome.exitCode.map(String.init) ?? "?")) "
                    + "without a verdict: " + outcome.outputTail.suffix(5).joined(separator: " | "))
        }
        return flags
    }

    /// The rows of a JSON-array or JSONL dataset (unparsable lines become empty documents, keeping row numbers).
    static func rows(of file: URL) throws -> [JSONValue] {
        let text = try String(contentsOf: file, encoding: .utf8)
        if text.first(where: { !$0.isWhitespace }) == "[" {
            return try JSONValue(parsing: text).arrayValue ?? []
        }
        return text.split(whereSeparator: \.isNewline).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { (try? JSONValue(parsing: String($0))) ?? .string("") }
    }

    /// The document text of a row: its string values joined (message contents included).
    static func text(of value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .array(let items): return items.map(text(of:)).filter { !$0.isEmpty }.joined(separator: "\n")
        case .object(let fields):
            return fields.keys.sorted().compactMap { fields[$0].map(text(of:)) }.filter { !$0.isEmpty }
                .joined(separator: "\n")
        default: return ""
        }
    }

    /// A printed line: `{"source": "line:17", "max_score": …, "matches": [{"ref_index", "best_field", …}]}`.
    static func flag(_ line: String) -> Flag? {
        guard let value = try? JSONValue(parsing: line), let source = value["source"]?.stringValue else { return nil }
        let row = source.split(separator: ":").last.flatMap { Int($0) }.map { max(0, $0 - 1) } ?? 0
        let best = value["matches"]?.arrayValue?.first
        return Flag(
            row: row, score: value["max_score"]?.doubleValue ?? best?["combined_score"]?.doubleValue ?? 1,
            referenceIndex: best?["ref_index"]?.intValue ?? -1, field: best?["best_field"]?.stringValue ?? "?",
            line: line)
    }
}

/// `contamination_check.py` failed without a verdict.
public struct ScriptCheckFailure: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// The contamination gate of a PostTrainBench run: our index of `test_data.json` (question and answer fields,
/// short items included) AND the task's own `contamination_check.py`; a dataset either flags is refused, with the
/// script's lines shown to the agent.
public struct PostTrainBenchContaminationGate: DatasetChecker, ContaminationChecking {
    public var engine: EngineDatasetChecker
    public var script: ScriptContaminationChecker?

    public init(engine: EngineDatasetChecker, script: ScriptContaminationChecker?) {
        self.engine = engine
        self.script = script
    }

    public func check(file: URL, format: String, cutoffLength: Int) async throws -> DatasetCheck {
        var check = try await engine.check(file: file, format: format, cutoffLength: cutoffLength)
        for flag in try await script?.flags(in: file) ?? [] {
            check.contamination.append(
                ContaminationHit(
                    trainingLine: flag.row, benchmarkItemID: "test_data.json[\(flag.referenceIndex)]",
                    benchmarkLine: flag.referenceIndex, kind: .nearDuplicate,
                    overlap: "contamination_check.py: \(flag.line.prefix(240))", score: max(flag.score, 1)))
        }
        return check
    }

    public func check(trainingFile: URL) async throws -> (clean: Bool, summary: String) {
        let ours = try await engine.check(trainingFile: trainingFile)
        let flags = try await script?.flags(in: trainingFile) ?? []
        guard flags.isEmpty else {
            let lines = flags.prefix(3).map { "row \($0.row) ~ test_data.json[\($0.referenceIndex)] (\($0.field), "
                + String(format: "%.2f", $0.score) + ")" }
            return (false, "contamination_check.py flagged \(flags.count) document(s): " + lines.joined(separator: "; ")
                + (ours.clean ? "" : "; our index: \(ours.summary)"))
        }
        return ours
    }
}
