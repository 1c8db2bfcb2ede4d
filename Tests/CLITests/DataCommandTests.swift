import Foundation
import Testing

/// Runs the built `autotrainess` binary, found beside the test bundle.
private struct CLI {
    let binary: URL

    init() throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let candidates = [
            executable.deletingLastPathComponent().appendingPathComponent("autotrainess"),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                "autotrainess"),
        ]
        binary = try #require(
            candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
            "the autotrainess binary is not built next to the tests; run `swift build` first")
    }

    /// Runs it and returns the exit status and standard output.
    func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: outData, as: UTF8.self),
            String(decoding: errData, as: UTF8.self)
        )
    }
}

@Suite("autotrainess data")
final class DataCommandTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("datacli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    private func write(_ name: String, _ lines: [String]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        return url.path
    }

    static let question = "A farmer has seventeen sheep and all but nine run away into the hills behind the old barn"
    static let clean = [
        #"{"instruction": "Add two and three.", "input": "", "output": "Five."}"#,
        #"{"instruction": "Name a colour of the sky.", "input": "", "output": "Blue."}"#,
    ]

    @Test("validate: exit 0 when clean, 1 with findings, JSON on request")
    func validateExitCodes() throws {
        let cli = try CLI()
        let clean = try write("clean.jsonl", Self.clean)
        #expect(try cli.run(["data", "validate", clean]).status == 0)
        let bad = try write("bad.jsonl", Self.clean + [#"{"instruction": "x", "output": "#])
        let human = try cli.run(["data", "validate", bad])
        #expect(human.status == 1)
        #expect(human.output.contains("bad.jsonl:3: unreadableLine"))
        let machine = try cli.run(["data", "validate", bad, "--json"])
        #expect(machine.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(machine.output.utf8)) as? [String: Any]
        #expect(object?["sampleCount"] as? Int == 3)
    }

    @Test("validate: a missing file or an unknown format exits 2 with a clear message")
    func validateUsageErrors() throws {
        let cli = try CLI()
        let missing = directory.appendingPathComponent("nope.jsonl").path
        let result = try cli.run(["data", "validate", missing])
        #expect(result.status == 2)
        #expect(result.error.contains(missing))
        let clean = try write("clean.jsonl", Self.clean)
        #expect(try cli.run(["data", "validate", clean, "--format", "csv"]).status == 2)
        #expect(try cli.run(["data", "validate"]).status == 2)
    }

    @Test("scan: exit 0 when clean, 1 on contamination, 2 on a missing file")
    func scanExitCodes() throws {
        let cli = try CLI()
        let benchmark = try write("bench.jsonl", [#"{"id": "b1", "question": "\#(Self.question)", "answer": "nine"}"#])
        let clean = try write("clean.jsonl", Self.clean)
        #expect(try cli.run(["data", "scan", "--benchmark", benchmark, "--train", clean]).status == 0)
        let dirty = try write("dirty.jsonl", Self.clean + [#"{"instruction": "\#(Self.question)", "output": "nine"}"#])
        let human = try cli.run(["data", "scan", "--benchmark", benchmark, "--train", dirty])
        #expect(human.status == 1)
        #expect(human.output.contains("line 3"))
        let machine = try cli.run([
            "data", "scan", "--benchmark", benchmark, "--fields", "question", "--train", dirty, "--json",
        ])
        #expect(machine.status == 1)
        let object = try JSONSerialization.jsonObject(with: Data(machine.output.utf8)) as? [String: Any]
        #expect(object?["hitCount"] as? Int == 1)
        let missing = directory.appendingPathComponent("absent.jsonl").path
        let failure = try cli.run(["data", "scan", "--benchmark", benchmark, "--train", missing])
        #expect(failure.status == 2)
        #expect(failure.error.contains(missing))
        #expect(try cli.run(["data", "scan", "--train", clean]).status == 2)
        let noText = try write("notext.jsonl", [#"{"id": 1, "score": 2}"#])
        #expect(try cli.run(["data", "scan", "--benchmark", noText, "--train", clean]).status == 2)
    }

    @Test("build, filter and mix write datasets with manifests; bad input exits 2 with the reason")
    func buildFilterMix() throws {
        let cli = try CLI()
        let rows = (0..<12).map { #"{"q": "Question \#($0) about the \#(["river", "mountain", "forest"][$0 % 3]) near the old town?", "a": "Answer \#($0)", "kind": "\#(["x", "y"][$0 % 2])"}"# }
        let planted = #"{"q": "\#(Self.question)", "a": "Nine.", "kind": "x"}"#
        let source = try write("source.jsonl", rows + [rows[0], planted])
        let benchmark = try write("bench.jsonl", [#"{"question": "\#(Self.question)", "answer": "Nine."}"#])
        let built = directory.appendingPathComponent("built.json").path
        let build = try cli.run([
            "data", "build", "--source", source, "--map", "instruction={q}", "--map", "output={a}", "--where", "kind!=z",
            "--out", built,
        ])
        #expect(build.status == 0 && build.output.contains("14 row(s)"), "\(build.output)\(build.error)")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("built.manifest.json").path))

        let filtered = directory.appendingPathComponent("filtered.json").path
        let filter = try cli.run(["data", "filter", built, "--benchmark", benchmark, "--out", filtered])
        #expect(filter.status == 0 && filter.output.contains("14 -> 12 row(s); dropped 1 contamination, 1 duplicate"),
                "\(filter.output)\(filter.error)")

        let mixed = directory.appendingPathComponent("mixed.json").path
        let mix = try cli.run(["data", "mix", "\(built):3", "\(filtered):1", "--total", "8", "--seed", "5", "--out", mixed])
        #expect(mix.status == 0 && mix.output.contains("8 row(s) (built.json 6/14, filtered.json 2/12; seed 5)"),
                "\(mix.output)\(mix.error)")

        let badMap = try cli.run(["data", "build", "--source", source, "--map", "answer={a}", "--out", built])
        #expect(badMap.status == 2 && badMap.error.contains("the fields are"))
        let badWhere = try cli.run([
            "data", "build", "--source", source, "--map", "instruction={q}", "--map", "output={a}", "--where", "colour=red",
            "--out", built,
        ])
        #expect(badWhere.status == 2 && badWhere.error.contains("'colour'") && badWhere.error.contains("a, kind, q"))
        let noWeights = try cli.run(["data", "mix", "\(built):1", filtered, "--out", mixed])
        #expect(noWeights.status == 2 && noWeights.error.contains("every part a positive weight"), "\(noWeights.error)")

        // --verify: only rows whose answer ("Answer N") has the row's number N as its final number.
        let numbered = try write("numbered.jsonl", (0..<6).map { #"{"q": "Say \#($0)", "a": "Answer \#($0 == 2 ? 7 : $0)", "n": "\#($0)"}"# })
        let verified = try cli.run([
            "data", "build", "--source", numbered, "--map", "instruction={q}", "--map", "output={a}",
            "--verify", "numeric:n", "--out", built,
        ])
        #expect(verified.status == 0 && verified.output.contains("5 row(s)"), "\(verified.output)\(verified.error)")
        let badVerify = try cli.run(["data", "filter", built, "--verify", "numeric", "--out", filtered])
        #expect(badVerify.status == 2 && badVerify.error.contains("SCORER:FIELD"), "\(badVerify.error)")
    }
}
