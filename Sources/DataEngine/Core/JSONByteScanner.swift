/// Receives the decoded UTF-8 bytes of every JSON string value (never object keys), in document order.
protocol JSONTextSink {
    /// A run of bytes of a string value that held no escape (passed as is, without copying).
    mutating func text(_ bytes: UnsafeBufferPointer<UInt8>)
    /// The current string value ended.
    mutating func endOfString()
    /// Takes the bytes of a string value from `start` up to the first quote, backslash or control byte (or
    /// `end`) and returns that byte's index. The default hands the run to ``text(_:)``; a sink may fuse this
    /// search with its own processing to read each byte once.
    mutating func consumeText(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int
}

extension JSONTextSink {
    /// One decoded byte of an escape sequence.
    mutating func textByte(_ byte: UInt8) {
        withUnsafePointer(to: byte) { text(UnsafeBufferPointer(start: $0, count: 1)) }
    }

    @inline(__always)
    mutating func consumeText(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int) -> Int {
        var index = start
        while index < end {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            index += 1
        }
        if index > start { text(UnsafeBufferPointer(start: base + start, count: index - start)) }
        return index
    }
}

/// A sink that ignores the text: used to validate syntax and find the end of a value.
struct DiscardingTextSink: JSONTextSink {
    @inline(__always) mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) {}
    @inline(__always) mutating func endOfString() {}
}

/// A strict JSON syntax checker over raw bytes that hands string values to a ``JSONTextSink``.
///
/// It allocates nothing and works on an unsafe buffer, because the contamination scan runs it over gigabytes.
struct JSONByteScanner {
    /// The bytes being read.
    let bytes: UnsafeBufferPointer<UInt8>
    /// Nesting deeper than this is treated as malformed (it protects the stack).
    static let maximumDepth = 256

    /// Parses exactly one JSON value, surrounded by optional whitespace, spanning the whole buffer.
    /// - Returns: whether the buffer holds exactly one well-formed value.
    static func scanDocument<Sink: JSONTextSink>(_ bytes: UnsafeBufferPointer<UInt8>, into sink: inout Sink) -> Bool {
        let scanner = JSONByteScanner(bytes: bytes)
        var position = scanner.skipWhitespace(from: 0)
        guard let end = scanner.value(at: position, depth: 0, into: &sink) else { return false }
        position = scanner.skipWhitespace(from: end)
        return position == bytes.count
    }

    /// The first index at or after `position` that is not JSON whitespace.
    @inline(__always)
    func skipWhitespace(from position: Int) -> Int {
        var index = position
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return index
            }
        }
        return index
    }

    /// Parses the value starting at `position`.
    /// - Returns: the index just past the value, or `nil` when it is malformed or truncated.
    func value<Sink: JSONTextSink>(at position: Int, depth: Int, into sink: inout Sink) -> Int? {
        guard position < bytes.count, depth < Self.maximumDepth else { return nil }
        switch bytes[position] {
        case UInt8(ascii: "\""): return string(at: position, into: &sink)
        case UInt8(ascii: "{"): return object(at: position, depth: depth, into: &sink)
        case UInt8(ascii: "["): return array(at: position, depth: depth, into: &sink)
        case UInt8(ascii: "t"): return literal("true", at: position)
        case UInt8(ascii: "f"): return literal("false", at: position)
        case UInt8(ascii: "n"): return literal("null", at: position)
        default: return number(at: position)
        }
    }

    private func object<Sink: JSONTextSink>(at position: Int, depth: Int, into sink: inout Sink) -> Int? {
        var index = skipWhitespace(from: position + 1)
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { return index + 1 }
        var discard = DiscardingTextSink()
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""),
                let keyEnd = string(at: index, into: &discard)
            else { return nil }
            index = skipWhitespace(from: keyEnd)
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
            index = skipWhitespace(from: index + 1)
            guard let valueEnd = value(at: index, depth: depth + 1, into: &sink) else { return nil }
            index = skipWhitespace(from: valueEnd)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "}") { return index + 1 }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index = skipWhitespace(from: index + 1)
        }
    }

    private func array<Sink: JSONTextSink>(at position: Int, depth: Int, into sink: inout Sink) -> Int? {
        var index = skipWhitespace(from: position + 1)
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { return index + 1 }
        while true {
            guard let valueEnd = value(at: index, depth: depth + 1, into: &sink) else { return nil }
            index = skipWhitespace(from: valueEnd)
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "]") { return index + 1 }
            guard bytes[index] == UInt8(ascii: ",") else { return nil }
            index = skipWhitespace(from: index + 1)
        }
    }

    @inline(__always)
    private func string<Sink: JSONTextSink>(at position: Int, into sink: inout Sink) -> Int? {
        let base = bytes.baseAddress!
        var index = position + 1
        while true {
            index = sink.consumeText(base, from: index, to: bytes.count)
            guard index < bytes.count else { return nil }
            switch base[index] {
            case UInt8(ascii: "\""):
                sink.endOfString()
                return index + 1
            case UInt8(ascii: "\\"):
                guard let next = escape(at: index, into: &sink) else { return nil }
                index = next
            default:
                return nil
            }
        }
    }

    /// Decodes the escape at `position` (a backslash) into the sink; returns the index after it.
    private func escape<Sink: JSONTextSink>(at position: Int, into sink: inout Sink) -> Int? {
        guard position + 1 < bytes.count else { return nil }
        switch bytes[position + 1] {
        case UInt8(ascii: "\""): sink.textByte(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): sink.textByte(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): sink.textByte(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): sink.textByte(0x08)
        case UInt8(ascii: "f"): sink.textByte(0x0C)
        case UInt8(ascii: "n"): sink.textByte(0x0A)
        case UInt8(ascii: "r"): sink.textByte(0x0D)
        case UInt8(ascii: "t"): sink.textByte(0x09)
        case UInt8(ascii: "u"):
            guard var scalar = hexQuad(at: position + 2) else { return nil }
            var end = position + 6
            if (0xD800..<0xDC00).contains(scalar), end + 1 < bytes.count, bytes[end] == UInt8(ascii: "\\"),
                bytes[end + 1] == UInt8(ascii: "u"), let low = hexQuad(at: end + 2), (0xDC00..<0xE000).contains(low)
            {
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                end += 6
            }
            emitUTF8(scalar, into: &sink)
            return end
        default: return nil
        }
        return position + 2
    }

    private func hexQuad(at position: Int) -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for index in position..<(position + 4) {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Writes a code point as UTF-8 (lone surrogates become U+FFFD, as Python's decoder would not keep them).
    private func emitUTF8<Sink: JSONTextSink>(_ scalar: UInt32, into sink: inout Sink) {
        let value = (0xD800..<0xE000).contains(scalar) ? 0xFFFD : scalar
        switch value {
        case 0..<0x80:
            sink.textByte(UInt8(value))
        case 0x80..<0x800:
            sink.textByte(UInt8(0xC0 | value >> 6))
            sink.textByte(UInt8(0x80 | value & 0x3F))
        case 0x800..<0x10000:
            sink.textByte(UInt8(0xE0 | value >> 12))
            sink.textByte(UInt8(0x80 | (value >> 6) & 0x3F))
            sink.textByte(UInt8(0x80 | value & 0x3F))
        default:
            sink.textByte(UInt8(0xF0 | value >> 18))
            sink.textByte(UInt8(0x80 | (value >> 12) & 0x3F))
            sink.textByte(UInt8(0x80 | (value >> 6) & 0x3F))
            sink.textByte(UInt8(0x80 | value & 0x3F))
        }
    }

    private func literal(_ word: StaticString, at position: Int) -> Int? {
        let length = word.utf8CodeUnitCount
        guard position + length <= bytes.count else { return nil }
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: length)
        for offset in 0..<length where bytes[position + offset] != expected[offset] { return nil }
        return position + length
    }

    private func number(at position: Int) -> Int? {
        var index = position
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { return nil }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if isDigit(bytes[index]) {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        } else {
            return nil
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { return nil }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else { return nil }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        return index
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
