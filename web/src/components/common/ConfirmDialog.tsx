import type { ReactNode } from "react";
import { Modal } from "./Modal";

interface Props {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * Asks before an action that removes something. The body says exactly what; Cancel has the
 * focus, so Enter on a dialog that popped up unexpectedly removes nothing.
 */
export function ConfirmDialog({ title, children, confirmLabel, busy = false, onConfirm, onCancel }: Props) {
  return (
    <Modal title={title} onClose={onCancel} className="confirm" testId="confirm-dialog">
      <div className="modal-body">{children}</div>
      <footer className="modal-actions">
        <button onClick={onCancel} autoFocus data-testid="confirm-cancel">
          Cancel
        </button>
        <button className="danger solid" onClick={onConfirm} disabled={busy} data-testid="confirm-ok">
          {busy ? "Working…" : confirmLabel}
        </button>
      </footer>
    </Modal>
  );
}
