import Foundation

/// One record of a dataset file: a JSONL line or an element of a top-level JSON array.
enum DatasetRecord {
    /// A record's bytes (without its line break) and the 1-based line where it starts.
    case record(line: Int, bytes: UnsafeBufferPointer<UInt8>)
    /// The top-level array is broken at this line: the rest of the file cannot be read.
    case brokenArray(line: Int)
}

/// Reads dataset files record by record: JSON Lines stream in fixed-size chunks, a file whose first
/// significant byte is `[` is read whole as one JSON array.
enum DatasetRecords {
    /// Size of the chunks JSON Lines files are read in.
    static let chunkSize = 4 << 20

    /// Calls `body` for every non-blank line (JSONL) or array element (JSON array), in order.
    /// - Throws: ``DataEngineError/fileNotReadable(path:reason:)``, or what `body` throws.
    static func forEach(in url: URL, _ body: (DatasetRecord) throws -> Void) throws {
        let file = try ReadOnlyFile(url: url)
        if try file.firstSignificantByte() == UInt8(ascii: "[") {
            try forEachArrayElement(try file.readAll(), body)
        } else {
            try forEachLine(file, body)
        }
    }

    private static func forEachLine(_ file: ReadOnlyFile, _ body: (DatasetRecord) throws -> Void) throws {
        var buffer: [UInt8] = []
        var pending = 0
        var offset = 0
        var line = 1
        while true {
            let got = try file.read(into: &buffer, at: pending, offset: offset, count: chunkSize)
            offset += got
            let filled = pending + got
            let atEnd = got == 0
            var consumed = 0
            try buffer.withUnsafeBufferPointer { all in
                var start = 0
                while start < filled {
                    guard let newline = all[start..<filled].firstIndex(of: 0x0A) else {
                        if atEnd { try emitLine(all, start, filled, line, body) }
                        consumed = atEnd ? filled : start
                        return
                    }
                    try emitLine(all, start, newline, line, body)
                    line += 1
                    start = newline + 1
                }
                consumed = filled
            }
            if atEnd { return }
            pending = filled - consumed
            if consumed > 0 { buffer.replaceSubrange(0..<pending, with: buffer[consumed..<filled]) }
        }
    }

    private static func emitLine(
        _ all: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ line: Int,
        _ body: (DatasetRecord) throws -> Void
    ) throws {
        var stop = end
        if stop > start, all[stop - 1] == 0x0D { stop -= 1 }
        let slice = UnsafeBufferPointer(rebasing: all[start..<stop])
        if slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        try body(.record(line: line, bytes: slice))
    }

    private static func forEachArrayElement(_ bytes: [UInt8], _ body: (DatasetRecord) throws -> Void) throws {
        try bytes.withUnsafeBufferPointer { all in
            let scanner = JSONByteScanner(bytes: all)
            var lineCounter = LineCounter()
            var index = all.firstIndex(of: UInt8(ascii: "["))! + 1
            index = scanner.skipWhitespace(from: index)
            if index < all.count, all[index] == UInt8(ascii: "]") { return }
            var discard = DiscardingTextSink()
            while true {
                let line = lineCounter.line(at: index, in: all)
                guard let end = scanner.value(at: index, depth: 1, into: &discard) else {
                    try body(.brokenArray(line: line))
                    return
                }
                try body(.record(line: line, bytes: UnsafeBufferPointer(rebasing: all[index..<end])))
                index = scanner.skipWhitespace(from: end)
                guard index < all.count else {
                    try body(.brokenArray(line: lineCounter.line(at: index, in: all)))
                    return
                }
                if all[index] == UInt8(ascii: "]") { return }
                guard all[index] == UInt8(ascii: ",") else {
                    try body(.brokenArray(line: lineCounter.line(at: index, in: all)))
                    return
                }
                index = scanner.skipWhitespace(from: index + 1)
            }
        }
    }
}

/// Turns increasing byte offsets into 1-based line numbers.
struct LineCounter {
    private var position = 0
    private var line = 1

    /// The line of the byte at `offset` (offsets must not decrease between calls).
    mutating func line(at offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let stop = min(offset, bytes.count)
        while position < stop {
            if bytes[position] == 0x0A { line += 1 }
            position += 1
        }
        return line
    }
}
