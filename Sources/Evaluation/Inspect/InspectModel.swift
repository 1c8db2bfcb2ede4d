/// How inspect reaches the model under evaluation, i.e. the `--model` string built from the target's model folder.
public enum InspectModel: Sendable, Hashable, Codable {
    /// In-process transformers: `hf/<model folder>`.
    case huggingFace
    /// vLLM, started by inspect or reached through `VLLM_BASE_URL`: `vllm/<model folder>`.
    case vllm
    /// An OpenAI-compatible server already serving the model: `openai-api/<service>/<served name>`, with
    /// `--model-base-url <baseURL>`. inspect needs `<SERVICE>_API_KEY` set: pass it in `extraEnvironment`.
    case openAICompatible(service: String, servedName: String, baseURL: String)
    /// Any other inspect model string, used as is.
    case custom(String)

    /// The `--model` value for a model folder.
    public func modelString(for modelPath: String) -> String {
        switch self {
        case .huggingFace: "hf/\(modelPath)"
        case .vllm: "vllm/\(modelPath)"
        case .openAICompatible(let service, let servedName, _): "openai-api/\(service)/\(servedName)"
        case .custom(let model): model
        }
    }

    /// Whether inspect loads the model folder itself (so the folder must exist here).
    public var loadsModelFolder: Bool {
        switch self {
        case .huggingFace, .vllm: true
        case .openAICompatible, .custom: false
        }
    }
}
