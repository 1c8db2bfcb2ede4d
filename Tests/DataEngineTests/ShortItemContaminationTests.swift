import Foundation
import Testing

@testable import DataEngine

/// Benchmarks of items shorter than one n-gram (a Roman numeral and its value): planted contamination is caught,
/// clean data from the same distribution is not flagged.
@Suite("Contamination: short benchmark items")
struct ShortItemContaminationTests {
    static func roman(_ number: Int) -> String {
        let table: [(Int, String)] = [
            (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
            (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
        ]
        var rest = number
        var text = ""
        for (value, symbol) in table {
            while rest >= value {
                text += symbol
                rest -= value
            }
        }
        return text
    }

    static let instruction = "Convert the Roman numeral to digits, with no other text:"

    /// 60 test numbers between 100 and 3999 (seeded), and the rest of that range for training.
    static func split() -> (test: [Int], training: [Int]) {
        var generator = SystemRandomNumberGeneratorSeeded(seed: 20261203)
        var test: Set<Int> = []
        while test.count < 60 { test.insert(Int(generator.next() % 3900) + 100) }
        let training = (100...3999).filter { !test.contains($0) }
        return (test.sorted(), training)
    }

    func benchmark(_ scratch: ScratchDirectory, _ test: [Int]) throws -> URL {
        try scratch.file(
            "bench.jsonl",
            lines: test.map { jsonLine(["id": "r\($0)", "question": Self.roman($0), "target": String($0)]) })
    }

    @Test func plantedShortItemsAreCaughtVerbatimRephrasedAndAsTheEvaluationPrompt() throws {
        let scratch = try ScratchDirectory()
        let (test, training) = Self.split()
        let index = try ContaminationIndex(benchmarkFile: try benchmark(scratch, test), fields: ["question", "target"])
        #expect(index.shortItemCount == 60)
        var lines = training.prefix(1500).map {
            jsonLine(["instruction": "\(Self.instruction) \(Self.roman($0))", "output": String($0)])
        }
        let item = test[7]
        let planted = [
            jsonLine(["question": Self.roman(item), "target": String(item)]),
            jsonLine(["instruction": "What number does \(Self.roman(item)) stand for?", "output": "It is \(item)."]),
            jsonLine(["instruction": "\(Self.instruction) \(Self.roman(item))", "output": String(item)]),
        ]
        lines.insert(planted[0], at: 100)
        lines.insert(planted[1], at: 700)
        lines.insert(planted[2], at: 1200)
        let report = try index.scan(trainingFile: try scratch.file("train.jsonl", lines: lines))
        let hits = report.hits.filter { $0.benchmarkItemID == "r\(item)" }
        #expect(hits.map(\.trainingLine) == [101, 701, 1201], "\(report.hits)")
        #expect(hits.allSatisfy { $0.kind == .shortItem && $0.score >= 0.5 })
        #expect(hits.first?.overlap == "\(Self.roman(item).lowercased()) … \(item)")
        #expect(report.hitCount == 3 && report.contaminatedSamples == 3)
        #expect(report.blocksTraining)
    }

    @Test func cleanDataFromTheSameDistributionIsNotFlagged() throws {
        let scratch = try ScratchDirectory()
        let (test, training) = Self.split()
        let index = try ContaminationIndex(benchmarkFile: try benchmark(scratch, test), fields: ["question", "target"])
        // Every training number once, in three phrasings.
        let lines = training.enumerated().map { position, number -> String in
            switch position % 3 {
            case 0: jsonLine(["instruction": "\(Self.instruction) \(Self.roman(number))", "output": String(number)])
            case 1: jsonLine(["question": Self.roman(number), "target": String(number)])
            default:
                jsonLine(["instruction": "What is \(Self.roman(number)) in digits?", "output": "\(number)"])
            }
        }
        let report = try index.scan(trainingFile: try scratch.file("clean.jsonl", lines: lines))
        #expect(report.scannedSamples == training.count)
        #expect(report.hitCount == 0, "\(report.hits.prefix(5))")
    }

    @Test func aCommonAnswerAloneNeverFlagsASampleAndChanceCooccurrenceIsNotReported() throws {
        let scratch = try ScratchDirectory()
        let bench = try scratch.file(
            "bench.jsonl", lines: [jsonLine(["id": "a", "question": "seven plus seven", "answer": "14"])])
        let index = try ContaminationIndex(benchmarkFile: bench, fields: ["question", "answer"])
        // "14" everywhere, the question nowhere: no hit.
        let answers = (0..<200).map { jsonLine(["instruction": "Add \($0) and \(14 - $0 % 14)", "output": "14"]) }
        #expect(try index.scan(trainingFile: try scratch.file("a.jsonl", lines: answers)).hitCount == 0)
        // Both values in half of the samples, independently: what chance predicts, not reported.
        let chance = (0..<400).map { number -> String in
            let question = number % 2 == 0 ? "seven plus seven" : "six plus eight"
            let answer = number % 4 < 2 ? "14" : "15"
            return jsonLine(["instruction": question, "output": answer])
        }
        let report = try index.scan(trainingFile: try scratch.file("b.jsonl", lines: chance))
        #expect(report.hitCount == 0, "\(report.hits.prefix(3))")
    }
}

/// A small seeded generator (SplitMix64) for reproducible splits.
struct SystemRandomNumberGeneratorSeeded: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
