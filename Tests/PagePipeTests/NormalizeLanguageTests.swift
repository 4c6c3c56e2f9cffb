import Testing
@testable import PagePipe

/// The normalization policy, step by step: input and expected output side by side.
@Suite struct TextNormalizerTests {
    let n = TextNormalizer()

    @Test(arguments: [
        ("Itâ€™s the companyâ€™s best year.", "It's the company's best year."),  // windows-1252
        ("Le cafÃ© Ã©tait trÃ¨s bon.", "Le café était très bon."),
        ("GrÃ¶ÃŸe und MaÃŸnahmen", "Größe und Maßnahmen"),
        ("ZaÅ¼Ã³Å‚Ä‡ gÄ™Å›lÄ… jaÅºÅ„", "Zażółć gęślą jaźń"),
        ("ÐœÐ¾Ñ\u{81}ÐºÐ²Ð° Ð¸ ÐšÐ¸ÐµÐ²", "Москва и Киев"),  // Russian through windows-1252 (81 undefined there)
        ("æ—¥æœ¬èªž", "日本語"),
        ("Ä°stanbul", "İstanbul"),
        ("Itâ\u{80}\u{99}s naÃ¯ve", "It's naïve"),  // Latin-1: C1 controls in the middle
        ("РњРѕСЃРєРІР°", "Москва"),  // windows-1251
        ("Cr√®me br√ªl√©e", "Crème brûlée"),  // Mac OS Roman
        ("cafÃƒÂ© rÃƒÂ©sumÃƒÂ©", "café résumé"),  // twice
        ("Résumé: cafÃ© ouvert", "Résumé: café ouvert"),  // mixed with correct text
        ("VoilÃ  un menu", "Voilà un menu"),  // its no-break space became a space
        ("â€œHi,â€\u{FFFD} she said.", "\"Hi,\" she said."),  // its byte 9D became U+FFFD
        ("Price: Â£20", "Price: £20"),
        ("–Ü–≤–∞–Ω –ì—Ä–∏–≥–æ—Ä–æ–≤–∏—á", "Іван Григорович"),  // Mac OS Roman, though "Ä–" is also windows-1252 mojibake
        ("Ã\u{90}Â\u{9F}Ã‘â‚¬Ã\u{90}Â¸Ã\u{90}Â²Ã\u{90}ÂµÃ‘â€š", "Привет"),  // Cyrillic through windows-1252, twice
        ("æ€»é\u{9D}¢ç§¯8å¹³æ–¹å…¬é‡Œï¼Œæ€»äººå\u{8F}£", "总面积8平方公里，总人口"),
        ("жЂ»йќўз§Ї8е№іж–№е…¬й‡ЊпјЊ", "总面积8平方公里，"),  // Chinese through windows-1251
        ("Ø¥Ø°Ø§ ÙƒØ§Ù† Ø§Ù„Ø£Ù…Ø±", "إذا كان الأمر"),
        ("8æœˆ14æ—¥ï¼ŒRadzyminå¤±å®ˆ", "8月14日，Radzymin失守"),  // Han right after Latin letters
        ("C'ГЁ stata una grande forzatura.", "C'è stata una grande forzatura."),  // windows-1251, into the text's script
        ("Nie wiem, co robiƒá dalej.", "Nie wiem, co robić dalej."),  // Mac OS Roman: ƒ is no letter here
        ("¬´La Saga¬ª", "«La Saga»"),  // Mac OS Roman, no character above U+00C1
        ("ÐŸÑ€Ð¾ÑˆÑƒ", "Прошу"),  // "Ñˆ": windows-1252 ˆ
        ("Ã\u{90}Å¸Ã‘â‚¬Ã\u{90}Â¾Ã‘Ë†Ã‘Æ’", "Прошу"),  // the same, twice
    ])
    func mojibake(_ input: String, _ expected: String) {
        #expect(n.normalize(input) == expected)
    }

    @Test(arguments: [
        "naïve café", "Привет, как дела?", "SÃO PAULO É A MAIOR CIDADE", "Україна, Вітаю, Гёттинген", "Вітаю, колеги! «Новини ТАСС» і Віталій",
        "Straße… «Zitat» — ÖSTERREICH»", "Él está aquí — ¿verdad?", "¯\\_(ツ)_/¯", "Hawaiʻi and the cœur of Ærø",
        "Siihen asti kaupungin nimi oli Kadijivka (Кадіївка).", "Ελληνικά κείμενα", "中文网页", "한국어 텍스트",
        "👨\u{200D}👩\u{200D}👧 family", "می\u{200C}خواهم", "AT&T and R&D, 5 < 7",
    ])
    func cleanTextComesBackUnchanged(_ text: String) {
        #expect(n.normalize(text) == text)
    }

    @Test(arguments: [
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("caf&eacute; &ndash; cr&egrave;me", "café – crème"),
        ("&#8220;Hi&#8221; &#x2014; &#39;x&#39;", "\"Hi\" — 'x'"),
        ("&#150; and &#133;", "– and …"),  // windows-1252 numbers, as browsers read them
        ("AT&amp;amp;T", "AT&T"),  // escaped twice
        ("&alpha;&rarr;&infin; &euro;5 &copy;&nbsp;2024", "α→∞ €5 © 2024"),
        ("&bogus; &amp &#xZZ; &#0;", "&bogus; &amp &#xZZ; \u{FFFD}"),
    ])
    func entities(_ input: String, _ expected: String) {
        #expect(n.normalize(input) == expected)
    }

    @Test func quotes() {
        #expect(n.normalize("“Quoted” ‘single’ „Guten“ ‟x‛") == "\"Quoted\" 'single' \"Guten\" \"x'")
        #expect(n.normalize("« oui » ‹ non ›") == "« oui » ‹ non ›")
        var keep = TextNormalizer()
        keep.quotes = .keep
        #expect(keep.normalize("“Quoted”") == "“Quoted”")
    }

    @Test func ligatures() {
        #expect(n.normalize("ﬁnancial ofﬁce, ﬂuﬀy waﬄe, eﬃcient ﬅ ﬆ") == "financial office, fluffy waffle, efficient st st")
    }

    @Test func spaces() {
        #expect(n.normalize("10\u{A0}000 euros\u{202F}!\u{2009}ok  two") == "10 000 euros ! ok  two")
    }

    @Test func invisibleCharacters() {
        #expect(n.normalize("\u{FEFF}Pay\u{200B}Pal long\u{2060}word Ver\u{AD}si\u{AD}che\u{AD}rung") == "PayPal longword Versicherung")
        // ZWJ and ZWNJ shape emoji and Persian: kept.
        #expect(n.normalize("a\u{200D}b\u{200C}c") == "a\u{200D}b\u{200C}c")
    }

    @Test func c1Controls() {
        #expect(n.normalize("don\u{92}t \u{93}x\u{94}") == "don't \"x\"")
    }

    @Test func unicodeForms() {
        let nfd = "Cafe\u{301} Tie\u{302}\u{301}ng"
        #expect(n.normalize(nfd) == "Café Tiếng")
        #expect(Array(n.normalize(nfd).unicodeScalars).count == 10)
        var k = TextNormalizer()
        k.form = .nfkc
        #expect(k.normalize("ｆｕｌｌ① x²") == "full1 x2")
        #expect(n.normalize("ｆｕｌｌ① x²") == "ｆｕｌｌ① x²")
    }

    @Test func stepsCanBeSwitchedOff() {
        var off = TextNormalizer()
        off.repairMojibake = false
        off.decodeEntities = false
        off.spaces = false
        off.removeInvisible = false
        off.ligatures = false
        let text = "cafÃ© &amp; x\u{A0}y\u{AD} ﬁ"
        #expect(off.normalize(text) == text)
    }
}

/// The stage as the pipeline runs it.
@Suite struct NormalizeLanguageStageTests {
    func stage(_ options: [String: JSONValue] = [:]) throws -> NormalizeLanguage {
        try NormalizeLanguage(json: options)
    }

    @Test func setsTextLanguageAndConfidence() throws {
        var d = Document(id: "x")
        d.text = "Le cafÃ© Ã©tait trÃ¨s bon, et nous avons parlÃ© de la situation Ã©conomique en Europe."
        #expect(try stage().process(&d) == .keep)
        #expect(d.text == "Le café était très bon, et nous avons parlé de la situation économique en Europe.")
        #expect(d.language == "fr")
        #expect((d.languageConfidence ?? 0) > 0.9)
    }

    @Test func shortTextIsUndetermined() throws {
        var d = Document(id: "x")
        d.text = "42 — 17"
        _ = try stage().process(&d)
        #expect(d.language == "und")
        #expect(d.languageConfidence == 0)
    }

    @Test func languageListRestrictsTheChoice() throws {
        var d = Document(id: "x")
        d.text = "Das ist ein kurzer Satz über das Wetter in Berlin."
        _ = try stage(["languages": .array([.string("en"), .string("nl")])]).process(&d)
        #expect(d.language != "de")
        #expect(throws: OptionError("languages", "unknown \"xx\" (the profile has \(try LanguageModel.bundled.get().languages.joined(separator: ", ")))")) {
            try stage(["languages": .array([.string("xx")])])
        }
    }

    @Test func identificationCanBeSwitchedOff() throws {
        var d = Document(id: "x")
        d.text = "Tom &amp; Jerry"
        _ = try stage(["identifyLanguage": .bool(false)]).process(&d)
        #expect(d.text == "Tom & Jerry")
        #expect(d.language == nil)
    }

    @Test func failsWithoutText() throws {
        var d = Document(id: "x")
        #expect(throws: PageError.self) { try stage().process(&d) }
    }
}
