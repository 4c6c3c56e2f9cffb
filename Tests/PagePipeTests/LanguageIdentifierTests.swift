import Foundation
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

    @Test func knowsTheLanguagesTheStageDocuments() {
        #expect(model.languages.sorted() == NormalizeLanguage.profileLanguages)
        #expect(model.languages.count == 74)
    }

    @Test(arguments: [
        ("da", "Regeringen fremlagde i går en ny plan for boligbyggeriet, og den bliver drøftet i næste uge."),
        ("nb", "Regjeringen la i går fram en ny plan for boligbyggingen, og den skal drøftes i neste uke."),
        ("nn", "Regjeringa la i går fram ein ny plan for bustadbygginga, og han skal drøftast i neste veke."),
        ("sv", "Regeringen lade i går fram en ny plan för bostadsbyggandet, och den ska diskuteras nästa vecka."),
        ("cs", "Vláda včera představila nový plán bytové výstavby, o kterém se bude jednat příští týden."),
        ("sk", "Vláda včera predstavila nový plán bytovej výstavby, o ktorom sa bude rokovať budúci týždeň."),
        ("sr", "Влада је јуче представила нови план стамбене изградње о којем ће се расправљати следеће недеље."),
        ("bg", "Правителството представи вчера нов план за жилищното строителство, който ще бъде обсъден следващата седмица."),
        ("mk", "Владата вчера претстави нов план за станбена изградба, за кој ќе се расправа следната недела."),
        ("be", "Урад учора прадставіў новы план жыллёвага будаўніцтва, які будзе абмяркоўвацца на наступным тыдні."),
        ("ca", "El govern va presentar ahir un nou pla d'habitatge, que es debatrà la setmana que ve."),
        ("fa", "دولت دیروز طرح تازه‌ای برای ساخت مسکن ارائه کرد که هفته آینده بررسی خواهد شد."),
        ("ur", "حکومت نے کل رہائش کی تعمیر کے لیے ایک نیا منصوبہ پیش کیا جس پر اگلے ہفتے بحث ہوگی۔"),
        ("mr", "सरकारने काल गृहनिर्माणासाठी एक नवी योजना सादर केली, तिच्यावर पुढच्या आठवड्यात चर्चा होईल."),
    ])
    func tellsCloseRelativesApart(_ language: String, _ sentence: String) {
        #expect(model.identify(sentence).language == language)
    }

    @Test func scriptsOfOneLanguageDecide() {
        #expect(model.identify("ภาษาไทยเป็นภาษาราชการของประเทศไทย").language == "th")
        #expect(model.identify("საქართველოს მთავრობამ ახალი გეგმა წარადგინა.").language == "ka")
        #expect(model.identify("Հայաստանի կառավարությունը նոր ծրագիր ներկայացրեց։").language == "hy")
        #expect(model.identify("সরকার গতকাল একটি নতুন পরিকল্পনা ঘোষণা করেছে।").language == "bn")
        #expect(model.identify("அரசு நேற்று ஒரு புதிய திட்டத்தை அறிவித்தது.").language == "ta")
        #expect(model.identify("ప్రభుత్వం నిన్న కొత్త ప్రణాళికను ప్రకటించింది.").language == "te")
        #expect(model.identify("સરકારે ગઈકાલે નવી યોજના જાહેર કરી.").language == "gu")
        #expect(model.identify("ਸਰਕਾਰ ਨੇ ਕੱਲ੍ਹ ਇੱਕ ਨਵੀਂ ਯੋਜਨਾ ਦਾ ਐਲਾਨ ਕੀਤਾ।").language == "pa")
    }

    @Test func aPageInTwoScriptsIsDecidedByItsMainScript() {
        // Georgian text with an English menu around it, and English text quoting one Georgian word.
        let georgian = "Home News Contact. საქართველოს მთავრობამ გუშინ ახალი ეკონომიკური გეგმა წარადგინა, რომელსაც პარლამენტი მომავალ კვირას განიხილავს."
        #expect(model.identify(georgian).language == "ka")
        let english = "The word for bread in Georgian is პური, and the bakers sell it warm early every morning."
        #expect(model.identify(english).language == "en")
    }

    @Test func combiningTonesStayInsideTheirWords() {
        // Yoruba after NFC keeps U+0301/U+0300 after dotted letters: they are part of the word, not another script.
        let yoruba = "Ìjọba ti kéde ètò tuntun fún kíkọ́ ilé, wọ́n á sì jíròrò rẹ̀ lọ́sẹ̀ tó ń bọ̀."
        #expect(model.identify(yoruba.precomposedStringWithCanonicalMapping).language == "yo")
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
        #expect(model.identify("ಕನ್ನಡ ಕರ್ನಾಟಕ ರಾಜ್ಯದ ಅಧಿಕೃತ ಭಾಷೆಯಾಗಿದೆ").language == "und")
        #expect(model.identify("සිංහල ශ්‍රී ලංකාවේ නිල භාෂාවකි. Read more").language == "und")
        #expect(model.identify("Правительство объявило новые правила.", allowed: ["en", "de"]).language == "und")
    }

    @Test func minimumLettersAndAllowedLanguages() {
        #expect(model.identify("ok", minLetters: 3).language == "und")
        #expect(model.identify("Die Regierung hat neue Regeln beschlossen.", allowed: ["nl", "en"]).language != "de")
        let g = model.identify("Die Regierung hat neue Regeln beschlossen.")
        #expect(g.confidence > 0.5 && g.confidence <= 1)
    }

    @Test func namesInsideASentenceCountLessThanItsWords() {
        // Swedish and Italian words around English names: counted like any word
        // (nameWeight 1), the names make the answer less sure or wrong.
        let sv = "Han spelade länge med Manchester United och sedan med Liverpool Football Club."
        let it = "Ha lavorato a lungo per Goldman Sachs e Morgan Stanley a New York."
        for (language, text) in [("sv", sv), ("it", it)] {
            let light = model.identify(text), full = model.identify(text, nameWeight: 1)
            #expect(light.language == language)
            #expect(full.language != language || full.confidence < light.confidence)
        }
        // A capital at the start of a sentence is not a name.
        #expect(model.identify("Die Regierung hat neue Regeln beschlossen. Sie gelten ab Mai.").language == "de")
    }

    @Test func languagesWithoutAProfileAreUndetermined() {
        // Breton and Uzbek have no profile and no close relative with one. (Galician
        // still comes back as Portuguese or Spanish: see Resources/README.md.)
        let texts = [
            "Ar gouarnamant en deus kinniget ur steuñv nevez evit al lojeiz dec'h, hag e vo breutaet er sizhun a zeu.",
            "Hukumat kecha uy-joy qurilishi boʻyicha yangi rejani taqdim etdi, u kelasi hafta muhokama qilinadi.",
        ]
        for t in texts {
            #expect(model.identify(t, minConfidence: NormalizeLanguage.defaultMinConfidence).language == "und")
        }
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
        s.smallBits = 12
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
