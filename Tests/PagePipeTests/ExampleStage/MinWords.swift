import PagePipe

// The stage CONTRIBUTING.md walks through, compiled with the tests: a stage is
// this one file, its test file and one line in a registry. It uses only the
// library's public API, as a stage in Sources/PagePipe/Stages/ would.

/// min-words: reads `text` and drops a document with fewer than `minWords`
/// words (reason "too-few-words"); a word is a run of letters (and of digits
/// with `countNumbers`). Fails a document that has no text.
struct MinWords: Stage {
    static let descriptor = StageDescriptor(
        MinWords.self, name: "min-words",
        summary: "Drop documents with fewer words than minWords.",
        reads: [.text])

    struct Options: StageOptions {
        var minWords = 50
        var countNumbers = true
        init() {}

        static let declaration: [StageOption<Options>] = [
            StageOption("minWords", \.minWords, min: 0, "Drop documents with fewer words than this."),
            StageOption("countNumbers", \.countNumbers, "Count runs of digits as words."),
        ]
    }

    let options: Options

    init(options: Options) {
        self.options = options
    }

    func process(_ document: inout Document) throws -> StageOutcome {
        guard let text = document.text else { throw PageError("no text to count words in") }
        var words = 0
        var inWord = false
        for scalar in text.unicodeScalars {
            let counts = scalar.properties.isAlphabetic || (options.countNumbers && scalar.properties.numericType != nil)
            if counts && !inWord { words += 1 }
            inWord = counts
            if words >= options.minWords { return .keep }
        }
        return words >= options.minWords ? .keep : .drop(reason: "too-few-words")
    }
}
