import AgentCore
import Evaluation
import Foundation
import Testing

@Suite("Local benchmark scorers")
struct AnswerMatchingTests {
    func item(_ scorer: BenchmarkScorer, _ target: String) -> BenchmarkItem {
        BenchmarkItem(id: "x", prompt: "p", target: target, scorer: scorer)
    }

    @Test("numeric: the final number, #### answers first, separators ignored", arguments: [
        ("The answer is 42.", "42", 1.0),
        ("First 3 apples, then 5. #### 8", "8", 1.0),
        ("#### 1,234", "1234", 1.0),
        ("It costs $18.00", "18", 1.0),
        ("7 then 9", "7", 0.0),
        ("no number here", "3", 0.0),
        ("-5 degrees", "-5", 1.0),
    ])
    func numeric(output: String, target: String, expected: Double) {
        #expect(AnswerMatching.score(output, for: item(.numeric, target)) == expected)
    }

    @Test("exact: trimmed, whitespace runs collapsed, case kept")
    func exact() {
        #expect(AnswerMatching.score("  Paris \n", for: item(.exact, "Paris")) == 1)
        #expect(AnswerMatching.score("New   York", for: item(.exact, "New York")) == 1)
        #expect(AnswerMatching.score("paris", for: item(.exact, "Paris")) == 0)
    }

    @Test("regex: the output matches the target pattern")
    func regex() {
        #expect(AnswerMatching.score("Result: YES!", for: item(.regex, "(?i)\\byes\\b")) == 1)
        #expect(AnswerMatching.score("no", for: item(.regex, "^yes$")) == 0)
    }

    @Test("multiple choice: the picked letter", arguments: [
        ("B", "B", 1.0), ("(C) because", "C", 1.0), ("The answer is D.", "D", 1.0), ("Answer: A", "A", 1.0),
        ("I think it is B.", "C", 0.0), ("I think it is B.", "B", 1.0), ("A cat", "A", 0.0),
        ("Because of A) and", "A", 1.0), ("none", "A", 0.0),
    ])
    func multipleChoice(output: String, target: String, expected: Double) {
        #expect(AnswerMatching.score(output, for: item(.multipleChoice, target)) == expected)
    }

    @Test("code: the first fenced block, else the whole output; code items are not text-scored")
    func codeExtraction() {
        let fenced = "Here:\n```python\ndef f():\n    return 1\n```\nDone"
        #expect(AnswerMatching.code(in: fenced) == "def f():\n    return 1\n")
        #expect(AnswerMatching.code(in: "def f(): return 1") == "def f(): return 1")
        #expect(AnswerMatching.score("anything", for: item(.code, "assert True")) == nil)
    }
}

@Suite("LocalBenchmark JSONL loading")
struct LocalBenchmarkTests {
    func write(_ text: String) throws -> URL {
        let url = try Fixtures.temporaryDirectory().appendingPathComponent("bench.jsonl")
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test("loads items with string or integer ids and numeric targets")
    func loads() throws {
        let url = try write("""
            {"id": "q1", "prompt": "1+1?", "target": "2", "scorer": "numeric"}

            {"id": 2, "prompt": "Pick", "target": "B", "scorer": "multipleChoice", "choices": ["x", "y"]}
            {"id": "q3", "prompt": "n", "target": 7}
            """)
        let benchmark = try LocalBenchmark.load(from: url, defaultScorer: .exact)
        #expect(benchmark.name == "bench")
        #expect(benchmark.items.map(\.id) == ["q1", "2", "q3"])
        #expect(benchmark.items[1].choices == ["x", "y"])
        #expect(benchmark.items[2].target == "7")
        #expect(benchmark.items[2].scorer == .exact)
    }

    @Test("bad lines name the file, the line and the field", arguments: [
        (#"{"id": "a", "prompt": "p", "target": "t", "scorer": "fuzzy"}"#, "unknown scorer 'fuzzy'"),
        (#"{"prompt": "p", "target": "t", "scorer": "exact"}"#, "missing 'id'"),
        (#"{"id": "a", "target": "t", "scorer": "exact"}"#, "missing 'prompt'"),
        (#"{"id": "a", "prompt": "p", "scorer": "exact"}"#, "missing 'target'"),
        (#"{"id": "a", "prompt": "p", "target": "t"}"#, "missing 'scorer'"),
        (#"{"id": "a", "prompt": "p", "target": "([", "scorer": "regex"}"#, "not a valid regular expression"),
        ("[1, 2]", "not a JSON object"),
    ])
    func badLines(line: String, reason: String) throws {
        let url = try write(#"{"id": "ok", "prompt": "p", "target": "t", "scorer": "exact"}"# + "\n" + line + "\n")
        do {
            _ = try LocalBenchmark.load(from: url)
            Issue.record("accepted: \(line)")
        } catch let error as EvaluationError {
            guard case .benchmarkInvalid(let path, let number, let message) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == url.path)
            #expect(number == 2)
            #expect(message.contains(reason), "\(message)")
        }
    }

    @Test("duplicate ids and empty files are refused")
    func duplicatesAndEmpty() throws {
        let duplicate = try write("""
            {"id": "a", "prompt": "p", "target": "t", "scorer": "exact"}
            {"id": "a", "prompt": "q", "target": "t", "scorer": "exact"}
            """)
        #expect(throws: EvaluationError.benchmarkInvalid(path: duplicate.path, line: 2,
            reason: "duplicate id 'a'; ids must be unique")) {
            try LocalBenchmark.load(from: duplicate)
        }
        let empty = try write("\n\n")
        #expect(throws: EvaluationError.self) { try LocalBenchmark.load(from: empty) }
    }
}

@Suite("FileFingerprint and SHA-256")
struct FileFingerprintTests {
    @Test("SHA-256 matches the FIPS test vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func vectors(input: String, digest: String) {
        #expect(SHA256.hex(of: Data(input.utf8)) == digest)
    }

    @Test("a million 'a's hashed in uneven chunks")
    func streaming() {
        var hasher = SHA256()
        var remaining = 1_000_000
        var chunk = 1
        while remaining > 0 {
            let size = min(chunk, remaining)
            hasher.update(Data(repeating: UInt8(ascii: "a"), count: size))
            remaining -= size
            chunk = chunk * 3 % 1000 + 1
        }
        #expect(hasher.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("edits, additions and removals in files and folders are reported")
    func changes() throws {
        let base = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: base) }
        let templates = base.appendingPathComponent("templates")
        try FileManager.default.createDirectory(at: templates, withIntermediateDirectories: true)
        try Data("print(1)".utf8).write(to: base.appendingPathComponent("evaluate.py"))
        try Data("{{ a }}".utf8).write(to: templates.appendingPathComponent("llama3.jinja"))
        try Data("{{ b }}".utf8).write(to: templates.appendingPathComponent("gemma3.jinja"))
        let recorded = try FileFingerprint.compute(paths: ["evaluate.py", "templates"], in: base)
        #expect(recorded.digests.count == 3)
        #expect(recorded.changes(in: try FileFingerprint.compute(paths: ["evaluate.py", "templates"], in: base)) == [])

        try Data("print(2)".utf8).write(to: base.appendingPathComponent("evaluate.py"))
        try FileManager.default.removeItem(at: templates.appendingPathComponent("gemma3.jinja"))
        try Data("x".utf8).write(to: templates.appendingPathComponent("smollm.jinja"))
        let current = try FileFingerprint.compute(paths: ["evaluate.py", "templates"], in: base)
        #expect(recorded.changes(in: current) == [
            .init(path: "evaluate.py", kind: .modified),
            .init(path: "templates/gemma3.jinja", kind: .removed),
            .init(path: "templates/smollm.jinja", kind: .added),
        ])
    }
}
