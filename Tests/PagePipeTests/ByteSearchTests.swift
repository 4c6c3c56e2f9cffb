import Testing
@testable import PagePipe

@Suite struct ByteSearchTests {
    @Test func findsASCIINeedlesAnywhere() {
        #expect("see http://example.org".containsBytes("://"))
        #expect("www.example.org".containsBytes("www."))
        #expect("mail me: a@b".containsBytes("@"))
        #expect("display:none".containsBytes("display:none"))
        #expect("é display:none é".containsBytes("none"))
    }

    @Test func missesWhatIsNotThere() {
        #expect(!"http:/example.org".containsBytes("://"))
        #expect(!"ww.example".containsBytes("www."))
        #expect(!"no".containsBytes("none"))
        #expect(!"".containsBytes("@"))
        #expect(!"nonx nonf".containsBytes("none"))
    }
}
