import HTML

/// Turns part of an `HTMLTree` into plain text the way a reader sees it:
/// block elements on their own lines, inline whitespace folded to one space,
/// `<pre>` kept as written, invisible elements skipped. NBSP is text, not
/// whitespace, and is kept for the normalizer to decide.
public struct TextRenderer {
    private var out: [UInt8] = []
    private var pendingSpace = false
    private var pendingCell = false
    private var atLineStart = true

    public init() { out.reserveCapacity(8192) }

    /// Renders the subtree under `root` (-1 for the whole tree). `skip` can
    /// hide elements (and their subtree); invisible elements are always hidden.
    public static func render(_ tree: HTMLTree, root: Int = -1, skip: ((Int) -> Bool)? = nil) -> String {
        var r = TextRenderer()
        if root < 0 {
            for child in tree.children(of: -1) { r.append(tree, node: child, skip: skip) }
        } else {
            r.append(tree, node: root, skip: skip)
        }
        return r.finish()
    }

    /// Whether element `i` is hidden from readers by markup (`hidden`, `aria-hidden` on
    /// structural junk is not enough; inline `display:none` is).
    public static func isHidden(_ tree: HTMLTree, _ i: Int) -> Bool {
        let node = tree.nodes[i]
        if node.tag.isInvisible { return true }
        guard node.attributeCount > 0 else { return false }
        for a in tree.attributes(of: i) {
            if a.name == "hidden" { return true }
            if a.name == "style" && (a.value.containsBytes("none") || a.value.containsBytes("hidden")) {
                let compact = a.value.lowercased().filter { $0 != " " }
                if compact.containsBytes("display:none") || compact.containsBytes("visibility:hidden") { return true }
            }
        }
        return false
    }

    /// Appends the subtree at `node`. Iterative: pages nest 20,000 deep.
    public mutating func append(_ tree: HTMLTree, node start: Int, skip: ((Int) -> Bool)? = nil) {
        var i = start
        let end = Int(tree.nodes[start].end)
        // Elements whose end we still owe a line break or space, innermost last.
        var open: [(end: Int, tag: Tag)] = []
        var preDepth = 0
        while i < end {
            while let last = open.last, i >= last.end { close(last.tag, pre: &preDepth); open.removeLast() }
            let node = tree.nodes[i]
            if node.tag == .text {
                appendText(tree.textBytes(of: i), pre: preDepth > 0)
                i += 1
                continue
            }
            if Self.isHidden(tree, i) || (skip?(i) ?? false) {
                i = Int(node.end)
                continue
            }
            openElement(node.tag, pre: &preDepth)
            open.append((Int(node.end), node.tag))
            i += 1
        }
        while let last = open.popLast() { close(last.tag, pre: &preDepth) }
    }

    public mutating func lineBreak() {
        if !atLineStart {
            out.append(0x0A)
            atLineStart = true
        }
        pendingSpace = false
        pendingCell = false
    }

    @inline(__always)
    private mutating func flushPending() {
        if pendingCell {
            out.append(contentsOf: [0x20, 0x7C, 0x20])
            pendingCell = false
            pendingSpace = false
        } else if pendingSpace {
            out.append(0x20)
            pendingSpace = false
        }
    }

    private mutating func openElement(_ tag: Tag, pre: inout Int) {
        if tag == .br { lineBreak(); return }
        // Cells of a row share a line, set apart by " | " so that names in
        // neighbouring cells do not run together into one.
        if tag == .td || tag == .th { if !atLineStart { pendingCell = true }; return }
        if tag.isBlock { lineBreak() }
        if tag == .pre { pre += 1 }
    }

    private mutating func close(_ tag: Tag, pre: inout Int) {
        if tag == .td || tag == .th { if !atLineStart { pendingSpace = true }; return }
        if tag == .pre { pre -= 1 }
        if tag.isBlock || tag == .img { lineBreak() }
    }

    private mutating func appendText(_ bytes: ArraySlice<UInt8>, pre: Bool) {
        if pre {
            for b in bytes {
                if b == 0x0A { out.append(0x0A); atLineStart = true; pendingSpace = false; continue }
                if b == 0x0D { continue }
                if !atLineStart { flushPending() }
                pendingSpace = false
                pendingCell = false
                out.append(b)
                atLineStart = false
            }
            return
        }
        for b in bytes {
            if b == 0x20 || b == 0x0A || b == 0x09 || b == 0x0D || b == 0x0C {
                if !atLineStart { pendingSpace = true }
            } else {
                flushPending()
                out.append(b)
                atLineStart = false
            }
        }
    }

    public mutating func finish() -> String {
        while let last = out.last, last == 0x0A || last == 0x20 { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }
}
