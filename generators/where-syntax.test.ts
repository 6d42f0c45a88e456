import { describe, expect, test } from "vitest";
import { ConditionError } from "./errors.js";
import { parseWhere } from "./where-syntax.js";

describe("--where syntax", () => {
  test("operators, whitespace, quoted names and values", () => {
    expect(parseWhere(' sex = Female , age>40,hours-per-week<=20, race != "Asian-Pac-Islander", x>=1.5e3, y<-2 ')).toEqual([
      { column: "sex", operator: "=", value: "Female", text: "sex=Female" },
      { column: "age", operator: ">", value: "40", text: "age>40" },
      { column: "hours-per-week", operator: "<=", value: "20", text: "hours-per-week<=20" },
      { column: "race", operator: "!=", value: "Asian-Pac-Islander", text: 'race!="Asian-Pac-Islander"' },
      { column: "x", operator: ">=", value: "1.5e3", text: "x>=1.5e3" },
      { column: "y", operator: "<", value: "-2", text: "y<-2" },
    ]);
    expect(parseWhere('name="a,b",  "odd=name"="say ""hi"""')).toEqual([
      { column: "name", operator: "=", value: "a,b", text: 'name="a,b"' },
      { column: "odd=name", operator: "=", value: 'say "hi"', text: '"odd=name"="say \\"hi\\""' },
    ]);
    expect(parseWhere("Title=Star Wars")[0]!.value).toBe("Star Wars");
  });

  test.each([
    ["", /is empty/],
    ["age", /malformed condition "age"/],
    ["=3", /malformed/],
    ["age=", /malformed/],
    ["age=>3", /malformed/],
    ["a=1 b=2", /malformed/],
    ["a=1,,b=2", /empty condition/],
    ["a!3", /unexpected "!"/],
    ['a="open', /unterminated quote/],
  ])("%j is rejected", (source, message) => {
    expect(() => parseWhere(source)).toThrow(ConditionError);
    expect(() => parseWhere(source)).toThrow(message);
  });
});
