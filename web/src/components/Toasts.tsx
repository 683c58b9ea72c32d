import type { Toast } from "../hooks/useToasts";

export function Toasts({ toasts, onDismiss }: { toasts: Toast[]; onDismiss: (id: number) => void }) {
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.tone}`} onClick={() => onDismiss(t.id)} data-testid="toast">
          {t.text}
        </div>
      ))}
    </div>
  );
}
