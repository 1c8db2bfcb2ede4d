import Foundation

/// The default ``Summarizer``: a deterministic digest, one line per step, with no model call.
///
/// Each tool call becomes `- name(arguments…) -> ok: first line of the result` (or `-> error: …`), user and
/// assistant text become their first line. When the digest outgrows its limit, the oldest lines are dropped and
/// counted in a leading `- (N earlier steps omitted)` line, so the summary of a 10-hour run stays bounded.
public struct DigestSummarizer: Summarizer {
    /// How many characters of a tool call's JSON arguments are kept.
    public var argumentCharacters: Int
    /// How many characters of a first line are kept.
    public var lineCharacters: Int

    /// Creates a digest summarizer.
    /// - Parameters:
    ///   - argumentCharacters: characters of tool arguments to keep (default 80).
    ///   - lineCharacters: characters of each text or result line to keep (default 160).
    public init(argumentCharacters: Int = 80, lineCharacters: Int = 160) {
        self.argumentCharacters = argumentCharacters
        self.lineCharacters = lineCharacters
    }

    /// Appends one line per folded step to `previous`, dropping the oldest lines beyond `maxCharacters`.
    public func summarize(_ folded: [Message], into previous: String?, maxCharacters: Int) async throws -> String {
        var lines = (previous ?? "").split(separator: "\n").map(String.init)
        var omitted = 0
        if let first = lines.first, let count = Self.omittedCount(in: first) {
            omitted = count
            lines.removeFirst()
        }
        lines += digest(folded)
        func length() -> Int {
            lines.reduce(0) { $0 + $1.count + 1 } + (omitted > 0 ? Self.omittedLine(omitted).count + 1 : 0)
        }
        while length() > maxCharacters, !lines.isEmpty {
            lines.removeFirst()
            omitted += 1
        }
        return ((omitted > 0 ? [Self.omittedLine(omitted)] : []) + lines).joined(separator: "\n")
    }

    /// One line per step of `messages`.
    func digest(_ messages: [Message]) -> [String] {
        var results: [String: Message] = [:]
        for message in messages where message.role == .tool {
            if let id = message.toolCallID { results[id] = message }
        }
        let callIDs = Set(messages.flatMap { $0.toolCalls.map(\.id) })
        var lines: [String] = []
        for message in messages {
            switch message.role {
            case .system:
                continue
            case .user:
                lines.append("- user: \(firstLine(message.text))")
            case .assistant:
                if !message.text.isEmpty { lines.append("- assistant: \(firstLine(message.text))") }
                for call in message.toolCalls {
                    let arguments = Self.abbreviate(compact(call.arguments), to: argumentCharacters)
                    let outcome = results[call.id].map(outcome(of:)) ?? "no result"
                    lines.append("- \(call.name)(\(arguments)) -> \(outcome)")
                }
            case .tool:
                if message.toolCallID.map(callIDs.contains) != true {
                    lines.append("- tool result: \(outcome(of: message))")
                }
            }
        }
        return lines
    }

    private func outcome(of result: Message) -> String {
        "\(result.isError ? "error" : "ok"): \(firstLine(result.text))"
    }

    private func firstLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first { !$0.allSatisfy(\.isWhitespace) } ?? ""
        return Self.abbreviate(line.trimmingCharacters(in: .whitespaces), to: lineCharacters)
    }

    private func compact(_ arguments: String) -> String {
        (try? JSONValue(parsing: arguments).compactText) ?? arguments
    }

    static func abbreviate(_ text: some StringProtocol, to limit: Int) -> String {
        text.count <= limit ? String(text) : String(text.prefix(max(0, limit - 1))) + "…"
    }

    private static func omittedLine(_ count: Int) -> String { "- (\(count) earlier steps omitted)" }

    private static func omittedCount(in line: String) -> Int? {
        guard line.hasPrefix("- ("), line.hasSuffix(" earlier steps omitted)") else { return nil }
        return Int(line.dropFirst(3).prefix { $0.isNumber })
    }
}
