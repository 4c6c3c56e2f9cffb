import Foundation

/// A user's watch list: {"entities": [{"name", "type", "aliases": [...]}]}.
/// Names and aliases are matched as whole token sequences with an Aho-Corasick
/// automaton over token hashes, case-insensitively except that a capitalised
/// pattern word never matches an all-lowercase word ("Apple" is not "apple").
/// Every match counts under the entry's `name`.
public struct EntityDictionary: Sendable {
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var type: EntityType
    }

    struct Pattern: Sendable {
        var entry: Int
        var length: Int
        /// per token: the pattern's word has a capital letter
        var capitalised: [Bool]
    }

    public private(set) var entries: [Entry] = []
    var patterns: [Pattern] = []
    /// Automaton: transitions keyed by (state, word hash), failure links, and
    /// the patterns ending at each state (its own and through failure links).
    var next: [UInt64: Int32] = [:]
    var fail: [Int32] = [0]
    var output: [[Int32]] = [[]]

    public init(json text: String, source: String = "dictionary") throws {
        let root: JSONValue
        do { root = try JSONParser.parse(text) } catch { throw DataError("\(source): not valid JSON: \(error)") }
        guard case .array(let items)? = root["entities"] else {
            throw DataError("\(source): expected an object with an \"entities\" array")
        }
        for (k, item) in items.enumerated() {
            guard let name = item["name"]?.stringValue, !name.isEmpty else {
                throw DataError("\(source): entities[\(k)].name: expected a non-empty string")
            }
            let typeName = item["type"]?.stringValue ?? "MISC"
            guard let type = EntityType(rawValue: typeName) else {
                throw DataError("\(source): entities[\(k)].type: expected one of PER, ORG, LOC, MISC, got \"\(typeName)\"")
            }
            var forms = [name]
            if let a = item["aliases"] {
                guard case .array(let list) = a, list.allSatisfy({ $0.stringValue != nil }) else {
                    throw DataError("\(source): entities[\(k)].aliases: expected an array of strings")
                }
                forms += list.compactMap(\.stringValue)
            }
            entries.append(Entry(name: name, type: type))
            for form in forms { add(form, entry: entries.count - 1) }
        }
        buildFailureLinks()
    }

    public init(contentsOfFile path: String) throws {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw DataError("dictionary \(path): cannot read: \(error.localizedDescription)")
        }
        try self.init(json: text, source: "dictionary \(path)")
    }

    @inline(__always) static func key(_ state: Int32, _ word: UInt64) -> UInt64 { mix64(word ^ (UInt64(UInt32(bitPattern: state)) &* 0x9E37_79B9)) }

    mutating func add(_ form: String, entry: Int) {
        let (scalars, tokens, _) = Tokenizer.tokenize(form)
        guard !tokens.isEmpty else { return }
        var state: Int32 = 0
        var caps: [Bool] = []
        for t in tokens {
            let info = NERFeatures.info(scalars, t.start, t.end, headline: false)
            caps.append(info.cap.isCapitalised)
            let k = Self.key(state, info.lower)
            if let s = next[k] { state = s; continue }
            let s = Int32(fail.count)
            next[k] = s
            edges.append((state, info.lower, s))
            fail.append(0); output.append([])
            state = s
        }
        patterns.append(Pattern(entry: entry, length: tokens.count, capitalised: caps))
        output[Int(state)].append(Int32(patterns.count - 1))
    }

    /// Breadth-first failure links over the trie's edges.
    mutating func buildFailureLinks() {
        var children: [[(UInt64, Int32)]] = Array(repeating: [], count: fail.count)
        for (parent, word, child) in edges { children[Int(parent)].append((word, child)) }
        var queue: [Int32] = children[0].map { $0.1 }
        var head = 0
        while head < queue.count {
            let s = queue[head]; head += 1
            for (word, child) in children[Int(s)] {
                var f = fail[Int(s)]
                while true {
                    if let t = next[Self.key(f, word)] { fail[Int(child)] = t; break }
                    if f == 0 { break }
                    f = fail[Int(f)]
                }
                output[Int(child)] += output[Int(fail[Int(child)])]
                queue.append(child)
            }
        }
        edges = []
    }

    /// Edges of the trie, recorded while adding (parent, word, child).
    var edges: [(Int32, UInt64, Int32)] = []

    /// Non-overlapping matches over a tokenized text, leftmost first, longest
    /// at each start: (first token, last token inclusive, entry).
    public func match(_ infos: [TokenInfo]) -> [(Int, Int, Int)] {
        if patterns.isEmpty { return [] }
        var found: [(Int, Int, Int)] = []
        var state: Int32 = 0
        for (i, info) in infos.enumerated() {
            while true {
                if let s = next[Self.key(state, info.lower)] { state = s; break }
                if state == 0 { break }
                state = fail[Int(state)]
            }
            for p in output[Int(state)] {
                let pat = patterns[Int(p)]
                let first = i - pat.length + 1
                var ok = true
                for k in 0..<pat.length where pat.capitalised[k] && infos[first + k].cap == .lower { ok = false; break }
                if ok { found.append((first, i, pat.entry)) }
            }
        }
        found.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 > $1.1 }
        var out: [(Int, Int, Int)] = []
        var covered = -1
        for m in found where m.0 > covered { out.append(m); covered = m.1 }
        return out
    }
}
