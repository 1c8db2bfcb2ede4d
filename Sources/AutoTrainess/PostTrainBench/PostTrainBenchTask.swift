import AgentCore
public import Foundation

/// A PostTrainBench task folder as the benchmark hands it to an agent (task contract, section 1): `evaluate.py`,
/// `templates/`, `timer.sh`, optionally `evaluation_code/`, and in the parent folder (v1.1+)
/// `contamination_check.py` and `test_data.json`.
public struct PostTrainBenchTask: Sendable, Hashable, Codable {
    /// The task folder (the agent's working directory in the benchmark).
    public var directory: URL
    /// The benchmark's name (`benchmark.txt` when present, else the folder's name).
    public var benchmark: String
    /// `timer.sh`, when the folder has one.
    public var timer: URL?
    /// The parent's `contamination_check.py`, when present.
    public var contaminationChecker: URL?
    /// The parent's `test_data.json` (an array of `{question, answer}`), when present.
    public var testData: URL?
    /// The files the agent must not change, relative to the task folder: `evaluate.py`, `templates`,
    /// `evaluation_code` and `timer.sh` as present.
    public var protectedPaths: [String]
    /// The API keys grading needs (`info.json`'s `required_api_keys`, else `OPENAI_API_KEY` for the LLM-judged
    /// arenahardwriting and healthbench): passed to `evaluate.py` only, never to the agent.
    public var gradingKeys: [String]

    /// The benchmarks whose `evaluate.py` calls an LLM grader (task contract, section 2).
    public static let judgedBenchmarks: Set<String> = ["arenahardwriting", "healthbench"]

    /// Reads the folder.
    /// - Throws: ``PostTrainBenchError/missingFile(folder:file:)`` without `evaluate.py`.
    public init(directory: URL) throws {
        let directory = directory.standardizedFileURL
        let manager = FileManager.default
        func exists(_ name: String, in folder: URL = directory) -> URL? {
            let url = folder.appendingPathComponent(name)
            return manager.fileExists(atPath: url.path) ? url : nil
        }
        guard exists("evaluate.py") != nil else {
            throw PostTrainBenchError.missingFile(folder: directory.path, file: "evaluate.py")
        }
        self.directory = directory
        let named = (try? String(contentsOf: directory.appendingPathComponent("benchmark.txt"), encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        benchmark = named.flatMap { $0.isEmpty ? nil : $0 } ?? directory.lastPathComponent
        timer = exists("timer.sh")
        let parent = directory.deletingLastPathComponent()
        contaminationChecker = exists("contamination_check.py", in: parent)
        testData = exists("test_data.json", in: parent)
        protectedPaths = ["evaluate.py", "templates", "evaluation_code", "timer.sh"].filter { exists($0) != nil }
        let info = (try? Data(contentsOf: directory.appendingPathComponent("info.json")))
            .flatMap { try? JSONValue(parsing: String(decoding: $0, as: UTF8.self)) }
        gradingKeys = info?["required_api_keys"]?.arrayValue?.compactMap(\.stringValue)
            ?? (Self.judgedBenchmarks.contains(benchmark) ? ["OPENAI_API_KEY"] : [])
    }

    /// What the run found, for `--dry-run` and the run's first progress lines.
    public func describe(fingerprint: FileFingerprintSummary?, deadline: String, rules: PostTrainBenchRules) -> [String] {
        var lines = ["PostTrainBench task \(benchmark) at \(directory.path) (rules \(rules.rawValue))"]
        lines.append("- protected: " + protectedPaths.joined(separator: ", "))
        if let fingerprint { lines += fingerprint.lines.map { "  - \($0)" } }
        lines.append("- deadline: \(deadline)")
        if !gradingKeys.isEmpty {
            lines.append("- grading keys (to evaluate.py only, never to the agent): " + gradingKeys.joined(separator: ", "))
        }
        switch (testData, contaminationChecker) {
        case (let data?, let checker?):
            lines.append("- contamination gate: our index of \(data.lastPathComponent) and \(checker.path)")
        case (let data?, nil):
            lines.append("- contamination gate: our index of \(data.lastPathComponent) (no contamination_check.py)")
        default:
            lines.append(
                "- contamination gate: NO benchmark data available (no ../test_data.json): nothing can be checked "
                    + "in code; rule 3 (no test questions or answers in training) then rests on the agent alone")
        }
        return lines
    }
}

/// The digests of the protected files, shown by `--dry-run`.
public struct FileFingerprintSummary: Sendable, Hashable {
    public var lines: [String]
    public init(lines: [String]) { self.lines = lines }
}
