import Testing
import PagePipe
import PagePipeTools

/// The article benchmark's metric must give the numbers of
/// ../shared/tools/score_articles.py; expectations below were printed by it.
@Suite struct ShingleScoreTests {
    @Test func tokensFollowPythonsUnicodeWordClass() {
        // re.findall(r"\w+", ...) in Python 3.11: combining marks split words.
        let text = "नमस्ते दुनिया ½ ² ① 二〇一九 x_y café naïve Ⅻ ٣٤ 한국어 ไทย"
        #expect(ShingleScore.tokens(text) == ["नमस", "त", "द", "न", "य", "½", "²", "①", "二〇一九", "x_y", "café",
                                              "naïve", "Ⅻ", "٣٤", "한국어", "ไทย"])
    }

    @Test func pagesAndTotalsMatchTheReferenceScorer() {
        let pages = [
            ShingleScore.page(key: "a", truth: "One two three four five six.", predicted: "Menu. One two three four five six seven."),
            ShingleScore.page(key: "b", truth: "Short text", predicted: "Short text"),
            ShingleScore.page(key: "c", truth: "", predicted: "junk"),
        ]
        #expect(abs(pages[0].precision - 0.6) < 1e-9)
        #expect(pages[0].recall == 1)
        #expect(pages[1].f1 == 1 && pages[1].identical)
        #expect(pages[2].precision == 0 && pages[2].recall == 0)
        let total = ShingleScore.total(pages)
        #expect(abs(total.precision - 0.5333333333333333) < 1e-9)
        #expect(total.recall == 1)
        #expect(abs(total.f1 - 0.6956521739130436) < 1e-9)
        #expect(abs(total.accuracy - 1.0 / 3) < 1e-9)
    }
}
