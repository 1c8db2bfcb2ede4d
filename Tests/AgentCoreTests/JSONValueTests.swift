import AgentCore
import Foundation
import Testing

@Suite struct JSONValueTests {
    @Test func roundTripsThroughText() throws {
        let value: JSONValue = ["a": 1, "b": [true, nil, "x"], "c": 2.5]
        let parsed = try JSONValue(parsing: value.compactText)
        #expect(parsed == value)
        #expect(value.compactText == #"{"a":1,"b":[true,null,"x"],"c":2.5}"#)
    }

    @Test func priceTableMatchesLongestPrefix() {
        let table = PriceTable.standard
        let cost = table.cost(of: Usage(inputTokens: 1_000_000, outputTokens: 0), model: "gpt-4o-mini-2024")
        #expect(cost == 0.15)
        #expect(table.cost(of: Usage(inputTokens: 10), model: "unknown-model") == nil)
    }
}
