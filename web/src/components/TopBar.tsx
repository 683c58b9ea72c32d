import { navigate } from "../hooks/useRoute";

interface Props {
  appName: string;
  onUndo: () => void;
  onRedo: () => void;
  busy: boolean;
  /** The Publish button's words and tone (where the versions stand with the git remote). */
  publish: { label: string; tone: string };
  onPublish: () => void;
}

const mod = /Mac|iPhone|iPad/.test(navigator.platform) ? "⌘" : "Ctrl";

export function TopBar({ appName, onUndo, onRedo, busy, publish, onPublish }: Props) {
  return (
    <header className="top-bar">
      <a
        className="brand"
        href="/"
        onClick={(e) => {
          e.preventDefault();
          navigate("/");
        }}
      >
        appwright
      </a>
      <span className="crumb">/</span>
      <span className="app-name" data-testid="app-name">{appName}</span>
      <span className="spacer" />
      <button className={`publish-button tone-${publish.tone}`} onClick={onPublish} data-testid="open-publish">
        {publish.label}
      </button>
      <button onClick={onUndo} disabled={busy} title={`Undo the last version (${mod}+Alt+Z)`} data-testid="undo">
        ↶ Undo
      </button>
      <button onClick={onRedo} disabled={busy} title={`Redo (${mod}+Alt+Shift+Z)`} data-testid="redo">
        ↷ Redo
      </button>
    </header>
  );
}
