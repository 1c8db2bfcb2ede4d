public import AgentCore
public import Foundation
public import Runtime

/// Which rows of a source a build takes: a split of a multi-split dataset, rows whose field matches, a seeded
/// sample, at most `limit` rows (applied in that order).
public struct DataSelection: Sendable, Hashable, Codable {
    /// The split of a `save_to_disk` DatasetDict or a dataset folder with several.
    public var split: String?
    /// `field=value`, `field!=value` or `field~text` (contains); the field is a dotted path.
    public var `where`: String?
    /// A seeded sample of this many rows (the rows keep their source order).
    public var sample: Int?
    /// The sample's seed (0 when absent).
    public var seed: UInt64?
    /// At most this many rows.
    public var limit: Int?

    public init(split: String? = nil, where: String? = nil, sample: Int? = nil, seed: UInt64? = nil, limit: Int? = nil) {
        self.split = split
        self.where = `where`
        self.sample = sample
        self.seed = seed
        self.limit = limit
    }

    /// Whether the selection keeps every row.
    public var isEmpty: Bool { `where` == nil && sample == nil && limit == nil }

    /// The selected rows of `rows` (read from `source`, for errors).
    /// - Throws: ``DatasetBuildError`` for a predicate that does not parse or names a field no row has.
    public func apply(_ rows: [JSONValue], source: String) throws -> [JSONValue] {
        var selected = rows
        if let condition = `where` {
            let predicate = try Predicate(condition)
            if !rows.isEmpty, !rows.contains(where: { DatasetBuilder.lookup(predicate.field, in: $0) != nil }) {
                let fields = Set(rows.prefix(50).flatMap { $0.objectValue?.keys.map { $0 } ?? [] }).sorted()
                throw DatasetBuildError(
                    "\(source): where names field '\(predicate.field)', which no row has (fields: "
                        + fields.joined(separator: ", ") + ")")
            }
            selected = selected.filter(predicate.matches)
        }
        if let sample, sample < selected.count {
            var generator = SplitMix64(seed: seed ?? 0)
            let chosen = Set(Array(selected.indices).shuffled(using: &generator).prefix(max(0, sample)))
            selected = selected.indices.filter(chosen.contains).map { selected[$0] }
        }
        if let limit { selected = Array(selected.prefix(max(0, limit))) }
        return selected
    }

    /// A parsed `where`.
    struct Predicate {
        enum Operation: String { case equal = "=", notEqual = "!=", contains = "~" }
        var field: String
        var operation: Operation
        var value: String

        init(_ text: String) throws {
            for operation in [Operation.notEqual, .contains, .equal] {
                if let range = text.range(of: operation.rawValue) {
                    field = text[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
                    value = text[range.upperBound...].trimmingCharacters(in: .whitespaces)
                    self.operation = operation
                    guard !field.isEmpty else { break }
                    return
                }
            }
            throw DatasetBuildError(
                "where '\(text)' is not 'field=value', 'field!=value' or 'field~text' (e.g. \"split=train\")")
        }

        func matches(_ row: JSONValue) -> Bool {
            let found = DatasetBuilder.lookup(field, in: row).map { $0.stringValue ?? $0.compactText }
            switch operation {
            case .equal: return found == value
            case .notEqual: return found != value
            case .contains: return found?.localizedCaseInsensitiveContains(value) == true
            }
        }
    }
}

/// Reads a dataset source into rows: JSON and JSONL here; CSV, TSV, Parquet, Arrow, `save_to_disk` folders and
/// Hugging Face dataset folders (hub-cache snapshots included, read offline) through the managed environment's
/// `datasets` (`Python/scripts/data/read_source.py`), so there is one reader per format.
public struct SourceReader: Sendable {
    /// What a source held.
    public struct Read: Sendable {
        public var rows: [JSONValue]
        /// `json`, `jsonl`, `csv`, `parquet`, `save_to_disk`, ...
        public var kind: String
    }

    /// The Python environment for the formats Swift does not read.
    public var python: PythonEnvironment

    public init(python: PythonEnvironment = PythonEnvironment()) { self.python = python }

    /// For a hub-cache repository folder (`…/hub/datasets--org--name`, as `huggingface_hub` downloads it), the
    /// snapshot its `refs/main` names; `nil` for any other source.
    /// - Throws: ``DatasetBuildError`` when the repository folder has no `refs/main` or no such snapshot.
    public static func hubSnapshot(_ source: URL) throws -> URL? {
        guard source.lastPathComponent.hasPrefix("datasets--"),
            FileManager.default.fileExists(atPath: source.appendingPathComponent("snapshots").path)
        else { return nil }
        let ref = source.appendingPathComponent("refs/main")
        guard let revision = (try? String(contentsOf: ref, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines), !revision.isEmpty
        else {
            throw DatasetBuildError(
                "\(source.path) is a hub-cache repository without refs/main: name one of its snapshots/<revision> folders")
        }
        let snapshot = source.appendingPathComponent("snapshots").appendingPathComponent(revision)
        guard FileManager.default.fileExists(atPath: snapshot.path) else {
            throw DatasetBuildError("\(source.path): refs/main names \(revision), which is not in snapshots/")
        }
        return snapshot
    }

    /// The reader script.
    public static var script: URL { PackageResources.python.appendingPathComponent("scripts/data/read_source.py") }

    /// Reads `source` (a split of it, for datasets with several).
    /// - Throws: ``DatasetBuildError`` naming the file, the line and what to do.
    public func read(_ source: URL, split: String? = nil) async throws -> Read {
        if let snapshot = try Self.hubSnapshot(source) {
            var read = try await self.read(snapshot, split: split)
            read.kind = "hub snapshot \(snapshot.lastPathComponent.prefix(12))"
            return read
        }
        let extensionName = source.pathExtension.lowercased()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isFolder) else {
            throw DatasetBuildError("cannot read \(source.path): no such file or folder")
        }
        if !isFolder.boolValue, ["json", "jsonl"].contains(extensionName) {
            if split != nil {
                throw DatasetBuildError("\(source.lastPathComponent) is one file without splits: leave split out")
            }
            return Read(rows: try DatasetBuilder.readRows(source), kind: extensionName)
        }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("source-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: output) }
        var arguments = [Self.script.path, "--source", source.path, "--output", output.path]
        if let split { arguments += ["--split", split] }
        let outcome = try await ProcessRunner.run(
            ProcessSpec(
                executable: python.pythonExecutable.path, arguments: arguments,
                environment: python.processEnvironment(), deadline: Date().addingTimeInterval(3600)))
        guard outcome.exitCode == 0 else {
            let message = outcome.outputTail.last { $0.hasPrefix("SOURCE_ERROR: ") }
                .map { String($0.dropFirst("SOURCE_ERROR: ".count)) }
            throw DatasetBuildError(
                message ?? "reading \(source.path) failed (exit \(outcome.exitCode.map(String.init) ?? "?")): "
                    + outcome.outputTail.suffix(3).joined(separator: " | "))
        }
        let summary = outcome.outputTail.last { $0.hasPrefix("{") }.flatMap { try? JSONValue(parsing: $0) }
        return Read(rows: try DatasetBuilder.readRows(output), kind: summary?["kind"]?.stringValue ?? "python")
    }
}
