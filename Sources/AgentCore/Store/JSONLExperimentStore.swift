public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A line of the store's file that could not be read back as a record.
///
/// A damaged line is reported and skipped; the records before and after it are kept.
public struct StoreDamage: Sendable, Hashable, Codable, CustomStringConvertible {
    /// 1-based line number in the file.
    public var line: Int
    /// Offset of the line's first byte in the file.
    public var byteOffset: Int
    /// Length of the damaged line in bytes, without its newline.
    public var byteCount: Int
    /// Whether the line is the file's last one and has no newline: a write cut short by a crash.
    public var isTruncatedTail: Bool
    /// Why the line was rejected.
    public var reason: String

    /// Creates a damage report.
    public init(line: Int, byteOffset: Int, byteCount: Int, isTruncatedTail: Bool, reason: String) {
        self.line = line
        self.byteOffset = byteOffset
        self.byteCount = byteCount
        self.isTruncatedTail = isTruncatedTail
        self.reason = reason
    }

    public var description: String {
        let what = isTruncatedTail ? "truncated last line" : "damaged line"
        return "\(what) \(line) (\(byteCount) bytes at offset \(byteOffset)): \(reason); skipped"
    }
}

/// An error of the JSONL store: what failed, on which file, and the system's reason.
public struct ExperimentStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The store file.
    public var file: String
    /// What was being done: `create`, `read`, `write`, `fsync`, ...
    public var operation: String
    /// The system's reason.
    public var reason: String

    /// Creates an error.
    public init(file: String, operation: String, reason: String) {
        self.file = file
        self.operation = operation
        self.reason = reason
    }

    public var description: String {
        "Experiment store \(file): \(operation) failed: \(reason). Check that the run folder exists and is writable."
    }
}

/// The records and damaged lines found in a store file.
public struct ExperimentStoreContents: Sendable, Hashable {
    /// The records that decoded, in file order.
    public var records: [ExperimentRecord]
    /// The lines that did not decode.
    public var damage: [StoreDamage]
    /// Whether the file ends without a newline (its last line was cut short).
    public var endsMidLine: Bool
}

/// An ``ExperimentStore`` kept as one JSON object per line, each written with a single `write` and an `fsync`.
///
/// Opening an existing file reads every record back and continues the sequence. A line that does not decode
/// (a write cut short by a crash, or corruption in the middle) is reported in ``damage`` and skipped: records
/// before and after it are kept. The next append starts on a fresh line, so a cut-short line never swallows a
/// new record.
public actor JSONLExperimentStore: ExperimentStore {
    /// The store's file.
    public nonisolated let fileURL: URL
    /// The damaged lines found when the store was opened.
    public nonisolated let damage: [StoreDamage]

    private var stored: [ExperimentRecord]
    private var nextSequence: Int
    private var needsLineBreak: Bool

    /// Opens the store at `fileURL`, creating the file (and its folder) when missing.
    /// - Throws: ``ExperimentStoreError`` when the file cannot be created or read.
    public init(fileURL: URL) throws {
        let path = fileURL.path
        let manager = FileManager.default
        try Self.attempt(path, "create folder") {
            try manager.createDirectory(at: fileURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        }
        if !manager.fileExists(atPath: path) {
            let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            guard descriptor >= 0 else { throw Self.systemError(path, "create") }
            fsync(descriptor)
            close(descriptor)
            Self.syncDirectory(of: fileURL)
        }
        let contents = try Self.read(fileURL: fileURL)
        self.fileURL = fileURL
        self.damage = contents.damage
        self.stored = contents.records
        self.nextSequence = (contents.records.map(\.sequence).max() ?? 0) + 1
        self.needsLineBreak = contents.endsMidLine
    }

    /// Reads a store file without opening it for writing (for `status` and other read-only views).
    /// - Throws: ``ExperimentStoreError`` when the file cannot be read.
    public static func read(fileURL: URL) throws -> ExperimentStoreContents {
        let data = try attempt(fileURL.path, "read") { try Data(contentsOf: fileURL) }
        return decode(data)
    }

    /// Decodes store file bytes into records and damaged lines.
    public static func decode(_ data: Data) -> ExperimentStoreContents {
        let decoder = RecordCoding.decoder
        var records: [ExperimentRecord] = []
        var damage: [StoreDamage] = []
        let bytes = [UInt8](data)
        let endsMidLine = !(bytes.last.map { $0 == UInt8(ascii: "\n") } ?? true)
        var start = 0
        var line = 0
        while start < bytes.count {
            line += 1
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            let isTail = end == bytes.count
            let slice = Data(bytes[start..<end])
            if !slice.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) {
                do {
                    records.append(try decoder.decode(ExperimentRecord.self, from: slice))
                } catch {
                    damage.append(
                        StoreDamage(
                            line: line, byteOffset: start, byteCount: end - start, isTruncatedTail: isTail,
                            reason: isTail ? "no newline and not a complete record" : "not a valid record"))
                }
            }
            start = end + 1
        }
        return ExperimentStoreContents(records: records, damage: damage, endsMidLine: endsMidLine)
    }

    @discardableResult
    public func append(_ record: ExperimentRecord) async throws -> ExperimentRecord {
        var numbered = record
        numbered.sequence = nextSequence
        var line = try Self.attempt(fileURL.path, "encode record") { try RecordCoding.encoder.encode(numbered) }
        // Keep what a reader will decode (times are stored to the millisecond), so reopening yields equal records.
        let stored = try Self.attempt(fileURL.path, "decode record") {
            try RecordCoding.decoder.decode(ExperimentRecord.self, from: line)
        }
        line.append(UInt8(ascii: "\n"))
        if needsLineBreak { line.insert(UInt8(ascii: "\n"), at: 0) }
        do {
            try writeDurably(line)
        } catch {
            // Part of the line may be on disk: start the next record on a fresh line so it is not glued to it.
            needsLineBreak = true
            throw error
        }
        needsLineBreak = false
        nextSequence += 1
        self.stored.append(stored)
        return stored
    }

    public func records() async throws -> [ExperimentRecord] { stored }

    /// Writes `bytes` at the end of the file with one `write` call (repeated only if the kernel writes less),
    /// then `fsync`s it.
    private func writeDurably(_ bytes: Data) throws {
        let path = fileURL.path
        let descriptor = open(path, O_WRONLY | O_APPEND)
        guard descriptor >= 0 else { throw Self.systemError(path, "open for append") }
        defer { close(descriptor) }
        var written = 0
        try bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let result = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw Self.systemError(path, "write")
                }
                written += result
            }
        }
        guard fsync(descriptor) == 0 else { throw Self.systemError(path, "fsync") }
    }

    private static func syncDirectory(of fileURL: URL) {
        let descriptor = open(fileURL.deletingLastPathComponent().path, O_RDONLY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    private static func systemError(_ path: String, _ operation: String) -> ExperimentStoreError {
        ExperimentStoreError(file: path, operation: operation, reason: String(cString: strerror(errno)))
    }

    private static func attempt<T>(_ path: String, _ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ExperimentStoreError {
            throw error
        } catch {
            throw ExperimentStoreError(file: path, operation: operation, reason: "\(error)")
        }
    }
}

/// The JSON coding of stored records: sorted keys, ISO-8601 times with fractional seconds.
public enum RecordCoding {
    /// The encoder used for one stored line (no newlines in its output).
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        }
        return encoder
    }

    /// The decoder matching ``encoder``; it also accepts times without fractional seconds.
    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
            if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO-8601 time: \(text)")
        }
        return decoder
    }
}
