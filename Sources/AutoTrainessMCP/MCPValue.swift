import AgentCore
import Foundation
import MCP

/// Conversions between our `JSONValue` and the MCP SDK's `Value`, through their shared JSON encoding.
enum MCPValue {
    /// `value` as an MCP `Value`.
    static func from(_ value: JSONValue) throws -> Value {
        try JSONDecoder().decode(Value.self, from: JSONEncoder().encode(value))
    }

    /// A call's arguments as the JSON text our tools decode (`{}` when there are none).
    static func argumentsText(_ arguments: [String: Value]?) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(arguments ?? [:]), as: UTF8.self)
    }
}
