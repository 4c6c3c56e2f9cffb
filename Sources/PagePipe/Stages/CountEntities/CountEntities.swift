/// count-entities: finds the people, organisations and places a page names
/// and counts them.
///
/// Reads `text` (nothing to do without it) and `language` (nil is taken as
/// English). Writes `mentions` (code-point spans into `text`, with type
/// PER/ORG/LOC/MISC) and `entities` (name, type, count; most counted first,
/// then by name), with aliases merged within the page: "Bashar Assad",
/// "Assad" and "ASSAD" count as one entity named by its longest form. With a
/// `dictionary`, its names and aliases are matched too and counted under the
/// dictionary's name. Pages in a language other than English get dictionary
/// matches only and the extra field `entitiesModel: "skipped: language xx"`.
/// Never drops a document.
public struct CountEntities: Stage {
    public static let descriptor = StageDescriptor(
        CountEntities.self, name: "count-entities",
        summary: "Tag people, organisations, places (and MISC) in the text; count them with aliases merged.",
        reads: [.text], readsIfSet: [.language], writes: [.mentions, .entities])

    public enum DictionaryMode: String, Sendable, CaseIterable, OptionChoice {
        case combine, only
    }

    public struct Options: StageOptions {
        public var dictionary: OptionPath?
        public var dictionaryMode = DictionaryMode.combine
        public var types: [EntityType] = [.person, .organization, .location]
        public var consistency = false
        public init() {}

        public static let declaration: [StageOption<Options>] = [
            StageOption("dictionary", \.dictionary,
                   "A watch list: JSON {\"entities\": [{\"name\", \"type\", \"aliases\": [...]}]}, matched on token boundaries."),
            StageOption("dictionaryMode", \.dictionaryMode,
                   "combine: model and dictionary (a dictionary match wins where they overlap); only: the dictionary alone."),
            StageOption("types", \.types,
                   "Model types counted in `entities` (mentions list all four). Dictionary entries are always counted."),
            StageOption("consistency", \.consistency,
                   "Give every occurrence of a name in a page the type most of its occurrences were tagged with."),
        ]
    }

    let dictionary: EntityDictionary?
    let dictionaryOnly: Bool
    let countedTypes: Set<EntityType>
    let consistency: Bool
    let tagger: EntityTagger?

    public init(options: Options) throws {
        if let path = options.dictionary {
            do {
                dictionary = try EntityDictionary(contentsOfFile: path.resolved)
            } catch {
                throw OptionError("dictionary", "\(error)")
            }
        } else {
            dictionary = nil
        }
        dictionaryOnly = options.dictionaryMode == .only
        if dictionaryOnly && dictionary == nil {
            throw OptionError("dictionaryMode", "\"only\" needs a dictionary")
        }
        countedTypes = Set(options.types)
        consistency = options.consistency
        tagger = dictionaryOnly ? nil : try EntityTagger.shared.get()
    }

    /// A found name: tokens first...last, its type, and the dictionary entry it matched.
    struct Span {
        var first: Int
        var last: Int
        var type: EntityType
        var entry: Int?
    }

    public func process(_ document: inout Document) throws -> StageOutcome {
        guard let text = document.text else {
            document.mentions = []; document.entities = []
            return .keep
        }
        // A page the model skips, with no dictionary to match, has nothing to find:
        // do not tokenize it.
        if dictionary == nil, let lang = document.language, !Self.isEnglish(lang) {
            if tagger != nil { document.setExtra("entitiesModel", .string("skipped: language \(lang)")) }
            document.mentions = []; document.entities = []
            return .keep
        }
        let (scalars, tokens, sentences) = Tokenizer.tokenize(text)
        let infos = EntityTagger.prepare(scalars, tokens, sentences, gazetteer: tagger?.gazetteer ?? Gazetteer())
        var spans: [Span] = []
        if let tagger {
            if let lang = document.language, !Self.isEnglish(lang) {
                document.setExtra("entitiesModel", .string("skipped: language \(lang)"))
            } else {
                let tags = tagger.tagDocument(infos, sentences)
                spans = NERTags.spans(tags).map { Span(first: $0.0, last: $0.1, type: NERTags.types[$0.2], entry: nil) }
                if consistency { Self.harmonizeTypes(&spans, infos) }
            }
        }
        if let dictionary {
            let matches = dictionary.match(infos).map {
                Span(first: $0.0, last: $0.1, type: dictionary.entries[$0.2].type, entry: $0.2)
            }
            if !matches.isEmpty {
                // A dictionary match replaces the model's names it overlaps.
                var taken = [Bool](repeating: false, count: tokens.count)
                for m in matches { for k in m.first...m.last { taken[k] = true } }
                spans = spans.filter { s in !(s.first...s.last).contains { taken[$0] } } + matches
                spans.sort { $0.first < $1.first }
            }
        }
        document.mentions = spans.map { s in
            let a = tokens[s.first].start, b = tokens[s.last].end
            return Mention(start: a, end: b, type: s.type, text: String(String.UnicodeScalarView(scalars[a..<b])))
        }
        document.entities = count(spans, document.mentions ?? [], infos)
        return .keep
    }

    static func isEnglish(_ lang: String) -> Bool {
        let l = lang.lowercased()
        return l == "en" || l.hasPrefix("en-") || l.hasPrefix("en_") || l == "eng"
    }

    /// Key of a span's words, case folded.
    static func words(_ s: Span, _ infos: [TokenInfo]) -> [UInt64] { (s.first...s.last).map { infos[$0].lower } }

    /// Every occurrence of the same words gets the type most of them have
    /// (ties: the earliest occurrence's type).
    static func harmonizeTypes(_ spans: inout [Span], _ infos: [TokenInfo]) {
        var votes: [[UInt64]: [EntityType: Int]] = [:]
        var firstType: [[UInt64]: EntityType] = [:]
        for s in spans {
            let k = words(s, infos)
            votes[k, default: [:]][s.type, default: 0] += 1
            if firstType[k] == nil { firstType[k] = s.type }
        }
        for i in spans.indices {
            let k = words(spans[i], infos)
            guard let v = votes[k], v.count > 1 else { continue }
            let top = v.values.max()!
            let leaders = v.filter { $0.value == top }.map(\.key)
            spans[i].type = leaders.count == 1 ? leaders[0] : firstType[k]!
        }
    }

    func count(_ spans: [Span], _ mentions: [Mention], _ infos: [TokenInfo]) -> [Entity] {
        var names: [Name] = []
        var dictionaryCounts: [Int: Int] = [:]
        for (k, s) in spans.enumerated() {
            if let e = s.entry { dictionaryCounts[e, default: 0] += 1; continue }
            guard countedTypes.contains(s.type) else { continue }
            names.append(Name(words: Self.words(s, infos), type: s.type, text: mentions[k].text))
        }
        var out = Self.mergeAliases(names)
        if let dictionary {
            for (e, n) in dictionaryCounts {
                out.append(Entity(name: dictionary.entries[e].name, type: dictionary.entries[e].type, count: n))
            }
        }
        // Equal names of one type (a dictionary name also found by the model) add up.
        var merged: [String: Int] = [:]
        var unique: [Entity] = []
        for e in out {
            let key = e.type.rawValue + "\t" + e.name
            if let k = merged[key] { unique[k].count += e.count } else { merged[key] = unique.count; unique.append(e) }
        }
        return Self.sorted(unique)
    }

    /// Most counted first, then by name, then type.
    static func sorted(_ entities: [Entity]) -> [Entity] {
        entities.sorted { $0.count != $1.count ? $0.count > $1.count : ($0.name != $1.name ? $0.name < $1.name : $0.type < $1.type) }
    }

    /// Counts mentions of the given types with aliases merged: a name whose
    /// words appear, in order and contiguous, inside a longer name of the same
    /// type counts under the longer one (the most mentioned such, then the
    /// earliest). Words compare case-insensitively ("ASSAD" is "Assad"); the
    /// entity is named by the longest name's most frequent written form, not
    /// in capitals when another form exists.
    public static func countMentions(_ mentions: [Mention], types: Set<EntityType>) -> [Entity] {
        mergeAliases(mentions.filter { types.contains($0.type) }.map { m in
            let (scalars, tokens, _) = Tokenizer.tokenize(m.text)
            return Name(words: tokens.map { NERFeatures.info(scalars, $0.start, $0.end, headline: false).lower },
                        type: m.type, text: m.text)
        })
    }

    /// One mention for counting: its case-folded word hashes, type and text.
    struct Name {
        var words: [UInt64]
        var type: EntityType
        var text: String
    }

    static func mergeAliases(_ names: [Name]) -> [Entity] {
        struct Group {
            var words: [UInt64]
            var type: EntityType
            var count = 0
            var forms: [String: Int] = [:]
            var firstSeen: Int
        }
        struct Key: Hashable { var words: [UInt64]; var type: EntityType }
        var groups: [Group] = []
        var index: [Key: Int] = [:]
        for (k, m) in names.enumerated() where !m.words.isEmpty {
            let key = Key(words: m.words, type: m.type)
            let g: Int
            if let existing = index[key] { g = existing } else {
                g = groups.count; index[key] = g
                groups.append(Group(words: m.words, type: m.type, firstSeen: k))
            }
            groups[g].count += 1
            groups[g].forms[normalizeSpaces(m.text), default: 0] += 1
        }
        // Longest first, so a name's parent already knows its own parent.
        let order = groups.indices.sorted { groups[$0].words.count != groups[$1].words.count
            ? groups[$0].words.count > groups[$1].words.count : groups[$0].firstSeen < groups[$1].firstSeen }
        var root = Array(groups.indices)
        var total = groups.map(\.count)
        for g in order {
            let w = groups[g].words
            var best: Int? = nil
            for h in order where groups[h].words.count > w.count && groups[h].type == groups[g].type && root[h] == h {
                guard contains(groups[h].words, w) else { continue }
                if best == nil || total[h] > total[best!] || (total[h] == total[best!] && groups[h].firstSeen < groups[best!].firstSeen) {
                    best = h
                }
            }
            if let b = best { root[g] = b; total[b] += groups[g].count }
        }
        var out: [Entity] = []
        for g in groups.indices where root[g] == g {
            let forms = groups[g].forms.sorted { a, b in
                let ua = a.key == a.key.uppercased() && a.key != a.key.lowercased()
                let ub = b.key == b.key.uppercased() && b.key != b.key.lowercased()
                if ua != ub { return !ua }
                return a.value != b.value ? a.value > b.value : a.key < b.key
            }
            out.append(Entity(name: forms.first?.key ?? "", type: groups[g].type, count: total[g]))
        }
        return sorted(out)
    }

    static func contains(_ long: [UInt64], _ short: [UInt64]) -> Bool {
        guard short.count <= long.count else { return false }
        for start in 0...(long.count - short.count) where Array(long[start..<(start + short.count)]) == short { return true }
        return false
    }

    static func normalizeSpaces(_ s: String) -> String {
        // Most names are ASCII with single spaces: nothing to do, and no grapheme breaking to pay for.
        var clean = true
        var previous: UInt8 = 0x20
        for b in s.utf8 {
            if b >= 0x80 || b < 0x20 || (b == 0x20 && previous == 0x20) { clean = false; break }
            previous = b
        }
        if clean && previous != 0x20 { return s }
        return s.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
