import AgentCore
public import Foundation
import Synchronization

/// Counts tokens with the model's real tokenizer: Hugging Face `transformers` in one long-lived Python process
/// (the managed environment's interpreter), fed one JSON string per line.
///
/// ```swift
/// let counter = try TokenizerProcessCounter(python: venv.appending(path: "bin/python"), tokenizer: "/models/base")
/// let validator = DatasetValidator(options: .init(cutoffLength: 1024, tokenCounter: counter))
/// ```
public final class TokenizerProcessCounter: TokenCounter {
    /// The Python side: loads the tokenizer, answers "ready", then one count per input line.
    static let script = """
        import json, sys
        from transformers import AutoTokenizer
        extra = {"gguf_file": sys.argv[2]} if len(sys.argv) > 2 else {}
        tokenizer = AutoTokenizer.from_pretrained(sys.argv[1], **extra)
        print("ready", flush=True)
        for line in sys.stdin:
            print(len(tokenizer(json.loads(line), add_special_tokens=True)["input_ids"]), flush=True)
        """

    private struct Channel {
        let process: Process
        let input: FileHandle
        let output: FileHandle
        var pending: [UInt8] = []
    }

    private let channel: Mutex<Channel>
    private let tokenizer: String

    public var method: String { "counted with the model's tokenizer (\(URL(fileURLWithPath: tokenizer).lastPathComponent))" }

    /// Starts the tokenizer process and waits until the tokenizer is loaded.
    /// - Parameters:
    ///   - python: the interpreter of an environment with `transformers`.
    ///   - tokenizer: a local model or tokenizer folder (nothing is downloaded).
    ///   - ggufFile: a GGUF file name inside `tokenizer` to read the tokenizer from, if the model is GGUF.
    /// - Throws: ``DataEngineError/tokenizerUnavailable(reason:)`` when the process cannot start or load it.
    public init(python: URL, tokenizer: String, ggufFile: String? = nil) throws {
        self.tokenizer = tokenizer
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", Self.script, tokenizer] + (ggufFile.map { [$0] } ?? [])
        var environment = Secrets.scrub(environment: ProcessInfo.processInfo.environment)
        environment["HF_HUB_OFFLINE"] = "1"
        environment["TRANSFORMERS_OFFLINE"] = "1"
        process.environment = environment
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw DataEngineError.tokenizerUnavailable(reason: "cannot start \(python.path): \(error)")
        }
        var channel = Channel(process: process, input: input.fileHandleForWriting, output: output.fileHandleForReading)
        guard Self.readLine(&channel) == "ready" else {
            process.terminate()
            throw DataEngineError.tokenizerUnavailable(
                reason: "\(python.path) could not load the tokenizer at \(tokenizer) (is transformers installed?)")
        }
        self.channel = Mutex(channel)
    }

    deinit {
        channel.withLock { channel in
            try? channel.input.close()
            channel.process.terminate()
        }
    }

    /// The number of tokens the tokenizer produces for `text`, special tokens included.
    /// - Throws: ``DataEngineError/tokenizerUnavailable(reason:)`` when the process died.
    public func tokenCount(of text: String) throws -> Int {
        try channel.withLock { channel in
            let line = String(decoding: try JSONEncoder().encode(text), as: UTF8.self) + "\n"
            do {
                try channel.input.write(contentsOf: Data(line.utf8))
            } catch {
                throw DataEngineError.tokenizerUnavailable(reason: "the tokenizer process stopped: \(error)")
            }
            guard let answer = Self.readLine(&channel), let count = Int(answer) else {
                throw DataEngineError.tokenizerUnavailable(reason: "the tokenizer process gave no count")
            }
            return count
        }
    }

    /// Reads one line of the process's output; `nil` at its end.
    private static func readLine(_ channel: inout Channel) -> String? {
        while true {
            if let newline = channel.pending.firstIndex(of: 0x0A) {
                let line = String(decoding: channel.pending[..<newline], as: UTF8.self)
                channel.pending.removeSubrange(...newline)
                return line
            }
            let chunk = channel.output.availableData
            guard !chunk.isEmpty else { return nil }
            channel.pending += chunk
        }
    }
}
