/// Redacts known secret values from text, including text that arrives in pieces.
///
/// For streamed text, up to the longest secret's length minus one character is held back until the next piece
/// (or ``flush()``), so a secret split across pieces is still caught before any of it is emitted.
struct SecretRedactor: Sendable {
    let secrets: [String]
    private let holdBack: Int
    private var pending = ""

    init(secrets: [String]) {
        self.secrets = secrets.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        holdBack = max(0, (self.secrets.first?.count ?? 0) - 1)
    }

    /// `text` with every secret replaced by `[REDACTED]`.
    func redact(_ text: String) -> String {
        secrets.isEmpty ? text : Secrets.redact(text, secrets: secrets)
    }

    func redact(_ call: ToolCall) -> ToolCall {
        ToolCall(id: call.id, name: redact(call.name), arguments: redact(call.arguments))
    }

    func redact(_ output: ToolOutput) -> ToolOutput {
        ToolOutput(redact(output.content), isError: output.isError)
    }

    /// Adds a streamed piece and returns the redacted text that is safe to emit now.
    mutating func feed(_ piece: String) -> String {
        pending = redact(pending + piece)
        let ready = pending.count - holdBack
        guard ready > 0 else { return "" }
        let emitted = String(pending.prefix(ready))
        pending = String(pending.dropFirst(ready))
        return emitted
    }

    /// Returns what was held back, redacted, and empties the buffer.
    mutating func flush() -> String {
        defer { pending = "" }
        return redact(pending)
    }
}
