/**
 * Format-preserving fakes for PII columns (PiiColumnSchema): values that look like the input's
 * kind but belong to nobody. Deterministic from (seed, global row), so chunks can be made
 * separately. Emails use the reserved example domains (RFC 2606), phone numbers copy the input's
 * digit/separator shape (`shape`, `#` for a digit), names come from the short lists below
 * (common given and family names from many languages, written for this project).
 */
import { rowChoice, seedWords } from "./row-hash.js";
import type { PiiColumnSchema } from "./schema.js";

const GIVEN_NAMES = [
  "Anna",
  "Ben",
  "Carla",
  "David",
  "Elena",
  "Farid",
  "Grace",
  "Hugo",
  "Ines",
  "Jonas",
  "Kaito",
  "Lena",
  "Marco",
  "Nadia",
  "Omar",
  "Paula",
  "Quentin",
  "Rosa",
  "Samuel",
  "Tara",
  "Ulla",
  "Victor",
  "Wen",
  "Xavier",
  "Yara",
  "Zoe",
  "Amir",
  "Bianca",
  "Chen",
  "Dana",
  "Emil",
  "Fatima",
  "Gabriel",
  "Hana",
  "Ivan",
  "Julia",
  "Karim",
  "Laura",
  "Mateo",
  "Nina",
  "Oscar",
  "Priya",
  "Rafael",
  "Sofia",
  "Tomas",
  "Uma",
  "Vera",
  "William",
  "Yusuf",
  "Aiko",
  "Bruno",
  "Clara",
  "Diego",
  "Eva",
  "Felix",
  "Greta",
  "Henrik",
  "Isabel",
  "Jakob",
  "Kira",
  "Luca",
  "Maria",
  "Noah",
  "Olga",
  "Pedro",
  "Ravi",
  "Sara",
  "Theo",
  "Valentina",
];

const FAMILY_NAMES = [
  "Andersen",
  "Becker",
  "Costa",
  "Dubois",
  "Eriksson",
  "Fischer",
  "Garcia",
  "Hoffmann",
  "Ivanova",
  "Jansen",
  "Kowalski",
  "Lopez",
  "Muller",
  "Nowak",
  "Olsen",
  "Petrov",
  "Quinn",
  "Rossi",
  "Schmidt",
  "Tanaka",
  "Urban",
  "Virtanen",
  "Weber",
  "Xu",
  "Yilmaz",
  "Zimmermann",
  "Almeida",
  "Bauer",
  "Chowdhury",
  "Duarte",
  "Esposito",
  "Ferrari",
  "Gruber",
  "Horvat",
  "Ibrahim",
  "Jovanovic",
  "Kim",
  "Lindqvist",
  "Moreau",
  "Nielsen",
  "Oliveira",
  "Papadopoulos",
  "Ramos",
  "Santos",
  "Takahashi",
  "Vasquez",
  "Wagner",
  "Young",
  "Zhang",
  "Novak",
  "Silva",
  "Martin",
  "Kaya",
  "Haddad",
  "Nakamura",
  "Peters",
  "Romano",
  "Svensson",
  "Walsh",
  "Okafor",
];

const WORDS = [
  "report",
  "visit",
  "follow",
  "note",
  "change",
  "request",
  "review",
  "update",
  "order",
  "check",
  "plan",
  "result",
  "call",
  "team",
  "issue",
  "record",
  "service",
  "account",
  "delivery",
  "payment",
  "schedule",
  "form",
  "office",
  "item",
  "case",
];

const EXAMPLE_DOMAINS = ["example.com", "example.org", "example.net"];
const DEFAULT_PHONE_SHAPE = "+1 ###-###-####";

/** Plain ASCII lower case for email local parts ("Müller" is not in the lists, but be safe). */
function asciiLower(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[^A-Za-z]/g, "")
    .toLowerCase();
}

function whichName(columnName: string): "given" | "family" | "full" {
  if (/(first|given|fore)/i.test(columnName)) return "given";
  if (/(last|family|sur|maiden)/i.test(columnName)) return "family";
  return "full";
}

/** `count` fake values for global rows [startRow, startRow + count) of a PII column. */
export function fakePiiValues(schema: PiiColumnSchema, startRow: number, count: number, seed: bigint): string[] {
  const [lo, hi] = seedWords(seed);
  const out = new Array<string>(count);
  const given = (row: number) => GIVEN_NAMES[rowChoice(lo, hi, row, 11, GIVEN_NAMES.length)]!;
  const family = (row: number) => FAMILY_NAMES[rowChoice(lo, hi, row, 12, FAMILY_NAMES.length)]!;
  switch (schema.kind) {
    case "email":
      for (let i = 0; i < count; i++) {
        const row = startRow + i;
        // The row number in the local part keeps fakes distinct like real addresses mostly are.
        const domain = EXAMPLE_DOMAINS[rowChoice(lo, hi, row, 13, EXAMPLE_DOMAINS.length)]!;
        out[i] = `${asciiLower(given(row))}.${asciiLower(family(row))}${row + 1}@${domain}`;
      }
      return out;
    case "phone": {
      const shape = schema.shape ?? DEFAULT_PHONE_SHAPE;
      for (let i = 0; i < count; i++) {
        const row = startRow + i;
        let k = 0;
        out[i] = shape.replace(/#/g, () => String(rowChoice(lo, hi, row, 20 + k++, 10)));
      }
      return out;
    }
    case "name": {
      const which = whichName(schema.name);
      for (let i = 0; i < count; i++) {
        const row = startRow + i;
        out[i] = which === "given" ? given(row) : which === "family" ? family(row) : `${given(row)} ${family(row)}`;
      }
      return out;
    }
    case "text":
      for (let i = 0; i < count; i++) {
        const row = startRow + i;
        const length = 3 + rowChoice(lo, hi, row, 14, 6);
        const words = Array.from({ length }, (_, k) => WORDS[rowChoice(lo, hi, row, 30 + k, WORDS.length)]!);
        const sentence = words.join(" ");
        out[i] = sentence[0]!.toUpperCase() + sentence.slice(1) + ".";
      }
      return out;
  }
}
