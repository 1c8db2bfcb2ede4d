public import Foundation
public import Logging

/// Builds a ``ModelProvider`` from a provider name, as the command line gives it.
///
/// All but `anthropic` speak Chat Completions through ``OpenAICompatibleProvider``.
///
/// | name | key variable | base URL (`baseURL` overrides) |
/// |---|---|---|
/// | `anthropic` (Messages API) | `ANTHROPIC_API_KEY` | `ANTHROPIC_BASE_URL`, else `https://api.anthropic.com` |
/// | `openai` | `OPENAI_API_KEY` | `OPENAI_BASE_URL`, else `https://api.openai.com/v1` |
/// | `deepseek` | `DEEPSEEK_API_KEY` | `DEEPSEEK_BASE_URL`, else `https://api.deepseek.com/v1` |
/// | `openai-compatible` | `OPENAI_COMPATIBLE_API_KEY`, optional | `OPENAI_COMPATIBLE_BASE_URL` |
/// | `llamafactory` | `LLAMAFACTORY_API_KEY`, optional | `LLAMAFACTORY_BASE_URL`, else `http://127.0.0.1:8000/v1` |
///
/// `openai-compatible` is for vLLM, SGLang, llama.cpp's server and the like; it never sends `OPENAI_API_KEY` to
/// such a server. `llamafactory` is LlamaFactory's `api` server, which cannot stream tool calls: requests with
/// tools are sent unstreamed (``OpenAICompatibleProvider/Streaming/unlessTools``).
public enum ProviderFactory {
    /// The provider names ``make(provider:model:baseURL:apiKey:environment:transport:retryPolicy:logger:)`` knows.
    public static let providerNames = ["anthropic", "openai", "deepseek", "openai-compatible", "llamafactory"]

    /// Builds the provider called `provider`.
    /// - Parameters:
    ///   - provider: one of ``providerNames`` (case-insensitive).
    ///   - model: the model the caller will request; checked to be non-empty and named in errors.
    ///   - baseURL: overrides the API root.
    ///   - apiKey: overrides the key from the environment.
    ///   - environment: where keys and base URLs are read.
    ///   - transport: the HTTP transport.
    ///   - retryPolicy: when to retry.
    ///   - logger: where retries and failures are logged.
    /// - Throws: ``ModelProviderError`` `invalidConfiguration` for an unknown name, an empty model or a missing
    ///   base URL, and `missingAPIKey` naming the variable to set.
    public static func make(
        provider: String, model: String, baseURL: URL? = nil, apiKey: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        transport: any HTTPTransport = URLSessionTransport(), retryPolicy: RetryPolicy = .standard,
        logger: Logger = Logger(label: "autotrainess.provider")
    ) throws(ModelProviderError) -> any ModelProvider {
        let name = provider.lowercased()
        guard !model.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ModelProviderError(
                .invalidConfiguration, provider: name, model: model,
                detail: "no model name given: pass one, e.g. --model")
        }
        func url(_ variable: String, default fallback: String?) throws(ModelProviderError) -> URL {
            if let baseURL { return baseURL }
            guard let text = environment[variable] ?? fallback else {
                throw ModelProviderError(
                    .invalidConfiguration, provider: name, model: model,
                    detail: "no base URL: pass one (e.g. http://127.0.0.1:8000/v1) or set \(variable)")
            }
            guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else {
                throw ModelProviderError(
                    .invalidConfiguration, provider: name, model: model,
                    detail: "the base URL '\(text)' from \(variable) is not an http(s) URL")
            }
            return url
        }
        switch name {
        case "anthropic":
            return try AnthropicProvider(
                apiKey: apiKey, environment: environment,
                baseURL: url("ANTHROPIC_BASE_URL", default: "https://api.anthropic.com"), transport: transport,
                retryPolicy: retryPolicy, logger: logger)
        case "openai":
            return OpenAICompatibleProvider(
                name: name, baseURL: try url("OPENAI_BASE_URL", default: "https://api.openai.com/v1"),
                apiKey: try APIKey.resolve(
                    apiKey, variable: "OPENAI_API_KEY", provider: name, environment: environment),
                maxTokensField: "max_completion_tokens", transport: transport, retryPolicy: retryPolicy, logger: logger)
        case "deepseek":
            return OpenAICompatibleProvider(
                name: name, baseURL: try url("DEEPSEEK_BASE_URL", default: "https://api.deepseek.com/v1"),
                apiKey: try APIKey.resolve(
                    apiKey, variable: "DEEPSEEK_API_KEY", provider: name, environment: environment),
                transport: transport, retryPolicy: retryPolicy, logger: logger)
        case "openai-compatible":
            return OpenAICompatibleProvider(
                name: name, baseURL: try url("OPENAI_COMPATIBLE_BASE_URL", default: nil),
                apiKey: apiKey ?? environment["OPENAI_COMPATIBLE_API_KEY"], transport: transport,
                retryPolicy: retryPolicy, logger: logger)
        case "llamafactory":
            return OpenAICompatibleProvider(
                name: name, baseURL: try url("LLAMAFACTORY_BASE_URL", default: "http://127.0.0.1:8000/v1"),
                apiKey: apiKey ?? environment["LLAMAFACTORY_API_KEY"], streaming: .unlessTools, transport: transport,
                retryPolicy: retryPolicy, logger: logger)
        default:
            throw ModelProviderError(
                .invalidConfiguration, provider: name, model: model,
                detail: "unknown provider '\(provider)': use one of \(providerNames.joined(separator: ", "))")
        }
    }
}
