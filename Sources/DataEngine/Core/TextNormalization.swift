/// The one normalization the data engine uses for duplicates and contamination, on UTF-8 bytes.
///
/// A token is a maximal run of ASCII letters, ASCII digits and non-ASCII bytes (so UTF-8 letters stay inside
/// words); ASCII letters are lower-cased; everything else separates tokens. Keys of JSON objects are ignored;
/// string values are joined in document order. Non-ASCII text is compared as is, without case folding.
/// `Benchmarks/contamination_reference.py` implements exactly the same rule in Python.
enum TextNormalization {
    /// For each byte: 0 when it separates tokens, otherwise the byte as it belongs in a token (lower-cased).
    static let tokenByte: [UInt8] = (0...255).map { value -> UInt8 in
        let byte = UInt8(value)
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte + 32
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), 0x80...0xFF: return byte
        default: return 0
        }
    }

    /// ``tokenByte`` for the scanner's fused loop inside JSON strings: 1 marks the bytes that end a run of
    /// plain string text (quote, backslash, control bytes), which also separate tokens.
    static let stringTokenByte: [UInt8] = (0...255).map { value -> UInt8 in
        let byte = UInt8(value)
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { return 1 }
        return tokenByte[value]
    }

    /// Multiplier that folds each full 8-byte chunk of a token into its hash.
    static let chunkMultiplier: UInt64 = 0x3779_BA0C_D843_D55B

    /// The base of the polynomial rolling hash over token hashes.
    static let rollingBase: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// Finishes a token hash (murmur3 `fmix64`) so that the rolling hash over tokens is well spread.
    @inline(__always)
    static func finish(_ hash: UInt64) -> UInt64 {
        var h = hash
        h ^= h >> 33
        h &*= 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        h &*= 0xc4ce_b9fe_1a85_ec53
        h ^= h >> 33
        return h
    }

    /// `rollingBase` raised to `n`, wrapping.
    static func basePower(_ n: Int) -> UInt64 {
        var result: UInt64 = 1
        for _ in 0..<n { result &*= rollingBase }
        return result
    }

    /// The normalized tokens of a text.
    static func tokens(of text: String) -> [String] {
        var tokens: [String] = []
        var current: [UInt8] = []
        for byte in text.utf8 {
            let normalized = tokenByte[Int(byte)]
            if normalized != 0 {
                current.append(normalized)
            } else if !current.isEmpty {
                tokens.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { tokens.append(String(decoding: current, as: UTF8.self)) }
        return tokens
    }

    /// The finished hash of one normalized token: its bytes packed little-endian into 8-byte chunks, each full
    /// chunk folded in by a multiply, then the rest and the length mixed by ``finish(_:)``. Packing instead of
    /// a per-byte multiply keeps the scanner's dependency chain at one cheap operation per byte.
    static func tokenHash(_ token: String) -> UInt64 {
        var hash: UInt64 = 0
        var word: UInt64 = 0
        var length = 0
        for byte in token.utf8 {
            word |= UInt64(byte) << UInt64((length & 7) << 3)
            length += 1
            if length & 7 == 0 {
                hash = (hash ^ word) &* chunkMultiplier
                word = 0
            }
        }
        return finishToken(hash: hash, word: word, length: length)
    }

    /// The last step of ``tokenHash(_:)``, shared with the scanner.
    @inline(__always)
    static func finishToken(hash: UInt64, word: UInt64, length: Int) -> UInt64 {
        finish(hash ^ word ^ (UInt64(truncatingIfNeeded: length) << 56))
    }

    /// The rolling hashes of every window of `n` consecutive token hashes, in order (empty if fewer tokens).
    static func windowHashes(_ tokenHashes: [UInt64], n: Int) -> [UInt64] {
        guard tokenHashes.count >= n, n > 0 else { return [] }
        let power = basePower(n)
        var windows: [UInt64] = []
        windows.reserveCapacity(tokenHashes.count - n + 1)
        var hash: UInt64 = 0
        for (index, token) in tokenHashes.enumerated() {
            hash = hash &* rollingBase &+ token
            if index >= n { hash = hash &- tokenHashes[index - n] &* power }
            if index >= n - 1 { windows.append(hash) }
        }
        return windows
    }

    /// The hash of a whole token sequence (used for exact matches after normalization).
    static func sequenceHash(_ tokenHashes: [UInt64]) -> UInt64 {
        var hash: UInt64 = 0
        for token in tokenHashes { hash = hash &* sequenceBase &+ token }
        return finish(hash ^ UInt64(tokenHashes.count))
    }

    /// The base of ``sequenceHash(_:)``, distinct from the rolling base.
    static let sequenceBase: UInt64 = 0xD6E8_FEB8_6659_FD93
}
