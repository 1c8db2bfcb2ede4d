import Foundation
import Testing

@testable import DataEngine

@Suite("DatasetValidator")
struct DatasetValidatorTests {
    static let good = [
        jsonLine(["instruction": "Add two and three.", "input": "", "output": "Five."]),
        jsonLine(["instruction": "Name the capital of France.", "input": "", "output": "Paris is the capital."]),
        jsonLine(["instruction": "Translate 'cat' to German.", "input": "", "output": "Katze."]),
    ]

    private func validate(
        _ lines: [String], format: DatasetFormat = .alpaca, options: ValidationOptions = .init()
    ) throws -> ValidationReport {
        let scratch = try ScratchDirectory()
        return try DatasetValidator(options: options).validate(
            file: try scratch.file("data.jsonl", lines: lines), format: format)
    }

    @Test("a clean alpaca file has no findings")
    func cleanAlpaca() throws {
        let report = try validate(Self.good)
        #expect(report.isClean)
        #expect(report.sampleCount == 3)
        #expect(report.findings.isEmpty)
    }

    @Test("a bad JSON line is reported with its line number")
    func badJSONLine() throws {
        let report = try validate([Self.good[0], #"{"instruction": "oops", "output": }"#, Self.good[1]])
        #expect(report.sampleCount == 3)
        #expect(report.counts[.unreadableLine] == 1)
        #expect(report.findings.map(\.line) == [2])
    }

    @Test("empty and whitespace-only fields are reported")
    func emptyFields() throws {
        let report = try validate([
            jsonLine(["instruction": "   ", "input": "", "output": "Something."]),
            jsonLine(["instruction": "Say hi.", "input": "", "output": ""]),
        ])
        #expect(report.findings.map(\.kind) == [.emptyField, .emptyField])
        #expect(report.findings.map(\.field) == ["instruction", "output"])
        #expect(report.findings.map(\.line) == [1, 2])
    }

    @Test("missing fields and wrong types are reported")
    func missingAndWrongType() throws {
        let report = try validate([#"{"instruction": "Hi"}"#, #"{"instruction": 3, "output": "x"}"#, "[1, 2]"])
        #expect(report.findings.map(\.kind) == [.missingField, .wrongType, .notAnObject])
    }

    @Test("wrong roles in sharegpt are reported")
    func sharegptRoles() throws {
        func conversation(_ turns: [(String, String)]) -> String {
            let messages = turns.map { #"{"from": \#(quote($0.0)), "value": \#(quote($0.1))}"# }
            return #"{"conversations": [\#(messages.joined(separator: ", "))]}"#
        }
        let report = try validate(
            [
                conversation([("human", "Hi"), ("gpt", "Hello!")]),
                conversation([("gpt", "Hello!"), ("human", "Hi")]),
                conversation([("human", "Hi"), ("robot", "Beep")]),
                conversation([("system", "Be brief."), ("human", "Hi"), ("gpt", "Hi."), ("human", "Bye")]),
            ], format: .sharegpt)
        #expect(report.findings.map(\.kind) == [.invalidRole, .invalidRole, .invalidRole])
        #expect(report.findings.map(\.line) == [2, 3, 4])
        #expect(report.findings[1].message.contains("robot"))
    }

    @Test("missing chosen or rejected in preference data is reported")
    func preferenceMissingAnswers() throws {
        let report = try validate(
            [
                jsonLine(["instruction": "Pick one.", "chosen": "A good answer.", "rejected": "A bad answer."]),
                jsonLine(["instruction": "Pick one.", "chosen": "Only chosen."]),
                jsonLine(["instruction": "Pick two.", "rejected": "Only rejected."]),
                jsonLine(["instruction": "Pick three.", "chosen": "Same.", "rejected": "Same."]),
            ], format: .preference)
        #expect(report.findings.map(\.kind) == [.missingField, .missingField, .identicalPair])
        #expect(report.findings.map(\.field) == ["rejected", "chosen", "chosen"])
    }

    @Test("exact and near duplicates name the earlier line")
    func duplicates() throws {
        let long =
            "Explain why the sky looks blue during the day and red at sunset using the idea of scattering, "
            + "then say how the colour of the ocean relates to it and why clouds stay white or grey in both cases, "
            + "and finish with one sentence a child could follow without any physics background at all"
        let report = try validate([
            jsonLine(["instruction": long, "input": "", "output": "Rayleigh scattering favours short wavelengths."]),
            Self.good[0],
            jsonLine([
                "instruction": long.uppercased(), "input": "",
                "output": "Rayleigh scattering favours short wavelengths!",
            ]),
            jsonLine([
                "instruction": long + " today", "input": "", "output": "Rayleigh scattering favours short wavelengths.",
            ]),
        ])
        #expect(report.findings.map(\.kind) == [.exactDuplicate, .nearDuplicate])
        #expect(report.findings.map(\.relatedLine) == [1, 1])
        #expect(report.findings.map(\.line) == [3, 4])
    }

    @Test("an over-long sample is reported against the cutoff")
    func overLength() throws {
        let long = Array(repeating: "word", count: 200).joined(separator: " ")
        let report = try validate(
            [Self.good[0], jsonLine(["instruction": long, "input": "", "output": "ok"])],
            options: ValidationOptions(cutoffLength: 100))
        #expect(report.findings.map(\.kind) == [.overLength])
        #expect(report.findings.first?.line == 2)
    }

    @Test("broken UTF-8 is reported with its line")
    func brokenUTF8() throws {
        let scratch = try ScratchDirectory()
        var bytes = Array((Self.good[0] + "\n").utf8)
        bytes += Array(#"{"instruction": "caf"#.utf8) + [0xC3, 0x28] + Array(#"", "output": "x"}"#.utf8) + [0x0A]
        let file = try scratch.file("data.jsonl", bytes: bytes)
        let report = try DatasetValidator().validate(file: file, format: .alpaca)
        #expect(report.findings.map(\.kind) == [.invalidUTF8])
        #expect(report.findings.first?.line == 2)
    }

    @Test("a JSON array file is accepted, with element lines")
    func jsonArray() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.file(
            "data.json",
            lines: ["[", Self.good[0] + ",", Self.good[1] + ",", #"{"instruction": "x", "output": " "}"#, "]"])
        let report = try DatasetValidator().validate(file: file, format: .alpaca)
        #expect(report.sampleCount == 3)
        #expect(report.findings.map(\.line) == [4])
        #expect(report.findings.map(\.kind) == [.emptyField])
    }

    @Test("an empty file is a finding; a missing file is an error")
    func emptyAndMissing() throws {
        let scratch = try ScratchDirectory()
        let empty = try scratch.file("empty.jsonl", bytes: [])
        #expect(try DatasetValidator().validate(file: empty, format: .alpaca).counts[.emptyDataset] == 1)
        let missing = scratch.url.appendingPathComponent("absent.jsonl")
        #expect(throws: DataEngineError.fileNotReadable(path: missing.path, reason: "no such file")) {
            try DatasetValidator().validate(file: missing, format: .alpaca)
        }
    }

    @Test("the report round-trips through JSON")
    func reportIsCodable() throws {
        let report = try validate([Self.good[0], "nope"])
        let decoded = try JSONDecoder().decode(ValidationReport.self, from: JSONEncoder().encode(report))
        #expect(decoded == report)
        #expect(decoded.counts[.unreadableLine] == 1)
    }
}

/// Near duplicates are judged on what varies between rows: templated data of distinct items passes (a fixed
/// instruction plus a short varying item once sent back 45% of 2,000 generated rows), the same item repeated does not.
@Suite("DatasetValidator: templated data")
struct TemplatedDataTests {
    static func roman(_ number: Int) -> String {
        let table = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                     (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
        var rest = number
        var text = ""
        for (value, letters) in table { while rest >= value { text += letters; rest -= value } }
        return text
    }

    static func row(_ number: Int, wording: String = "Convert this Roman numeral to digits, answering with the number only:") -> String {
        jsonLine(["instruction": "\(wording) \(roman(number))", "input": "", "output": "\(number)"])
    }

    @Test func twoThousandTemplatedRowsOfDistinctItemsHaveNoNearDuplicates() throws {
        let scratch = try ScratchDirectory()
        let file = try scratch.file("roman.jsonl", lines: (1...2000).map { Self.row($0) })
        let report = try DatasetValidator().validate(file: file, format: .alpaca)
        #expect(report.counts[.nearDuplicate, default: 0] == 0, "\(report.findings.prefix(3))")
        #expect(report.counts[.exactDuplicate, default: 0] == 0)
        // Judged on the whole row, as before, the template makes hundreds of rows look alike.
        var whole = ValidationOptions()
        whole.templateShare = 1.0
        let before = try DatasetValidator(options: whole).validate(file: file, format: .alpaca)
        #expect(before.counts[.nearDuplicate, default: 0] > 100)
    }

    static func words(_ number: Int) -> String {
        let ones = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
        let tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
        var parts: [String] = []
        if number >= 100 { parts.append("\(ones[number / 100]) hundred") }
        let rest = number % 100
        if rest > 0 {
            if number >= 100 { parts.append("and") }
            parts.append(rest < 20 ? ones[rest] : tens[rest / 10] + (rest % 10 > 0 ? "-" + ones[rest % 10] : ""))
        }
        return parts.joined(separator: " ")
    }

    @Test func theSameItemRepeatedIsStillADuplicate() throws {
        let scratch = try ScratchDirectory()
        func row(_ number: Int, _ wording: String = "Write this number in digits:") -> String {
            jsonLine(["instruction": "\(wording) \(Self.words(number))", "input": "", "output": "\(number)"])
        }
        var lines = (101...400).map { row($0) }
        lines.append(row(117))  // an exact copy of line 17
        lines.append(row(342, "In digits, write this number:"))  // line 242's item, the template reworded
        let report = try DatasetValidator().validate(file: try scratch.file("words.jsonl", lines: lines), format: .alpaca)
        #expect(report.counts[.exactDuplicate, default: 0] == 1)
        #expect(report.counts[.nearDuplicate, default: 0] == 1, "\(report.findings)")
        let near = try #require(report.findings.first { $0.kind == .nearDuplicate })
        #expect(near.line == 302 && near.relatedLine == 242)
        #expect(near.message.contains("words that vary between samples"))
        // Distinct items in the same template pass.
        let distinct = try DatasetValidator().validate(
            file: try scratch.file("distinct.jsonl", lines: (101...400).map { row($0) }), format: .alpaca)
        #expect(distinct.counts[.nearDuplicate, default: 0] == 0, "\(distinct.findings.prefix(3))")
    }
}
