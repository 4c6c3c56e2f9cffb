import Foundation
import Testing
@testable import PagePipe

/// count-entities: tagging, alias merging, dictionaries, languages.
struct CountEntitiesTests {
    func stage(_ options: [String: JSONValue] = [:]) throws -> CountEntities {
        try CountEntities(json: options)
    }

    func run(_ text: String, language: String? = nil, _ options: [String: JSONValue] = [:]) throws -> Document {
        var doc = Document(id: "t")
        doc.text = text
        doc.language = language
        #expect(try stage(options).process(&doc) == .keep)
        return doc
    }

    func mention(_ text: String, _ name: String, _ type: EntityType, from: Int = 0) -> Mention {
        let scalars = Array(text.unicodeScalars)
        let target = Array(name.unicodeScalars)
        var i = from
        while !scalars[i..<(i + target.count)].elementsEqual(target) { i += 1 }
        return Mention(start: i, end: i + target.count, type: type, text: name)
    }

    // MARK: alias merging

    @Test func mergesShortFormsIntoTheLongestName() {
        let m = [
            Mention(start: 0, end: 5, type: .person, text: "Assad"),
            Mention(start: 10, end: 22, type: .person, text: "Bashar Assad"),
            Mention(start: 30, end: 35, type: .person, text: "Assad"),
            Mention(start: 40, end: 45, type: .person, text: "ASSAD"),
            Mention(start: 50, end: 65, type: .person, text: "Hillary Clinton"),
            Mention(start: 70, end: 77, type: .person, text: "Clinton"),
            Mention(start: 80, end: 86, type: .location, text: "Moscow"),
        ]
        let e = CountEntities.countMentions(m, types: [.person, .location])
        #expect(e == [
            Entity(name: "Bashar Assad", type: .person, count: 4),
            Entity(name: "Hillary Clinton", type: .person, count: 2),
            Entity(name: "Moscow", type: .location, count: 1),
        ])
    }

    @Test func doesNotMergeAcrossTypesOrPartialWords() {
        let m = [
            Mention(start: 0, end: 10, type: .location, text: "Washington"),
            Mention(start: 20, end: 37, type: .person, text: "George Washington"),
            Mention(start: 40, end: 43, type: .person, text: "Ann"),
            Mention(start: 50, end: 61, type: .person, text: "Joe Annbell"),
        ]
        let e = CountEntities.countMentions(m, types: [.person, .location])
        #expect(e == [
            Entity(name: "Ann", type: .person, count: 1),
            Entity(name: "George Washington", type: .person, count: 1),
            Entity(name: "Joe Annbell", type: .person, count: 1),
            Entity(name: "Washington", type: .location, count: 1),
        ])
    }

    @Test func ambiguousShortNameGoesToTheMostMentioned() {
        let m = [
            Mention(start: 0, end: 12, type: .person, text: "Bill Clinton"),
            Mention(start: 20, end: 35, type: .person, text: "Hillary Clinton"),
            Mention(start: 40, end: 55, type: .person, text: "Hillary Clinton"),
            Mention(start: 60, end: 67, type: .person, text: "Clinton"),
        ]
        #expect(CountEntities.countMentions(m, types: [.person]) == [
            Entity(name: "Hillary Clinton", type: .person, count: 3),
            Entity(name: "Bill Clinton", type: .person, count: 1),
        ])
    }

    // MARK: the tagger on sentences written for this test

    @Test func tagsAWrittenFixture() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/count-entities/tagged", withExtension: "txt"))
        var gold: [Mention] = [], found = 0
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            // "[TYPE words]" -> plain text plus expected spans
            var text = "", expected: [Mention] = []
            var rest = Substring(line)
            while let open = rest.firstIndex(of: "[") {
                text += rest[..<open]
                let close = rest[open...].firstIndex(of: "]")!
                let inner = rest[rest.index(after: open)..<close]
                let space = inner.firstIndex(of: " ")!
                let name = String(inner[inner.index(after: space)...])
                let start = text.unicodeScalars.count
                text += name
                expected.append(Mention(start: start, end: start + name.unicodeScalars.count,
                                        type: EntityType(rawValue: String(inner[..<space]))!, text: name))
                rest = rest[rest.index(after: close)...]
            }
            text += rest
            let doc = try run(text)
            let got = doc.mentions ?? []
            found += expected.filter { got.contains($0) }.count
            gold += expected
        }
        #expect(gold.count == 28)
        // A statistical tagger: most, not all, exactly right (span and type).
        #expect(Double(found) / Double(gold.count) >= 0.85, "found \(found) of \(gold.count)")
    }

    /// Page-level evidence the tagger reads: the words around a capitalised
    /// word's other occurrences, and whether it ever follows another
    /// capitalised word (as a surname follows a first name).
    @Test func capitalisedWordsSeeTheirOtherOccurrences() throws {
        let text = "Kommersant reported it.\nOfficials cited the Kommersant report.\nThen President Bashar Assad spoke, and Assad left."
        let (scalars, tokens, sentences) = Tokenizer.tokenize(text)
        let infos = EntityTagger.prepare(scalars, tokens, sentences, gazetteer: Gazetteer())
        func word(_ w: String) -> UInt64 {
            let (s, t, _) = Tokenizer.tokenize(w)
            return NERFeatures.info(s, t[0].start, t[0].end, headline: false).lower
        }
        func at(_ w: String) -> [Int] {
            tokens.indices.filter { String(String.UnicodeScalarView(scalars[tokens[$0].start..<tokens[$0].end])) == w }
        }
        let k = at("Kommersant")
        #expect(k.count == 2)
        // the first occurrence sees the second's "the ... report", and the reverse
        #expect(infos[k[0]].context.0 == word("the") && infos[k[0]].context.3 == word("report"))
        #expect(infos[k[1]].context.0 == NERFeatures.boundary.lower && infos[k[1]].context.3 == word("reported"))
        #expect(infos[k[0]].context.1 == 0 && infos[k[0]].context.4 == 0)
        // "Assad" follows "Bashar" somewhere in the page; "Kommersant" never follows a capitalised word
        #expect(at("Assad").allSatisfy { infos[$0].doc.contains(.followsCapitalised) })
        #expect(k.allSatisfy { !infos[$0].doc.contains(.followsCapitalised) })
        // a run of capitalised words: its first word precedes one, the others follow one
        #expect(infos[at("President")[0]].doc.contains(.precedesCapitalised)
            && infos[at("Bashar")[0]].doc.intersection([.precedesCapitalised, .followsCapitalised]) == .followsCapitalised)
        // lowercase words get no page contexts
        #expect(infos[at("cited")[0]].context.0 == 0)
    }

    @Test func mentionsUseCodePointOffsetsAndSkipPossessives() throws {
        let text = "🙂 Angela Merkel's visit to Paris."
        let doc = try run(text)
        let m = try #require(doc.mentions)
        #expect(m.contains(mention(text, "Angela Merkel", .person)))
        #expect(m.contains(mention(text, "Paris", .location)))
    }

    /// The Moscow Times story shipped in samples/ (parse-html's text, headline
    /// to last line), counted as the issue lists.
    @Test func countsTheMoscowTimesStory() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("samples/themoscowtimes.com/2012-12-11-moscow-rejects-washington-pressure.html").path
        var doc = Document(id: "mt")
        doc.html = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        _ = try ParseHTML(json: [:]).process(&doc)
        let full = try #require(doc.text)
        let from = try #require(full.range(of: "Moscow Rejects Washington"))
        let to = try #require(full.range(of: "Kommersant report."))
        // The byline, share buttons and a "Read more" link sit inside the story
        // on the page; removing them is remove-boilerplate's job, not this stage's.
        let lines = full[from.lowerBound..<to.upperBound].split(separator: "\n").filter {
            !$0.hasPrefix("Reuters Dec.") && !$0.hasPrefix("Share Tweet") && !$0.hasPrefix("Read more")
        }
        #expect(lines.count == 16)
        let story = try run(lines.joined(separator: "\n"))
        let counts = Dictionary(uniqueKeysWithValues: (story.entities ?? []).map { ("\($0.type.rawValue) \($0.name)", $0.count) })
        #expect(counts["PER Bashar Assad"] == 11)
        #expect(counts["PER Hillary Clinton"] == 4)
        #expect(counts["PER Sergei Lavrov"] == 4)
        #expect(counts["PER Lakhdar Brahimi"] == 3)
        #expect(counts["PER Vladimir Putin"] == 1)
        #expect(counts["LOC Russia"] == 6)
        #expect(counts["LOC Syria"] == 3)
        #expect(counts["LOC Damascus"] == 1)
        #expect(counts["LOC Moscow"] == 5)
        #expect(counts["LOC Washington"] == 1)
        #expect(counts["LOC Geneva"] == 1)
        // A newspaper the model never saw: "Kommersant said" alone reads like a
        // person; the page's other contexts ("the Kommersant report") and its
        // never appearing after a first name make it an organisation.
        #expect(counts["ORG Kommersant"] == 5)
        #expect(counts["PER Kommersant"] == nil)
        // Adjectives are MISC, not places.
        #expect(counts["LOC Russian"] == nil && counts["LOC Syrian"] == nil)
        #expect((story.mentions ?? []).contains { $0.text == "Russian" && $0.type == .misc })
    }

    // MARK: dictionaries

    func dictionaryFile(_ json: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString).json").path
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    let watchList = """
    {"entities": [
      {"name": "Gazprom", "type": "ORG", "aliases": ["OAO Gazprom", "Gasprom"]},
      {"name": "Sergei Lavrov", "type": "PER", "aliases": ["Lavrov", "Sergey Lavrov"]},
      {"name": "Apple", "type": "ORG"}
    ]}
    """

    @Test func matchesDictionaryNamesOnTokenBoundaries() throws {
        let dict = try EntityDictionary(json: watchList)
        let text = "OAO Gazprom and Gasprom, not Gazpromneft; Lavrov met SERGEY LAVROV. An apple, Apple's phone."
        let (scalars, tokens, sentences) = Tokenizer.tokenize(text)
        let infos = EntityTagger.prepare(scalars, tokens, sentences, gazetteer: Gazetteer())
        let found = dict.match(infos).map { m in
            (String(String.UnicodeScalarView(scalars[tokens[m.0].start..<tokens[m.1].end])), dict.entries[m.2].name)
        }
        #expect(found.map(\.0) == ["OAO Gazprom", "Gasprom", "Lavrov", "SERGEY LAVROV", "Apple"])
        #expect(found.map(\.1) == ["Gazprom", "Gazprom", "Sergei Lavrov", "Sergei Lavrov", "Apple"])
    }

    @Test func narrowWeightTableGivesTheSameTags() throws {
        let tagger = try EntityTagger.shared.get()
        let texts = [
            "Bashar Assad met Vladimir Putin in Moscow on Tuesday, the Kremlin said. ASSAD thanked Russia.",
            "LEEDS UNITED 2 MANCHESTER CITY 1\nLeeds beat City at Elland Road; Gordon Strachan's side lost.",
            "Shares of Apple Inc. and Alphabet rose 3.5% on the Nasdaq, said Reuters' analyst J. Smith in New York.",
        ]
        for text in texts {
            let (scalars, tokens, sentences) = Tokenizer.tokenize(text)
            let infos = EntityTagger.prepare(scalars, tokens, sentences, gazetteer: tagger.gazetteer)
            #expect(tagger.tagDocument(infos, sentences, narrowTable: true) == tagger.tagDocument(infos, sentences, narrowTable: false))
        }
    }

    @Test func gazetteerReadsClassTabPhraseLines() {
        // unknown classes, lines without a tab and empty lines are skipped; a phrase
        // is tokenized and case-folded like page text
        let gaz = Gazetteer(text: "LOC\tNew York\nFREQ3\tthe\n\nBAD\tParis\nno tab here\nCOUNTRY\tFrance\nFIRST\tJosé")
        #expect(gaz.count == 4)
        let (scalars, tokens, sentences) = Tokenizer.tokenize("José flew from NEW YORK to France and the Paris office")
        let infos = EntityTagger.prepare(scalars, tokens, sentences, gazetteer: gaz)
        #expect(infos[0].gazetteer & 1 != 0)                      // José: first name
        #expect(infos[3].gazetteer & (1 << 3) != 0)               // NEW: begins a place
        #expect(infos[4].gazetteer & (1 << 4) != 0)               // YORK: inside it
        #expect(infos[6].gazetteer & (1 << 5) != 0)               // France: a country
        #expect(infos[8].gazetteer == UInt32(1) << 14)            // the: frequency class 3 only
        #expect(infos[9].gazetteer == 0)                          // Paris: its line was skipped
    }

    @Test func overlappingPatternsFindTheLongest() throws {
        let dict = try EntityDictionary(json: """
        {"entities": [{"name": "New York", "type": "LOC"}, {"name": "New York Times", "type": "ORG"},
                      {"name": "York", "type": "LOC"}]}
        """)
        let (scalars, tokens, sentences) = Tokenizer.tokenize("the New York Times in New York and York")
        let infos = EntityTagger.prepare(scalars, tokens, sentences, gazetteer: Gazetteer())
        #expect(dict.match(infos).map { [$0.0, $0.1, $0.2] } == [[1, 3, 1], [5, 6, 0], [8, 8, 2]])
    }

    @Test func dictionaryOnlyCountsUnderTheDictionaryName() throws {
        let path = try dictionaryFile(watchList)
        let doc = try run("Gasprom raised prices. Lavrov said OAO Gazprom would not.", 
                          ["dictionary": .string(path), "dictionaryMode": .string("only")])
        #expect(doc.entities == [Entity(name: "Gazprom", type: .organization, count: 2),
                                 Entity(name: "Sergei Lavrov", type: .person, count: 1)])
        #expect(doc.mentions?.map(\.text) == ["Gasprom", "Lavrov", "OAO Gazprom"])
    }

    @Test func dictionaryCombinesWithTheModel() throws {
        let path = try dictionaryFile(watchList)
        let doc = try run("Gasprom signed a deal with Angela Merkel in Berlin.", ["dictionary": .string(path)])
        let names = (doc.entities ?? []).map(\.name)
        #expect(names.contains("Gazprom"))
        #expect(names.contains("Berlin"))
    }

    @Test func otherLanguagesGetDictionaryMatchesOnly() throws {
        let path = try dictionaryFile(watchList)
        let doc = try run("Lavrov traf Angela Merkel in Berlin.", language: "de", ["dictionary": .string(path)])
        #expect(doc.entities == [Entity(name: "Sergei Lavrov", type: .person, count: 1)])
        #expect(doc.extra.first { $0.0 == "entitiesModel" }?.1 == .string("skipped: language de"))
        let english = try run("Lavrov met Angela Merkel in Berlin.", language: "en")
        #expect(english.extra.isEmpty)
        #expect((english.entities ?? []).contains { $0.name == "Angela Merkel" && $0.type == .person })
    }

    @Test func rejectsBadDictionaries() throws {
        #expect(throws: DataError("dictionary: entities[0].type: expected one of PER, ORG, LOC, MISC, got \"CITY\"")) {
            try EntityDictionary(json: "{\"entities\": [{\"name\": \"X\", \"type\": \"CITY\"}]}")
        }
        #expect(throws: DataError("dictionary: expected an object with an \"entities\" array")) { try EntityDictionary(json: "[1, 2]") }
        #expect(throws: OptionError("dictionaryMode", "\"only\" needs a dictionary")) { try stage(["dictionaryMode": .string("only")]) }
        #expect(throws: ConfigError.self) { try stage(["types": .array([.string("PERSON")])]) }
    }

    @Test func emptyOrMissingTextGivesNoEntities() throws {
        var doc = Document(id: "x")
        #expect(try stage().process(&doc) == .keep)
        #expect(doc.entities == [] && doc.mentions == [])
        #expect(try run("").entities == [])
    }
}
