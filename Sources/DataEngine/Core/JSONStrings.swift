import Foundation

/// Reads strings out of `JSONSerialization` values.
enum JSONStrings {
    /// Every string inside a JSON value, in order (object members sorted by key, since `JSONSerialization`
    /// does not keep their order).
    static func all(in value: Any) -> [String] {
        switch value {
        case let text as String: [text]
        case let array as [Any]: array.flatMap(all(in:))
        case let object as [String: Any]: object.keys.sorted().flatMap { all(in: object[$0]!) }
        default: []
        }
    }
}
