/**
 * JSON: an array of row objects, or the API's own request body `{"requests":[{"api_suffix":...,"request_id":...}]}`
 * (also under `request`, the key the API's prose names). Other keys of that object are ignored.
 *
 * Streamed without reading the document whole: a small scanner follows strings and brackets, cuts out one element
 * of the rows array at a time and hands it to `JSON.parse`. So an element that is not valid JSON becomes an error
 * row and the next element still runs. A row's line number is the line where its element starts.
 *
 * What the scanner cannot recover from is an element whose quotes or brackets do not balance: it takes the rest of
 * the document with it (one error row). NDJSON and CSV input recover at the next line.
 *
 * Commas between elements are not insisted on: an object, array or string that ends is an element, and so is a
 * number or word that a space, an object or an array follows, so a missing comma (`{...} {...}`, rows pasted
 * together, or `{...} 5 {...}`, `{...} 5{...}`) still gives each object its row (and the stray value an error row of
 * its own), as an extra comma (`[a,,b]`, `[a,]`) does.
 */
import { type Decoder, maxRecordChars, tooLong, UnreadableInput } from "./Decoder.ts"
import { type InputRow, invalid } from "./InputRow.ts"
import { rowOfJson } from "./JsonRow.ts"

const shapeHelp = 'JSON input must be an array of rows ([{"ring_pool_id":...}]) or the API\'s body ({"requests":[...]})'

const isRowsKey = (key: string) => key === "requests" || key === "request"

const QUOTE = 34
const BACKSLASH = 92
const NEWLINE = 10
const RETURN = 13

const isSpace = (c: number) => c === 32 || c === 9 || c === RETURN || c === NEWLINE

export const make = (): Decoder => {
  let mode: "start" | "array" | "object" | "done" = "start"
  let line = 1
  /** The last character read was `\r`: a `\n` right after it ends no other line. */
  let afterReturn = false
  let depth = 0
  let inString = false
  let escaped = false
  // The depth at which elements of the rows array sit (1 for a top-level array, 2 inside the body object).
  let rowsDepth: number | undefined
  let sawRows = false

  // The element being cut out.
  let capturing = false
  let elementLine = 0
  let elementParts = ""
  let elementStart = 0
  let oversized = false
  /** The element being cut out is an object or array that has closed: what follows begins another. */
  let closed = false
  /** The element being cut out began as an object or array (not a word, a number or junk). */
  let containerElement = false

  // Keys of the body object, to find `requests`.
  let expectKey = false
  let keyCapturing = false
  let keyParts = ""
  let keyStart = 0
  let key = ""
  let valuePending = false

  // Text after the document is found part way through a piece: the rows before it are handed out first, and the
  // failure is raised on the next call.
  let failure: UnreadableInput | undefined

  const finishElement = (rows: Array<InputRow>, tail: string) => {
    const text = oversized ? "" : elementParts + tail
    rows.push(oversized || text.length > maxRecordChars ? invalid(elementLine, tooLong) : rowOfJson(elementLine, text))
    capturing = false
    closed = false
    elementParts = ""
    oversized = false
  }

  const closeRows = () => {
    depth--
    rowsDepth = undefined
    if (depth === 0) mode = "done"
  }

  return {
    push: (text) => {
      if (failure !== undefined) throw failure
      const rows: Array<InputRow> = []
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i)
        // A line ends at `\n`, `\r\n` or `\r` alone, as in NDJSON input.
        if (c === RETURN || (c === NEWLINE && !afterReturn)) line++
        afterReturn = c === RETURN
        if (inString) {
          if (escaped) escaped = false
          else if (c === BACKSLASH) escaped = true
          else if (c === QUOTE) {
            inString = false
            // A string that is the element itself has ended: what follows begins another.
            if (capturing && depth === rowsDepth) closed = true
            if (keyCapturing) {
              key = keyParts + text.slice(keyStart, i)
              keyCapturing = false
            }
          }
          continue
        }
        if (isSpace(c)) {
          // So has a number or a word (`5`, `true`, or junk) once a space follows it.
          if (capturing && depth === rowsDepth) closed = true
          continue
        }

        if (mode === "done") {
          failure = new UnreadableInput({
            message: `unexpected text after the JSON document (line ${line})`,
            afterLastRow: true
          })
          return rows
        }
        if (mode === "start") {
          if (c === 91 /* [ */) {
            mode = "array"
            depth = 1
            rowsDepth = 1
            sawRows = true
          } else if (c === 123 /* { */) {
            mode = "object"
            depth = 1
            expectKey = true
          } else throw new UnreadableInput({ message: shapeHelp })
          continue
        }
        if (mode === "object" && depth === 1 && valuePending) {
          valuePending = false
          if (isRowsKey(key)) {
            if (c !== 91) throw new UnreadableInput({ message: `"${key}" must be an array of rows` })
            depth = 2
            rowsDepth = 2
            sawRows = true
            continue
          }
        }

        if (depth === rowsDepth) {
          if (capturing && (c === 44 /* , */ || c === 93) /* ] */) {
            finishElement(rows, text.slice(elementStart, i))
            if (c === 93) closeRows()
            continue
          }
          // Another value right after a closed one: a comma is missing between two rows. So is one after a stray
          // word or number that an object or array follows with no space (`5{...}`, `}{...}`).
          if (capturing && (closed || (!containerElement && (c === 123 || c === 91)))) {
            finishElement(rows, text.slice(elementStart, i))
          }
          if (!capturing) {
            if (c === 44) continue
            if (c === 93) {
              closeRows()
              continue
            }
            capturing = true
            containerElement = c === 123 || c === 91
            elementLine = line
            elementStart = i
          }
        }

        switch (c) {
          case QUOTE:
            inString = true
            if (mode === "object" && depth === 1 && expectKey) {
              keyCapturing = true
              keyParts = ""
              keyStart = i + 1
            }
            break
          case 123:
          case 91:
            depth++
            break
          case 125 /* } */:
          case 93:
            // A stray closer inside an element stays in the element (JSON.parse will reject it).
            if (capturing && depth === rowsDepth) break
            depth--
            if (depth === 0) mode = "done"
            if (capturing && depth === rowsDepth) closed = true
            break
          case 58 /* : */:
            if (mode === "object" && depth === 1) {
              expectKey = false
              valuePending = true
            }
            break
          case 44:
            if (mode === "object" && depth === 1) expectKey = true
            break
        }
      }
      if (keyCapturing) {
        keyParts += text.slice(keyStart)
        keyStart = 0
      }
      if (capturing) {
        if (!oversized) {
          elementParts += text.slice(elementStart)
          if (elementParts.length > maxRecordChars) {
            oversized = true
            elementParts = ""
          }
        }
        elementStart = 0
      }
      return rows
    },
    end: () => {
      if (failure !== undefined) throw failure
      const rows: Array<InputRow> = []
      if (capturing) {
        const text = elementParts
        const row = oversized ? invalid(elementLine, tooLong) : rowOfJson(elementLine, text)
        capturing = false
        elementParts = ""
        // An element that is not JSON at the end of the input was cut short, rather than written wrong.
        if ("problem" in row && !oversized) {
          return [invalid(elementLine, "the JSON document ends inside this row (unbalanced brackets or quotes)")]
        }
        rows.push(row)
      }
      if (mode === "array" || mode === "object") {
        // The rows read so far still run; the missing end is reported as a row of its own, at the last line.
        rows.push(invalid(line, "the JSON document ends before its closing bracket: the input may be cut short"))
      } else if (mode === "done" && !sawRows) {
        throw new UnreadableInput({ message: `the JSON object has no "requests" array: ${shapeHelp}` })
      }
      return rows
    }
  }
}
