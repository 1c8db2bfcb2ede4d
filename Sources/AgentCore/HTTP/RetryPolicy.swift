public import Foundation

/// When and how long to wait before sending a failed model request again.
///
/// Requests are retried on HTTP 408, 429 and 5xx and on transient transport failures (connection refused, reset
/// or timed out), but only while nothing of the response has been handed to the caller. The wait grows
/// exponentially from ``baseDelay`` up to ``maxDelay``, less a random part of up to ``jitter`` of itself; a
/// server's `Retry-After` replaces it, unless it asks for more than ``maxRetryAfter``, in which case the request
/// fails at once.
public struct RetryPolicy: Sendable {
    /// The most attempts, the first included (1 means never retry).
    public var maxAttempts: Int
    /// The wait before the second attempt.
    public var baseDelay: Duration
    /// The longest computed wait.
    public var maxDelay: Duration
    /// The fraction (0...1) of each computed wait that is randomised away.
    public var jitter: Double
    /// The longest `Retry-After` honoured; a longer one ends the retries.
    public var maxRetryAfter: Duration
    /// Waits between attempts; tests inject one that records and returns at once.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// A random number in `0..<1`, used for jitter; tests inject a constant.
    public var random: @Sendable () -> Double

    /// Creates a policy.
    /// - Parameters:
    ///   - maxAttempts: the most attempts, the first included.
    ///   - baseDelay: the wait before the second attempt.
    ///   - maxDelay: the longest computed wait.
    ///   - jitter: the fraction of each wait that is randomised away.
    ///   - maxRetryAfter: the longest `Retry-After` honoured.
    ///   - sleep: how to wait (default `Task.sleep`, which throws on cancellation).
    ///   - random: a random number in `0..<1`.
    public init(
        maxAttempts: Int = 4, baseDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(30),
        jitter: Double = 0.5, maxRetryAfter: Duration = .seconds(120),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = min(max(jitter, 0), 1)
        self.maxRetryAfter = maxRetryAfter
        self.sleep = sleep
        self.random = random
    }

    /// The default policy: 4 attempts, 1 s doubling to 30 s, half jitter, `Retry-After` up to 2 minutes.
    public static let standard = RetryPolicy()

    /// Never retries.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// The wait after failed attempt number `attempt` (1-based), or `nil` when no further attempt should be made.
    /// - Parameters:
    ///   - attempt: the attempt that just failed, counting from 1.
    ///   - retryAfter: the server's `Retry-After`, if it sent one.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        if let retryAfter { return retryAfter <= maxRetryAfter ? max(retryAfter, .zero) : nil }
        let exponential = baseDelay * Int(1 << min(attempt - 1, 30))
        let capped = min(exponential, maxDelay)
        return capped * (1 - jitter * min(max(random(), 0), 1))
    }

    /// Parses a `Retry-After` header: delay-seconds or an HTTP date.
    /// - Parameters:
    ///   - value: the header value.
    ///   - now: the current time, for HTTP dates.
    /// - Returns: the wait, or `nil` when the value is neither form.
    public static func parseRetryAfter(_ value: String, now: Date = Date()) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds.isFinite, seconds >= 0 { return .milliseconds(Int(seconds * 1000)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) {
                return .milliseconds(Int(max(0, date.timeIntervalSince(now)) * 1000))
            }
        }
        return nil
    }
}
