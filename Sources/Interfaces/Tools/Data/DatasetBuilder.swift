public import AgentCore
public import DataEngine
public import Foundation

extension DatasetFormat {
    /// The `dataset_info.json` entry for a file of this format.
    /// - Parameters:
    ///   - fileName: the data file, relative to the dataset folder.
    ///   - hasSystem: whether rows carry a `system` field; LlamaFactory fails on a mapped column no row has.
    public func datasetInfoEntry(fileName: String, hasSystem: Bool = true) -> JSONValue {
        guard !hasSystem, case .object(var entry) = datasetInfoEntry(fileName: fileName),
            case .object(var columns) = entry["columns"] ?? .null
        else { return fullDatasetInfoEntry(fileName: fileName) }
        columns["system"] = nil
        entry["columns"] = .object(columns)
        return .object(entry)
    }

    private func fullDatasetInfoEntry(fileName: String) -> JSONValue {
        switch self {
        case .alpaca:
            [
                "file_name": .string(fileName), "formatting": "alpaca",
                "columns": ["prompt": "instruction", "query": "input", "response": "output", "system": "system"],
            ]
        case .sharegpt:
            [
                "file_name": .string(fileName), "formatting": "sharegpt",
                "columns": ["messages": "conversations", "system": "system"],
            ]
        case .preference:
            [
                "file_name": .string(fileName), "formatting": "alpaca", "ranking": true,
                "columns": ["prompt": "instruction", "query": "input", "chosen": "chosen", "rejected": "rejected"],
            ]
        }
    }
}

/// How source fields become dataset fields. Each value is a dotted field path (`"answer"`, `"meta.question"`)
/// or a template with `{path}` placeholders (`"{rationale}\n#### {answer}"`).
public struct FieldMapping: Sendable, Hashable, Codable {
    /// The prompt (alpaca `instruction`, or the user turn).
    public var instruction: String?
    /// Extra prompt text (alpaca `input`).
    public var input: String?
    /// The answer (alpaca `output`, or the assistant turn).
    public var output: String?
    /// A system prompt.
    public var system: String?
    /// For `sharegpt`: a field holding a list of turns (`{role, content}` or `{from, value}`), used as is.
    public var messages: String?
    /// For `preference`: the preferred answer.
    public var chosen: String?
    /// For `preference`: the dispreferred answer.
    public var rejected: String?

    /// Creates a mapping; unset fields are not mapped.
    public init(
        instruction: String? = nil, input: String? = nil, output: String? = nil, system: String? = nil,
        messages: String? = nil, chosen: String? = nil, rejected: String? = nil
    ) {
        self.instruction = instruction
        self.input = input
        self.output = output
        self.system = system
        self.messages = messages
        self.chosen = chosen
        self.rejected = rejected
    }
}

/// What a build wrote and skipped.
public struct DatasetBuildResult: Sendable, Hashable {
    /// Rows written.
    public var rows: Int
    /// Skipped source rows per reason.
    public var skipped: [String: Int]
    /// The dataset file written.
    public var output: URL
}

/// Builds a LlamaFactory dataset from JSON or JSONL source files with a field mapping.
public struct DatasetBuilder: Sendable {
    /// The shape of the rows.
    public var format: DatasetFormat
    /// How source fields become dataset fields.
    public var mapping: FieldMapping

    /// Creates a builder.
    public init(format: DatasetFormat, mapping: FieldMapping) {
        self.format = format
        self.mapping = mapping
    }

    /// Reads `sources`, maps each row and writes a JSON array to `output`.
    /// - Parameter limit: stop after this many rows.
    /// - Throws: ``DatasetBuildError`` naming the unreadable source or the incomplete mapping.
    public func build(sources: [URL], output: URL, limit: Int? = nil) throws -> DatasetBuildResult {
        var inputs: [JSONValue] = []
        for source in sources { inputs += try Self.readRows(source) }
        return try build(rows: limit.map { Array(inputs.prefix($0)) } ?? inputs, output: output)
    }

    /// Maps `rows` (already read and selected) and writes a JSON array to `output`.
    /// - Throws: ``DatasetBuildError`` for an incomplete mapping or a file that cannot be written.
    public func build(rows inputs: [JSONValue], output: URL) throws -> DatasetBuildResult {
        try validateMapping()
        var rows: [JSONValue] = []
        var skipped: [String: Int] = [:]
        for row in inputs {
            do {
                rows.append(try mappedRow(row))
            } catch {
                skipped[error.description, default: 0] += 1
            }
        }
        try Self.write(rows, to: output)
        return DatasetBuildResult(rows: rows.count, skipped: skipped, output: output)
    }

    /// Writes dataset rows as a JSON array (sorted keys, atomically).
    public static func write(_ rows: [JSONValue], to output: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try FileManager.default.createDirectory(
            at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        try encoder.encode(rows).write(to: output, options: .atomic)
    }

    private func validateMapping() throws {
        switch format {
        case .alpaca:
            guard mapping.instruction != nil, mapping.output != nil else {
                throw DatasetBuildError("alpaca needs mapping.instruction and mapping.output")
            }
        case .sharegpt:
            guard mapping.messages != nil || (mapping.instruction != nil && mapping.output != nil) else {
                throw DatasetBuildError("sharegpt needs mapping.messages, or mapping.instruction and mapping.output")
            }
        case .preference:
            guard mapping.instruction != nil, mapping.chosen != nil, mapping.rejected != nil else {
                throw DatasetBuildError("preference needs mapping.instruction, mapping.chosen and mapping.rejected")
            }
        }
    }

    /// Maps one source row into a dataset row.
    /// - Throws: ``DatasetBuildError`` naming the missing field or the unusable turn (the row is then skipped).
    public func mappedRow(_ row: JSONValue) throws(DatasetBuildError) -> JSONValue {
        do {
            try validateMapping()
            var result: [String: JSONValue] = [:]
            if let system = mapping.system { result["system"] = .string(try Self.resolve(system, in: row)) }
            switch format {
            case .alpaca:
                result["instruction"] = .string(try Self.resolve(mapping.instruction!, in: row))
                result["input"] = .string(try mapping.input.map { try Self.resolve($0, in: row) } ?? "")
                result["output"] = .string(try Self.resolve(mapping.output!, in: row))
            case .sharegpt:
                result["conversations"] = .array(try conversation(row))
            case .preference:
                result["instruction"] = .string(try Self.resolve(mapping.instruction!, in: row))
                result["input"] = .string(try mapping.input.map { try Self.resolve($0, in: row) } ?? "")
                result["chosen"] = .string(try Self.resolve(mapping.chosen!, in: row))
                result["rejected"] = .string(try Self.resolve(mapping.rejected!, in: row))
            }
            return .object(result)
        } catch let error as DatasetBuildError {
            throw error
        } catch {
            throw DatasetBuildError("\(error)")
        }
    }

    private func conversation(_ row: JSONValue) throws -> [JSONValue] {
        if let field = mapping.messages {
            guard let turns = Self.lookup(field, in: row)?.arrayValue, !turns.isEmpty else {
                throw DatasetBuildError("field '\(field)' is missing or not a list")
            }
            return try turns.map { turn in
                let role = turn["role"]?.stringValue ?? turn["from"]?.stringValue ?? ""
                let text = turn["content"]?.stringValue ?? turn["value"]?.stringValue ?? ""
                let tag: String
                switch role {
                case "user", "human": tag = "human"
                case "assistant", "gpt", "model": tag = "gpt"
                case "system": tag = "system"
                default: throw DatasetBuildError("turn role '\(role)' is not user/assistant/system")
                }
                return ["from": .string(tag), "value": .string(text)]
            }
        }
        var prompt = try Self.resolve(mapping.instruction!, in: row)
        if let input = mapping.input {
            let extra = try Self.resolve(input, in: row)
            if !extra.isEmpty { prompt += "\n\n" + extra }
        }
        return [
            ["from": "human", "value": .string(prompt)],
            ["from": "gpt", "value": .string(try Self.resolve(mapping.output!, in: row))],
        ]
    }

    /// Resolves a field path or a `{path}` template against `row`.
    static func resolve(_ spec: String, in row: JSONValue) throws -> String {
        guard spec.contains("{") else {
            guard let value = lookup(spec, in: row), value != .null else {
                throw DatasetBuildError("missing field '\(spec)'")
            }
            return text(value)
        }
        var result = ""
        var rest = Substring(spec)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw DatasetBuildError("template '\(spec)' has an unclosed '{'")
            }
            let path = String(rest[rest.index(after: open)..<close])
            guard let value = lookup(path, in: row), value != .null else {
                throw DatasetBuildError("missing field '\(path)'")
            }
            result += text(value)
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    static func lookup(_ path: String, in row: JSONValue) -> JSONValue? {
        path.split(separator: ".").reduce(Optional(row)) { value, key in
            guard let value else { return nil }
            if let index = Int(key), let array = value.arrayValue {
                return array.indices.contains(index) ? array[index] : nil
            }
            return value[String(key)]
        }
    }

    private static func text(_ value: JSONValue) -> String {
        value.stringValue ?? value.compactText
    }

    /// The rows of a JSON array file, or of a JSONL file (one object per line).
    /// - Throws: ``DatasetBuildError`` when the file cannot be read or parsed.
    public static func readRows(_ url: URL) throws -> [JSONValue] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw DatasetBuildError("cannot read \(url.path)")
        }
        let text = String(decoding: data, as: UTF8.self)
        if url.pathExtension != "jsonl", let value = try? JSONValue(parsing: text) {
            if let rows = value.arrayValue { return rows }
            if let rows = value.objectValue?.values.first(where: { $0.arrayValue != nil })?.arrayValue { return rows }
        }
        var rows: [JSONValue] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let row = try? JSONValue(parsing: trimmed) else {
                throw DatasetBuildError("\(url.lastPathComponent) line \(number + 1) is not JSON")
            }
            rows.append(row)
        }
        return rows
    }
}

/// A build failure: the message names the field, file or line.
public struct DatasetBuildError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    /// Creates an error with its message.
    public init(_ description: String) { self.description = description }
}
