import Foundation

/// The model folder an evaluation is asked to load (the registry's `ModelFolder` checks it is loadable).
enum EvaluatedModel {
    /// Throws `EvaluationError.modelNotFound` unless `path` is an existing folder.
    static func requireExists(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EvaluationError.modelNotFound(path: path)
        }
    }
}

/// A fresh folder per evaluation, so that files from different evaluations never mix.
enum OutputFolder {
    /// Creates `<parent>/<label>-<UTC timestamp>-<short random>`.
    static func create(in parent: URL, label: String) throws -> URL {
        let safeLabel = String(label.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }.prefix(60))
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "-")
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let url = parent.appendingPathComponent("\(safeLabel)-\(stamp)-\(suffix)", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw EvaluationError.invalidInput(
                "cannot create the output folder \(url.path): \(error.localizedDescription)")
        }
        return url
    }
}
