import Foundation

/// One message to render through a chat template.
public struct ChatTurn: Sendable, Hashable, Codable {
    /// `system`, `user` or `assistant`.
    public var role: String
    /// The message text.
    public var content: String

    /// Creates a turn.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// The common chat template families, rendered as the model sees them (enough to spot format mismatches
/// between training data and evaluation prompts; the tokenizer's own template is authoritative).
public enum ChatTemplate: String, Sendable, Hashable, Codable, CaseIterable {
    /// `<|im_start|>role ... <|im_end|>` (Qwen, SmolLM and other ChatML models).
    case chatml
    /// `<|start_header_id|>role<|end_header_id|> ... <|eot_id|>` (Llama 3).
    case llama3
    /// `<start_of_turn>user|model ... <end_of_turn>` (Gemma; a system message is folded into the first user turn).
    case gemma

    /// The family of a LlamaFactory template name (`qwen`, `qwen3`, `llama3`, `gemma3`, ...), or `nil`.
    public init?(templateName: String) {
        let name = templateName.lowercased()
        if name.hasPrefix("qwen") || name.hasPrefix("chatml") || name.hasPrefix("smollm") {
            self = .chatml
        } else if name.hasPrefix("llama3") {
            self = .llama3
        } else if name.hasPrefix("gemma") {
            self = .gemma
        } else {
            return nil
        }
    }

    /// Renders `turns`; with `addGenerationPrompt`, ends with the header of the assistant's turn.
    public func render(_ turns: [ChatTurn], addGenerationPrompt: Bool) -> String {
        switch self {
        case .chatml:
            let body = turns.map { "<|im_start|>\($0.role)\n\($0.content)<|im_end|>\n" }.joined()
            return body + (addGenerationPrompt ? "<|im_start|>assistant\n" : "")
        case .llama3:
            let body = turns.map { "<|start_header_id|>\($0.role)<|end_header_id|>\n\n\($0.content)<|eot_id|>" }
            let prompt = addGenerationPrompt ? "<|start_header_id|>assistant<|end_header_id|>\n\n" : ""
            return "<|begin_of_text|>" + body.joined() + prompt
        case .gemma:
            var pendingSystem: String?
            var text = "<bos>"
            for turn in turns {
                if turn.role == "system" {
                    pendingSystem = turn.content
                    continue
                }
                let role = turn.role == "assistant" ? "model" : "user"
                var content = turn.content
                if role == "user", let system = pendingSystem {
                    content = system + "\n\n" + content
                    pendingSystem = nil
                }
                text += "<start_of_turn>\(role)\n\(content)<end_of_turn>\n"
            }
            return text + (addGenerationPrompt ? "<start_of_turn>model\n" : "")
        }
    }
}
