import Foundation

/// Finds inspect JSON logs in a log folder.
enum InspectLogLocator {
    /// The most recently modified `.json` file directly inside `folder`, if any.
    static func newestLog(in folder: URL) -> URL? {
        let keys: [URLResourceKey] = [.contentModificationDateKey]
        guard let files = try? FileManager.default.contentsOfDirectory(
            at: folder, includingPropertiesForKeys: keys, options: [.skipsHiddenFiles])
        else { return nil }
        return files.filter { $0.pathExtension == "json" }.max { lhs, rhs in
            let left = (try? lhs.resourceValues(forKeys: Set(keys)).contentModificationDate) ?? .distantPast
            let right = (try? rhs.resourceValues(forKeys: Set(keys)).contentModificationDate) ?? .distantPast
            return left < right
        }
    }
}
