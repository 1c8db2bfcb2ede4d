/// A hand-written JSON Schema for a tool's arguments, built with small static builders.
///
/// ```swift
/// let schema = JSONSchema.object(
///     properties: ["path": .string(description: "File to read, relative to the run")],
///     required: ["path"]
/// )
/// ```
public struct JSONSchema: Sendable, Hashable, Codable {
    /// The schema as JSON, exactly as it is sent to a model provider.
    public var value: JSONValue

    public init(_ value: JSONValue) { self.value = value }

    public init(from decoder: any Decoder) throws { value = try JSONValue(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }

    /// An object with named properties; `required` lists the names that must be present.
    public static func object(
        properties: [String: JSONSchema], required: [String] = [], description: String? = nil
    ) -> JSONSchema {
        var schema: [String: JSONValue] = [
            "type": "object",
            "properties": .object(properties.mapValues(\.value)),
            "required": .array(required.map(JSONValue.string)),
            "additionalProperties": false,
        ]
        if let description { schema["description"] = .string(description) }
        return JSONSchema(.object(schema))
    }

    /// A string, optionally limited to `allowed` values.
    public static func string(description: String? = nil, allowed: [String]? = nil) -> JSONSchema {
        var schema: [String: JSONValue] = ["type": "string"]
        if let description { schema["description"] = .string(description) }
        if let allowed { schema["enum"] = .array(allowed.map(JSONValue.string)) }
        return JSONSchema(.object(schema))
    }

    /// An integer, optionally bounded.
    public static func integer(description: String? = nil, minimum: Int? = nil, maximum: Int? = nil) -> JSONSchema {
        var schema: [String: JSONValue] = ["type": "integer"]
        if let description { schema["description"] = .string(description) }
        if let minimum { schema["minimum"] = .number(Double(minimum)) }
        if let maximum { schema["maximum"] = .number(Double(maximum)) }
        return JSONSchema(.object(schema))
    }

    /// A number.
    public static func number(description: String? = nil) -> JSONSchema {
        var schema: [String: JSONValue] = ["type": "number"]
        if let description { schema["description"] = .string(description) }
        return JSONSchema(.object(schema))
    }

    /// A boolean.
    public static func boolean(description: String? = nil) -> JSONSchema {
        var schema: [String: JSONValue] = ["type": "boolean"]
        if let description { schema["description"] = .string(description) }
        return JSONSchema(.object(schema))
    }

    /// An array whose elements follow `items`.
    public static func array(of items: JSONSchema, description: String? = nil) -> JSONSchema {
        var schema: [String: JSONValue] = ["type": "array", "items": items.value]
        if let description { schema["description"] = .string(description) }
        return JSONSchema(.object(schema))
    }

    /// Any JSON object (free-form key/value map).
    public static func freeformObject(description: String? = nil) -> JSONSchema {
        var schema: [String: JSONValue] = ["type": "object"]
        if let description { schema["description"] = .string(description) }
        return JSONSchema(.object(schema))
    }
}
