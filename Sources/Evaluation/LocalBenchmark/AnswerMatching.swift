import Foundation

/// The text-only scorers (`exact`, `numeric`, `regex`, `multipleChoice`) and the answer extraction they use.
public enum AnswerMatching {
    /// Scores `output` against `item` with its scorer: 1 or 0. `code` items are not scored here (see `CodeSandbox`).
    /// - Returns: the score, or `nil` for a `code` item.
    public static func score(_ output: String, for item: BenchmarkItem) -> Double? {
        switch item.scorer {
        case .exact:
            return normalized(output) == normalized(item.target) ? 1 : 0
        case .numeric:
            guard let expected = finalNumber(in: item.target), let answer = finalNumber(in: output) else { return 0 }
            return abs(expected - answer) <= 1e-6 * max(1, abs(expected)) ? 1 : 0
        case .regex:
            guard let pattern = try? NSRegularExpression(pattern: item.target) else { return 0 }
            let range = NSRange(output.startIndex..., in: output)
            return pattern.firstMatch(in: output, range: range) == nil ? 0 : 1
        case .multipleChoice:
            let expected = item.target.trimmingCharacters(in: .whitespacesAndNewlines).uppercased()
            return chosenOption(in: output) == expected ? 1 : 0
        case .code:
            return nil
        }
    }

    /// The final number in `text`: the number after the last `####` when there is one, else the last number.
    /// Thousands separators, `$` and `%` are ignored.
    public static func finalNumber(in text: String) -> Double? {
        let scope = text.range(of: "####", options: .backwards).map { String(text[$0.upperBound...]) } ?? text
        let cleaned = scope.replacingOccurrences(of: "$", with: "").replacingOccurrences(of: "%", with: "")
        let pattern = /-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?|-?\.\d+/
        guard let last = cleaned.matches(of: pattern).last else { return nil }
        return Double(String(last.output).replacingOccurrences(of: ",", with: ""))
    }

    /// The option letter `text` picks: `Answer: B` / `answer is (B)` when present, else the first letter A–J
    /// marked as an option (`(B)`, `B)`, `B.`, `B:`, or a letter at the very end), else a lone letter.
    /// A bare letter inside prose ("I think", "A cat") does not count.
    public static func chosenOption(in text: String) -> String? {
        let explicit = /(?i:answer)\s*(?:is)?\s*[:=]?\s*\(?([A-J])\)?(?![A-Za-z])/
        if let match = text.firstMatch(of: explicit) { return String(match.output.1).uppercased() }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let marked = /(?:^|[^A-Za-z])\(?([A-J])(?:[).:]|$)/
        if let match = trimmed.firstMatch(of: marked) { return String(match.output.1) }
        return nil
    }

    /// The code in a model's output: the first fenced block (```python or plain ```), else the whole output.
    public static func code(in output: String) -> String {
        let fenced = /```[A-Za-z0-9_+-]*[ \t]*\n([\s\S]*?)```/
        if let match = output.firstMatch(of: fenced) { return String(match.output.1) }
        return output
    }

    static func normalized(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
