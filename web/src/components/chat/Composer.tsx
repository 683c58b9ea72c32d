import { type KeyboardEvent, useState } from "react";

interface Props {
  running: boolean;
  disabled: boolean;
  onSend: (text: string) => void;
  onCancel: () => void;
}

/** Enter sends, Shift+Enter breaks the line. Sending is always possible: it queues. */
export function Composer({ running, disabled, onSend, onCancel }: Props) {
  const [text, setText] = useState("");
  const submit = () => {
    const value = text.trim();
    if (!value || disabled) return;
    onSend(value);
    setText("");
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };
  return (
    <div className="composer">
      <textarea
        data-testid="composer"
        placeholder={running ? "Queue a follow-up…" : "Ask for a change…"}
        value={text}
        disabled={disabled}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        rows={3}
      />
      <div className="composer-actions">
        {running && (
          <button className="danger" onClick={onCancel} data-testid="cancel">
            Cancel run
          </button>
        )}
        <button className="primary" onClick={submit} disabled={disabled || !text.trim()} data-testid="send">
          Send
        </button>
      </div>
    </div>
  );
}
