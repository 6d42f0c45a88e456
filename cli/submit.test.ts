/** `datalab submit` refuses, before it dials or uploads anything, a job the product cannot run as asked. */
import { describe, expect, test } from "vitest";
import { captureOutput } from "./capture-output.js";
import { main } from "./main.js";

describe("datalab submit", () => {
  test("--model naming a synthesizer datalab does not have is a usage error, not a job that fails on a node", async () => {
    const { code, stderr } = await captureOutput(() =>
      main(["submit", "vega:penguins.json", "--model", "privbayes", "--coordinator", "127.0.0.1:1", "--insecure"]),
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/--model "privbayes" is not a synthesizer this datalab has; use one of gaussian_copula/);
    expect(stderr.trim().split("\n")).toHaveLength(1);
  });
});
