import AgentCore
import Foundation

/// Writes the synthetic benchmark and training set: English-like text over a skewed 20k-word vocabulary,
/// alpaca-shaped training records, and contamination planted at a fixed rate in four variants
/// (verbatim, case and whitespace changed, embedded in a longer answer, one word changed).
struct SyntheticData {
    /// One training sample in this many is contaminated.
    static let plantEvery = 5000

    private(set) var random = SplitMix64(seed: 0xA17_0_7_2A1)
    let vocabulary: [String]
    /// The benchmark items: question and answer word lists.
    private(set) var items: [(question: [String], answer: [String])] = []

    init() {
        var random = SplitMix64(seed: 42)
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        vocabulary = (0..<20_000).map { _ in
            String((0..<Int.random(in: 2...9, using: &random)).map { _ in letters.randomElement(using: &random)! })
        }
    }

    private mutating func word() -> String {
        let u = Double(random.next() >> 11) / Double(1 << 53)
        return vocabulary[Int(Double(vocabulary.count) * u * u * u)]
    }

    private mutating func words(_ range: ClosedRange<Int>) -> [String] {
        (0..<Int.random(in: range, using: &random)).map { _ in word() }
    }

    /// Draws `count` benchmark items (the same ones for the same count).
    mutating func makeItems(count: Int) {
        items = (0..<count).map { _ in (words(20...60), words(8...30)) }
    }

    /// Writes the items as JSONL with `id`, `question` and `answer`.
    func writeBenchmark(to url: URL) throws {
        var out = ""
        for (index, item) in items.enumerated() {
            let record: [String: String] = [
                "id": "bench-\(index)", "question": item.question.joined(separator: " ") + "?",
                "answer": item.answer.joined(separator: " ") + ".",
            ]
            out += String(decoding: try JSONEncoder().encode(record), as: UTF8.self) + "\n"
        }
        try Data(out.utf8).write(to: url)
    }

    /// Writes about `bytes` of alpaca JSONL; returns the number of planted samples.
    mutating func writeTraining(to url: URL, bytes target: Int) throws -> Int {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(9 << 20)
        var written = 0
        var sample = 0
        var planted = 0
        while written + buffer.count < target {
            sample += 1
            var instruction = words(10...40).joined(separator: " ")
            var output = words(40...250).joined(separator: " ")
            if sample % Self.plantEvery == 0, !items.isEmpty {
                planted += 1
                let item = items[Int.random(in: 0..<items.count, using: &random)]
                let question = item.question.joined(separator: " ") + "?"
                let answer = item.answer.joined(separator: " ") + "."
                switch planted % 4 {
                case 0:
                    instruction = question
                    output = answer
                case 1:
                    instruction = "  " + question.uppercased().replacingOccurrences(of: " ", with: "   \n ")
                    output = answer.capitalized
                case 2:
                    output = output + " As a worked example: " + question + " " + answer + " " + output
                default:
                    var changed = item.question
                    changed[changed.count / 2] = "zzyzx"
                    instruction = changed.joined(separator: " ") + "?"
                    output = answer
                }
            }
            let record = ["instruction": instruction, "input": "", "output": output]
            buffer.append(contentsOf: #"{"instruction": "#.utf8)
            buffer.append(contentsOf: Self.quoted(record["instruction"]!).utf8)
            buffer.append(contentsOf: #", "input": "", "output": "#.utf8)
            buffer.append(contentsOf: Self.quoted(record["output"]!).utf8)
            buffer.append(contentsOf: "}\n".utf8)
            if buffer.count >= 8 << 20 {
                try handle.write(contentsOf: buffer)
                written += buffer.count
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try handle.write(contentsOf: buffer)
        return planted
    }

    /// A JSON string literal (the generated text holds only letters, spaces, newlines and punctuation).
    private static func quoted(_ text: String) -> String {
        "\"" + (text.contains("\n") ? text.replacingOccurrences(of: "\n", with: "\\n") : text) + "\""
    }
}
