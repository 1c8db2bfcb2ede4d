import AgentCore
import Synchronization

/// Everything a model stream produced: its events and the error it ended with, if any.
struct CollectedStream {
    var events: [ModelEvent] = []
    var error: (any Error)?

    var text: String {
        events.reduce(into: "") { text, event in if case .textDelta(let delta) = event { text += delta } }
    }
    var toolCalls: [ToolCall] { events.compactMap { if case .toolCall(let call) = $0 { call } else { nil } } }
    var usage: Usage {
        events.reduce(into: Usage()) { total, event in if case .usage(let more) = event { total += more } }
    }
    var finish: FinishReason? { events.compactMap { if case .finished(let reason) = $0 { reason } else { nil } }.last }
    var providerError: ModelProviderError? { error as? ModelProviderError }

    /// Drains `stream`, keeping its events and its error.
    static func from(_ stream: AsyncThrowingStream<ModelEvent, any Error>) async -> CollectedStream {
        var collected = CollectedStream()
        do {
            for try await event in stream { collected.events.append(event) }
        } catch {
            collected.error = error
        }
        return collected
    }
}

/// A retry policy whose waits are recorded instead of slept, with no jitter.
final class RecordedSleeps: Sendable {
    private let delays = Mutex<[Duration]>([])

    /// The waits asked for so far.
    var recorded: [Duration] { delays.withLock { $0 } }

    /// A policy that records its waits and returns at once.
    func policy(maxAttempts: Int = 4) -> RetryPolicy {
        RetryPolicy(
            maxAttempts: maxAttempts, baseDelay: .milliseconds(500), maxDelay: .seconds(8), jitter: 0.5,
            sleep: { [self] delay in delays.withLock { $0.append(delay) } }, random: { 0 })
    }
}
