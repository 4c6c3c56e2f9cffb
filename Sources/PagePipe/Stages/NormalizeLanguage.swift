/// normalize-language: reads `text` (from parse-html or remove-boilerplate, or
/// the input's "text"), replaces it with its canonical form (`TextNormalizer`:
/// mojibake repaired, character references decoded, quotes, ligatures, spaces,
/// invisible characters, NFC) and sets `language` (ISO 639-1, "und" when the
/// text is too short or the model unsure) and `languageConfidence`, using the
/// character n-gram profile in Resources/langid.bin (`LanguageModel`). Never
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
        public var minConfidence = 0.0
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
            StageOption("languages", \.languages, "ISO 639-1 codes to choose from; empty: every language of the profile."),
            StageOption("minLetters", \.minLetters, min: 1,
                   "Fewer letters than this (digits, punctuation and URLs do not count) gives \"und\", unless the script alone decides (Greek, Hangul...)."),
            StageOption("minConfidence", \.minConfidence, min: 0, max: 1, "A best guess with a lower probability gives \"und\"."),
            StageOption("decisiveMargin", \.decisiveMargin, min: 0,
                   "Stop reading a long text once the best language leads the next by this many nats (0: read it all)."),
            StageOption("nameWeight", \.nameWeight, min: 0, max: 1,
                   "Weight of capitalised words inside a sentence (likely names, which travel between languages) in language identification."),
            StageOption("maxLanguageBytes", \.maxLanguageBytes, min: 0,
                   "Identify the language from the first this many bytes of text only (0: all of it)."),
        ]
    }

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
            var guess = model.identify(clean, allowed: allowed, minLetters: options.minLetters, maxBytes: options.maxLanguageBytes,
                                       decisiveMargin: options.decisiveMargin, nameWeight: options.nameWeight)
            if guess.language != "und", guess.confidence < options.minConfidence {
                guess = LanguageModel.Guess(language: "und", confidence: 0, letters: guess.letters)
            }
            document.language = guess.language
            document.languageConfidence = guess.confidence
        }
        return .keep
    }
}
