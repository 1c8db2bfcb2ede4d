import AgentCore
import Foundation
import Testing

@Suite struct RetryPolicyTests {
    @Test func backsOffExponentiallyUpToTheCapAndStopsAtMaxAttempts() {
        let policy = RetryPolicy(
            maxAttempts: 6, baseDelay: .seconds(1), maxDelay: .seconds(5), jitter: 0.5, random: { 0 })
        let delays = (1...6).map { policy.delay(afterAttempt: $0) }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(5), .seconds(5), nil])
    }

    @Test func jitterTakesAwayAtMostItsFraction() {
        let policy = RetryPolicy(baseDelay: .seconds(4), jitter: 0.5, random: { 0.999_999 })
        let delay = policy.delay(afterAttempt: 1)!
        #expect(delay > .seconds(2) && delay < .milliseconds(2001))
    }

    @Test func retryAfterReplacesTheBackoffUnlessItIsTooLong() {
        let policy = RetryPolicy(maxAttempts: 3, maxRetryAfter: .seconds(60), random: { 0 })
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(7)) == .seconds(7))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(3600)) == nil)
        #expect(policy.delay(afterAttempt: 3, retryAfter: .seconds(1)) == nil)
        #expect(RetryPolicy.none.delay(afterAttempt: 1) == nil)
    }

    @Test func parsesRetryAfterSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 1_445_412_480)  // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryPolicy.parseRetryAfter("120", now: now) == .seconds(120))
        #expect(RetryPolicy.parseRetryAfter(" 1.5 ", now: now) == .milliseconds(1500))
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now: now) == .seconds(30))
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now: now) == .zero)
        #expect(RetryPolicy.parseRetryAfter("soon", now: now) == nil)
        #expect(RetryPolicy.parseRetryAfter("-3", now: now) == nil)
    }
}
