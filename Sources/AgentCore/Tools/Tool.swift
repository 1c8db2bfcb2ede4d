import Foundation
public import Logging

/// What a tool returns to the model. Failures the model can fix are outputs with `isError`, not thrown errors.
public struct ToolOutput: Sendable, Hashable, Codable {
    public var content: String
    public var isError: Bool

    public init(_ content: String, isError: Bool = false) {
        self.content = content
        self.isError = isError
    }

    /// An error result whose message tells the model what to change.
    public static func error(_ message: String) -> ToolOutput { ToolOutput(message, isError: true) }
}

/// Where a tool call runs: its call id and a logger. Tools keep their own state (a workspace, a backend).
public struct ToolContext: Sendable {
    public var callID: String
    public var logger: Logger

    public init(callID: String, logger: Logger = Logger(label: "autotrainess.tool")) {
        self.callID = callID
        self.logger = logger
    }
}

/// An error that must stop the agent instead of being shown to the model:
/// budget exhaustion, transport failures, cancellation.
public protocol AgentStoppingError: Error {}

/// A capability the agent can call, with typed arguments and a hand-written schema.
///
/// Bad arguments and errors thrown by `call` become ``ToolOutput`` values with `isError` (see ``AnyTool``),
/// except `CancellationError` and ``AgentStoppingError``s, which stop the run.
public protocol Tool: Sendable {
    associatedtype Arguments: Decodable & Sendable

    /// The name the model uses to call the tool (`[a-z0-9_]+`).
    var name: String { get }
    /// One or two sentences that tell the model when and how to use the tool.
    var description: String { get }
    /// The JSON Schema of ``Arguments``, written by hand to match it.
    var parameters: JSONSchema { get }

    /// Runs the tool.
    /// - Parameters:
    ///   - arguments: the decoded arguments.
    ///   - context: the call's id and logger.
    /// - Returns: the output the model reads.
    /// - Throws: any error; it becomes an `isError` output unless it is an ``AgentStoppingError`` or cancellation.
    func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput
}

extension Tool {
    /// The definition sent to model providers.
    public var definition: ToolDefinition {
        ToolDefinition(name: name, description: description, parameters: parameters)
    }
}

/// A type-erased tool that decodes raw JSON arguments and turns failures into outputs the model can act on.
public struct AnyTool: Sendable {
    public let definition: ToolDefinition
    private let invoke: @Sendable (String, ToolContext) async throws -> ToolOutput

    public var name: String { definition.name }

    public init<T: Tool>(_ tool: T) {
        definition = tool.definition
        invoke = { rawArguments, context in
            let arguments: T.Arguments
            do {
                let text = rawArguments.trimmingCharacters(in: .whitespacesAndNewlines)
                arguments = try JSONDecoder().decode(T.Arguments.self, from: Data((text.isEmpty ? "{}" : text).utf8))
            } catch {
                return .error(
                    "Invalid arguments for \(tool.name): \(ToolArgumentError.describe(error)). "
                        + "Call it again with arguments matching its schema.")
            }
            do {
                return try await tool.call(arguments, in: context)
            } catch let error as any AgentStoppingError {
                throw error
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                return .error("\(tool.name) failed: \(error). Fix the cause or try a different approach.")
            }
        }
    }

    /// Decodes `arguments` (JSON text) and runs the tool.
    /// - Throws: only cancellation and ``AgentStoppingError``s; everything else is an `isError` output.
    public func call(arguments: String, in context: ToolContext) async throws -> ToolOutput {
        try await invoke(arguments, context)
    }
}

/// Turns decoding errors into short messages that name the field.
enum ToolArgumentError {
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ codingPath: [any CodingKey]) -> String {
            let joined = codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? "the arguments" : "'\(joined)'"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing required field '\((context.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) should be \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)) is null, expected \(type)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "arguments are not valid JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// A decision about one tool call, taken before it runs (see the agent's tool-call review hook).
public enum ToolCallDecision: Sendable, Hashable {
    case allow
    /// The call is not run; the model reads `reason` as an error result.
    case deny(reason: String)
}
