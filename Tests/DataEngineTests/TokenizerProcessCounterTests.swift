import Foundation
import Runtime
import Testing

@testable import DataEngine

/// Runs in the managed Python environment (provisioned on first use; `AUTOTRAINESS_PYTHON_VENV` selects another).
@Suite("TokenizerProcessCounter")
struct TokenizerProcessCounterTests {
    @Test("counts with a real tokenizer and flags over-long samples")
    func realTokenizer() async throws {
        let environment = PythonEnvironment()
        try await environment.ensure(progress: { print("[python environment] \($0)") })
        let python = environment.pythonExecutable
        let scratch = try ScratchDirectory()
        let folder = scratch.url.appendingPathComponent("tokenizer")
        let build = Process()
        build.executableURL = python
        build.arguments = [
            "-c",
            """
            import sys
            from tokenizers import Tokenizer, models, trainers, pre_tokenizers
            from transformers import PreTrainedTokenizerFast
            tok = Tokenizer(models.BPE(unk_token="[UNK]"))
            tok.pre_tokenizer = pre_tokenizers.ByteLevel()
            tok.train_from_iterator(["hello world how are you today"] * 50,
                                    trainers.BpeTrainer(vocab_size=300, special_tokens=["[UNK]"]))
            PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]").save_pretrained(sys.argv[1])
            """,
            folder.path,
        ]
        try build.run()
        build.waitUntilExit()
        try #require(build.terminationStatus == 0)

        let counter = try TokenizerProcessCounter(python: python, tokenizer: folder.path)
        #expect(try counter.tokenCount(of: "hello world") == 2)
        #expect(try counter.tokenCount(of: "zzzz qqq") > 2)

        let file = try scratch.file(
            "data.jsonl",
            lines: [
                jsonLine(["instruction": "hello", "input": "", "output": "world"]),
                jsonLine(["instruction": "zzzz qqq xxxx yyyy", "input": "", "output": "vvvv"]),
            ])
        let report = try DatasetValidator(options: ValidationOptions(cutoffLength: 8, tokenCounter: counter))
            .validate(file: file, format: .alpaca)
        #expect(report.findings.map(\.kind) == [.overLength])
        #expect(report.findings.map(\.line) == [2])
    }

    @Test("a missing tokenizer is a clear error")
    func missingTokenizer() async throws {
        let environment = PythonEnvironment()
        try await environment.ensure(progress: { print("[python environment] \($0)") })
        let python = environment.pythonExecutable
        #expect(throws: DataEngineError.self) {
            try TokenizerProcessCounter(python: python, tokenizer: "/nonexistent/tokenizer")
        }
    }
}
