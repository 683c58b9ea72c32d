import { memo, useMemo } from "react";
import { renderMarkdown } from "../../lib/markdown";

/** Streaming markdown: re-rendered as the text grows; only the growing block changes. */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
});
