import AutoTrainess
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The built `autotrainess` binary, found beside the test bundle (`.build/<triple>/debug/`).
struct AutoTrainessBinary {
    let url: URL

    init() throws {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [
            executable.deletingLastPathComponent().appendingPathComponent("autotrainess"),
            Bundle.main.bundleURL.appendingPathComponent("autotrainess"),
            packageRoot.appendingPathComponent(".build/debug/autotrainess"),
        ]
        url = try #require(
            candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
            "no autotrainess binary beside the tests (looked at \(candidates.map(\.path))); run swift build")
    }

    /// Starts the binary with `arguments`, its standard output and error going to `log` (a file, so that a long run
    /// never blocks on a full pipe).
    func start(_ arguments: [String], log: URL) throws -> Process {
        try Data().write(to: log)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try handle.close()
        return process
    }

    /// Runs the binary to its end and returns its exit status and combined output.
    func run(_ arguments: [String], log: URL) throws -> (status: Int32, output: String) {
        let process = try start(arguments, log: log)
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: log, encoding: .utf8))
    }
}

/// A temporary folder for runs, removed at the end of the test.
final class RunsFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("demo-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// The run folder the demo created (the one holding `run.json`), if any yet.
    func runDirectory() throws -> URL? {
        try FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)
            .first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("run.json").path) }
    }
}

/// One line of a run's `events.jsonl`.
struct EventLine {
    let kind: String
    let payload: [String: Any]
}

/// Reads `events.jsonl`; every line must be a complete JSON record with a kind and a payload.
func readEvents(_ runDirectory: URL) throws -> (events: [EventLine], damaged: [String]) {
    let text = try String(contentsOf: runDirectory.appendingPathComponent("events.jsonl"), encoding: .utf8)
    var events: [EventLine] = []
    var damaged: [String] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let kind = object["kind"] as? String, let payload = object["payload"] as? [String: Any]
        else {
            damaged.append(String(line.prefix(200)))
            continue
        }
        events.append(EventLine(kind: kind, payload: payload))
    }
    return (events, damaged)
}

/// Whether two files have the same bytes (compared in chunks, for multi-hundred-megabyte weights).
func sameContents(_ first: URL, _ second: URL) throws -> Bool {
    let manager = FileManager.default
    let size = { (url: URL) in (try manager.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value }
    guard try size(first) == size(second) else { return false }
    let a = try FileHandle(forReadingFrom: first)
    let b = try FileHandle(forReadingFrom: second)
    defer {
        try? a.close()
        try? b.close()
    }
    while true {
        let chunkA = try a.read(upToCount: 1 << 22) ?? Data()
        let chunkB = try b.read(upToCount: 1 << 22) ?? Data()
        guard chunkA == chunkB else { return false }
        if chunkA.isEmpty { return true }
    }
}

/// Command lines of live processes (other than this one) that mention `text`, read from `/proc`.
func processesMentioning(_ text: String) -> [String] {
    let me = getpid()
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { entry -> String? in
        guard let pid = Int32(entry), pid != me,
            let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty
        else { return nil }
        let line = String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        guard line.contains(text) else { return nil }
        let status = (try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8)) ?? ""
        // A zombie (state Z) has exited already; only its parent's bookkeeping is left.
        if let close = status.lastIndex(of: ")"), status[status.index(after: close)...].hasPrefix(" Z") { return nil }
        return "\(pid): \(line)"
    }
}

/// Loads a model folder with transformers in the managed venv and generates a few tokens greedily; returns the
/// generated text, or the script's output when it fails.
func loadAndGenerate(_ model: URL) throws -> (status: Int32, output: String) {
    let script = """
        import sys
        from transformers import AutoModelForCausalLM, AutoTokenizer
        path = sys.argv[1]
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = AutoModelForCausalLM.from_pretrained(path)
        inputs = tokenizer("Write this number in digits: forty-two", return_tensors="pt")
        output = model.generate(**inputs, max_new_tokens=4, do_sample=False)
        print("GENERATED:" + tokenizer.decode(output[0][inputs["input_ids"].shape[1]:], skip_special_tokens=True))
        """
    let process = Process()
    process.executableURL = PythonEnvironment().pythonExecutable
    process.arguments = ["-c", script, model.path]
    var environment = ProcessInfo.processInfo.environment
    environment["OMP_NUM_THREADS"] = "1"
    process.environment = environment
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
