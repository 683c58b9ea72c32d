import { useState } from "react";
import { setToken } from "../lib/auth";

/** Shown without a token: the URL that `appwright serve` prints logs in by itself. */
export function LoginForm({ onLogin, message }: { onLogin: () => void; message?: string }) {
  const [token, setValue] = useState("");
  return (
    <div className="center-page">
      <form
        className="card login"
        onSubmit={(e) => {
          e.preventDefault();
          if (!token.trim()) return;
          setToken(token.trim());
          onLogin();
        }}
      >
        <h1>appwright</h1>
        <p className="muted">{message ?? "Open the link that `appwright serve` printed, or paste your token."}</p>
        <input value={token} onChange={(e) => setValue(e.target.value)} placeholder="Token" data-testid="token-input" />
        <button className="primary" type="submit">Sign in</button>
      </form>
    </div>
  );
}
