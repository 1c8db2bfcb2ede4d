/// Spells whole numbers in English words, the way the demo benchmark asks about them.
///
/// British style with "and" after hundreds and before a last part below one hundred:
/// 342 is "three hundred and forty-two", 3 005 is "three thousand and five",
/// 120 034 is "one hundred and twenty thousand and thirty-four".
public enum NumberWords {
    /// The largest number `spell(_:)` accepts.
    public static let maximum = 999_999

    private static let small = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    ]
    private static let tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

    /// The words for `number`.
    ///
    /// - Parameter number: a whole number from 0 to ``maximum``.
    /// - Returns: the number in lowercase words, e.g. `"forty-two"`.
    /// - Precondition: `number` lies in `0...maximum`.
    public static func spell(_ number: Int) -> String {
        precondition((0...maximum).contains(number), "NumberWords.spell takes 0...\(maximum), got \(number)")
        if number == 0 { return "zero" }
        let thousands = number / 1000
        let rest = number % 1000
        guard thousands > 0 else { return belowThousand(rest) }
        let head = belowThousand(thousands) + " thousand"
        if rest == 0 { return head }
        return head + (rest < 100 ? " and " : " ") + belowThousand(rest)
    }

    private static func belowHundred(_ number: Int) -> String {
        if number < 20 { return small[number] }
        let ones = number % 10
        return tens[number / 10] + (ones == 0 ? "" : "-" + small[ones])
    }

    private static func belowThousand(_ number: Int) -> String {
        let hundreds = number / 100
        let rest = number % 100
        guard hundreds > 0 else { return belowHundred(rest) }
        let head = small[hundreds] + " hundred"
        return rest == 0 ? head : head + " and " + belowHundred(rest)
    }
}
