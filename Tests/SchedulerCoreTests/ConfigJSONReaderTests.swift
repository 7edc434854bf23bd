import Testing
import SchedulerCore

@Suite("ConfigJSONReader: strict JSON with line and column")
struct ConfigJSONReaderTests {
    static func parse(_ text: String) throws -> ConfigJSON.Node {
        try ConfigJSONReader.parse(text)
    }

    static func string(_ json: String) throws -> String? {
        if case .string(let s) = try parse(json).value { return s }
        return nil
    }

    @Test("values, key order, duplicates and positions")
    func values() throws {
        let text = """
        {
          "b": [1, -2.5, 1e3, 1E+2, -0, 0.125e-2],
          "a": {"t": true, "f": false, "n": null},
          "b": "dup"
        }
        """
        let root = try Self.parse(text)
        #expect(root.line == 1 && root.column == 1)
        guard case .object(let members) = root.value else {
            Issue.record("expected an object")
            return
        }
        #expect(members.map(\.key) == ["b", "a", "b"])
        #expect(members[0].node.line == 2 && members[0].node.column == 8)
        guard case .array(let numbers) = members[0].node.value else {
            Issue.record("expected an array")
            return
        }
        #expect(numbers.map(\.value) == [.number(1), .number(-2.5), .number(1000), .number(100), .number(0), .number(0.00125)])
        #expect(numbers[1].line == 2 && numbers[1].column == 12)
        #expect(members[1].node.line == 3 && members[1].node.column == 8)
        guard case .object(let inner) = members[1].node.value else {
            Issue.record("expected an object")
            return
        }
        #expect(inner.map(\.node.value) == [.bool(true), .bool(false), .null])
        #expect(inner[2].node.column == 37)
        #expect(members[2].node.value == .string("dup"))
        #expect(members[2].node.line == 4)
    }

    @Test("scalars and empty containers as documents", arguments: [
        ("true", ConfigJSON.bool(true)), ("  null  ", .null), ("\"x\"", .string("x")), ("[]", .array([])),
        ("{}", .object([])), ("\n\t 42\r\n", .number(42)),
    ])
    func scalars(_ text: String, _ value: ConfigJSON) throws {
        #expect(try Self.parse(text).value == value)
    }

    @Test("kind names for messages")
    func kindNames() {
        #expect(ConfigJSON.null.kindName == "null")
        #expect(ConfigJSON.bool(true).kindName == "a boolean")
        #expect(ConfigJSON.number(1).kindName == "a number")
        #expect(ConfigJSON.string("").kindName == "a string")
        #expect(ConfigJSON.array([]).kindName == "an array")
        #expect(ConfigJSON.object([]).kindName == "an object")
    }

    @Test("escapes and unicode", arguments: [
        (#""a\"b\\c\/d""#, "a\"b\\c/d"),
        (#""\b\f\n\r\t""#, "\u{08}\u{0C}\n\r\t"),
        (#""\u00e9\u20AC""#, "é€"),
        (#""\uD83D\uDE00""#, "😀"),
        (#""\ud83d\ude00 ok""#, "😀 ok"),
        (#""Grüße 😀 日本""#, "Grüße 😀 日本"),
        (#""\u0000""#, "\u{0}"),
        // A lone high surrogate is replaced, never a crash.
        (#""\uD800""#, "\u{FFFD}"),
        (#""\uD800x""#, "\u{FFFD}x"),
        (#""\uD800\u0041""#, "\u{FFFD}A"),
        (#""\uD800\uD800""#, "\u{FFFD}\u{FFFD}"),
        (#""\uDC00""#, "\u{FFFD}"),
        ("\"\"", ""),
    ])
    func escapes(_ json: String, _ expected: String) throws {
        #expect(try Self.string(json) == expected)
    }

    struct SyntaxCase: Sendable, CustomTestStringConvertible {
        var text: String
        var line: Int
        var column: Int
        var message: String
        var testDescription: String { message }
    }

    static let syntaxErrors: [SyntaxCase] = [
        .init(text: #"{"a": 1,}"#, line: 1, column: 9, message: "trailing comma before '}'"),
        .init(text: "{\n  \"a\": 1,\n}", line: 3, column: 1, message: "trailing comma before '}'"),
        .init(text: "[1, 2,]", line: 1, column: 7, message: "trailing comma before ']'"),
        .init(text: "{\n  \"a\" 1\n}", line: 2, column: 7, message: "expected ':' after key \"a\", found '1'"),
        .init(text: #"{"a": "abc"#, line: 1, column: 11, message: "unterminated string"),
        .init(text: "{\"a\": \"ab\ncd\"}", line: 1, column: 10, message: "unterminated string (newline inside quotes)"),
        .init(text: "{\"a\": \"a\tb\"}", line: 1, column: 9, message: "control character inside a string"),
        .init(text: "{} x", line: 1, column: 4, message: "unexpected 'x' after the end of the document"),
        .init(text: "{}\n\n  ]", line: 3, column: 3, message: "unexpected ']' after the end of the document"),
        .init(text: "{\"a\": 1}}", line: 1, column: 9, message: "unexpected '}' after the end of the document"),
        .init(text: "", line: 1, column: 1, message: "expected a value, found end of file"),
        .init(text: "  \n ", line: 2, column: 2, message: "expected a value, found end of file"),
        .init(text: #"{"a": tru}"#, line: 1, column: 10, message: "invalid literal; expected true"),
        .init(text: "nul", line: 1, column: 4, message: "invalid literal; expected null"),
        .init(text: "{'a': 1}", line: 1, column: 2, message: "expected a key in double quotes, found '''"),
        .init(text: "{a: 1}", line: 1, column: 2, message: "expected a key in double quotes, found 'a'"),
        .init(text: #"{"a": 1 "b": 2}"#, line: 1, column: 9, message: "expected ',' or '}' after a value, found '\"'"),
        .init(text: "[1 2]", line: 1, column: 4, message: "expected ',' or ']' after a value, found '2'"),
        .init(text: #"{"a": -}"#, line: 1, column: 8, message: "invalid number"),
        .init(text: #"{"a": 1.}"#, line: 1, column: 9, message: "invalid number: digits expected after '.'"),
        .init(text: #"{"a": 1e}"#, line: 1, column: 9, message: "invalid number: digits expected in exponent"),
        .init(text: #"{"a": .5}"#, line: 1, column: 7, message: "expected a value, found '.'"),
        .init(text: #"{"a": +1}"#, line: 1, column: 7, message: "expected a value, found '+'"),
        .init(text: #""\x""#, line: 1, column: 3, message: "invalid escape sequence in string"),
        .init(text: #""\u12G4""#, line: 1, column: 6, message: "invalid hex digit in \\u escape"),
        .init(text: #""\u12""#, line: 1, column: 4, message: "incomplete \\u escape"),
        .init(text: #"{"a": 1"#, line: 1, column: 8, message: "unterminated object; expected ',' or '}'"),
        .init(text: "[1,\n 2", line: 2, column: 3, message: "unterminated array; expected ',' or ']'"),
        .init(text: "{\r\n\"a\" 1}", line: 2, column: 5, message: "expected ':' after key \"a\", found '1'"),
        .init(text: "{\"a\": \u{1}}", line: 1, column: 7, message: "expected a value, found byte 0x1"),
        .init(text: "[" + String(repeating: "[", count: 64) + String(repeating: "]", count: 65), line: 1, column: 65,
              message: "nesting deeper than 64 levels"),
    ]

    @Test("syntax errors name line and column", arguments: syntaxErrors)
    func syntaxError(_ c: SyntaxCase) {
        do {
            let node = try ConfigJSONReader.parse(c.text)
            Issue.record("parsed as \(node.value) instead of failing")
        } catch {
            #expect(error.message == c.message)
            #expect(error.line == c.line)
            #expect(error.column == c.column)
        }
    }

    @Test("the error's description leads with the position")
    func description() {
        do {
            _ = try ConfigJSONReader.parse("{\n  \"a\": 1,\n}")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.description == "line 3, column 1: trailing comma before '}'")
        }
    }

    @Test("a leading UTF-8 byte order mark is ignored; positions still count from the text after it")
    func byteOrderMark() throws {
        let node = try ConfigJSONReader.parse("\u{FEFF}{\"a\": 1}")
        guard case .object(let members) = node.value else {
            Issue.record("expected an object")
            return
        }
        #expect(members.map(\.key) == ["a"])
        #expect(members.first?.node.value == .number(1))
        #expect(members.first?.node.line == 1 && members.first?.node.column == 7)
        do {
            _ = try ConfigJSONReader.parse("\u{FEFF}{\"a\" 1}")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.line == 1 && error.column == 6)
        }
        // Only at the very start.
        #expect(throws: ConfigJSONSyntaxError.self) { try ConfigJSONReader.parse("{\"a\": \u{FEFF}1}") }
    }

    @Test("64 levels of nesting are fine")
    func deepButAllowed() throws {
        let text = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try ConfigJSONReader.parse(text) }
    }
}
