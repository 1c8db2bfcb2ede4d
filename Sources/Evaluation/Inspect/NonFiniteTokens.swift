import Foundation

/// Rewrites the bare `NaN`, `Infinity` and `-Infinity` tokens that Python's JSON writers emit (outside strings) as
/// the strings `"NaN"`, `"Infinity"` and `"-Infinity"`, so that a standard JSON decoder can read them with a
/// `.convertFromString` non-conforming float strategy.
enum NonFiniteTokens {
    private static let tokens: [[UInt8]] = [Array("-Infinity".utf8), Array("Infinity".utf8), Array("NaN".utf8)]

    /// `data` with bare non-finite tokens quoted; `data` itself when it has none.
    static func quoted(in data: Data) -> Data {
        let bytes = [UInt8](data)
        var output: [UInt8] = []
        var copiedUpTo = 0
        var inString = false
        var escaped = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                index += 1
                continue
            }
            if byte == UInt8(ascii: "\"") {
                inString = true
                index += 1
                continue
            }
            if byte == UInt8(ascii: "N") || byte == UInt8(ascii: "I") || byte == UInt8(ascii: "-"),
                let token = tokens.first(where: { matches($0, in: bytes, at: index) })
            {
                if output.isEmpty { output.reserveCapacity(bytes.count + 16) }
                output.append(contentsOf: bytes[copiedUpTo..<index])
                output.append(UInt8(ascii: "\""))
                output.append(contentsOf: token)
                output.append(UInt8(ascii: "\""))
                index += token.count
                copiedUpTo = index
                continue
            }
            index += 1
        }
        guard copiedUpTo > 0 else { return data }
        output.append(contentsOf: bytes[copiedUpTo...])
        return Data(output)
    }

    private static func matches(_ token: [UInt8], in bytes: [UInt8], at index: Int) -> Bool {
        guard index + token.count <= bytes.count else { return false }
        for offset in 0..<token.count where bytes[index + offset] != token[offset] { return false }
        return true
    }
}
