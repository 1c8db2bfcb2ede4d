import AgentTesting
import Foundation
import Testing
import AutoTrainess

@Suite("DemoBenchmark")
struct DemoBenchmarkTests {
    private let benchmark = DemoBenchmark(seed: 7, testCount: 150, trainingCount: 1_200, numbers: 1...9_999)

    @Test("the same seed gives byte-identical files; another seed gives other items")
    func deterministic() throws {
        let first = try benchmark.generate()
        let second = try benchmark.generate()
        #expect(try first.testJSONL() == second.testJSONL())
        #expect(try first.trainingJSON() == second.trainingJSON())
        var other = benchmark
        other.seed = 8
        #expect(try other.generate().test != first.test)
    }

    @Test("the default settings' sequence is pinned, so every machine and Swift version gets the same items")
    func pinnedSequence() throws {
        let splits = try DemoBenchmark(settings: .standard).generate()
        #expect(splits.test.first?.target == "79282")
        #expect(
            splits.test.first?.prompt
                == "Write this number in digits, with no other text: seventy-nine thousand two hundred and eighty-two"
        )
        #expect(splits.test.dropFirst().first?.target == "891932")
        #expect(splits.training.first?.output == "393549")
    }

    @Test("counts and ids are as asked")
    func counts() throws {
        let splits = try benchmark.generate()
        #expect(splits.test.count == 150)
        #expect(splits.training.count == 1_200)
        #expect(Set(splits.test.map(\.id)).count == 150)
        #expect(splits.test.first?.id == "number-words-000")
        #expect(splits.test.last?.id == "number-words-149")
    }

    @Test("no training number is a test number, nor a one-word change of one")
    func disjoint() throws {
        let splits = try benchmark.generate()
        let testTargets = Set(splits.test.map(\.target))
        let testPrompts = Set(splits.test.map(\.prompt))
        let testWords = splits.test.map { Self.words(of: $0.prompt) }
        for sample in splits.training {
            #expect(!testTargets.contains(sample.output))
            #expect(!testPrompts.contains(sample.instruction))
            let words = Self.words(of: sample.instruction)
            for test in testWords where test.count == words.count {
                let differing = zip(test, words).filter { $0 != $1 }.count
                #expect(differing > 1, "\(sample.instruction) is a one-word change of a test item")
            }
        }
    }

    @Test("every target is the digits of the number its prompt spells")
    func targetsMatchPrompts() throws {
        let splits = try benchmark.generate()
        let spelled = Dictionary(uniqueKeysWithValues: (1...9_999).map { (DemoBenchmark.prompt(for: $0), $0) })
        for item in splits.test {
            #expect(spelled[item.prompt].map(String.init) == item.target)
            #expect(item.scorer == "exact")
        }
        for sample in splits.training {
            #expect(spelled[sample.instruction].map(String.init) == sample.output)
            #expect(sample.input.isEmpty)
        }
        #expect(DemoBenchmark.prompt(for: 342).hasSuffix(": three hundred and forty-two"))
    }

    @Test("the test split is JSONL with id, prompt, target, scorer and question on each line")
    func testFileFormat() throws {
        let data = try benchmark.generate().testJSONL()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 151)
        #expect(lines.last == "")
        for line in lines.dropLast() {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
            )
            #expect(Set(object.keys) == ["id", "prompt", "target", "scorer", "question"])
            #expect(object["target"].flatMap(Int.init) != nil)
            let question = try #require(object["question"])
            #expect(object["prompt"] == "\(DemoBenchmark.instruction) \(question)")
        }
    }

    @Test("the training split is an alpaca JSON array")
    func trainingFileFormat() throws {
        let data = try benchmark.generate().trainingJSON()
        let array = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: String]])
        #expect(array.count == 1_200)
        for object in array {
            #expect(Set(object.keys) == ["instruction", "input", "output"])
        }
    }

    @Test("writes both files and reads them back")
    func writesFiles() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("demo-benchmark-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let splits = try benchmark.generate()
        try splits.writeTest(to: folder.appendingPathComponent("test.jsonl"))
        try splits.writeTraining(to: folder.appendingPathComponent("train.json"))
        let training = try JSONDecoder().decode(
            [DemoTrainingSample].self, from: Data(contentsOf: folder.appendingPathComponent("train.json"))
        )
        #expect(training == splits.training)
        let lines = try String(contentsOf: folder.appendingPathComponent("test.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        let test = try lines.map { try JSONDecoder().decode(DemoTestItem.self, from: Data($0.utf8)) }
        #expect(test == splits.test)
    }

    @Test("a write into a missing folder fails with the path")
    func writeFailure() throws {
        let missing = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/test.jsonl")
        #expect(throws: DemoBenchmarkError.self) { try benchmark.generate().writeTest(to: missing) }
        do {
            try benchmark.generate().writeTest(to: missing)
        } catch {
            #expect(error.description.contains(missing.path))
        }
    }

    @Test("unusable settings are refused with the reason")
    func invalidSettings() {
        #expect(throws: DemoBenchmarkError.self) {
            try DemoBenchmark(seed: 1, testCount: 0, trainingCount: 10, numbers: 1...100).generate()
        }
        #expect(throws: DemoBenchmarkError.self) {
            try DemoBenchmark(seed: 1, testCount: 10, trainingCount: 10, numbers: 1...2_000_000).generate()
        }
        do {
            _ = try DemoBenchmark(seed: 1, testCount: 50, trainingCount: 100, numbers: 1...200).generate()
            Issue.record("a range of 200 numbers cannot hold 150 samples twice over")
        } catch {
            #expect(error.description.contains("widen the range"))
        }
    }

    @Test("the shipped settings generate", arguments: [DemoSettings.standard, DemoSettings.quick])
    func shippedSettings(settings: DemoSettings) throws {
        let splits = try DemoBenchmark(settings: settings).generate()
        #expect(splits.test.count == settings.testCount)
        #expect(splits.training.count == settings.trainingCount)
        #expect(settings.maxSteps * settings.batchSize <= 2 * settings.trainingCount)
    }

    private static func words(of prompt: String) -> [Substring] {
        prompt.dropFirst(DemoBenchmark.instruction.count).split(separator: " ")
    }
}
