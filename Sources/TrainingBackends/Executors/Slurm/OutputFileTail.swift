import Foundation

/// Reads the lines appended to a file since the last read (a job's output file, written elsewhere).
struct OutputFileTail {
    /// The file to follow; it may not exist yet.
    let path: String
    private var offset: UInt64 = 0
    private var partial = Data()

    init(path: String) {
        self.path = path
    }

    /// The complete lines appended since the last call; with `flush`, also a last line without a newline.
    mutating func read(flush: Bool = false) -> [String] {
        if let handle = FileHandle(forReadingAtPath: path) {
            defer { try? handle.close() }
            if (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd() {
                offset += UInt64(data.count)
                partial.append(data)
            }
        }
        var lines: [String] = []
        while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
            lines.append(String(decoding: partial[partial.startIndex..<newline], as: UTF8.self))
            partial = Data(partial[partial.index(after: newline)...])
        }
        if flush && !partial.isEmpty {
            lines.append(String(decoding: partial, as: UTF8.self))
            partial = Data()
        }
        return lines
    }
}
