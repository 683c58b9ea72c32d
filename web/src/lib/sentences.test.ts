import { describe, expect, it } from "vitest";
import { describeError, errorInWords } from "./sentences";

describe("error codes in words", () => {
  it.each([
    ["auth_refused", /refused the token/, /token/],
    ["non_fast_forward", /commits this app does not have/, /Nothing was overwritten/],
    ["remote_unreachable", /could not be reached/, /Retry push/],
    ["invalid_remote", /not a git address/, /https:\/\//],
    ["credentials_in_url", /user name or password/, /Token field/],
    ["insecure_remote", /https:\/\//, /https:\/\//],
    ["local_remote_not_allowed", /folders on its own disk/, /hosted repository/],
    ["path_traversal", /leave the app's folder/, /'\.\.'/],
  ])("%s says what went wrong and what to do", (code, problem, fix) => {
    const s = describeError({ code, message: "server words" });
    expect(s.problem).toMatch(problem);
    expect(s.fix).toMatch(fix);
    expect(errorInWords({ code })).toBe(`${s.problem} ${s.fix}`);
  });

  it("an unknown code keeps the server's message", () => {
    expect(errorInWords({ code: "brand_new", message: "The server says so." })).toBe("The server says so.");
    expect(errorInWords({ code: "brand_new" })).toBe("Something went wrong.");
  });
});
