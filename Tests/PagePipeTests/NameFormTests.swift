import Testing
@testable import PagePipe

/// How count-entities writes an entity's name: white space collapsed to single spaces.
struct NameFormTests {
    @Test func collapsesAnyWhiteSpace() {
        #expect(CountEntities.normalizeSpaces("Bashar Assad") == "Bashar Assad")
        #expect(CountEntities.normalizeSpaces("Bashar  Assad") == "Bashar Assad")
        #expect(CountEntities.normalizeSpaces(" Bashar Assad ") == "Bashar Assad")
        #expect(CountEntities.normalizeSpaces("Bashar\nAssad") == "Bashar Assad")
        #expect(CountEntities.normalizeSpaces("Bashar\u{00A0}Assad") == "Bashar Assad")
        #expect(CountEntities.normalizeSpaces("Müller\u{2009}Lüdenscheidt") == "Müller Lüdenscheidt")
        #expect(CountEntities.normalizeSpaces("") == "")
    }
}
