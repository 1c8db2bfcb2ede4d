extension AsyncThrowingStream where Failure == any Error {
    /// A stream whose elements `body` yields, in a task of its own: the stream finishes when `body` returns and
    /// fails with what it throws; dropping or cancelling the stream cancels the task (and with it whatever `body`
    /// drives, such as a process or an upstream stream).
    ///
    /// The one way this package turns async work into a stream, instead of a hand-written `makeStream` + `Task` +
    /// `onTermination` relay at each site.
    public static func producing(
        _ body: @escaping @Sendable (Continuation) async throws -> Void,
        onTermination: (@Sendable (Continuation.Termination) -> Void)? = nil
    ) -> AsyncThrowingStream<Element, any Error> {
        let (stream, continuation) = makeStream(of: Element.self, throwing: (any Error).self)
        let task = Task {
            do {
                try await body(continuation)
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { termination in
            task.cancel()
            onTermination?(termination)
        }
        return stream
    }
}
