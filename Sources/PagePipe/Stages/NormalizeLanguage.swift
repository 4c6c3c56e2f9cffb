/// normalize-language: reads `text` (from parse-html or remove-boilerplate, or
/// the input's "text"), replaces it with its canonical form (`TextNormalizer`:
/// mojibake repaired, character references decoded, quotes, ligatures, spaces,
/// invisible characters, NFC) and sets `language` (ISO 639-1 code of one of the
/// profile's 74 languages, "und" when the text is too short, in a script or
/// language the profile does not know, or too ambiguous) and `languageConfidence`
/// (the calibrated probability that `language` is right), using the character
/// n-gram profile in Resources/langid.bin (`LanguageModel`). Never
/// drops a document; fails one that has no text.
public struct NormalizeLanguage: Stage {
    public static let descriptor = StageDescriptor(
        NormalizeLanguage.self, name: "normalize-language",
        summary: "Repair and normalize the text; identify its language.",
        options: [
            OptionSpec("repairMojibake", .bool, default: .bool(true),
                       "Repair UTF-8 read as windows-1252/Latin-1, windows-1251 or Mac OS Roman (also twice)."),
            OptionSpec("decodeEntities", .bool, default: .bool(true),
                       "Decode HTML character references (&eacute; &#233; &#xE9;), also double-escaped ones."),
            OptionSpec("c1Controls", .bool, default: .bool(true),
                       "Read C1 control characters (U+0080-U+009F) as the windows-1252 characters they stand for."),
            OptionSpec("quotes", .choice(TextNormalizer.Quotes.allCases.map(\.rawValue)), default: .string("ascii"),
                       "\"ascii\": curly quotes U+2018-U+201F to ' and \" (guillemets kept); \"keep\": leave them."),
            OptionSpec("ligatures", .bool, default: .bool(true), "Expand Latin ligatures U+FB00-U+FB06 (fi, fl, ...)."),
            OptionSpec("spaces", .bool, default: .bool(true),
                       "No-break, narrow no-break and thin spaces to a plain space (runs are not collapsed)."),
            OptionSpec("removeInvisible", .bool, default: .bool(true),
                       "Remove zero-width space, word joiner, BOM and soft hyphen (ZWJ and ZWNJ are kept)."),
            OptionSpec("form", .choice(TextNormalizer.Form.allCases.map(\.rawValue)), default: .string("nfc"),
                       "Unicode normalization form: \"nfc\", \"nfkc\" (also folds compatibility characters) or \"none\"."),
            OptionSpec("identifyLanguage", .bool, default: .bool(true), "Set language and languageConfidence."),
            OptionSpec("languages", .stringList, default: .array([]),
                       "ISO 639-1 codes to choose from; empty: every language of the profile (\(NormalizeLanguage.profileLanguages.count): \(NormalizeLanguage.profileLanguages.joined(separator: " ")))."),
            OptionSpec("minLetters", .integer(min: 1, max: nil), default: .int(3),
                       "Fewer letters than this (digits, punctuation and URLs do not count) gives \"und\", unless the script alone decides (Greek, Hangul...)."),
            OptionSpec("minConfidence", .number(min: 0, max: 1), default: .double(NormalizeLanguage.defaultMinConfidence),
                       "A best guess less likely than this to be right gives \"und\" (languageConfidence is that likelihood, calibrated on held-out text)."),
            OptionSpec("decisiveMargin", .number(min: 0, max: nil), default: .double(LanguageModel.defaultDecisiveMargin),
                       "Stop reading a long text once the best language leads the next by this many nats (0: read it all)."),
            OptionSpec("nameWeight", .number(min: 0, max: 1), default: .double(LanguageModel.defaultNameWeight),
                       "Weight of capitalised words inside a sentence (likely names, which travel between languages) in language identification."),
            OptionSpec("maxLanguageBytes", .integer(min: 0, max: nil), default: .int(0),
                       "Identify the language from the first this many bytes of text only (0: all of it)."),
        ])

    /// Answers less likely than this to be right become "und". Chosen on the dev
    /// text (Resources/README.md): at 0.05 nearly all text of languages without a
    /// profile and unlike any with one gets "und", and known languages lose 0.3-0.6
    /// points; higher thresholds cost more than they catch.
    public static let defaultMinConfidence = 0.05

    /// The languages of the shipped profile (Resources/langid.bin), for the
    /// documentation; a test checks that they are the profile's.
    public static let profileLanguages = [
        "af", "ar", "az", "be", "bg", "bn", "bs", "ca", "cs", "cy", "da", "de", "el", "en", "eo", "es", "et", "eu",
        "fa", "fi", "fr", "ga", "gu", "he", "hi", "hr", "hu", "hy", "id", "is", "it", "ja", "ka", "kk", "ko", "la",
        "lg", "lt", "lv", "mi", "mk", "mn", "mr", "ms", "nb", "nl", "nn", "pa", "pl", "pt", "ro", "ru", "sk", "sl",
        "sn", "so", "sq", "sr", "sv", "sw", "ta", "te", "th", "tl", "tn", "tr", "ts", "uk", "ur", "vi", "xh", "yo",
        "zh", "zu",
    ]

    let normalizer: TextNormalizer
    let identify: Bool
    let model: LanguageModel?
    let allowed: Set<String>?
    let minLetters: Int
    let minConfidence: Double
    let maxLanguageBytes: Int
    let decisiveMargin: Double
    let nameWeight: Double

    public init(options: StageOptions) throws {
        var n = TextNormalizer()
        n.repairMojibake = options.bool("repairMojibake")
        n.decodeEntities = options.bool("decodeEntities")
        n.c1Controls = options.bool("c1Controls")
        n.quotes = TextNormalizer.Quotes(rawValue: options.string("quotes") ?? "ascii") ?? .ascii
        n.ligatures = options.bool("ligatures")
        n.spaces = options.bool("spaces")
        n.removeInvisible = options.bool("removeInvisible")
        n.form = TextNormalizer.Form(rawValue: options.string("form") ?? "nfc") ?? .nfc
        normalizer = n
        identify = options.bool("identifyLanguage")
        minLetters = options.int("minLetters")
        minConfidence = options.double("minConfidence")
        maxLanguageBytes = options.int("maxLanguageBytes")
        decisiveMargin = options.double("decisiveMargin")
        nameWeight = options.double("nameWeight")
        if identify {
            guard let m = LanguageModel.bundled else {
                throw PageError("the language profile Resources/langid.bin is missing or damaged (retrain: pagepipe-dev train-langid)")
            }
            model = m
            let wanted = options.strings("languages")
            let unknown = wanted.filter { !m.languages.contains($0) }
            guard unknown.isEmpty else {
                throw PageError("languages: unknown \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")) (the profile has \(m.languages.joined(separator: ", ")))")
            }
            allowed = wanted.isEmpty ? nil : Set(wanted)
        } else {
            model = nil
            allowed = nil
        }
    }

    public func process(_ document: inout Document) throws -> StageOutcome {
        guard let text = document.text else {
            throw PageError("no text to normalize (run parse-html first, or give \"text\")")
        }
        let clean = normalizer.normalize(text)
        document.text = clean
        if identify, let model {
            let guess = model.identify(clean, allowed: allowed, minLetters: minLetters, minConfidence: minConfidence,
                                       maxBytes: maxLanguageBytes, decisiveMargin: decisiveMargin, nameWeight: nameWeight)
            document.language = guess.language
            document.languageConfidence = guess.confidence
        }
        return .keep
    }
}
