public import Foundation

/// A temporary directory, removed when the value is released (at the end of the test that made it).
public final class TemporaryDirectory: Sendable {
    /// The directory.
    public let url: URL

    /// Creates an empty directory under the system's temporary folder.
    /// - Throws: the file manager's error.
    public init(prefix: String = "autotrainess-tests") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// A path inside the directory (nothing is created).
    public func path(_ relative: String) -> URL { url.appendingPathComponent(relative) }

    /// Writes `text` to `relative`, creating its folders.
    /// - Throws: the file manager's error.
    public func write(_ text: String, to relative: String) throws {
        let file = path(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    /// Writes a small model folder that loads as far as the workflow checks (`config.json` and a weights file) and
    /// whose weights file holds `marker`, read back by ``modelMarker(_:)`` (a ``ScoringEvaluator`` scores by it).
    /// - Throws: the file manager's error.
    @discardableResult
    public func makeModel(_ relative: String, marker: String) throws -> URL {
        try writeModel(at: path(relative), marker: marker)
    }
}

/// Writes a stand-in model folder at `folder`: `config.json` and `model.safetensors` holding `marker`.
/// - Throws: the file manager's error.
@discardableResult
public func writeModel(at folder: URL, marker: String) throws -> URL {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try Data("{\"model_type\": \"qwen2\"}".utf8).write(to: folder.appendingPathComponent("config.json"))
    try Data(marker.utf8).write(to: folder.appendingPathComponent("model.safetensors"))
    return folder
}

/// The marker of a model folder written by ``writeModel(at:marker:)``.
/// - Throws: when the folder has no weights file.
public func modelMarker(_ folder: URL) throws -> String {
    try String(decoding: Data(contentsOf: folder.appendingPathComponent("model.safetensors")), as: UTF8.self)
}
