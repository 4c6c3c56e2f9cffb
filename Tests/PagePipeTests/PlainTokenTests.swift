import Testing
@testable import PagePipe

/// The tokens the document tagger leaves outside names without scoring them.
struct PlainTokenTests {
    func plainWords(_ text: String, headline: Bool = false) -> [String] {
        let (scalars, tokens, sentences) = Tokenizer.tokenize(text)
        let marked = sentences.map { Sentence(tokens: $0.tokens, headline: headline) }
        let infos = tokens.map { NERFeatures.info(scalars, $0.start, $0.end, headline: headline) }
        let plain = EntityTagger.plainTokens(infos, marked)
        return tokens.indices.filter { plain[$0] }.map { String(String.UnicodeScalarView(scalars[tokens[$0].start..<tokens[$0].end])) }
    }

    @Test func lowerCaseRunsAwayFromCapitalsAreSkipped() {
        #expect(plainWords("Officials said on the outskirts of the city that Bank of America left 40 jobs .")
            == ["on", "the", "outskirts", "of", "the", "city", "40", "jobs", "."])
    }

    @Test func wordsNextToACapitalAndHeadlinesAreScored() {
        #expect(plainWords("the Bank of the West said") == [])
        #expect(plainWords("police said the army of iraq moved", headline: true) == [])
    }

    /// A writer who does not capitalise names may still name someone.
    @Test func sentencesWrittenInLowerCaseAreScored() {
        #expect(plainWords("so i saw justin bieber in paris with my mom") == [])
        #expect(plainWords("So I saw him in Paris with my mom") == ["him", "my", "mom"])
    }
}
