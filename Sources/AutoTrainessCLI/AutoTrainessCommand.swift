import AgentCore
import ArgumentParser
import AutoTrainess
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `autotrainess`: argument parsing and wiring only; the work lives in the library modules.
@main
struct AutoTrainessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "autotrainess",
        abstract: "Post-train language models with an LM agent: plan, build data, train, evaluate, repeat.",
        subcommands: [
            DemoCommand.self,
            RunCommand.self,
            ResumeCommand.self,
            StatusCommand.self,
            ReportCommand.self,
            PostTrainBenchCommand.self,
            DoctorCommand.self,
            DataCommand.self,
            EvalCommand.self,
            SkillsCommand.self,
            MCPCommand.self,
        ]
    )

    /// Parses and runs a command; exits with 2 for usage errors (unknown flags, bad values), as every command
    /// documents.
    static func main() async {
        // The agent's shell runs as the same user: keep it from reading our API keys from /proc/<pid>/environ.
        Secrets.protectProcessEnvironment()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}

/// Lines for the terminal written straight to standard output, unbuffered, so that progress shows up live when
/// the output goes to a pipe or a log file.
enum Console {
    /// Writes `text` and a newline.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Writes `text` and a newline to standard error (for commands whose standard output carries a protocol).
    ///
    /// Written with `write(2)`, retrying when the descriptor is non-blocking and full: the MCP transport makes
    /// standard output non-blocking, and in a terminal standard error shares that setting.
    static func error(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
            } else if written < 0 && (errno == EAGAIN || errno == EINTR) {
                usleep(1000)
            } else {
                return
            }
        }
    }
}
