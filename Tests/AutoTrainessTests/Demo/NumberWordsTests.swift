import AgentTesting
import Testing
import AutoTrainess

@Suite("NumberWords")
struct NumberWordsTests {
    @Test(
        "spells numbers in British style",
        arguments: [
            (0, "zero"),
            (7, "seven"),
            (13, "thirteen"),
            (40, "forty"),
            (42, "forty-two"),
            (100, "one hundred"),
            (105, "one hundred and five"),
            (342, "three hundred and forty-two"),
            (1_000, "one thousand"),
            (3_005, "three thousand and five"),
            (3_405, "three thousand four hundred and five"),
            (20_019, "twenty thousand and nineteen"),
            (120_034, "one hundred and twenty thousand and thirty-four"),
            (700_000, "seven hundred thousand"),
            (999_999, "nine hundred and ninety-nine thousand nine hundred and ninety-nine"),
        ]
    )
    func spells(number: Int, words: String) {
        #expect(NumberWords.spell(number) == words)
    }

    @Test("every number up to the maximum reads back to itself")
    func roundTrips() {
        for number in stride(from: 0, through: NumberWords.maximum, by: 97) {
            #expect(Self.parse(NumberWords.spell(number)) == number)
        }
    }

    /// An independent reader of the words, so the round trip checks values, not spelling.
    private static func parse(_ words: String) -> Int? {
        let small = [
            "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
            "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
        ]
        let tens = ["twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                    "ninety": 90]
        var total = 0
        var current = 0
        for token in words.split(separator: " ").map(String.init) where token != "and" {
            if token == "hundred" {
                current *= 100
            } else if token == "thousand" {
                total += current * 1000
                current = 0
            } else {
                for part in token.split(separator: "-").map(String.init) {
                    if let value = small.firstIndex(of: part) {
                        current += value
                    } else if let value = tens[part] {
                        current += value
                    } else {
                        return nil
                    }
                }
            }
        }
        return total + current
    }
}
