import ArgumentParser
import AutoTrainess
import Workflows

/// `--provider P --model M [--base-url U]`: who drives the run. Without them the recipe policy drives.
struct DriverOptions: ParsableArguments {
    @Option(
        help:
            ArgumentHelp(
                "LLM provider: anthropic, openai, deepseek, openai-compatible, llamafactory. "
                    + "Its API key comes from the environment (e.g. ANTHROPIC_API_KEY).")
    )
    var provider: String?

    @Option(help: "The provider's model name, e.g. claude-sonnet-4-5.")
    var model: String?

    @Option(help: "The API root for openai-compatible servers (vLLM, SGLang, llama.cpp, LlamaFactory api).")
    var baseURL: String?

    /// The driver these flags describe.
    func driver() throws -> RunDriver {
        switch (provider, model) {
        case (nil, nil): return .recipe
        case (let provider?, let model?): return .model(provider: provider, model: model, baseURL: baseURL)
        default:
            throw ValidationError("--provider and --model go together: give both, or neither for the recipe policy.")
        }
    }
}
