import Foundation

/// Finds a provider's API key: the one the caller passed, else the environment variable's.
public enum APIKey {
    /// The key to use.
    /// - Parameters:
    ///   - explicit: a key the caller passed; used when not empty.
    ///   - variable: the environment variable to read otherwise (`ANTHROPIC_API_KEY`, ...).
    ///   - provider: the provider's name, for the error.
    ///   - environment: the environment to read.
    /// - Throws: ``ModelProviderError`` with code `missingAPIKey`, naming `variable`, when neither has a key.
    public static func resolve(
        _ explicit: String?, variable: String, provider: String, environment: [String: String]
    ) throws(ModelProviderError) -> String {
        let key = (explicit ?? environment[variable])?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard !key.isEmpty else {
            throw ModelProviderError(
                .missingAPIKey, provider: provider, model: "",
                detail: "no API key: set the environment variable \(variable) or pass apiKey explicitly")
        }
        return key
    }
}
