import HTML

/// One page as it flows through the stages. Each stage reads some fields and
/// sets others; `nil` means "not set by any stage yet".
public struct Document: Sendable {
    /// Stable identity: the path relative to its input root (or the `id` given on stdin).
    public var id: String
    /// Where the bytes came from, for messages.
    public var sourcePath: String?
    /// The page's bytes, decompressed.
    public var html: [UInt8]?
    /// A charset from outside the page (HTTP header), tried before the page's own.
    public var charsetHint: String?
    /// The parsed page; set by parse-html.
    public var tree: HTMLTree?
    public var text: String?
    public var title: String?
    public var url: String?
    public var date: String?
    public var site: String?
    public var author: String?
    public var language: String?
    public var languageConfidence: Double?
    public var mentions: [Mention]?
    public var entities: [Entity]?
    /// Stage-specific fields for stage-level testing (e.g. an explain trace), by stage.
    public var extra: [(String, JSONValue)] = []
    /// Records rendered by emitters, by emitter name, written by the runner in order.
    public var emitted: [String: [UInt8]] = [:]

    public init(id: String) { self.id = id }

    public mutating func setExtra(_ key: String, _ value: JSONValue) {
        if let k = extra.firstIndex(where: { $0.0 == key }) { extra[k].1 = value } else { extra.append((key, value)) }
    }
}

public enum EntityType: String, Sendable, CaseIterable, Comparable, OptionChoice {
    case person = "PER", organization = "ORG", location = "LOC", misc = "MISC"

    public static func < (a: EntityType, b: EntityType) -> Bool { a.rawValue < b.rawValue }
}

/// One occurrence of a name in `text`. Offsets count Unicode code points, end exclusive.
public struct Mention: Sendable, Equatable {
    public var start: Int
    public var end: Int
    public var type: EntityType
    public var text: String
    public init(start: Int, end: Int, type: EntityType, text: String) {
        self.start = start; self.end = end; self.type = type; self.text = text
    }
}

/// A name counted over a page, aliases merged.
public struct Entity: Sendable, Equatable {
    public var name: String
    public var type: EntityType
    public var count: Int
    public init(name: String, type: EntityType, count: Int) {
        self.name = name; self.type = type; self.count = count
    }
}
