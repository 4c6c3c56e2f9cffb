extension String {
    /// Whether the UTF-8 of `needle` occurs in this string: a plain byte search,
    /// without the Unicode-aware matching (and its cost) of `contains(_:)`.
    /// Exact for ASCII needles, which is all the extractor looks for.
    func containsBytes(_ needle: StaticString) -> Bool {
        var s = self
        return s.withUTF8 { hay in
            let n = needle.utf8CodeUnitCount
            guard n > 0, hay.count >= n else { return n == 0 }
            let first = needle.utf8Start[0]
            var i = 0
            let last = hay.count - n
            while i <= last {
                if hay[i] == first {
                    var k = 1
                    while k < n, hay[i + k] == needle.utf8Start[k] { k += 1 }
                    if k == n { return true }
                }
                i += 1
            }
            return false
        }
    }
}
