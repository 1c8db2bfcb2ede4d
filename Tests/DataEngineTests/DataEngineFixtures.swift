import Foundation

/// Temporary files for data-engine tests, removed when the value is released.
final class ScratchDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("dataengine-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// Writes `lines` joined by newlines (with a final newline) and returns the file.
    func file(_ name: String, lines: [String]) throws -> URL {
        try file(name, bytes: Array((lines.joined(separator: "\n") + "\n").utf8))
    }

    /// Writes raw bytes and returns the file.
    func file(_ name: String, bytes: [UInt8]) throws -> URL {
        let target = url.appendingPathComponent(name)
        try Data(bytes).write(to: target)
        return target
    }
}

/// JSON text of a string-valued object with keys in the given order.
func jsonLine(_ pairs: KeyValuePairs<String, String>) -> String {
    let members = pairs.map { key, value in "\(quote(key)): \(quote(value))" }
    return "{" + members.joined(separator: ", ") + "}"
}

/// A JSON string literal.
func quote(_ text: String) -> String {
    let data = try! JSONEncoder().encode(text)
    return String(decoding: data, as: UTF8.self)
}

/// Benchmark items used across the contamination tests: long questions, so that 13-grams apply.
enum BenchmarkFixture {
    static let questions = [
        "A farmer has seventeen sheep and all but nine run away into the hills behind the old barn how many are left",
        "Natalia sold clips to forty eight of her friends in April and then she sold half as many clips in May",
        "Weng earns twelve dollars an hour for babysitting and yesterday she did just fifty minutes of babysitting",
        "Betty is saving money for a new wallet which costs one hundred dollars and she has only half of the money",
    ]
    static let answers = [
        "nine sheep remain", "seventy two clips altogether", "she earned ten dollars", "five dollars",
    ]
    /// A short item: too short for a 13-gram, found as a near-duplicate.
    static let shortQuestion = "Which planet in our solar system has the most moons known today"

    static func lines() -> [String] {
        var lines = zip(questions, answers).enumerated().map { index, pair in
            jsonLine(["id": "q\(index)", "question": pair.0, "answer": pair.1])
        }
        lines.append(jsonLine(["id": "short", "question": shortQuestion, "answer": "saturn"]))
        return lines
    }

    /// Ordinary training samples that share only common words with the benchmark.
    static func cleanSamples(_ count: Int) -> [String] {
        let words = [
            "the", "model", "learns", "how", "many", "apples", "are", "left", "after", "she", "sold", "half",
            "of", "them", "to", "her", "friends", "in", "may", "and", "dollars", "an", "hour",
        ]
        return (0..<count).map { index in
            let instruction = (0..<20).map { words[($0 * 7 + index * 3) % words.count] }.joined(separator: " ")
            let output = (0..<40).map { words[($0 * 5 + index) % words.count] }.joined(separator: " ")
            return jsonLine(["instruction": instruction, "input": "", "output": output])
        }
    }
}
