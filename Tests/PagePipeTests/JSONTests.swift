import XCTest
@testable import PagePipe

final class JSONTests: XCTestCase {
    func testParsesEveryKindOfValue() throws {
        let v = try JSONParser.parse(#"{"a": [1, -2.5, true, false, null, "x\u00e9\n"], "b": {}}"#)
        XCTAssertEqual(v, .object([
            ("a", .array([.int(1), .double(-2.5), .bool(true), .bool(false), .null, .string("xé\n")])),
            ("b", .object([])),
        ]))
    }

    func testKeepsKeyOrder() throws {
        let v = try JSONParser.parse(#"{"z": 1, "a": 2}"#)
        XCTAssertEqual(v.serialized, #"{"z":1,"a":2}"#)
    }

    func testSurrogatePairsAndLoneSurrogates() throws {
        XCTAssertEqual(try JSONParser.parse(#""\ud83d\ude00""#), .string("😀"))
        XCTAssertEqual(try JSONParser.parse(#""\ud83d x""#), .string("\u{FFFD} x"))
    }

    func testErrorsSayWhere() {
        XCTAssertThrowsError(try JSONParser.parse("{\n  \"a\": tru\n}")) { error in
            XCTAssertEqual("\(error)", "line 2, column 8: invalid literal")
        }
        XCTAssertThrowsError(try JSONParser.parse("[1, 2")) { error in
            XCTAssertEqual("\(error)", "line 1, column 6: unexpected end of input in an array")
        }
        XCTAssertThrowsError(try JSONParser.parse(#"{"a": 1, "a": 2}"#)) { error in
            XCTAssertEqual("\(error)", "line 1, column 16: duplicate key \"a\"")
        }
        XCTAssertThrowsError(try JSONParser.parse("1 2")) { error in
            XCTAssertEqual("\(error)", "line 1, column 3: unexpected text after the JSON value")
        }
    }

    func testWriterEscapesOnlyWhatJSONNeeds() {
        var w = JSONWriter()
        w.string("a/b \"q\" \\ \u{1} tab\t é 😀")
        XCTAssertEqual(w.string, #""a/b \"q\" \\ \u0001 tab\t é 😀""#)
    }

    func testWriterNumbers() {
        XCTAssertEqual(JSONValue.double(2).serialized, "2")
        XCTAssertEqual(JSONValue.double(0.25).serialized, "0.25")
        XCTAssertEqual(JSONValue.double(.nan).serialized, "null")
    }
}
