/// A parsed HTML page as flat arrays in document order, owned by Swift.
///
/// The libxml2 tree is converted once and freed at once, so that no C pointer
/// outlives the parse and the tree can cross threads. Node `i`'s subtree is the
/// index range `i + 1 ..< nodes[i].end`; its children are found by hopping
/// `j = nodes[j].end` from `i + 1`.
public struct HTMLTree: Sendable {
    public struct Node: Sendable {
        /// `.text` for a text node, otherwise the element name.
        public var tag: Tag
        /// Index of the parent element, -1 for a root.
        public var parent: Int32
        /// One past the last node of this subtree.
        public var end: Int32
        /// Text nodes: the byte range of their UTF-8 text in `textBytes`.
        public var textStart: Int32
        public var textEnd: Int32
        /// Elements: the range of their attributes in `attributes`.
        public var attributeStart: Int32
        public var attributeCount: Int32
        /// Elements: nesting depth (root = 0).
        public var depth: Int32
    }

    public struct Attribute: Sendable {
        public var name: String
        public var value: String
    }

    public internal(set) var nodes: [Node] = []
    public internal(set) var textBytes: [UInt8] = []
    public internal(set) var attributes: [Attribute] = []
    /// The names of `Tag.unknown` elements, by node index.
    public internal(set) var unknownNames: [Int32: String] = [:]

    public init() {}

    public var count: Int { nodes.count }

    /// The node indices of the children of `i` (all nodes for `i == -1`).
    public func children(of i: Int) -> ChildSequence {
        if i < 0 { return ChildSequence(tree: self, start: 0, end: nodes.count) }
        return ChildSequence(tree: self, start: i + 1, end: Int(nodes[i].end))
    }

    public struct ChildSequence: Sequence, IteratorProtocol {
        let tree: HTMLTree
        var start: Int
        let end: Int
        public mutating func next() -> Int? {
            guard start < end else { return nil }
            defer { start = Int(tree.nodes[start].end) }
            return start
        }
    }

    /// The element name, including custom elements.
    public func name(of i: Int) -> String {
        let tag = nodes[i].tag
        if tag == .unknown { return unknownNames[Int32(i)] ?? "#unknown" }
        return tag.name
    }

    /// The value of attribute `name` (lower case) on element `i`, if present.
    public func attribute(_ name: String, of i: Int) -> String? {
        let n = nodes[i]
        var k = Int(n.attributeStart)
        let end = k + Int(n.attributeCount)
        while k < end {
            if attributes[k].name == name { return attributes[k].value }
            k += 1
        }
        return nil
    }

    /// All attributes of element `i`.
    public func attributes(of i: Int) -> ArraySlice<Attribute> {
        let n = nodes[i]
        return attributes[Int(n.attributeStart) ..< Int(n.attributeStart + n.attributeCount)]
    }

    /// The raw UTF-8 text of text node `i`.
    public func textBytes(of i: Int) -> ArraySlice<UInt8> {
        let n = nodes[i]
        return textBytes[Int(n.textStart) ..< Int(n.textEnd)]
    }

    /// The text of text node `i`.
    public func text(of i: Int) -> String {
        String(decoding: textBytes(of: i), as: UTF8.self)
    }

    /// The concatenated text of all text nodes under `i`, unfolded.
    public func rawText(under i: Int) -> String {
        var bytes: [UInt8] = []
        var j = i + 1
        let end = Int(nodes[i].end)
        while j < end {
            if nodes[j].tag == .text { bytes.append(contentsOf: textBytes(of: j)) }
            j += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The first element with the given tag, in document order.
    public func first(_ tag: Tag) -> Int? {
        nodes.firstIndex { $0.tag == tag }
    }

    // MARK: building

    mutating func appendElement(_ tag: Tag, parent: Int32, depth: Int32) -> Int32 {
        let index = Int32(nodes.count)
        nodes.append(Node(tag: tag, parent: parent, end: index + 1, textStart: 0, textEnd: 0,
                          attributeStart: Int32(attributes.count), attributeCount: 0, depth: depth))
        return index
    }

    mutating func appendAttribute(_ name: String, _ value: String, to element: Int32) {
        attributes.append(Attribute(name: name, value: value))
        nodes[Int(element)].attributeCount += 1
    }

    mutating func appendText(_ bytes: UnsafeBufferPointer<UInt8>, parent: Int32, depth: Int32) {
        // Adjacent text nodes (split by a dropped comment) merge into one.
        if let last = nodes.last, last.tag == .text, last.parent == parent, Int(last.end) == nodes.count {
            textBytes.append(contentsOf: bytes)
            nodes[nodes.count - 1].textEnd = Int32(textBytes.count)
            return
        }
        let start = Int32(textBytes.count)
        textBytes.append(contentsOf: bytes)
        let index = Int32(nodes.count)
        nodes.append(Node(tag: .text, parent: parent, end: index + 1, textStart: start,
                          textEnd: Int32(textBytes.count), attributeStart: 0, attributeCount: 0,
                          depth: depth))
    }

    mutating func close(_ element: Int32) {
        nodes[Int(element)].end = Int32(nodes.count)
    }
}
