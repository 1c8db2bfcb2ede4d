import AgentCore
public import Foundation

/// A benchmark given as a JSONL file of `BenchmarkItem`s.
public struct LocalBenchmark: Sendable, Hashable, Codable {
    /// The benchmark's name (the file name without extension, unless given).
    public var name: String
    /// The items, in file order.
    public var items: [BenchmarkItem]

    /// A benchmark from items.
    public init(name: String, items: [BenchmarkItem]) {
        self.name = name
        self.items = items
    }

    /// Loads a JSONL benchmark. Blank lines are skipped; every other line must be an object with `id`, `prompt`,
    /// `target` and `scorer` (or the `defaultScorer`). Ids may be strings or integers and must be unique.
    /// - Parameters:
    ///   - url: the JSONL file.
    ///   - name: the benchmark's name; the file name without extension by default.
    ///   - defaultScorer: the scorer for lines that do not name one.
    /// - Throws: `EvaluationError.logUnreadable` when the file cannot be read, and
    ///   `EvaluationError.benchmarkInvalid` (with the line number) for a bad line, a duplicate id or an empty file.
    public static func load(
        from url: URL, name: String? = nil, defaultScorer: BenchmarkScorer? = nil
    ) throws -> LocalBenchmark {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw EvaluationError.logUnreadable(path: url.path, reason: "cannot read the benchmark file")
        }
        var items: [BenchmarkItem] = []
        var seen: Set<String> = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { continue }
            let item = try parse(trimmed, path: url.path, line: index + 1, defaultScorer: defaultScorer)
            guard seen.insert(item.id).inserted else {
                throw EvaluationError.benchmarkInvalid(
                    path: url.path, line: index + 1, reason: "duplicate id '\(item.id)'; ids must be unique")
            }
            items.append(item)
        }
        guard !items.isEmpty else {
            throw EvaluationError.benchmarkInvalid(path: url.path, line: 1, reason: "the benchmark has no items")
        }
        return LocalBenchmark(name: name ?? url.deletingPathExtension().lastPathComponent, items: items)
    }

    static func parse(_ line: String, path: String, line number: Int, defaultScorer: BenchmarkScorer?) throws
        -> BenchmarkItem
    {
        func invalid(_ reason: String) -> EvaluationError {
            .benchmarkInvalid(path: path, line: number, reason: reason)
        }
        guard let value = try? JSONValue(parsing: line), let object = value.objectValue else {
            throw invalid("not a JSON object")
        }
        let id: String
        switch object["id"] {
        case .string(let text)?: id = text
        case .number(let number)? where number.rounded() == number: id = String(Int(number))
        default: throw invalid("missing 'id' (a string or an integer)")
        }
        guard let prompt = object["prompt"]?.stringValue, !prompt.isEmpty else {
            throw invalid("missing 'prompt' (a non-empty string)")
        }
        let target: String
        switch object["target"] {
        case .string(let text)?: target = text
        case .number(let number)?: target = number.rounded() == number ? String(Int(number)) : String(number)
        default: throw invalid("missing 'target' (a string or a number)")
        }
        let scorer: BenchmarkScorer
        if let name = object["scorer"]?.stringValue {
            guard let known = BenchmarkScorer(rawValue: name) else {
                let options = BenchmarkScorer.allCases.map(\.rawValue).joined(separator: ", ")
                throw invalid("unknown scorer '\(name)'; use one of \(options)")
            }
            scorer = known
        } else if let defaultScorer {
            scorer = defaultScorer
        } else {
            throw invalid("missing 'scorer'")
        }
        if scorer == .regex, (try? NSRegularExpression(pattern: target)) == nil {
            throw invalid("the target '\(target)' is not a valid regular expression")
        }
        let choices = object["choices"]?.arrayValue?.compactMap(\.stringValue)
        return BenchmarkItem(id: id, prompt: prompt, target: target, scorer: scorer, choices: choices)
    }
}
