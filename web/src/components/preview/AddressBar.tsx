import { memo, useState } from "react";

interface Props {
  /** The page the preview shows, from the app's root ("/about.html"); null before it loads. */
  path: string | null;
  pages: string[];
  canBack: boolean;
  canForward: boolean;
  onBack: () => void;
  onForward: () => void;
  onOpen: (path: string) => void;
}

/**
 * The preview's address bar: the page it shows (following the app's own navigation), which
 * can be edited to open another, back and forward, and the app's pages to pick from.
 */
export const AddressBar = memo(function AddressBar(props: Props) {
  const { path, pages, canBack, canForward, onBack, onForward, onOpen } = props;
  // What the vendor is typing; null shows the preview's own path.
  const [draft, setDraft] = useState<string | null>(null);

  return (
    <form
      className="address-bar"
      data-testid="preview-address-bar"
      onSubmit={(e) => {
        e.preventDefault();
        onOpen(draft ?? path ?? "/");
        setDraft(null);
      }}
    >
      <button type="button" className="small" onClick={onBack} disabled={!canBack} title="Back" aria-label="Back" data-testid="preview-back">
        ←
      </button>
      <button type="button" className="small" onClick={onForward} disabled={!canForward} title="Forward" aria-label="Forward" data-testid="preview-forward">
        →
      </button>
      <input
        className="address"
        value={draft ?? path ?? ""}
        placeholder="/"
        spellCheck={false}
        aria-label="Page of the preview"
        title="The page the preview shows: edit it and press Enter to open another"
        onChange={(e) => setDraft(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") setDraft(null);
        }}
        onBlur={() => setDraft(null)}
        data-testid="preview-address"
      />
      <select
        value=""
        onChange={(e) => {
          if (e.target.value) onOpen(`/${e.target.value}`);
        }}
        aria-label="Open a page of the app"
        title="Open a page of the app"
        data-testid="preview-pages"
      >
        <option value="">Pages ({pages.length})</option>
        {pages.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </select>
    </form>
  );
});
