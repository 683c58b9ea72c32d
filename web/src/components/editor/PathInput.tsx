import { useEffect, useRef, useState } from "react";
import { ApiError } from "../../lib/api";
import { errorInWords } from "../../lib/sentences";

interface Props {
  initial: string;
  label: string;
  /** Resolves when done; a rejection is shown in words under the field, which stays open. */
  onSubmit: (path: string) => Promise<void>;
  onCancel: () => void;
  testId: string;
}

/** A one-line path field for the file tree: Enter submits, Escape cancels. */
export function PathInput({ initial, label, onSubmit, onCancel, testId }: Props) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  // Focused once, with the name selected without its extension, as file managers do.
  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.focus();
    const dot = el.value.lastIndexOf(".");
    const slash = el.value.lastIndexOf("/");
    el.setSelectionRange(slash + 1, dot > slash + 1 ? dot : el.value.length);
  }, []);

  const submit = async () => {
    const path = value.trim();
    if (!path || busy) return;
    setBusy(true);
    try {
      await onSubmit(path);
    } catch (err) {
      setError(err instanceof ApiError ? errorInWords(err) : (err as Error).message);
      setBusy(false);
    }
  };

  return (
    <div className="path-input">
      <input
        ref={input}
        value={value}
        aria-label={label}
        spellCheck={false}
        readOnly={busy}
        onChange={(e) => {
          setValue(e.target.value);
          setError(null);
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            void submit();
          } else if (e.key === "Escape") {
            e.preventDefault();
            onCancel();
          }
        }}
        data-testid={testId}
      />
      {error && (
        <div className="path-error" role="alert" data-testid="path-error">
          {error}
        </div>
      )}
    </div>
  );
}
