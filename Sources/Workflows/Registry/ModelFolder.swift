public import Foundation

/// Checks that a folder holds a model an evaluator can load.
public enum ModelFolder {
    /// Weight file extensions that count as a loadable model next to a `config.json`.
    public static let weightExtensions: Set<String> = ["safetensors", "bin", "pt", "pth"]

    /// Checks `url`: a folder with a `config.json` and weight files, or with a GGUF file.
    /// - Throws: ``RegistryError/notLoadable(path:reason:)`` naming what is missing.
    public static func validate(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw RegistryError.notLoadable(path: url.path, reason: "it is not a folder")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        let extensions = Set(names.map { ($0 as NSString).pathExtension.lowercased() })
        if extensions.contains("gguf") { return }
        guard names.contains("config.json") else {
            throw RegistryError.notLoadable(path: url.path, reason: "it has no config.json (and no .gguf file)")
        }
        guard !extensions.isDisjoint(with: weightExtensions) else {
            throw RegistryError.notLoadable(
                path: url.path,
                reason: "it has no weight files (*.safetensors, *.bin); an adapter must be merged first")
        }
    }
}
