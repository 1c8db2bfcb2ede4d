/// Counts the tokens of a sample's text, to compare it with the training `cutoff_len`.
public protocol TokenCounter: Sendable {
    /// The number of tokens the model's tokenizer would produce for `text`.
    /// - Throws: when the tokenizer cannot be run; validation stops with that error.
    func tokenCount(of text: String) throws -> Int

    /// How the counts are made, in words (shown with length findings).
    var method: String { get }
}

extension TokenCounter {
    public var method: String { "counted by \(type(of: self))" }
}

/// The documented estimate used when the model's tokenizer is not at hand.
///
/// BPE tokenizers of current chat models produce about one token per 4 bytes of English and about 1.3 tokens
/// per word; the estimate takes the larger of the two (rounded up), so it errs towards flagging a sample as
/// too long rather than letting it be silently truncated.
public struct EstimatingTokenCounter: TokenCounter {
    /// Creates the estimator.
    public init() {}

    public var method: String {
        "estimated (about 4 bytes or 0.77 words per token: the model's tokenizer was not available)"
    }

    /// The estimated token count of `text`.
    public func tokenCount(of text: String) -> Int {
        let bytes = text.utf8.count
        var words = 0
        var inWord = false
        for byte in text.utf8 {
            let isSpace = byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
            if !isSpace, !inWord { words += 1 }
            inWord = !isSpace
        }
        return max((bytes + 3) / 4, (words * 13 + 9) / 10)
    }
}
