import Testing
@testable import PagePipe
import PagePipeTools

/// The shipped profile and the trainer. Sentences are written for these tests.
@Suite struct LanguageIdentifierTests {
    let model = try! LanguageModel.bundled.get()

    @Test(arguments: [
        ("en", "The committee will publish its report on the new railway next week."),
        ("de", "Die Regierung hat am Dienstag neue Regeln für den Wohnungsbau beschlossen."),
        ("fr", "Le gouvernement a annoncé mardi de nouvelles règles pour le logement."),
        ("es", "El gobierno anunció el martes nuevas normas para la vivienda."),
        ("pt", "O governo anunciou na terça-feira novas regras para a habitação."),
        ("it", "Il governo ha annunciato martedì nuove regole per le abitazioni."),
        ("nl", "De regering heeft dinsdag nieuwe regels voor de woningbouw aangekondigd."),
        ("sv", "Regeringen presenterade på tisdagen nya regler för bostadsbyggandet."),
        ("fi", "Hallitus julkisti tiistaina uudet säännöt asuntorakentamiselle."),
        ("pl", "Rząd ogłosił we wtorek nowe zasady dotyczące budownictwa mieszkaniowego."),
        ("cs", "Vláda v úterý oznámila nová pravidla pro bytovou výstavbu."),
        ("tr", "Hükümet salı günü konut yapımı için yeni kurallar açıkladı."),
        ("ru", "Правительство во вторник объявило новые правила жилищного строительства."),
        ("uk", "Уряд у вівторок оголосив нові правила житлового будівництва."),
        ("el", "Η κυβέρνηση ανακοίνωσε την Τρίτη νέους κανόνες για τη στέγαση."),
        ("he", "הממשלה הודיעה ביום שלישי על כללים חדשים לבנייה."),
        ("ar", "أعلنت الحكومة يوم الثلاثاء عن قواعد جديدة للإسكان."),
        ("hi", "सरकार ने मंगलवार को आवास के लिए नए नियमों की घोषणा की।"),
        ("ja", "政府は火曜日に住宅建設の新しい規則を発表した。"),
        ("ko", "정부는 화요일에 주택 건설에 관한 새로운 규칙을 발표했다."),
        ("zh", "政府星期二宣布了新的住房建设规则。"),
    ])
    func identifiesEachLanguage(_ language: String, _ sentence: String) {
        #expect(model.identify(sentence).language == language)
    }

    @Test func knowsTheTwentyOneLanguages() {
        #expect(model.languages.sorted() == ["ar", "cs", "de", "el", "en", "es", "fi", "fr", "he", "hi", "it", "ja",
                                             "ko", "nl", "pl", "pt", "ru", "sv", "tr", "uk", "zh"])
    }

    @Test func latinNamesInsideChineseOrJapaneseDoNotDecide() {
        #expect(model.identify("大熱的歌曲是由Sheppard演唱的《Geronimo》。").language == "zh")
        #expect(model.identify("Netflixは新しいシリーズ「Stranger Things」を公開した。").language == "ja")
    }

    @Test func urlsDigitsAndPunctuationAreIgnored() {
        let g = model.identify("https://www.example.com/path?q=1 info@example.org 2024-11-30 +49 (0)30 123456")
        #expect(g.language == "und")
        #expect(g.letters == 0)
    }

    @Test func urlsInsideTextWithoutSpacesAreSkippedAlone() {
        #expect(model.identify("他参演了电视剧《青春@Y2K》，请访问http://example.com了解更多。").language == "zh")
    }

    @Test func robustToMissingDiacriticsAndCase() {
        #expect(model.identify("VLADA V UTERY OZNAMILA NOVA PRAVIDLA PRO BYTOVOU VYSTAVBU").language == "cs")
        #expect(model.identify("Rzad oglosil we wtorek nowe zasady dotyczace budownictwa").language == "pl")
    }

    @Test func scriptsNoLanguageUsesAreUndetermined() {
        #expect(model.identify("ภาษาไทยเป็นภาษาราชการของประเทศไทย").language == "und")
        #expect(model.identify("Правительство объявило новые правила.", allowed: ["en", "de"]).language == "und")
    }

    @Test func minimumLettersAndAllowedLanguages() {
        #expect(model.identify("ok", minLetters: 3).language == "und")
        #expect(model.identify("Die Regierung hat neue Regeln beschlossen.", allowed: ["nl", "en"]).language != "de")
        let g = model.identify("Die Regierung hat neue Regeln beschlossen.")
        #expect(g.confidence > 0.5 && g.confidence <= 1)
    }

    @Test func namesInsideASentenceCountLessThanItsWords() {
        // Mostly English names around a few Swedish and Italian words: counted like
        // any word (nameWeight 1), the names win.
        let sv = "Han spelade med Manchester United och Liverpool Football Club."
        let it = "Ha lavorato a lungo per Goldman Sachs e Morgan Stanley a New York."
        #expect(model.identify(sv).language == "sv")
        #expect(model.identify(it).language == "it")
        #expect(model.identify(sv, nameWeight: 1).language == "en")
        #expect(model.identify(it, nameWeight: 1).language == "en")
        // A capital at the start of a sentence is not a name.
        #expect(model.identify("Die Regierung hat neue Regeln beschlossen. Sie gelten ab Mai.").language == "de")
    }

    @Test func aScriptOfOneLanguageDecidesHoweverShortTheText() {
        #expect(model.identify("(ΡΤ)", minLetters: 3).language == "el")
        #expect(model.identify("한국", minLetters: 3).language == "ko")
        // Two Cyrillic letters could be Russian or Ukrainian: too short to say.
        #expect(model.identify("Ні.", minLetters: 3).language == "und")
    }

    @Test func chineseIsOneLanguageInTwoSetsOfCharacters() {
        #expect(model.lanes.contains("zh-Hans") && model.lanes.contains("zh-Hant"))
        #expect(model.languages.filter { $0 == "zh" }.count == 1)
        let traditional = "國民黨主席今天宣佈新的經濟政策。"
        let simplified = "国民党主席今天宣布新的经济政策。"
        for text in [traditional, simplified] {
            let g = model.identify(text, allowed: ["zh", "ja"])
            #expect(g.language == "zh")
            #expect(g.confidence > 0.5)
        }
        #expect(model.identify(traditional, allowed: ["ja", "ko"]).language == "ja")
    }

    @Test func hanVariantsOnlyForTextInHanCharacters() throws {
        let v = try #require(LanguageTrainer.hanVariants(["国民党宣布了新的经济政策。", "經濟發展很快。"]))
        #expect(v.simplified == ["国民党宣布了新的经济政策。", "经济发展很快。"])
        #expect(v.traditional == ["國民黨宣佈了新的經濟政策。", "經濟發展很快。"])
        #expect(LanguageTrainer.hanVariants(["政府は火曜日に住宅建設の新しい規則を発表した。"]) == nil)
        #expect(LanguageTrainer.hanVariants(["The government announced new rules."]) == nil)
    }

    @Test func profileSurvivesSerialization() throws {
        let copy = try LanguageModel(serialized: model.serialized())
        #expect(copy.languages == model.languages)
        #expect(copy.serialized() == model.serialized())
        #expect(throws: DataError("language profile: not a pagepipe language profile")) { try LanguageModel(serialized: Array("not a profile at all, really".utf8)) }
    }

    @Test func trainingIsDeterministicAndAddingALanguageIsAddingData() {
        var s = LanguageTrainer.Settings()
        s.bits = 12
        let corpus: [(language: String, sentences: [String])] = [
            ("en", ["the cat sat on the mat", "where is the house of my friend", "this is what they wanted"]),
            ("de", ["die katze sitzt auf der matte", "wo ist das haus meines freundes", "das ist was sie wollten"]),
            ("xx", ["kala mina taki sona", "mi wile moku e kili", "jan li tawa tomo sina"]),
        ]
        let a = LanguageTrainer(settings: s).train(corpus)
        let b = LanguageTrainer(settings: s).train(corpus)
        #expect(a.serialized() == b.serialized())
        #expect(a.languages == ["en", "de", "xx"])
        #expect(a.identify("the friend of the cat").language == "en")
        #expect(a.identify("das haus der katze").language == "de")
        #expect(a.identify("mi wile tawa tomo").language == "xx")
    }
}
