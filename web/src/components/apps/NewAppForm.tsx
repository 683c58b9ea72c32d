import { useState } from "react";
import { navigate } from "../../hooks/useRoute";
import { api } from "../../lib/api";
import { TEMPLATES } from "../../lib/template";
import { ImportApp } from "../ImportApp";

type Source = "blank" | "git";

/** A new app: from a template (blank by default), from the tip of a git repository's branch, or imported from a zip or a folder. */
export function NewAppForm() {
  const [source, setSource] = useState<Source>("blank");
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [branch, setBranch] = useState("");
  const [templateId, setTemplateId] = useState(TEMPLATES[0].id);
  const template = TEMPLATES.find((t) => t.id === templateId) ?? TEMPLATES[0];
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const trimmed = name.trim();
  const ready = !!trimmed && (source === "blank" || !!url.trim());

  async function create() {
    if (!ready) return;
    setCreating(true);
    setError(null);
    try {
      const app =
        source === "blank"
          ? await api.createApp(trimmed, template.files(trimmed))
          : await api.createAppFromGit({ name: trimmed, url: url.trim(), branch: branch.trim() || null });
      navigate(`/apps/${encodeURIComponent(app.id)}`);
    } catch (err) {
      setError((err as Error).message);
      setCreating(false);
    }
  }

  return (
    <>
    <form
      className="card new-app"
      onSubmit={(e) => {
        e.preventDefault();
        void create();
      }}
      data-testid="new-app"
    >
      <h2>New app</h2>
      <div className="segmented" role="radiogroup" aria-label="Start from">
        {(["blank", "git"] as const).map((s) => (
          <button
            key={s}
            type="button"
            role="radio"
            aria-checked={source === s}
            className={source === s ? "active" : ""}
            onClick={() => {
              setSource(s);
              setError(null);
            }}
            data-testid={`new-app-${s}`}
          >
            {s === "blank" ? "From a template" : "From a git URL"}
          </button>
        ))}
      </div>
      {source === "blank" && (
        <div className="templates" role="radiogroup" aria-label="Template" data-testid="templates">
          {TEMPLATES.map((t) => (
            <label
              key={t.id}
              className={t.id === templateId ? "template active" : "template"}
              data-testid={`template-${t.id}`}
            >
              <input
                type="radio"
                name="template"
                checked={t.id === templateId}
                onChange={() => setTemplateId(t.id)}
              />
              <strong>{t.label}</strong>
              <span className="muted">{t.description}</span>
            </label>
          ))}
        </div>
      )}
      {source === "git" && (
        <p className="muted">Copies the files at the tip of a branch of a public repository (https://…).</p>
      )}
      <div className="row">
        <input value={name} onChange={(e) => setName(e.target.value)} placeholder="App name" data-testid="new-app-name" />
      </div>
      {source === "git" && (
        <div className="row">
          <input
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://github.com/owner/site.git"
            aria-label="Git URL"
            data-testid="new-app-url"
          />
          <input
            className="narrow"
            value={branch}
            onChange={(e) => setBranch(e.target.value)}
            placeholder="main"
            aria-label="Branch"
            data-testid="new-app-branch"
          />
        </div>
      )}
      {error && (
        <div className="notice error" data-testid="new-app-error">
          {error}
        </div>
      )}
      <div className="row">
        <button className="primary" type="submit" disabled={creating || !ready} data-testid="create-app">
          {creating ? (source === "git" ? "Importing…" : "Creating…") : source === "git" ? "Import" : "Create"}
        </button>
      </div>
    </form>
    <ImportApp name={name} />
    </>
  );
}
