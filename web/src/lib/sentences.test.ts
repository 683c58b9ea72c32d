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

  it("a refusal shows the model's own explanation, and what to do", () => {
    const message = "The model declined this request (category: cyber): This request was refused due to policy.";
    const s = describeError({ code: "model_refused", message });
    expect(s.problem).toBe(message);
    expect(s.fix).toMatch(/Rephrase the request/);
    expect(describeError({ code: "model_refused" }).problem).toBe("The model declined this request.");
  });

  it.each([
    [
      "This request has used 9000 of the 10000 tokens a request may use (APPWRIGHT_MAX_RUN_TOKENS), and the next model call could pass that limit, so the request stopped here.",
      /raise APPWRIGHT_MAX_RUN_TOKENS in the server's environment/,
    ],
    [
      "This request has cost $0.0400 of the $0.05 a request may cost (APPWRIGHT_MAX_RUN_COST_USD), and the next model call could pass that limit, so the request stopped here.",
      /raise APPWRIGHT_MAX_RUN_COST_USD in the server's environment/,
    ],
    [
      "A cost limit is set (APPWRIGHT_MAX_RUN_COST_USD) but the price of m is unknown, so the cost of a call cannot be kept under it. Set its price with APPWRIGHT_MODEL_PRICES.",
      /APPWRIGHT_MODEL_PRICES, or remove APPWRIGHT_MAX_RUN_COST_USD/,
    ],
  ])("a spending limit says which one was reached and how to raise it: %s", (message, fix) => {
    const s = describeError({ code: "budget_exceeded", message });
    expect(s.problem).toBe(message);
    expect(s.fix).toMatch(fix);
    expect(s.fix).toMatch(/Edits made so far are kept|APPWRIGHT_MODEL_PRICES/);
  });

  it("a conversation too long for the model says to start a new one", () => {
    const s = describeError({ code: "model_context_exceeded", message: "anthropic answered 400: ..." });
    expect(s.problem).toMatch(/no longer fits the model's context window/);
    expect(s.fix).toMatch(/new conversation/);
  });

  it("an unknown code keeps the server's message", () => {
    expect(errorInWords({ code: "brand_new", message: "The server says so." })).toBe("The server says so.");
    expect(errorInWords({ code: "brand_new" })).toBe("Something went wrong.");
  });
});
