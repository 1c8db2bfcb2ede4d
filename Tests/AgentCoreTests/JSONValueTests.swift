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

@Suite struct SecretsTests {
    @Test func scrubsSecretVariablesAndRedactsTheirValues() {
        let environment = ["PATH": "/bin", "ANTHROPIC_API_KEY": "sk-ant-12345678", "HF_TOKEN": "hf_abcdefgh"]
        #expect(Secrets.scrub(environment: environment) == ["PATH": "/bin"])
        let text = "key sk-ant-12345678 and hf_abcdefgh in /bin"
        let redacted = Secrets.redact(text, secrets: Secrets.values(in: environment))
        #expect(redacted == "key [REDACTED] and [REDACTED] in /bin")
    }
}
