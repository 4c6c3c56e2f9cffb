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
        reads: [.text], writes: [.text, .language, .languageConfidence])

    public static func fields(_ options: Options) -> StageFields {
        var fields = descriptor.fields
        if !options.identifyLanguage { fields.writes = [.text] }
        return fields
    }

    public struct Options: StageOptions {
        /// The normalization steps, with their defaults.
        public var normalizer = TextNormalizer()
        public var identifyLanguage = true
        public var languages: [String] = []
        public var minLetters = 3
        public var minConfidence = NormalizeLanguage.defaultMinConfidence
        public var decisiveMargin = LanguageModel.defaultDecisiveMargin
        public var nameWeight = LanguageModel.defaultNameWeight
        public var maxLanguageBytes = 0
        public init() {}

        public static let declaration: [StageOption<Options>] = [
            StageOption("repairMojibake", \.normalizer.repairMojibake,
                   "Repair UTF-8 read as windows-1252/Latin-1, windows-1251 or Mac OS Roman (also twice)."),
            StageOption("decodeEntities", \.normalizer.decodeEntities,
                   "Decode HTML character references (&eacute; &#233; &#xE9;), also double-escaped ones."),
            StageOption("c1Controls", \.normalizer.c1Controls,
                   "Read C1 control characters (U+0080-U+009F) as the windows-1252 characters they stand for."),
            StageOption("quotes", \.normalizer.quotes,
                   "\"ascii\": curly quotes U+2018-U+201F to ' and \" (guillemets kept); \"keep\": leave them."),
            StageOption("ligatures", \.normalizer.ligatures, "Expand Latin ligatures U+FB00-U+FB06 (fi, fl, ...)."),
            StageOption("spaces", \.normalizer.spaces,
                   "No-break, narrow no-break and thin spaces to a plain space (runs are not collapsed)."),
            StageOption("removeInvisible", \.normalizer.removeInvisible,
                   "Remove zero-width space, word joiner, BOM and soft hyphen (ZWJ and ZWNJ are kept)."),
            StageOption("form", \.normalizer.form,
                   "Unicode normalization form: \"nfc\", \"nfkc\" (also folds compatibility characters) or \"none\"."),
            StageOption("identifyLanguage", \.identifyLanguage, "Set language and languageConfidence."),
            StageOption("languages", \.languages,
                   "ISO 639-1 codes to choose from; empty: every language of the profile (\(NormalizeLanguage.profileLanguages.count): \(NormalizeLanguage.profileLanguages.joined(separator: " ")))."),
            StageOption("minLetters", \.minLetters, min: 1,
                   "Fewer letters than this (digits, punctuation and URLs do not count) gives \"und\", unless the script alone decides (Greek, Hangul...)."),
            StageOption("minConfidence", \.minConfidence, min: 0, max: 1,
                   "A best guess less likely than this to be right gives \"und\" (languageConfidence is that likelihood, calibrated on held-out text)."),
            StageOption("decisiveMargin", \.decisiveMargin, min: 0,
                   "Stop reading a long text once the best language leads the next by this many nats (0: read it all)."),
            StageOption("nameWeight", \.nameWeight, min: 0, max: 1,
                   "Weight of capitalised words inside a sentence (likely names, which travel between languages) in language identification."),
            StageOption("maxLanguageBytes", \.maxLanguageBytes, min: 0,
                   "Identify the language from the first this many bytes of text only (0: all of it)."),
        ]
    }

    /// Answers less likely than this to be right become "und". At 0.05 most text
    /// of languages without a profile and unlike any with one gets "und" (held-out
    /// languages: eu hu vi cy 94-100%), and the dev text of known languages loses
    /// 0.3-0.6 points; 0.2 would catch 7 points more unknown text for 2 points of
    /// known text (Resources/README.md).
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

    let options: Options
    let model: LanguageModel?
    let allowed: Set<String>?

    public init(options: Options) throws {
        self.options = options
        if options.identifyLanguage {
            let m = try LanguageModel.bundled.get()
            model = m
            let unknown = options.languages.filter { !m.languages.contains($0) }
            guard unknown.isEmpty else {
                throw OptionError("languages", "unknown \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")) (the profile has \(m.languages.joined(separator: ", ")))")
            }
            allowed = options.languages.isEmpty ? nil : Set(options.languages)
        } else {
            model = nil
            allowed = nil
        }
    }

    public func process(_ document: inout Document) throws -> StageOutcome {
        guard let text = document.text else {
            throw PageError("no text to normalize (run parse-html first, or give \"text\")")
        }
        let clean = options.normalizer.normalize(text)
        document.text = clean
        if let model {
            let guess = model.identify(clean, allowed: allowed, minLetters: options.minLetters,
                                       minConfidence: options.minConfidence, maxBytes: options.maxLanguageBytes,
                                       decisiveMargin: options.decisiveMargin, nameWeight: options.nameWeight)
            document.language = guess.language
            document.languageConfidence = guess.confidence
        }
        return .keep
    }
}
