import Testing
@testable import PagePipe

/// The tokenizer behind count-entities: words, offsets in code points, sentences.
struct TokenizerTests {
    /// The tokens of `text` as strings.
    func words(_ text: String) -> [String] {
        let (scalars, tokens, _) = Tokenizer.tokenize(text)
        return tokens.map { String(String.UnicodeScalarView(scalars[$0.start..<$0.end])) }
    }

    @Test func decodesCodePointsLikeTheStandardLibrary() {
        for text in ["", "plain ASCII", "Müller’s café — 40,000 ₽", "日本語とEnglish", "emoji 🇺🇦 and 𝔘 ok", "a\u{0301}\r\n"] {
            #expect(Tokenizer.scalars(of: text) == Array(text.unicodeScalars))
        }
    }

    @Test func splitsPossessives() {
        #expect(words("Assad's exit") == ["Assad", "'s", "exit"])
        #expect(words("Assad\u{2019}s exit") == ["Assad", "\u{2019}s", "exit"])
        #expect(words("the states' affairs.") == ["the", "states", "'", "affairs", "."])
        #expect(words("Assad 's exit") == ["Assad", "'s", "exit"])
    }

    @Test func keepsAbbreviationsWhole() {
        #expect(words("new U.S. appeals") == ["new", "U.S.", "appeals"])
        #expect(words("Mr. Putin and Dr. Lee") == ["Mr.", "Putin", "and", "Dr.", "Lee"])
        #expect(words("J. R. Smith, Acme Corp.") == ["J.", "R.", "Smith", ",", "Acme", "Corp."])
        #expect(words("He left Moscow.") == ["He", "left", "Moscow", "."])
    }

    @Test func keepsNumbersWhole() {
        #expect(words("at least 40,000 people") == ["at", "least", "40,000", "people"])
        #expect(words("rose 3.5% to $1,200.50") == ["rose", "3.5", "%", "to", "$", "1,200.50"])
        #expect(words("on 1996-08-22 at 10:30") == ["on", "1996-08-22", "at", "10:30"])
    }

    @Test func splitsPunctuationButKeepsJoinedWords() {
        #expect(words("a 20-month-old uprising") == ["a", "20-month-old", "uprising"])
        #expect(words("\"Russia does not,\" said O'Neill (AT&T).")
            == ["\"", "Russia", "does", "not", ",", "\"", "said", "O'Neill", "(", "AT&T", ")", "."])
    }

    @Test func keepsListNumbersAndSplitOffPiecesWhole() {
        // "1." opening a line numbers an item; at the end of a sentence it does not.
        let (_, tokens, sentences) = Tokenizer.tokenize("1. Carla Sacramento\nShe won in 1996. Then")
        #expect(tokens.count == 9 && sentences.count == 3)
        #expect(words("1. Carla Sacramento") == ["1.", "Carla", "Sacramento"])
        #expect(words("in 1996. Then") == ["in", "1996", ".", "Then"])
        #expect(words("I 'm here -- or ... not") == ["I", "'m", "here", "--", "or", "...", "not"])
    }

    @Test func treatsNoBreakSpaceAsSpace() {
        #expect(words("appeals to\u{00A0}Moscow to\u{202F}persuade") == ["appeals", "to", "Moscow", "to", "persuade"])
    }

    @Test func offsetsCountCodePoints() {
        // The emoji is one code point but two UTF-16 units and four UTF-8 bytes.
        let text = "🙂 Café in Zürich"
        let (_, tokens, _) = Tokenizer.tokenize(text)
        #expect(tokens.map(\.start) == [0, 2, 7, 10])
        #expect(tokens.map(\.end) == [1, 6, 9, 16])
    }

    @Test func splitsSentences() {
        let text = "Mr. Lavrov met Brahimi in Dublin. Clinton left.\nNEW TALKS IN GENEVA"
        let (_, tokens, sentences) = Tokenizer.tokenize(text)
        #expect(sentences.map(\.tokens) == [0..<7, 7..<10, 10..<14])
        #expect(tokens.count == 14)
        #expect(sentences.map(\.headline) == [false, false, true])
    }

    @Test func recognisesHeadlines() {
        #expect(Tokenizer.tokenize("Moscow Rejects Washington Pressure to Seek Assad's Exit").sentences[0].headline)
        #expect(Tokenizer.tokenize("RUSSIA SAYS NO").sentences[0].headline)
        #expect(!Tokenizer.tokenize("Russia resisted new U.S. appeals to Moscow").sentences[0].headline)
    }
}
