public import AgentCore
import Evaluation
public import Foundation

/// Where a dataset came from: every operation that made it (sources with their SHA-256, parameters, counts in and
/// out, what was dropped and why) and its validation verdict. Written beside the data as
/// `<dataset>.manifest.json`; `validate` refuses a dataset without one.
public struct DatasetManifest: Sendable, Hashable, Codable {
    /// A source an operation read.
    public struct Source: Sendable, Hashable, Codable {
        public var path: String
        /// The SHA-256 of the file, or of a folder's files in order.
        public var sha256: String
        public var kind: String
        public var rowsRead: Int
        public var rowsSelected: Int

        public init(path: String, sha256: String, kind: String, rowsRead: Int, rowsSelected: Int) {
            self.path = path
            self.sha256 = sha256
            self.kind = kind
            self.rowsRead = rowsRead
            self.rowsSelected = rowsSelected
        }
    }

    /// One step: `build`, `filter` or `mix`.
    public struct Operation: Sendable, Hashable, Codable {
        public var action: String
        public var sources: [Source]
        /// The arguments that shaped the output (mapping, selection, weights, seed, ...).
        public var parameters: [String: JSONValue]
        public var rowsIn: Int
        public var rowsOut: Int
        /// Rows dropped, by reason.
        public var dropped: [String: Int]
        public var time: Date

        public init(
            action: String, sources: [Source], parameters: [String: JSONValue], rowsIn: Int, rowsOut: Int,
            dropped: [String: Int] = [:], time: Date = Date()
        ) {
            self.action = action
            self.sources = sources
            self.parameters = parameters
            self.rowsIn = rowsIn
            self.rowsOut = rowsOut
            self.dropped = dropped
            self.time = time
        }
    }

    /// The validation verdict, once validated.
    public struct Validation: Sendable, Hashable, Codable {
        public var verdict: String
        public var reasons: [String]
        public var contaminationHits: Int
        /// The SHA-256 of the file validated.
        public var sha256: String
    }

    public var dataset: String
    public var format: String
    /// The steps, oldest first (a filter or mix carries its inputs' manifests' steps before its own).
    public var operations: [Operation]
    public var validation: Validation?

    public init(dataset: String, format: String, operations: [Operation], validation: Validation? = nil) {
        self.dataset = dataset
        self.format = format
        self.operations = operations
        self.validation = validation
    }

    /// The manifest file of a dataset file (`x.json` → `x.manifest.json`).
    public static func file(for dataset: URL) -> URL {
        dataset.deletingPathExtension().appendingPathExtension("manifest.json")
    }

    /// The manifest of `dataset`, or `nil` when it has none.
    public static func load(for dataset: URL) -> DatasetManifest? {
        guard let data = FileManager.default.contents(atPath: file(for: dataset).path) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(DatasetManifest.self, from: data)
    }

    /// Writes the manifest beside `dataset`.
    public func write(for dataset: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(self).write(to: Self.file(for: dataset), options: .atomic)
    }

    /// The SHA-256 of a file, or of a folder's regular files (paths and contents, in path order).
    public static func digest(of url: URL) throws -> String {
        var isFolder: ObjCBool = false
        FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder)
        guard isFolder.boolValue else { return try FileFingerprint.digest(of: url) }
        let files = (FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey])?
            .compactMap { $0 as? URL } ?? [])
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .sorted { $0.path < $1.path }
        var combined = ""
        for file in files {
            combined += String(file.path.dropFirst(url.path.count)) + ":" + (try FileFingerprint.digest(of: file)) + "\n"
        }
        return SHA256.hex(of: Data(combined.utf8))
    }

    /// One line per operation, for tool results and the experiment log.
    public var summary: String {
        operations.map { operation in
            var line = "\(operation.action): \(operation.rowsIn) -> \(operation.rowsOut) rows"
            if !operation.sources.isEmpty {
                line += " from " + operation.sources.map {
                    "\(URL(fileURLWithPath: $0.path).lastPathComponent) (\($0.kind), sha256 \($0.sha256.prefix(12)))"
                }.joined(separator: ", ")
            }
            if !operation.dropped.isEmpty {
                line += "; dropped " + operation.dropped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
                    .joined(separator: ", ")
            }
            return line
        }.joined(separator: "\n")
    }
}
