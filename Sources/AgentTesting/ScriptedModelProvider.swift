public import AgentCore
import Synchronization

/// A fake ``ModelProvider`` that replays scripted turns, for testing agents without a network or a model.
///
/// Each request gets the next ``Turn`` (or the one a closure picks for it): its events are streamed in order,
/// optionally slowly, optionally ending in an error or hanging until the stream is cancelled. Every request is
/// recorded in ``requests``, and every stream's end is reported on ``streamEnds``, so tests can check what the
/// agent sent and that cancellation reached the model stream.
///
/// ```swift
/// let model = ScriptedModelProvider(turns: [
///     .toolCalls([ToolCall(id: "1", name: "word_count", arguments: #"{"text":"a b c"}"#)]),
///     .text("There are 3 words."),
/// ])
/// ```
public final class ScriptedModelProvider: ModelProvider {
    /// One scripted model response.
    public struct Turn: Sendable {
        /// The events streamed, in order.
        public var events: [ModelEvent]
        /// How long to wait before each event (a slow stream).
        public var delay: Duration
        /// An error thrown after the events, instead of ending normally.
        public var failure: (any Error)?
        /// Whether the stream waits, after its events, until it is cancelled (it never ends by itself).
        public var hangs: Bool

        /// Creates a turn from raw events.
        /// - Parameters:
        ///   - events: the events to stream; include a `.finished` event to end like a real provider.
        ///   - delay: a wait before each event.
        ///   - failure: an error to throw after the events.
        ///   - hangs: wait after the events until cancelled.
        public init(events: [ModelEvent], delay: Duration = .zero, failure: (any Error)? = nil, hangs: Bool = false) {
            self.events = events
            self.delay = delay
            self.failure = failure
            self.hangs = hangs
        }

        /// A text answer, streamed in pieces of `chunkSize` characters (one piece when `nil`).
        /// - Parameters:
        ///   - text: the answer.
        ///   - chunkSize: characters per text delta.
        ///   - usage: the usage to report, if any.
        ///   - finish: the finish reason (default `.stop`).
        public static func text(
            _ text: String, chunkSize: Int? = nil, usage: Usage? = nil, finish: FinishReason = .stop
        ) -> Turn {
            let size = max(1, chunkSize ?? max(1, text.count))
            var pieces: [ModelEvent] = []
            var rest = Substring(text)
            while !rest.isEmpty {
                pieces.append(.textDelta(String(rest.prefix(size))))
                rest = rest.dropFirst(size)
            }
            return Turn(events: pieces + (usage.map { [.usage($0)] } ?? []) + [.finished(finish)])
        }

        /// A turn that asks for `calls` (in one turn, so the agent runs them concurrently), after optional text.
        /// - Parameters:
        ///   - calls: the tool calls, with distinct ids.
        ///   - text: text before the calls.
        ///   - usage: the usage to report, if any.
        public static func toolCalls(_ calls: [ToolCall], text: String = "", usage: Usage? = nil) -> Turn {
            let prefix: [ModelEvent] = text.isEmpty ? [] : [.textDelta(text)]
            return Turn(
                events: prefix + calls.map(ModelEvent.toolCall) + (usage.map { [.usage($0)] } ?? [])
                    + [.finished(.toolCalls)])
        }

        /// A turn that streams `events` and then fails with `error` (a transport failure, a rate limit...).
        public static func failure(_ error: any Error, after events: [ModelEvent] = []) -> Turn {
            Turn(events: events, failure: error)
        }

        /// A turn that streams `events` and then waits until the stream is cancelled.
        public static func hanging(after events: [ModelEvent] = []) -> Turn {
            Turn(events: events, hangs: true)
        }

        /// This turn, streamed with a wait of `delay` before each event.
        public func delayed(by delay: Duration) -> Turn {
            var turn = self
            turn.delay = delay
            return turn
        }
    }

    /// How one response stream ended.
    public enum StreamEnd: Sendable, Hashable {
        /// All events were delivered.
        case completed
        /// The stream threw (a scripted failure, or the script ran out).
        case failed
        /// The consumer cancelled or dropped the stream.
        case cancelled
    }

    /// Thrown when the agent asks for more turns than were scripted.
    public struct ScriptExhausted: Error, CustomStringConvertible {
        /// The 1-based number of the request that had no scripted turn.
        public var request: Int

        /// Which request ran out of script, and what to do.
        public var description: String {
            "ScriptedModelProvider has no turn for request \(request): add turns to the script "
                + "or check why the agent made more requests than expected."
        }
    }

    private let script: @Sendable (ModelRequest, Int) -> Turn?
    private let received = Mutex<[ModelRequest]>([])
    private let ends: AsyncStream<StreamEnd>.Continuation

    /// How each response stream ended, in the order they ended; read it from one task.
    public let streamEnds: AsyncStream<StreamEnd>

    /// Creates a provider that answers the n-th request with `turns[n]`, and fails with ``ScriptExhausted`` after.
    public convenience init(turns: [Turn]) {
        self.init { _, index in index < turns.count ? turns[index] : nil }
    }

    /// Creates a provider whose turn for each request is chosen by `respond`.
    /// - Parameter respond: receives the request and its 0-based index; `nil` ends the script
    ///   (the request fails with ``ScriptExhausted``).
    public init(respond: @escaping @Sendable (_ request: ModelRequest, _ index: Int) -> Turn?) {
        script = respond
        (streamEnds, ends) = AsyncStream.makeStream(of: StreamEnd.self)
    }

    /// Every request received so far, in order.
    public var requests: [ModelRequest] { received.withLock { $0 } }

    /// Streams the next scripted turn.
    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let index = received.withLock {
            $0.append(request)
            return $0.count - 1
        }
        let turn = script(request, index)
        let ends = self.ends
        return .producing(
            { continuation in
                guard let turn else { throw ScriptExhausted(request: index + 1) }
                for event in turn.events {
                    if turn.delay > .zero { try await Task.sleep(for: turn.delay) }
                    try Task.checkCancellation()
                    continuation.yield(event)
                }
                if let failure = turn.failure { throw failure }
                while turn.hangs { try await Task.sleep(for: .seconds(3600)) }
            },
            onTermination: { termination in
                switch termination {
                case .cancelled: ends.yield(.cancelled)
                case .finished(let error): ends.yield(error == nil ? .completed : .failed)
                @unknown default: ends.yield(.failed)
                }
            })
    }
}
