import AgentCore
import Foundation

/// The demo's built-in benchmark: write a number given in English words as digits.
///
/// "Write this number in digits, with no other text: three hundred and forty-two" → "342",
/// scored by exact match. The instruction-tuned base model answers in words or in a sentence
/// and scores near zero; a few minutes of CPU LoRA training teach it the format and the mapping.
///
/// Both splits are generated deterministically from a seed. The held-out test split is drawn
/// first; the training split is drawn afterwards from its own stream and keeps only numbers
/// that are not test numbers and whose words differ from every test item's words in more than
/// one position, so a contamination guard that catches one-word paraphrases finds nothing.
public struct DemoBenchmark: Sendable, Hashable, Codable {
    /// The benchmark's name in reports.
    public static let name = "number-words"

    /// The instruction every prompt starts with.
    public static let instruction = "Write this number in digits, with no other text:"

    /// The test-item fields the contamination guard indexes: the number words and the answer, not the instruction
    /// every item shares.
    public static let contaminationFields = ["question", "target"]

    /// The seed both splits derive from.
    public var seed: UInt64
    /// How many held-out test items to generate.
    public var testCount: Int
    /// How many training samples to generate.
    public var trainingCount: Int
    /// The numbers items are drawn from.
    public var numbers: ClosedRange<Int>

    /// A benchmark description; nothing is generated until ``generate()``.
    ///
    /// - Parameters:
    ///   - seed: the seed both splits derive from.
    ///   - testCount: how many held-out test items to generate.
    ///   - trainingCount: how many training samples to generate.
    ///   - numbers: the numbers items are drawn from, within `0...NumberWords.maximum`.
    public init(seed: UInt64, testCount: Int, trainingCount: Int, numbers: ClosedRange<Int>) {
        self.seed = seed
        self.testCount = testCount
        self.trainingCount = trainingCount
        self.numbers = numbers
    }

    /// The benchmark the demo settings describe.
    ///
    /// - Parameter settings: the demo's sample counts, number range and seed.
    public init(settings: DemoSettings) {
        self.init(
            seed: settings.seed, testCount: settings.testCount, trainingCount: settings.trainingCount,
            numbers: settings.numbers
        )
    }

    /// The prompt that asks for `number`.
    ///
    /// - Parameter number: a number within `0...NumberWords.maximum`.
    public static func prompt(for number: Int) -> String {
        "\(instruction) \(NumberWords.spell(number))"
    }

    /// Generates both splits.
    ///
    /// - Returns: the test items, in a seeded random order, and the training samples.
    /// - Throws: ``DemoBenchmarkError/invalidSettings(_:)`` for unusable counts or range,
    ///   ``DemoBenchmarkError/rangeTooSmall(range:testCount:trainingCount:found:)`` when the range
    ///   cannot supply enough clean training numbers.
    public func generate() throws(DemoBenchmarkError) -> DemoSplits {
        try validate()
        var testGenerator = SplitMix64(seed: seed)
        var testNumbers: [Int] = []
        var taken = Set<Int>()
        while testNumbers.count < testCount {
            let number = testGenerator.next(in: numbers)
            if taken.insert(number).inserted { testNumbers.append(number) }
        }
        let guardKeys = Set(testNumbers.flatMap(Self.oneWordVariants))

        var trainingGenerator = SplitMix64(seed: seed ^ 0x5452_4149_4E49_4E47)
        var trainingNumbers: [Int] = []
        let attempts = max(100_000, 50 * trainingCount)
        for _ in 0..<attempts where trainingNumbers.count < trainingCount {
            let number = trainingGenerator.next(in: numbers)
            guard !taken.contains(number) else { continue }
            taken.insert(number)
            if Self.oneWordVariants(of: number).allSatisfy({ !guardKeys.contains($0) }) {
                trainingNumbers.append(number)
            }
        }
        guard trainingNumbers.count == trainingCount else {
            throw .rangeTooSmall(
                range: numbers, testCount: testCount, trainingCount: trainingCount, found: trainingNumbers.count
            )
        }
        let width = String(testCount - 1).count
        let test = testNumbers.enumerated().map { index, number in
            DemoTestItem(
                id: Self.itemID(index, width: width), prompt: Self.prompt(for: number), target: String(number),
                question: NumberWords.spell(number))
        }
        let training = trainingNumbers.map { DemoTrainingSample(instruction: Self.prompt(for: $0), output: String($0)) }
        return DemoSplits(test: test, training: training)
    }

    private func validate() throws(DemoBenchmarkError) {
        guard testCount > 0, trainingCount > 0 else {
            throw .invalidSettings("testCount (\(testCount)) and trainingCount (\(trainingCount)) must be positive")
        }
        guard numbers.lowerBound >= 0, numbers.upperBound <= NumberWords.maximum else {
            throw .invalidSettings(
                "numbers \(numbers.lowerBound)...\(numbers.upperBound) must lie within 0...\(NumberWords.maximum)"
            )
        }
        guard numbers.count >= 2 * (testCount + trainingCount) else {
            throw .rangeTooSmall(range: numbers, testCount: testCount, trainingCount: trainingCount, found: 0)
        }
    }

    private static func itemID(_ index: Int, width: Int) -> String {
        let digits = String(index)
        return "\(name)-" + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Keys shared by two numbers exactly when their words differ in at most one position.
    ///
    /// Each key is the word list with one position masked; two equally long word lists that
    /// differ in at most one position share the key that masks that position.
    static func oneWordVariants(of number: Int) -> [String] {
        let words = NumberWords.spell(number).split(separator: " ").map(String.init)
        return words.indices.map { masked in
            var variant = words
            variant[masked] = "*"
            return "\(words.count):" + variant.joined(separator: " ")
        }
    }
}
