import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown";

describe("renderMarkdown", () => {
  it("renders markdown", () => {
    expect(renderMarkdown("**bold** and `code`")).toContain("<strong>bold</strong>");
  });

  it("shows raw HTML as text", () => {
    const html = renderMarkdown('<img src=x onerror="alert(1)">\n\nhi <script>x</script>');
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<script");
  });

  it("drops unsafe link schemes", () => {
    expect(renderMarkdown("[x](javascript:alert(1))")).not.toContain("href");
    expect(renderMarkdown("[x](https://example.com)")).toContain('href="https://example.com"');
  });

  it("never loads images", () => {
    expect(renderMarkdown("![cat](https://example.com/cat.png)")).not.toContain("<img");
  });
});
