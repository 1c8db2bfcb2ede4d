import Foundation

/// How durations read everywhere (status, budget lines, summaries): `2h05m`, `12m05s`, `45s`.
public enum DurationText {
    /// `seconds` rounded down to whole seconds (negative counts as 0).
    public static func format(_ seconds: Double) -> String {
        let total = max(0, Int(seconds.rounded(.down)))
        if total >= 3600 { return "\(total / 3600)h\(String(format: "%02d", total % 3600 / 60))m" }
        if total >= 60 { return "\(total / 60)m\(String(format: "%02d", total % 60))s" }
        return "\(total)s"
    }
}
