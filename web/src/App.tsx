import { useCallback, useState } from "react";
import { AppsPage } from "./components/AppsPage";
import { LoginForm } from "./components/LoginForm";
import { Workspace } from "./components/Workspace";
import { useRoute } from "./hooks/useRoute";
import { clearToken, getToken } from "./lib/auth";

export function App() {
  const route = useRoute();
  const [signedIn, setSignedIn] = useState(() => getToken() !== null);
  const [message, setMessage] = useState<string | undefined>();
  const onUnauthorized = useCallback(() => {
    clearToken();
    setMessage("That token was not accepted. Paste a valid one.");
    setSignedIn(false);
  }, []);

  if (!signedIn) return <LoginForm message={message} onLogin={() => setSignedIn(true)} />;
  if (route.page === "workspace") return <Workspace key={route.appId} appId={route.appId} />;
  return <AppsPage onUnauthorized={onUnauthorized} />;
}
