/// The fields of a `Document` that stages read and write. Stages declare
/// theirs (`StageFields`), so that a chain is checked before any page is read,
/// and the JSON of a document (`pagepipe stage`, emit-jsonl) is written from
/// this one list. The raw value is the JSON key.
public enum DocumentField: String, Sendable, CaseIterable, OptionChoice {
    case id
    /// The page's bytes (or the file at `sourcePath`): what the input gives.
    case html
    /// The parsed page; not serialized.
    case tree
    case url, title, date, site, author, language, languageConfidence, text, mentions, entities

    /// The fields that have a JSON form, in the order documents are printed.
    public static let serialized: [DocumentField] = [
        .id, .url, .title, .date, .site, .author, .language, .languageConfidence, .text, .mentions, .entities,
    ]

    public static var optionType: OptionType { .choice(serialized.map(\.rawValue)) }
    public init?(json: JSONValue) {
        guard case .string(let s) = json, let field = DocumentField(rawValue: s), Self.serialized.contains(field) else { return nil }
        self = field
    }
}

extension Document {
    /// The field's JSON value; nil when no stage has set it, and for the
    /// fields without a JSON form (`html`, `tree`).
    public func json(_ field: DocumentField) -> JSONValue? {
        switch field {
        case .id: return .string(id)
        case .html, .tree: return nil
        case .url: return url.map { .string($0) }
        case .title: return title.map { .string($0) }
        case .date: return date.map { .string($0) }
        case .site: return site.map { .string($0) }
        case .author: return author.map { .string($0) }
        case .language: return language.map { .string($0) }
        case .languageConfidence: return languageConfidence.map { .double($0) }
        case .text: return text.map { .string($0) }
        case .mentions: return mentions.map(DocumentJSON.mentions)
        case .entities: return entities.map(DocumentJSON.entities)
        }
    }
}

/// What a stage does with a document's fields; `PipelineConfig` checks a chain
/// against it and tells each stage which of its fields nobody reads.
public struct StageFields: Sendable, Equatable {
    /// Fields the stage needs: an earlier stage (or the input) must write them.
    public var reads: Set<DocumentField>
    /// Fields the stage uses when they are there.
    public var readsIfSet: Set<DocumentField>
    public var writes: Set<DocumentField>

    public init(reads: Set<DocumentField> = [], readsIfSet: Set<DocumentField> = [], writes: Set<DocumentField> = []) {
        self.reads = reads
        self.readsIfSet = readsIfSet
        self.writes = writes
    }
}
