/// "Did you mean …?" for misspelled names: configuration keys, template names, task-file fields.
public enum NameSuggestion {
    /// The known name closest to `name` by edit distance, if it is within a third of the name's length (at least 2);
    /// ties go to the alphabetically first name.
    public static func closest(to name: String, among known: some Sequence<String>) -> String? {
        let limit = max(2, name.count / 3)
        return known.map { ($0, editDistance(name, $0)) }.filter { $0.1 <= limit }
            .min { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }?.0
    }

    /// The Levenshtein distance between two names, counted in UTF-8 bytes.
    public static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
