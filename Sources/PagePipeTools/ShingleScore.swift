import PagePipe

/// The article benchmark's metric, as ../shared/tools/score_articles.py defines
/// it: `\w+` Unicode tokens (Python's definition: letters, digits, numbers and
/// `_`; combining marks split words), contiguous 4-gram shingles counted as a
/// multiset (1..3 tokens make one shorter shingle), per page tp/fp/fn divided by
/// their sum, precision and recall averaged over pages, F1 of the two means.
public enum ShingleScore {
    public struct Page: Sendable {
        public var key: String
        public var tp = 0.0, fp = 0.0, fn = 0.0
        public var precision = 0.0, recall = 0.0
        public var f1: Double { precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0 }
        public var identical = false
    }

    public struct Total: Sendable {
        public var n = 0
        public var precision = 0.0, recall = 0.0, accuracy = 0.0
        public var f1: Double { precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0 }
    }

    public static func isWord(_ u: Unicode.Scalar) -> Bool {
        let v = u.value
        if v < 0x80 {
            return (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x5F
        }
        switch u.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return u.properties.numericType != nil
        }
    }

    public static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var current = String.UnicodeScalarView()
        for u in text.unicodeScalars {
            if isWord(u) {
                current.append(u)
            } else if !current.isEmpty {
                out.append(String(current))
                current = String.UnicodeScalarView()
            }
        }
        if !current.isEmpty { out.append(String(current)) }
        return out
    }

    public static func shingles(_ tokens: [String], n: Int = 4) -> [[String]: Int] {
        guard !tokens.isEmpty else { return [:] }
        if tokens.count < n { return [tokens: 1] }
        var counts: [[String]: Int] = [:]
        for i in 0 ... tokens.count - n { counts[Array(tokens[i ..< i + n]), default: 0] += 1 }
        return counts
    }

    public static func page(key: String, truth: String, predicted: String) -> Page {
        let tt = tokens(truth), pt = tokens(predicted)
        let t = shingles(tt), p = shingles(pt)
        var tp = 0, fp = 0, fn = 0
        for (s, c) in p {
            let m = t[s] ?? 0
            tp += min(c, m)
            fp += max(c - m, 0)
        }
        for (s, c) in t { fn += max(c - (p[s] ?? 0), 0) }
        var page = Page(key: key)
        let sum = Double(tp + fp + fn)
        if sum > 0 { page.tp = Double(tp) / sum; page.fp = Double(fp) / sum; page.fn = Double(fn) / sum }
        if page.fp == 0 && page.fn == 0 {
            page.precision = 1; page.recall = 1
        } else {
            page.precision = page.tp == 0 && page.fp == 0 ? 0 : page.tp / (page.tp + page.fp)
            page.recall = page.tp == 0 && page.fn == 0 ? 0 : page.tp / (page.tp + page.fn)
        }
        page.identical = tt == pt
        return page
    }

    public static func total(_ pages: [Page]) -> Total {
        var precisions: [Double] = [], recalls: [Double] = []
        var identical = 0
        for p in pages {
            if p.tp + p.fp > 0 { precisions.append(p.precision) }
            if p.tp + p.fn > 0 { recalls.append(p.recall) }
            if p.identical { identical += 1 }
        }
        var t = Total()
        t.n = pages.count
        t.precision = precisions.isEmpty ? 0 : precisions.reduce(0, +) / Double(precisions.count)
        t.recall = recalls.isEmpty ? 0 : recalls.reduce(0, +) / Double(recalls.count)
        t.accuracy = pages.isEmpty ? 0 : Double(identical) / Double(pages.count)
        return t
    }
}
