import CProcessControl
public import Foundation

/// Keeps API keys and other secrets out of logs, events, transcripts, tool outputs and child processes.
public enum Secrets {
    /// Whether an environment variable's name marks it as a secret (`*_API_KEY`, `*_TOKEN`, `*SECRET*`, ...).
    public static func isSecretName(_ name: String) -> Bool {
        let upper = name.uppercased()
        let markers = ["API_KEY", "APIKEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "CREDENTIAL", "PRIVATE_KEY"]
        return markers.contains { upper.contains($0) }
    }

    /// `environment` without its secret variables: what a child process or the agent's shell may see.
    public static func scrub(environment: [String: String]) -> [String: String] {
        environment.filter { !isSecretName($0.key) }
    }

    /// The values of the secret variables in `environment` that are long enough to be recognised in text.
    public static func values(in environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        environment.filter { isSecretName($0.key) && $0.value.count >= 8 }.map(\.value)
    }

    /// `text` with every occurrence of each secret replaced by `[REDACTED]` (longest secrets first, so that a secret
    /// containing another is replaced whole).
    public static func redact(_ text: String, secrets: [String]) -> String {
        secrets.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
            .reduce(text) { $0.replacingOccurrences(of: $1, with: "[REDACTED]") }
    }

    /// `text` with the secrets of the current process environment (and any `extra` ones) redacted.
    public static func redactEnvironmentSecrets(_ text: String, extra: [String] = []) -> String {
        redact(text, secrets: values() + extra)
    }

    /// Keeps other processes, the agent's shell among them, from reading this process's secrets out of
    /// `/proc/<pid>/environ`: each secret variable's value is moved out of the environment block the process started
    /// with (the variable keeps its value; the original bytes, which `/proc` shows even to root, become `*`), and
    /// the process is made non-dumpable, so unprivileged processes of the same user cannot read its memory or attach
    /// a debugger. Child processes are not affected (`exec` resets the flag). Call it at the start of `main`,
    /// before other threads read the environment; the `autotrainess` command does.
    /// - Returns: the names of the variables whose values were moved.
    @discardableResult
    public static func protectProcessEnvironment() -> [String] {
        let names = ProcessInfo.processInfo.environment.keys.filter(isSecretName).sorted()
        let hidden = names.filter { autotrainess_hide_environment_value($0) == 1 }
        _ = autotrainess_set_dumpable(0)
        return hidden
    }
}
