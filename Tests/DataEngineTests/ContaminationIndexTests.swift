import Foundation
import Testing

@testable import DataEngine

@Suite("ContaminationIndex")
struct ContaminationIndexTests {
    /// A planted variant of benchmark item 1 (or the short item) and the kind the scan must report.
    struct Planted: Sendable, CustomTestStringConvertible {
        let name: String
        let sample: String
        let kind: ContaminationKind
        let itemID: String
        var testDescription: String { name }
    }

    static let planted: [Planted] = {
        let question = BenchmarkFixture.questions[1]
        let answer = BenchmarkFixture.answers[1]
        var words = question.split(separator: " ").map(String.init)
        words[words.count / 2] = "purple"
        var shortWords = BenchmarkFixture.shortQuestion.split(separator: " ").map(String.init)
        shortWords[shortWords.count - 3] = "famous"
        return [
            Planted(
                name: "verbatim", sample: jsonLine(["instruction": question, "input": "", "output": answer]),
                kind: .exact, itemID: "q1"),
            Planted(
                name: "whitespace and case changed",
                sample: jsonLine([
                    "instruction": "  " + question.uppercased().replacingOccurrences(of: " ", with: " \n\t "),
                    "output": answer.capitalized,
                ]),
                kind: .exact, itemID: "q1"),
            Planted(
                name: "embedded in a longer sample",
                sample: jsonLine([
                    "instruction": "Solve the following.",
                    "output":
                        "Here is a similar problem: \(question)? The answer is simple. Let us think step by step.",
                ]),
                kind: .ngram, itemID: "q1"),
            Planted(
                name: "one word changed",
                sample: jsonLine(["instruction": words.joined(separator: " "), "output": answer]),
                kind: .ngram, itemID: "q1"),
            Planted(
                name: "short item with one word changed",
                sample: jsonLine(["instruction": shortWords.joined(separator: " "), "output": "saturn"]),
                kind: .nearDuplicate, itemID: "short"),
        ]
    }()

    @Test("planted contamination is found", arguments: planted)
    func plantedContaminationIsFound(_ planted: Planted) throws {
        let scratch = try ScratchDirectory()
        let index = try ContaminationIndex(
            benchmarkFile: try scratch.file("bench.jsonl", lines: BenchmarkFixture.lines()))
        let samples = BenchmarkFixture.cleanSamples(30)
        let train = try scratch.file("train.jsonl", lines: samples[..<10] + [planted.sample] + samples[10...])
        let report = try index.scan(trainingFile: train)
        #expect(report.scannedSamples == 31)
        #expect(report.contaminatedSamples == 1)
        #expect(report.blocksTraining)
        let hit = try #require(report.hits.first)
        #expect(hit.trainingLine == 11)
        #expect(hit.benchmarkItemID == planted.itemID)
        #expect(hit.kind == planted.kind)
        #expect(hit.score > 0)
        #expect(!hit.overlap.isEmpty)
    }

    @Test("the overlap names the shared text")
    func overlapNamesTheSharedText() throws {
        let scratch = try ScratchDirectory()
        let index = try ContaminationIndex(
            benchmarkFile: try scratch.file("bench.jsonl", lines: BenchmarkFixture.lines()))
        let sample = jsonLine([
            "instruction": "Try this one", "output": "Consider: \(BenchmarkFixture.questions[2]). Done.",
        ])
        let report = try index.scan(trainingFile: try scratch.file("train.jsonl", lines: [sample]))
        let hit = try #require(report.hits.first)
        #expect(hit.kind == .ngram)
        #expect(hit.benchmarkLine == 3)
        #expect(hit.overlap == BenchmarkFixture.questions[2].lowercased())
        #expect(hit.score > 0.5 && hit.score < 1, "the answer's n-grams are not in the sample")
    }

    @Test("clean data yields no hits")
    func cleanDataYieldsNoHits() throws {
        let scratch = try ScratchDirectory()
        let index = try ContaminationIndex(
            benchmarkFile: try scratch.file("bench.jsonl", lines: BenchmarkFixture.lines()))
        let report = try index.scan(
            trainingFile: try scratch.file("train.jsonl", lines: BenchmarkFixture.cleanSamples(500)))
        #expect(report.scannedSamples == 500)
        #expect(report.isClean)
        #expect(!report.blocksTraining)
        #expect(report.hits.isEmpty)
        #expect(report.malformedLineCount == 0)
    }

    @Test("a malformed line in the middle is counted with its line number and the scan goes on")
    func malformedLineIsCounted() throws {
        let scratch = try ScratchDirectory()
        let index = try ContaminationIndex(
            benchmarkFile: try scratch.file("bench.jsonl", lines: BenchmarkFixture.lines()))
        var lines = BenchmarkFixture.cleanSamples(1000)
        lines[499] = #"{"instruction": "broken, "output": }"#
        lines[899] = jsonLine(["instruction": BenchmarkFixture.questions[0], "output": BenchmarkFixture.answers[0]])
        let report = try index.scan(trainingFile: try scratch.file("train.jsonl", lines: lines))
        #expect(report.scannedSamples == 1000)
        #expect(report.malformedLineCount == 1)
        #expect(report.malformedLines == [500])
        #expect(report.hits.map(\.trainingLine) == [900])
    }

    @Test("tiny blocks on several workers give the same lines as one block", arguments: [37, 64, 100, 4096])
    func blockBoundariesKeepLineNumbers(blockSize: Int) throws {
        let scratch = try ScratchDirectory()
        let bench = try scratch.file("bench.jsonl", lines: BenchmarkFixture.lines())
        var lines = BenchmarkFixture.cleanSamples(60)
        lines[3] = "not json"
        lines[20] = ""
        lines[21] = jsonLine(["instruction": BenchmarkFixture.questions[3], "output": BenchmarkFixture.answers[3]])
        lines[40] = "{\"truncated\": \"line"
        lines[58] = jsonLine(["output": "see: " + BenchmarkFixture.questions[2]])
        let train = try scratch.file("train.jsonl", lines: lines)
        let parallel = try ContaminationIndex(benchmarkFile: bench, options: ContaminationOptions(workers: 3))
            .scan(trainingFile: train, blockSize: blockSize)
        #expect(parallel.malformedLines == [4, 41])
        #expect(parallel.hits.map(\.trainingLine) == [22, 59])
        #expect(parallel.scannedSamples == 59)
    }

    @Test("a sample longer than one probe batch is checked to its end")
    func longSample() throws {
        let scratch = try ScratchDirectory()
        let index = try ContaminationIndex(
            benchmarkFile: try scratch.file("bench.jsonl", lines: BenchmarkFixture.lines()))
        let filler = (0..<(ScanSink.batchSize + 500)).map { "w\($0 % 97)" }.joined(separator: " ")
        let sample = jsonLine(["instruction": filler, "output": filler + " " + BenchmarkFixture.questions[3]])
        let report = try index.scan(trainingFile: try scratch.file("train.jsonl", lines: [sample]))
        #expect(report.hits.map(\.benchmarkItemID) == ["q3"])
        #expect(report.hits.first?.overlap == BenchmarkFixture.questions[3].lowercased())
    }

    @Test("a JSON array training file is scanned with element lines")
    func jsonArrayTrainingFile() throws {
        let scratch = try ScratchDirectory()
        let index = try ContaminationIndex(
            benchmarkFile: try scratch.file("bench.jsonl", lines: BenchmarkFixture.lines()))
        let elements = BenchmarkFixture.cleanSamples(3) + [jsonLine(["instruction": BenchmarkFixture.questions[0]])]
        let train = try scratch.file("train.json", lines: ["["] + [elements.joined(separator: ",\n")] + ["]"])
        let report = try index.scan(trainingFile: train)
        #expect(report.scannedSamples == 4)
        #expect(report.hits.map(\.trainingLine) == [5])
        #expect(report.hits.first?.kind == .exact)
    }

    @Test("fields can be chosen and the n-gram size changed")
    func fieldsAndNgramSize() throws {
        let scratch = try ScratchDirectory()
        let bench = try scratch.file(
            "bench.jsonl", lines: [jsonLine(["prompt": "alpha beta gamma delta epsilon zeta"])])
        let sample = jsonLine(["output": "we say gamma delta epsilon zeta here"])
        let train = try scratch.file("train.jsonl", lines: [sample])
        let small = try ContaminationIndex(benchmarkFile: bench, fields: ["prompt"], options: .init(ngramSize: 4))
        #expect(try small.scan(trainingFile: train).hits.first?.kind == .ngram)
        let large = try ContaminationIndex(benchmarkFile: bench, fields: ["prompt"], options: .init(ngramSize: 13))
        #expect(try large.scan(trainingFile: train).hits.allSatisfy { $0.kind != .ngram })
    }

    @Test("a benchmark with no usable text fields is a clear error")
    func benchmarkWithoutTextFields() throws {
        let scratch = try ScratchDirectory()
        let bench = try scratch.file(
            "bench.jsonl", lines: [#"{"id": 1, "score": 3}"#, #"{"id": 2, "question": "  "}"#])
        #expect(throws: DataEngineError.noUsableBenchmarkText(path: bench.path, fields: ["question", "answer"])) {
            try ContaminationIndex(benchmarkFile: bench, fields: ["question", "answer"])
        }
    }

    @Test("a missing training file is a clear error that names it")
    func missingTrainingFile() throws {
        let scratch = try ScratchDirectory()
        let index = try ContaminationIndex(
            benchmarkFile: try scratch.file("bench.jsonl", lines: BenchmarkFixture.lines()))
        let missing = scratch.url.appendingPathComponent("absent.jsonl")
        #expect(throws: DataEngineError.fileNotReadable(path: missing.path, reason: "no such file")) {
            try index.scan(trainingFile: missing)
        }
    }

    @Test("the blocking threshold is applied to scores")
    func blockingThreshold() throws {
        let scratch = try ScratchDirectory()
        let bench = try scratch.file("bench.jsonl", lines: BenchmarkFixture.lines())
        let words = BenchmarkFixture.questions[0].split(separator: " ").prefix(14).joined(separator: " ")
        let train = try scratch.file("train.jsonl", lines: [jsonLine(["output": "quote: " + words])])
        let report = try ContaminationIndex(benchmarkFile: bench, options: .init(blockingScore: 0.5))
            .scan(trainingFile: train)
        #expect(report.hitCount == 1)
        #expect(!report.isClean)
        #expect(!report.blocksTraining)
        #expect(report.blocksTraining(atScore: 0))
    }
}
