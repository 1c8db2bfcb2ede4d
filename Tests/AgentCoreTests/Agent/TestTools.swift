import AgentCore
import AgentTesting
import Foundation
import Logging
import Synchronization

/// Adds two integers; used to check argument decoding.
struct AddTool: Tool {
    struct Arguments: Decodable, Sendable {
        let a: Int
        let b: Int
    }

    let name = "add"
    let description = "Adds two integers."
    let parameters = JSONSchema.object(properties: ["a": .integer(), "b": .integer()], required: ["a", "b"])

    func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
        ToolOutput("\(arguments.a + arguments.b)")
    }
}

/// Echoes its text and counts how often it ran.
struct EchoTool: Tool {
    struct Arguments: Decodable, Sendable { let text: String }

    let name = "echo"
    let description = "Echoes the text."
    let parameters = JSONSchema.object(properties: ["text": .string()], required: ["text"])
    let calls = Counter()

    func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
        calls.increment()
        return ToolOutput(arguments.text)
    }
}

/// Throws the error it was built with.
struct ThrowingTool: Tool {
    struct Arguments: Decodable, Sendable {}

    let name = "explode"
    let description = "Always fails."
    let parameters = JSONSchema.object(properties: [:])
    let error: any Error

    func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput { throw error }
}

struct DiskFull: Error, CustomStringConvertible {
    var description: String { "disk full while writing out.jsonl" }
}

struct OutOfTime: AgentStoppingError {}

/// Signals `started`, then sleeps until cancelled and signals `cancelled`.
struct SlowTool: Tool {
    struct Arguments: Decodable, Sendable {}

    let name = "slow"
    let description = "Takes an hour."
    let parameters = JSONSchema.object(properties: [:])
    let started: AsyncStream<Void>.Continuation
    let cancelled: AsyncStream<Void>.Continuation

    func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
        started.yield()
        do {
            try await Task.sleep(for: .seconds(3600))
        } catch {
            cancelled.yield()
            throw error
        }
        return ToolOutput("woke up")
    }
}

/// Fires its own signal when done, optionally after waiting for another call's signal: proves calls overlap.
struct GateTool: Tool {
    struct Arguments: Decodable, Sendable {
        let name: String
        let waitFor: String?
    }

    let name = "gate"
    let description = "Waits for another gate, then opens its own."
    let parameters = JSONSchema.object(properties: ["name": .string(), "waitFor": .string()], required: ["name"])
    let signals = Signals()

    func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
        if let other = arguments.waitFor { await signals.wait(for: other) }
        await signals.fire(arguments.name)
        return ToolOutput("gate \(arguments.name) open")
    }
}

actor Signals {
    private var fired: Set<String> = []
    private var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]
    private(set) var order: [String] = []

    func fire(_ name: String) {
        fired.insert(name)
        order.append(name)
        for waiter in waiters.removeValue(forKey: name) ?? [] { waiter.resume() }
    }

    func wait(for name: String) async {
        if fired.contains(name) { return }
        await withCheckedContinuation { waiters[name, default: []].append($0) }
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// Collects a run's events, or the error it threw.
func collect(
    _ stream: AsyncThrowingStream<AgentEvent, any Error>
) async -> (events: [AgentEvent], error: (any Error)?) {
    var events: [AgentEvent] = []
    do {
        for try await event in stream { events.append(event) }
        return (events, nil)
    } catch {
        return (events, error)
    }
}

extension [AgentEvent] {
    var outcome: AgentOutcome? {
        for case .finished(let outcome) in self { return outcome }
        return nil
    }

    var results: [ToolResult] {
        compactMap { if case .toolResult(let result) = $0 { result } else { nil } }
    }
}

func call(_ id: String, _ name: String, _ arguments: String = "{}") -> ToolCall {
    ToolCall(id: id, name: name, arguments: arguments)
}
