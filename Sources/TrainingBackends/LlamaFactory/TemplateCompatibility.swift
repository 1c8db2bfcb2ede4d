public import Foundation

/// Catches the silent failure LlamaFactory cannot: a training template whose turn markers differ from the model's
/// own chat template (for example `llama3` on a Qwen model). The merged model keeps the tokenizer's template, so
/// such a model learns one format and is served with another: it repeats or never stops.
public enum TemplateCompatibility {
    /// The turn marker each template family writes, which the model's own chat template must contain too.
    static let markers: [(prefixes: [String], marker: String)] = [
        (["qwen", "chatml", "smollm", "phi4", "yi", "hunyuan"], "<|im_start|>"),
        (["gemma"], "<start_of_turn>"),
        (["llama3"], "<|start_header_id|>"),
        (["mistral", "llama2"], "[INST]"),
    ]

    /// The model's own chat template: `chat_template.jinja`, else `tokenizer_config.json`'s `chat_template`.
    static func chatTemplate(inModelAt directory: URL) -> String? {
        if let jinja = try? String(contentsOf: directory.appendingPathComponent("chat_template.jinja"), encoding: .utf8)
        {
            return jinja
        }
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("tokenizer_config.json")),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            return nil
        }
        if let text = object["chat_template"] as? String {
            return text
        }
        if let list = object["chat_template"] as? [[String: Any]] {
            return list.compactMap { $0["template"] as? String }.joined(separator: "\n")
        }
        return nil
    }

    /// Multimodal templates (LlamaFactory loads an image processor for them) and the text template of the same
    /// family, for text-only models of that family.
    static let multimodalTemplates: [String: String] = ["gemma3": "gemma", "gemma3n": "gemma", "qwen2_vl": "qwen"]

    /// Checks `template` against the chat template of the model in `modelDirectory`, and a multimodal template
    /// against a model folder without processor files (LlamaFactory fails on it only after loading the data).
    ///
    /// Passes when the model has no chat template (a base model) or the template's family is not in the table.
    ///
    /// - Throws: `TrainingFailure` with cause `.templateMismatch`.
    public static func check(template: String, modelDirectory: URL) throws {
        if let text = multimodalTemplates[template] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: modelDirectory.path)) ?? []
            if !names.isEmpty, !names.contains(where: MergedModel.processorFiles.contains) {
                throw TrainingFailure(
                    cause: .templateMismatch,
                    message: "Template '\(template)' is multimodal (LlamaFactory loads an image processor for it), but "
                        + "\(modelDirectory.path) has no processor files: it is a text-only model.",
                    fix: "Use the text template '\(text)', which writes the same turns without the processor.")
            }
        }
        guard let own = chatTemplate(inModelAt: modelDirectory),
            let entry = markers.first(where: { entry in entry.prefixes.contains { template.hasPrefix($0) } })
        else {
            return
        }
        guard !own.contains(entry.marker) else {
            return
        }
        let matching = markers.first { own.contains($0.marker) }
        throw TrainingFailure(
            cause: .templateMismatch,
            message: "Template '\(template)' writes \(entry.marker) turns, but the model's own chat template "
                + "(\(modelDirectory.path)) does not use that marker"
                + (matching.map { "; it uses \($0.marker)" } ?? "") + ".",
            fix: "Use the template of the model's family"
                + (matching.map { " (one starting with \($0.prefixes.map { "'\($0)'" }.joined(separator: " or ")))" }
                    ?? "")
                + ", so that training and serving render the same text."
        )
    }
}
