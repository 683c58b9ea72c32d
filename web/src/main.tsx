import "./lib/tracked"; // installs window.__appwright_debug before anything runs
import "./editor/monacoSetup";
import "./styles.css";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { adoptTokenFromUrl } from "./lib/auth";

adoptTokenFromUrl();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
